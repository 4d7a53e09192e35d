/**
 * Waiting for the hub to apply what the connectors produced, in the merge evaluation. A hub that stops
 * making progress while records are still waiting has failed the run: its figures would score a
 * partial merge as if it were the hub's answer, so the evaluation stops with HubStalledError and
 * prints no scores (a retry may help when the machine was only starved, not when the hub is stuck).
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface HubProgress {
  /** Records applied (source_records). */
  applied: number;
  /** Records the hub dead-lettered. */
  deadLetters: number;
  /** Records on the consumed topics not yet committed by the hub. */
  behind: number;
}

export class HubStalledError extends Error {
  /** Another run may pass on a less loaded machine; the same hub stuck on a record will not. */
  readonly retryable = true;
  constructor(
    readonly progress: HubProgress,
    readonly stalledMs: number,
  ) {
    super(`the hub made no progress for ${Math.round(stalledMs / 1000)} s with ${progress.behind} records still to apply (${progress.applied} applied, ${progress.deadLetters} dead-lettered)`);
    this.name = 'HubStalledError';
  }
}

export interface WaitOptions {
  /** No new applied or dead-lettered record for this long while records wait = stalled. */
  stallMs: number;
  pollMs?: number;
  onPoll?: (p: HubProgress) => void;
  /** Injected clock and sleep (tests). */
  now?: () => number;
  sleep?: (ms: number) => Promise<unknown>;
}

/** Resolves with the final progress once nothing is behind; throws HubStalledError on a stall. */
export async function waitForHub(probe: () => Promise<HubProgress>, opts: WaitOptions): Promise<HubProgress> {
  const now = opts.now ?? Date.now;
  const pause = opts.sleep ?? ((ms: number) => sleep(ms));
  let last = -1;
  let since = now();
  for (;;) {
    const p = await probe();
    if (p.behind === 0) return p;
    const done = p.applied + p.deadLetters;
    if (done !== last) {
      last = done;
      since = now();
    } else if (now() - since > opts.stallMs) {
      throw new HubStalledError(p, now() - since);
    }
    opts.onPoll?.(p);
    await pause(opts.pollMs ?? 2000);
  }
}

/** Exit status of the evaluation: 0 scored, 3 the hub stalled (no scores), 1 anything else. */
export function exitCodeFor(err: unknown): number {
  if (err === undefined) return 0;
  return err instanceof HubStalledError ? 3 : 1;
}
