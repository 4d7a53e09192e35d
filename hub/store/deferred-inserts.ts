/**
 * Rows nothing reads back while the consumer's transaction applies its records — the matter
 * timeline, the tasks of new matters, the rules' dispatches in the outbox — are kept in order and
 * inserted together when the transaction's records are applied (one statement per table instead
 * of one per row), so sequence ids keep their order. A step that does read them (a status change
 * waiting for a new matter's task) flushes first. Any other transaction (an operator's decision)
 * writes at once.
 */
import type { Knex } from 'knex';

interface Pending {
  table: string;
  /** Columns of a unique constraint whose conflicts are ignored (a second insert of the same row). */
  ignoreConflictOn: string[] | null;
  rows: Array<Record<string, unknown>>;
}

const buffers = new WeakMap<Knex.Transaction, Map<string, Pending>>();
/** What else a flush writes after the inserts (matter-writes: the run's folds into stored matters). */
const hooks = new WeakMap<Knex.Transaction, Array<() => Promise<void>>>();
/** Tables others reference are written first, whatever the order of first use. */
const FIRST = ['matters', 'reports'];
/** Rows per INSERT (well below PostgreSQL's 65,535 parameters for the widest of these tables). */
const INSERT_ROWS = 500;

/** From now on this transaction's deferred inserts wait for flushDeferredInserts. */
export function deferInserts(tx: Knex.Transaction): void {
  buffers.set(tx, new Map());
  hooks.delete(tx);
}

export function isDeferring(tx: Knex.Transaction): boolean {
  return buffers.has(tx);
}

/** Runs after every flush of this transaction's deferred inserts (while it defers). */
export function afterFlush(tx: Knex.Transaction, fn: () => Promise<void>): void {
  const list = hooks.get(tx) ?? hooks.set(tx, []).get(tx)!;
  list.push(fn);
}

export async function insertDeferred(tx: Knex.Transaction, table: string, rows: Array<Record<string, unknown>>, ignoreConflictOn: string[] | null = null): Promise<void> {
  const buffer = buffers.get(tx);
  if (!buffer) return insertNow(tx, { table, ignoreConflictOn, rows });
  const key = `${table}\u001f${ignoreConflictOn?.join(',') ?? ''}`;
  const pending = buffer.get(key) ?? buffer.set(key, { table, ignoreConflictOn, rows: [] }).get(key)!;
  pending.rows.push(...rows);
}

/** Writes what was deferred, table by table in the order each was first used; the transaction keeps deferring. */
export async function flushDeferredInserts(tx: Knex.Transaction): Promise<void> {
  const buffer = buffers.get(tx);
  if (!buffer) return;
  const rank = (p: Pending) => {
    const i = FIRST.indexOf(p.table);
    return i < 0 ? FIRST.length : i;
  };
  // (a stable sort: other tables keep the order of their first use)
  for (const pending of [...buffer.values()].sort((a, b) => rank(a) - rank(b))) await insertNow(tx, pending);
  buffer.clear();
  for (const fn of hooks.get(tx) ?? []) await fn();
}

/** Writes what was deferred and stops deferring. */
export async function endDeferredInserts(tx: Knex.Transaction): Promise<void> {
  await flushDeferredInserts(tx);
  buffers.delete(tx);
  hooks.delete(tx);
}

async function insertNow(tx: Knex.Transaction, { table, ignoreConflictOn, rows }: Pending): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_ROWS) {
    const q = tx(table).insert(rows.slice(i, i + INSERT_ROWS));
    await (ignoreConflictOn ? q.onConflict(ignoreConflictOn).ignore() : q);
  }
}
