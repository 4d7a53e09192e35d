import { describe, expect, it } from 'vitest';
import { applyInRuns, RunSize, RunTooLargeError, splitRather } from '../../../hub/ingest/run-size.js';
import { classifyDbError, isLockTableFull } from '../../../hub/store/db.js';

/** The error node-postgres hands back when the shared lock table is full (fields as pg's DatabaseError has them). */
function lockTableFull(): Error {
  return Object.assign(new Error('out of shared memory'), { code: '53200', severity: 'ERROR', hint: 'You might need to increase max_locks_per_transaction.' });
}

describe('a full lock table', () => {
  it('is told apart from other class-53 conditions, also wrapped', () => {
    expect(isLockTableFull(lockTableFull())).toBe(true);
    expect(isLockTableFull(new Error('apply failed', { cause: lockTableFull() }))).toBe(true);
    // still a server condition the hub waits out when one record alone meets it
    expect(classifyDbError(lockTableFull())).toBe('connection');
    expect(isLockTableFull(Object.assign(new Error('out of memory'), { code: '53200' }))).toBe(false);
    expect(isLockTableFull(Object.assign(new Error('sorry, too many clients already'), { code: '53300' }))).toBe(false);
    expect(isLockTableFull(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(false);
  });

  it('splits a run of several records, never one record', () => {
    expect(splitRather(2, lockTableFull())).toBe(true);
    expect(splitRather(1, lockTableFull())).toBe(false);
    expect(splitRather(200, Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(false);
  });
});

describe('applyInRuns', () => {
  /** An apply whose lock table holds the locks of at most `fits` records per run. */
  function server(fits: number) {
    const committed: number[] = [];
    const attempts: number[] = [];
    const apply = async (run: number[]) => {
      attempts.push(run.length);
      if (run.length > fits) throw new RunTooLargeError(run.length, lockTableFull());
      committed.push(...run);
    };
    return { committed, attempts, apply };
  }

  it('applies every record once, in order, in runs that fit, and keeps later runs at the size that fitted', async () => {
    const records = Array.from({ length: 1_000 }, (_, i) => i);
    const size = new RunSize(200);
    const s = server(37);
    const splits: Array<[number, number]> = [];
    await applyInRuns(records, size, s.apply, (n, now) => splits.push([n, now]));
    expect(s.committed).toEqual(records);
    expect(size.current).toBe(25); // 200 → 100 → 50 → 25 fits
    expect(splits).toEqual([[200, 100], [100, 50], [50, 25]]);
    // after the first run found its size, no run is tried too large again
    const firstFit = s.attempts.indexOf(25);
    expect(s.attempts.slice(firstFit).every((n) => n <= 37)).toBe(true);
  });

  it('grows back toward the configured size after runs that fit', async () => {
    const size = new RunSize(200);
    const tight = server(60);
    await applyInRuns([...Array(200).keys()], size, tight.apply);
    expect(size.current).toBe(50);
    // the server has room again (other sessions released their locks)
    const roomy = server(1_000);
    await applyInRuns([...Array(50 * 50 + 100 * 50).keys()], size, roomy.apply);
    expect(size.current).toBe(200);
    expect(roomy.committed).toHaveLength(7_500);
  });

  it('rethrows for one record (the caller waits on it) and never splits on other errors', async () => {
    const size = new RunSize(10);
    await expect(applyInRuns([1], size, async () => { throw new RunTooLargeError(1, lockTableFull()); })).rejects.toBeInstanceOf(RunTooLargeError);
    const attempts: number[] = [];
    await expect(
      applyInRuns([...Array(10).keys()], size, async (run) => {
        attempts.push(run.length);
        throw new Error('violates check constraint');
      }),
    ).rejects.toThrow('violates check constraint');
    expect(attempts).toEqual([10]);
    expect(size.current).toBe(10);
  });

  it('refuses a size below one record', () => {
    expect(() => new RunSize(0)).toThrow(RangeError);
  });
});
