/**
 * Reads reconciliation_counts (migration 016) as hours: per connector and hour of the records' own
 * update time, every stage's count and how many records are missing between stages. Shared by the
 * API (GET /api/v1/reconciliation) and the metrics.
 */
import type { Db } from './db.js';
import { hourStartMs, missingRecords, RECONCILIATION_STAGES, type ReconciliationStage } from '../../core/reconciliation.js';

export interface ReconciliationHour {
  hour: string;
  connector: string;
  sourceSystem: string;
  department: string;
  counts: Record<ReconciliationStage, number>;
  deadReasons: Record<string, number>;
  missing: number;
  status: 'ok' | 'missing';
  statusLabel: string;
}

interface CountRow {
  connector: string;
  hour: Date;
  stage: ReconciliationStage;
  source_system: string;
  department: string;
  records: string;
  detail: Record<string, number> | null;
}

/** The hours of [from, to) with their stages, per connector, oldest first. */
export async function reconciliationHours(db: Db, opts: { from: Date; to: Date; department?: string; connector?: string }): Promise<ReconciliationHour[]> {
  const q = db('reconciliation_counts')
    .select('connector', 'hour', 'stage')
    .max('source_system as source_system')
    .max('department as department')
    .sum('records as records')
    // the connector's dead letters by reason live on its one row (slot '')
    .select(db.raw("(array_agg(detail) filter (where detail is not null))[1] as detail"))
    .where('hour', '>=', new Date(hourStartMs(opts.from.getTime())))
    .where('hour', '<', opts.to)
    .groupBy('connector', 'hour', 'stage')
    .orderBy([{ column: 'hour' }, { column: 'connector' }]);
  if (opts.department) q.where('department', opts.department);
  if (opts.connector) q.where('connector', opts.connector);
  const rows = (await q) as CountRow[];
  const byHour = new Map<string, ReconciliationHour>();
  for (const r of rows) {
    const hour = new Date(r.hour).toISOString();
    const key = `${hour}\u001f${r.connector}`;
    let h = byHour.get(key);
    if (!h) {
      h = { hour, connector: r.connector, sourceSystem: r.source_system, department: r.department, counts: Object.fromEntries(RECONCILIATION_STAGES.map((s) => [s, 0])) as Record<ReconciliationStage, number>, deadReasons: {}, missing: 0, status: 'ok', statusLabel: '一致' };
      byHour.set(key, h);
    }
    h.counts[r.stage] = Number(r.records);
    if (r.stage === 'dead_lettered' && r.detail) h.deadReasons = r.detail;
  }
  for (const h of byHour.values()) {
    h.missing = missingRecords(h.counts);
    if (h.missing > 0) Object.assign(h, { status: 'missing', statusLabel: '缺失' });
  }
  return [...byHour.values()];
}
