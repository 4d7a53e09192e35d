/**
 * How many records one PostgreSQL transaction (a run) applies. Larger runs amortise the run's
 * statements over more records, but each record takes a few locks (its status targets, its
 * subject's blocking keys) and PostgreSQL's lock table is shared by every session and sized by the
 * server (max_locks_per_transaction × max_connections). A run whose locks do not fit is applied
 * again in runs of half its size, in order — never waited on, since waiting cannot cure a run
 * that alone needs more than the table holds — and later runs are kept at the size that fitted,
 * doubling back toward the configured size after a stretch of runs that fit.
 */
import { isLockTableFull } from '../store/db.js';

/** Runs in a row at a lowered size before the size is doubled again. */
const RUNS_BEFORE_GROWING = 50;

export class RunSize {
  private size: number;
  private runsFitted = 0;

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`a run holds at least one record (got ${max})`);
    this.size = max;
  }

  /** Records the next run may hold. */
  get current(): number {
    return this.size;
  }

  /** A run of this many records did not fit in the lock table. */
  tooLarge(records: number): number {
    this.size = Math.max(1, Math.min(this.size, Math.ceil(records / 2)));
    this.runsFitted = 0;
    return this.size;
  }

  /** A run was applied. */
  fitted(): void {
    if (this.size >= this.max) return;
    if (++this.runsFitted >= RUNS_BEFORE_GROWING) {
      this.size = Math.min(this.max, this.size * 2);
      this.runsFitted = 0;
    }
  }
}

/** Thrown by an apply whose run of several records did not fit in PostgreSQL's lock table. */
export class RunTooLargeError extends Error {
  readonly retriable = true;
  constructor(
    readonly records: number,
    override readonly cause: unknown,
  ) {
    super(`a run of ${records} records needs more locks than PostgreSQL's lock table has free (max_locks_per_transaction): applied in smaller runs`);
  }
}

/** Whether a failed run of this many records should be split rather than waited on. */
export function splitRather(records: number, err: unknown): boolean {
  return records > 1 && isLockTableFull(err);
}

/**
 * Applies the records in order in runs of at most `size.current`. A run that throws
 * RunTooLargeError is applied again in runs of the lowered size (down to one record, which the
 * apply waits on instead). Every record is handed to exactly one successful apply, in order.
 */
export async function applyInRuns<T>(records: readonly T[], size: RunSize, apply: (run: T[]) => Promise<void>, onSplit?: (records: number, now: number) => void): Promise<void> {
  const applyRun = async (run: T[]): Promise<void> => {
    try {
      await apply(run);
      size.fitted();
    } catch (err) {
      if (!(err instanceof RunTooLargeError) || run.length < 2) throw err;
      const now = size.tooLarge(run.length);
      onSplit?.(run.length, now);
      await applyAll(run);
    }
  };
  const applyAll = async (rs: readonly T[]): Promise<void> => {
    for (let i = 0; i < rs.length; ) {
      const run = rs.slice(i, i + size.current);
      i += run.length;
      await applyRun(run);
    }
  };
  await applyAll(records);
}
