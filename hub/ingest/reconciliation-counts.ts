/**
 * The hub's stages of the per-hour reconciliation (core/reconciliation.ts): records stored for the
 * first time (hub_applied) and records decoded but not applicable (hub_dead_lettered), counted in
 * the transaction that applies them — a run that rolls back takes its counts with it, and a record
 * delivered again finds its key stored and is not counted again. One multi-row upsert per run.
 */
import type { Knex } from 'knex';
import type { Envelope } from '../../schemas/index.js';
import { recordHourMs, type ReconciliationStage } from '../../core/reconciliation.js';

type HubStage = Extract<ReconciliationStage, 'hub_applied' | 'hub_dead_lettered'>;

export async function countHubStage(tx: Knex.Transaction, stage: HubStage, pos: { topic: string; partition: number }, envelopes: Envelope[]): Promise<void> {
  if (envelopes.length === 0) return;
  const slot = `${pos.topic}/${pos.partition}`;
  const rows = new Map<string, { connector: string; hour: Date; stage: HubStage; slot: string; source_system: string; department: string; records: number }>();
  for (const e of envelopes) {
    const hourMs = recordHourMs(e);
    const key = `${e.connector}\u001f${hourMs}`;
    const row = rows.get(key);
    if (row) row.records += 1;
    else rows.set(key, { connector: e.connector, hour: new Date(hourMs), stage, slot, source_system: e.sourceSystem, department: e.department, records: 1 });
  }
  // sorted, so two transactions of one slot (another hub instance after a rebalance) lock rows in one order
  const sorted = [...rows.values()].sort((a, b) => (a.connector === b.connector ? a.hour.getTime() - b.hour.getTime() : a.connector < b.connector ? -1 : 1));
  await tx('reconciliation_counts')
    .insert(sorted)
    .onConflict(['connector', 'hour', 'stage', 'slot'])
    .merge({ records: tx.raw('reconciliation_counts.records + excluded.records'), updated_at: tx.fn.now() });
}
