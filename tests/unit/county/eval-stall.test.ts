/**
 * eval:merge waits for the hub; a hub that stops making progress fails the run (exit status 3, no
 * scores) instead of having a partial merge scored as its answer.
 */
import { describe, expect, it } from 'vitest';
import { exitCodeFor, HubStalledError, waitForHub, type HubProgress } from '../../../scripts/eval-wait.js';

/** A fake clock the waiting loop's sleeps advance. */
function clock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

describe('waitForHub', () => {
  it('returns once nothing is behind, through slow progress', async () => {
    const c = clock();
    const seq: HubProgress[] = [
      { applied: 0, deadLetters: 0, behind: 10 },
      { applied: 0, deadLetters: 0, behind: 10 },
      { applied: 4, deadLetters: 0, behind: 6 },
      { applied: 4, deadLetters: 1, behind: 5 },
      { applied: 9, deadLetters: 1, behind: 0 },
    ];
    let i = 0;
    const polls: HubProgress[] = [];
    const done = await waitForHub(async () => seq[Math.min(i++, seq.length - 1)] as HubProgress, { stallMs: 5000, pollMs: 2000, ...c, onPoll: (p) => polls.push(p) });
    expect(done).toEqual({ applied: 9, deadLetters: 1, behind: 0 });
    expect(polls).toHaveLength(4);
  });

  it('does not call a pause shorter than the bound a stall', async () => {
    const c = clock();
    let n = 0;
    // progress every 4 polls (8 s) against a 10 s bound
    const done = await waitForHub(async () => ({ applied: Math.floor(n / 4), deadLetters: 0, behind: n++ >= 40 ? 0 : 1 }), { stallMs: 10_000, pollMs: 2000, ...c });
    expect(done.behind).toBe(0);
  });

  it('throws HubStalledError when nothing is applied or dead-lettered for longer than the bound, with the progress', async () => {
    const c = clock();
    const err = await waitForHub(async () => ({ applied: 7, deadLetters: 2, behind: 30 }), { stallMs: 60_000, pollMs: 2000, ...c }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubStalledError);
    expect((err as HubStalledError).progress).toEqual({ applied: 7, deadLetters: 2, behind: 30 });
    expect((err as HubStalledError).stalledMs).toBeGreaterThan(60_000);
    expect((err as HubStalledError).message).toMatch(/30 records still to apply/);
    expect(c.now()).toBeLessThan(70_000);
  });
});

describe('exit status', () => {
  it('is non-zero for a stalled hub (3), distinct from other failures (1), 0 when scored', () => {
    expect(exitCodeFor(new HubStalledError({ applied: 1, deadLetters: 0, behind: 2 }, 1000))).toBe(3);
    expect(exitCodeFor(new Error('boom'))).toBe(1);
    expect(exitCodeFor(undefined)).toBe(0);
  });
});
