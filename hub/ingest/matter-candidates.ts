/**
 * Open (or recently closed) matters that may be about the same incident as a report, with their
 * reports' features: same family and time window, and near it (within twice the family's
 * distance), or in the same village, or on the same grid. Each path is an indexed query
 * (migrations 004, 012); the town-wide block is only the fallback for reports without a village
 * code.
 *
 * A run of reports keeps asking about the same matters (a partition carries a few towns, and a
 * busy town's block holds hundreds of matters with two or three reports each), so the features
 * of a matter's reports are read once per transaction and kept: the transaction itself is the
 * only writer of its partition's reports, and it tells this module when it links a report to a
 * matter (matterCandidateChanged). Which matters are candidates is still asked every time.
 */
import type { Knex } from 'knex';
import { matterBlocking, type MatterCandidate, type ReportFeatures } from '../merge/index.js';

/** A stored report's columns that matching reads (reports table, subject fields from its payload). */
export interface ReportRow {
  matter_id: string;
  source_system: string;
  source_record_id: string;
  category_code: string | null;
  event_time: Date;
  lng: number | null;
  lat: number | null;
  division_code: string | null;
  grid_code: string | null;
  description: string;
  address: string | null;
  subject_uscc: string | null;
  subject_name: string | null;
}

export function featuresOfRow(r: ReportRow): ReportFeatures {
  return {
    sourceSystem: r.source_system,
    sourceRecordId: r.source_record_id,
    categoryCode: r.category_code,
    eventTime: r.event_time.getTime(),
    location: r.lng !== null && r.lat !== null ? { lng: r.lng, lat: r.lat } : null,
    divisionCode: r.division_code,
    gridCode: r.grid_code,
    description: r.description,
    address: r.address,
    subjectUscc: r.subject_uscc,
    subjectName: r.subject_name,
  };
}

/** At most this many matters per blocking path (bbox, village/town, grid). */
const CANDIDATE_LIMIT = 300;

/** Per transaction: matter id → its reports' features, in source-identity order (byte order). */
const known = new WeakMap<Knex.Transaction, Map<string, ReportFeatures[]>>();

function cacheOf(tx: Knex.Transaction): Map<string, ReportFeatures[]> {
  let c = known.get(tx);
  if (!c) known.set(tx, (c = new Map()));
  return c;
}

const byIdentity = (a: ReportFeatures, b: ReportFeatures) => compareBytes(a.sourceSystem, b.sourceSystem) || compareBytes(a.sourceRecordId, b.sourceRecordId);
const compareBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The report (new, or a new version) is now one of the matter's reports; with `null`, the matter's
 * reports changed in a way only the database knows (read them again).
 */
export function matterCandidateChanged(tx: Knex.Transaction, matterId: string, report: ReportFeatures | null, opened = false): void {
  const cache = cacheOf(tx);
  const reports = cache.get(matterId);
  if (report && opened) cache.set(matterId, [report]);
  else if (!report || !reports) cache.delete(matterId);
  else {
    const at = reports.findIndex((r) => r.sourceSystem === report.sourceSystem && r.sourceRecordId === report.sourceRecordId);
    if (at >= 0) reports[at] = report;
    else reports.push(report);
    reports.sort(byIdentity);
  }
}

export async function loadCandidates(tx: Knex.Transaction, f: ReportFeatures): Promise<MatterCandidate[]> {
  const b = matterBlocking(f);
  const base = () => {
    const q = tx('matters')
      .select('id', 'closed_at')
      .whereNull('merged_into')
      .where('last_report_at', '>=', b.from)
      .where('first_report_ms', '<=', b.to)
      .where((w) => w.whereNull('closed_at').orWhere('closed_at', '>=', new Date(b.recurrenceSince)))
      // nearest in time first: a report delivered late must still find the matters of its own
      // hours, not only the latest of a busy town (a full county day has hundreds per family)
      .orderByRaw('abs(last_report_at - ?)', [f.eventTime])
      .limit(CANDIDATE_LIMIT);
    if (b.families) q.whereIn('family', [...b.families]);
    return q;
  };
  const queries = [];
  if (b.bbox) queries.push(base().whereBetween('lng', [b.bbox[0], b.bbox[2]]).whereBetween('lat', [b.bbox[1], b.bbox[3]]));
  // a village-coded report also finds matters its town was given for (12345 often gives <town>000)
  if (f.divisionCode && f.divisionCode.length === 12 && !f.divisionCode.endsWith('000')) queries.push(base().whereIn('division_code', b.townCode ? [f.divisionCode, `${b.townCode}000`, b.townCode] : [f.divisionCode]));
  else if (b.townCode) queries.push(base().where('town_code', b.townCode));
  else if (!b.bbox) queries.push(base().whereNull('division_code'));
  if (f.gridCode) queries.push(base().where('grid_code', f.gridCode));
  if (queries.length === 0) return [];
  const [first, ...others] = queries;
  const found: Array<{ id: string; closed_at: Date | null }> = await (others.length ? tx.queryBuilder().union([first!, ...others], true) : first!);
  const matters = [...new Map(found.map((m) => [String(m.id), m.closed_at?.getTime() ?? null])).entries()].sort(([a], [b]) => (BigInt(a) < BigInt(b) ? -1 : 1));

  const cache = cacheOf(tx);
  const missing = matters.map(([id]) => id).filter((id) => !cache.has(id));
  if (missing.length) {
    const rows: ReportRow[] = await tx('reports as r')
      .whereIn('r.matter_id', missing)
      .select(
        'r.matter_id',
        'r.source_system',
        'r.source_record_id',
        'r.category_code',
        'r.event_time',
        'r.lng',
        'r.lat',
        'r.division_code',
        'r.grid_code',
        'r.description',
        'r.address',
        tx.raw("r.payload->>'subjectUscc' as subject_uscc"),
        tx.raw("r.payload->>'subjectName' as subject_name"),
      )
      .orderByRaw('r.matter_id, r.source_system collate "C", r.source_record_id collate "C"');
    for (const id of missing) cache.set(id, []);
    for (const r of rows) cache.get(String(r.matter_id))!.push(featuresOfRow(r));
  }
  return matters.filter(([id]) => cache.get(id)!.length > 0).map(([matterId, closedAt]) => ({ matterId, closedAt, reports: cache.get(matterId)! }));
}
