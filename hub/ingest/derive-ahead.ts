/**
 * Work on records ahead of their turn, in the main thread's idle time: a few records at a time,
 * each slice queued with setImmediate, which runs only once pending I/O callbacks have been
 * handled — so the slices fill the time the consumer spends waiting on PostgreSQL and never hold
 * up a reply for more than one slice. A record the slices have not reached is derived when it is
 * applied, as before; a failure here is left for the apply to meet and report.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Records per slice: a slice of reports costs about a millisecond. */
const SLICE = 4;

export interface AheadWork {
  /** Stops at the next slice (the batch is done, or the partition was lost). */
  stop(): void;
}

export function deriveInIdleTime<T>(records: readonly T[], derive: (record: T) => void, alive: () => boolean): AheadWork {
  let stopped = false;
  void (async () => {
    for (let i = 0; i < records.length && !stopped; i += SLICE) {
      await nextTurn();
      if (stopped || !alive()) return;
      for (const r of records.slice(i, i + SLICE)) {
        try {
          derive(r);
        } catch {
          // the apply derives it again and dead-letters or reports it there
        }
      }
    }
  })();
  return { stop: () => (stopped = true) };
}
