/**
 * Inside a prepared run the matters and reports it writes wait for the end of the run (or for the
 * first step that reads them back from PostgreSQL, which flushes deferred inserts first): a new
 * matter's row, each report's row, and — for a matter already stored — what the run's reports did
 * to it (one more report, the newest report time, a first location or grid) folded into one UPDATE
 * per run. A report joining a matter the run opened and has not written yet changes the row still
 * waiting to be inserted. The folds are those of the per-report statements
 * (report_count + 1, greatest(...), coalesce(...)), applied in the reports' order.
 *
 * Without a prepared run (a test applying one report) every write goes to the database at once.
 */
import type { Knex } from 'knex';
import { afterFlush, insertDeferred, isDeferring } from '../store/deferred-inserts.js';

interface Fold {
  count: number;
  last: number | null;
  updated: number | null;
  lng: number | null;
  lat: number | null;
  grid: string | null;
  keys: string[];
}

interface Pending {
  /** Matters opened by the run whose row is still waiting to be inserted: the row itself. */
  unwritten: Map<string, Record<string, unknown>>;
  /** Reports inserted by the run and not written yet, by source identity: a later version in the run changes the row itself. */
  unwrittenReports: Map<string, Record<string, unknown>>;
  folds: Map<string, Fold>;
}

const pending = new WeakMap<Knex.Transaction, Pending>();

function stateOf(tx: Knex.Transaction): Pending | undefined {
  if (!isDeferring(tx)) return undefined;
  let p = pending.get(tx);
  if (!p) {
    pending.set(tx, (p = { unwritten: new Map(), unwrittenReports: new Map(), folds: new Map() }));
    afterFlush(tx, () => flushFolds(tx));
  }
  return p;
}

export async function insertMatter(tx: Knex.Transaction, row: Record<string, unknown> & { id: string }): Promise<void> {
  const p = stateOf(tx);
  if (!p) {
    await tx('matters').insert(row);
    return;
  }
  p.unwritten.set(row.id, row);
  await insertDeferred(tx, 'matters', [row]);
}

const reportKey = (sourceSystem: unknown, sourceRecordId: unknown) => `${String(sourceSystem)}\u001f${String(sourceRecordId)}`;

export async function insertReportRow(tx: Knex.Transaction, row: Record<string, unknown> & { source_system: string; source_record_id: string }): Promise<void> {
  const p = stateOf(tx);
  if (!p) {
    await tx('reports').insert(row);
    return;
  }
  p.unwrittenReports.set(reportKey(row.source_system, row.source_record_id), row);
  await insertDeferred(tx, 'reports', [row]);
}

/** A new version of a stored report: the row waiting to be inserted, or an UPDATE. */
export async function updateReportRow(tx: Knex.Transaction, where: { source_system: string; source_record_id: string }, row: Record<string, unknown>): Promise<void> {
  const waiting = stateOf(tx)?.unwrittenReports.get(reportKey(where.source_system, where.source_record_id));
  if (waiting) Object.assign(waiting, row);
  else await tx('reports').where(where).update(row);
}

/** A report joined the matter (count: 1) or a report of it changed (count: 0). */
export async function foldIntoMatter(tx: Knex.Transaction, matterId: string, f: { count: 0 | 1; last?: number; updated: number; lng?: number | null; lat?: number | null; grid?: string | null; keys?: readonly string[] }): Promise<void> {
  const keys = [...(f.keys ?? [])];
  const p = stateOf(tx);
  if (!p) {
    await tx('matters')
      .where({ id: matterId })
      .update({
        ...(f.count ? { report_count: tx.raw('report_count + 1') } : {}),
        ...(f.last !== undefined ? { last_report_at: tx.raw('greatest(last_report_at, ?)', [f.last]) } : {}),
        updated_at: tx.raw('greatest(updated_at, ?)', [new Date(f.updated)]),
        ...(f.count ? { lng: tx.raw('coalesce(lng, ?)', [f.lng ?? null]), lat: tx.raw('coalesce(lat, ?)', [f.lat ?? null]), grid_code: tx.raw('coalesce(grid_code, ?)', [f.grid ?? null]) } : {}),
        // the matter's address keys are the union of its reports' versions' (candidate search by address)
        ...(keys.length ? { address_keys: tx.raw('array(select distinct k from unnest(address_keys || ?::text[]) k order by k)', [keys]) } : {}),
      });
    return;
  }
  const row = p.unwritten.get(matterId);
  if (row) {
    row.report_count = Number(row.report_count) + f.count;
    if (f.last !== undefined) row.last_report_at = Math.max(Number(row.last_report_at), f.last);
    row.updated_at = new Date(Math.max((row.updated_at as Date).getTime(), f.updated));
    if (f.count) {
      row.lng ??= f.lng ?? null;
      row.lat ??= f.lat ?? null;
      row.grid_code ??= f.grid ?? null;
    }
    row.address_keys = [...new Set([...((row.address_keys as string[] | undefined) ?? []), ...keys])].sort();
    return;
  }
  const fold = p.folds.get(matterId) ?? { count: 0, last: null, updated: null, lng: null, lat: null, grid: null, keys: [] };
  fold.count += f.count;
  if (f.last !== undefined) fold.last = Math.max(fold.last ?? f.last, f.last);
  fold.updated = Math.max(fold.updated ?? f.updated, f.updated);
  if (f.count) {
    fold.lng ??= f.lng ?? null;
    fold.lat ??= f.lat ?? null;
    fold.grid ??= f.grid ?? null;
  }
  for (const k of keys) if (!fold.keys.includes(k)) fold.keys.push(k);
  p.folds.set(matterId, fold);
}

/** After the deferred inserts: the folds of stored matters in one UPDATE; matters opened are written now. */
async function flushFolds(tx: Knex.Transaction): Promise<void> {
  const p = pending.get(tx);
  if (!p) return;
  p.unwritten.clear();
  p.unwrittenReports.clear();
  const folds = [...p.folds];
  p.folds.clear();
  if (!folds.length) return;
  await tx.raw(
    `update matters m set report_count = m.report_count + v.count,
            last_report_at = coalesce(greatest(m.last_report_at, v.last), m.last_report_at),
            updated_at = greatest(m.updated_at, v.updated),
            lng = coalesce(m.lng, v.lng), lat = coalesce(m.lat, v.lat), grid_code = coalesce(m.grid_code, v.grid),
            address_keys = case when cardinality(v.keys) = 0 then m.address_keys else array(select distinct k from unnest(m.address_keys || v.keys) k order by k) end
       from jsonb_to_recordset(?::jsonb) as v(id bigint, count int, last bigint, updated timestamptz, lng float8, lat float8, grid text, keys text[])
      where m.id = v.id`,
    [JSON.stringify(folds.map(([id, f]) => ({ id, count: f.count, last: f.last, updated: f.updated === null ? null : new Date(f.updated).toISOString(), lng: f.lng, lat: f.lat, grid: f.grid, keys: f.keys })))],
  );
}

export function endMatterWrites(tx: Knex.Transaction): void {
  pending.delete(tx);
}
