/**
 * The consumer applies a transaction again, instead of dead-lettering its records, when PostgreSQL
 * aborted it for a deadlock with another hub instance. Here a real deadlock (two transactions
 * taking two advisory locks in opposite order) is classified as transient, and an ordinary error
 * (division by zero) is not; and advisory locks of two hubs in two schemas of one database
 * do not block each other.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createDb, isTransientDbError, type Db } from '../../../hub/store/db.js';
import { testContext } from '../../support/context.js';

const ctx = testContext('transient');
const dbs: Db[] = [];
afterAll(async () => {
  for (const db of dbs) await db.destroy();
});

function db(schema = ctx.dbSchema): Db {
  const d = createDb(ctx.stack.databaseUrl, { schema, poolMax: 4 });
  dbs.push(d);
  return d;
}

describe('transient PostgreSQL errors', () => {
  it('a deadlock is transient; an error in the statement is not', async () => {
    const d = db();
    let release!: () => void;
    const bothLocked = new Promise<void>((r) => (release = r));
    let locked = 0;
    const one = (first: string, second: string) =>
      d.transaction(async (tx) => {
        await tx.raw('select pg_advisory_xact_lock(hashtext(?))', [first]);
        if (++locked === 2) release();
        await bothLocked;
        await tx.raw('select pg_advisory_xact_lock(hashtext(?))', [second]);
      });
    const results = await Promise.allSettled([one('transient-a', 'transient-b'), one('transient-b', 'transient-a')]);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failed).toHaveLength(1); // PostgreSQL aborts one, the other goes on
    expect(isTransientDbError(failed[0]!.reason)).toBe(true);

    const notTransient = await d.raw('select 1/0').catch((e: unknown) => e);
    expect(isTransientDbError(notTransient)).toBe(false);
  });

  it('the hub takes advisory locks per schema: two hubs on one database do not wait on each other', async () => {
    const a = db(`${ctx.dbSchema}_a`);
    const b = db(`${ctx.dbSchema}_b`);
    for (const [d, s] of [[a, `${ctx.dbSchema}_a`], [b, `${ctx.dbSchema}_b`]] as const) await d.raw(`create schema if not exists "${s}"`);
    const lock = "select pg_try_advisory_xact_lock(hashtext(current_schema()), hashtext('subject-key:x')) as ok";
    await a.transaction(async (ta) => {
      expect((await ta.raw(lock)).rows[0].ok).toBe(true);
      await b.transaction(async (tb) => expect((await tb.raw(lock)).rows[0].ok).toBe(true));
      // the same schema does wait
      const a2 = db(`${ctx.dbSchema}_a`);
      await a2.transaction(async (t2) => expect((await t2.raw(lock)).rows[0].ok).toBe(false));
    });
    for (const s of ['a', 'b']) await a.raw(`drop schema if exists "${ctx.dbSchema}_${s}" cascade`);
  });
});
