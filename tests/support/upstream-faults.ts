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

/**
 * Polls a worker's /status every 100 ms (its first connector when it lists several): the states
 * seen, and its count of error spells. A degraded spell lasts about DEGRADED_BACKOFF_MS, and a
 * loaded machine's test process may sample less often than that, so each spell is also counted by
 * the worker itself (`errors`: every degraded, refused or failed spell).
 */
export function watchStates(statusUrl: string) {
  const states: string[] = [];
  let errors = 0;
  const timer = setInterval(() => {
    void fetch(statusUrl)
      .then((r) => r.json())
      .then((body) => {
        const v = (Array.isArray(body) ? body[0] : body) as { state: string; errors?: number };
        states.push(v.state);
        errors = Math.max(errors, v.errors ?? 0);
      })
      .catch(() => undefined);
  }, 100);
  return {
    states,
    stop: () => clearInterval(timer),
    /** Waits for `running`; checks that the connector went degraded before it, and never refused or failed. */
    async expectRecovered(timeoutMs: number): Promise<void> {
      await eventually('the connector to report itself healthy', async () => (states.at(-1) === 'running' ? true : undefined), timeoutMs);
      expect(states.filter((s) => s === 'refused' || s === 'failed')).toEqual([]);
      if (states.includes('degraded')) expect(states.lastIndexOf('running')).toBeGreaterThan(states.indexOf('degraded'));
      else expect(errors, `no degraded state sampled in ${states.length} samples, and the worker counted no error spell`).toBeGreaterThan(0);
    },
  };
}
