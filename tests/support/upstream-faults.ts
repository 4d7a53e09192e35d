/**
 * The upstream failure scenario every HTTP adapter is tested with (500s, "系统繁忙" bodies,
 * time-outs, truncated and slow pages, through the simulators' /__sim/faults), and a watcher of the
 * connector's reported state, to prove it went degraded and then healthy by itself.
 */
import { expect } from 'vitest';
import { eventually } from '../../stack/processes.js';

export async function injectUpstreamFaults(post: (path: string, body: unknown) => Promise<unknown>, timeoutDelayMs: number): Promise<void> {
  await post('/__sim/faults', { mode: 'http500', count: 8 });
  await post('/__sim/faults', { mode: 'busy', count: 3 });
  await post('/__sim/faults', { mode: 'timeout', count: 3, delayMs: timeoutDelayMs });
  await post('/__sim/faults', { mode: 'truncated', count: 2 });
  await post('/__sim/faults', { mode: 'slow', count: 5, delayMs: 400 });
}

/** Polls a status URL every 100 ms; `stateOf` picks the connector's state out of the response. */
export function watchStates(statusUrl: string, stateOf: (body: unknown) => string = (b) => (b as { state: string }).state) {
  const states: string[] = [];
  const timer = setInterval(() => {
    void fetch(statusUrl)
      .then((r) => r.json())
      .then((v) => states.push(stateOf(v)))
      .catch(() => undefined);
  }, 100);
  return {
    states,
    stop: () => clearInterval(timer),
    /** Waits for `running`, then checks that `degraded` came before it. */
    async expectRecovered(timeoutMs: number): Promise<void> {
      await eventually('the connector to report itself healthy', async () => (states.at(-1) === 'running' ? true : undefined), timeoutMs);
      expect(states).toContain('degraded');
      expect(states.lastIndexOf('running')).toBeGreaterThan(states.indexOf('degraded'));
    },
  };
}
