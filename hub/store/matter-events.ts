/**
 * The matter timeline (matter_events) is written by ingest, operator decisions and the SLA
 * watcher, and read only by the API. Inside the consumer's transaction events are deferred
 * (deferred-inserts.ts) and inserted together, in order, when its records are applied.
 */
import type { Knex } from 'knex';
import { insertDeferred } from './deferred-inserts.js';

export async function appendMatterEvent(tx: Knex.Transaction, matterId: string, type: string, at: number, detail: object): Promise<void> {
  await insertDeferred(tx, 'matter_events', [{ matter_id: matterId, type, at: new Date(at), detail: JSON.stringify(detail) }]);
}
