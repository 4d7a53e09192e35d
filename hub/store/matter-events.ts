/**
 * The matter timeline (matter_events) is written by ingest, operator decisions and the SLA
 * watcher, and read only by the API. Ingest writes one or two events per record; inside the
 * consumer's transaction they are kept in order and inserted together when the transaction's
 * records are applied (one statement instead of one per event), so ids keep their order. Any
 * other transaction (an operator's decision) writes its events at once.
 */
import type { Knex } from 'knex';

interface EventRow {
  matter_id: string;
  type: string;
  at: Date;
  detail: string;
}

const buffers = new WeakMap<Knex.Transaction, EventRow[]>();
/** Rows per INSERT (4 parameters each, far below PostgreSQL's 65,535). */
const INSERT_ROWS = 1_000;

export async function appendMatterEvent(tx: Knex.Transaction, matterId: string, type: string, at: number, detail: object): Promise<void> {
  const row = { matter_id: matterId, type, at: new Date(at), detail: JSON.stringify(detail) };
  const buffer = buffers.get(tx);
  if (buffer) buffer.push(row);
  else await tx('matter_events').insert(row);
}

/** From now on this transaction's events wait for flushMatterEvents. */
export function bufferMatterEvents(tx: Knex.Transaction): void {
  buffers.set(tx, []);
}

/** Writes the buffered events, in the order they were appended; call before the transaction commits. */
export async function flushMatterEvents(tx: Knex.Transaction): Promise<void> {
  const rows = buffers.get(tx) ?? [];
  buffers.delete(tx);
  for (let i = 0; i < rows.length; i += INSERT_ROWS) await tx('matter_events').insert(rows.slice(i, i + INSERT_ROWS));
}
