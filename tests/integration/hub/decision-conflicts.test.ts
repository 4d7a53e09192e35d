/**
 * A decision of the center meets the consumer applying the same matter: PostgreSQL aborts one of
 * two transactions in a deadlock (40P01). The decision is tried again and taken, instead of the
 * operator getting "internal error" (a loaded CI run: 改派 of a matter the departments were working).
 * A real deadlock between two transactions on the real database; a decision refused for a reason
 * is not retried.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createDb, transactionRetryingConflicts } from '../../../hub/store/db.js';
import { testContext } from '../../support/context.js';

const ctx = testContext('deadlock');
const db = createDb(ctx.stack.databaseUrl, { schema: ctx.dbSchema });

afterAll(async () => {
  await db.raw('drop schema if exists ?? cascade', [ctx.dbSchema]);
  await db.destroy();
});

describe('decisions retried after a deadlock', () => {
  it('of two transactions locking two rows in opposite orders, the one PostgreSQL aborts runs again and both commit', async () => {
    await db.raw('create schema if not exists ??', [ctx.dbSchema]);
    await db.schema.withSchema(ctx.dbSchema).createTable('rows', (t) => {
      t.integer('id').primary();
      t.integer('n').notNullable();
    });
    await db.withSchema(ctx.dbSchema).table('rows').insert([{ id: 1, n: 0 }, { id: 2, n: 0 }]);
    let attempts = 0;
    let bothHoldOne!: () => void;
    const firstLocks = new Promise<void>((r) => (bothHoldOne = r));
    let held = 0;
    const lockBoth = (first: number, second: number) =>
      transactionRetryingConflicts(db, async (tx) => {
        attempts += 1;
        await tx.withSchema(ctx.dbSchema).table('rows').where({ id: first }).increment('n', 1);
        if (++held === 2) bothHoldOne();
        await firstLocks; // each holds one row and wants the other's: a deadlock
        await tx.withSchema(ctx.dbSchema).table('rows').where({ id: second }).increment('n', 1);
      });
    await Promise.all([lockBoth(1, 2), lockBoth(2, 1)]);
    expect(attempts).toBe(3); // two first attempts, one of them aborted and run again
    expect(await db.withSchema(ctx.dbSchema).table('rows').orderBy('id').select('id', 'n')).toEqual([{ id: 1, n: 2 }, { id: 2, n: 2 }]);
  });

  it('a failure that is not a conflict is not tried again', async () => {
    let attempts = 0;
    await expect(
      transactionRetryingConflicts(db, async () => {
        attempts += 1;
        throw new Error('事项已办结');
      }),
    ).rejects.toThrow('事项已办结');
    expect(attempts).toBe(1);
  });
});
