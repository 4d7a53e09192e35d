/**
 * Applies one Report inside the caller's transaction:
 *   - idempotent by (source system, record id, version): a version already stored changes nothing;
 *     an older version than the current one is kept for lineage but never overwrites the newer;
 *   - a new report is matched against open matters of its block (hub/merge): it joins the matter
 *     it is about, or opens a new matter that is routed to its lead and cooperating departments
 *     with SLA deadlines (hub/routing);
 *   - ids are derived from source identities, not sequences, so a re-run after a crash or on
 *     another hub instance produces the same rows.
 */
import type { Knex } from 'knex';
import type { Report } from '../../schemas/index.js';
import { addressInText, doorText, familyOf, matchMatter, reportSubjectMention, type ReportFeatures, type SubjectRecord } from '../merge/index.js';
import { loadCandidates, matterCandidateChanged, poolMatter, poolMatterChanged, reportRowWritten, type ReportRow } from './matter-candidates.js';
import { foldIntoMatter, insertMatter, insertReportRow, updateReportRow } from './matter-writes.js';
import { deterministicId } from '../store/ids.js';
import type { HubRouting } from './routing.js';
import { linkSubject } from './link-subject.js';
import { reportSubjectsDue } from './subject-followups.js';
import { registerSourceRecord } from './source-records.js';
import { reportDerived, reportStored, storedReport } from './report-run.js';
import { subjectKeysOf } from './subject-run.js';
import { appendMatterEvent } from '../store/matter-events.js';
import { insertDeferred } from '../store/deferred-inserts.js';
import { raiseProposal } from '../ops/proposals.js';
import { insertDispatch, ruleDispatch } from '../ops/decisions.js';
import { geocodeFeatures } from '../gazetteer/features.js';

export interface Position {
  topic: string;
  partition: number;
  offset: string;
}

export type ApplyOutcome = 'new' | 'updated' | 'stale' | 'duplicate';

export interface ApplyEffect {
  outcome: ApplyOutcome;
  matterId?: string;
  /** The record opened this matter (its rule dispatch is due). */
  opened?: boolean;
}

export async function applyReport(tx: Knex.Transaction, r: Report, pos: Position, routing: HubRouting): Promise<ApplyEffect> {
  const e = r.envelope;
  if ((await registerSourceRecord(tx, 'report', r, pos)) === 'duplicate') return { outcome: 'duplicate' };

  const current = await storedReport(tx, e.sourceSystem, e.sourceRecordId);
  if (current && BigInt(current.source_version) > BigInt(e.sourceVersion)) return { outcome: 'stale', matterId: String(current.matter_id) };

  // (computed once for the run: hub/ingest/report-run.ts)
  const derived = reportDerived(r, routing);
  const { categoryCode, features } = derived;
  const row = {
    source_version: e.sourceVersion,
    department: e.department,
    channel: r.channel,
    status: r.status,
    source_status: r.sourceStatus,
    title: r.title,
    description: r.description,
    category_code: categoryCode,
    source_category: r.sourceCategoryCode,
    division_code: e.divisionCode,
    grid_code: e.gridCode,
    lng: e.location?.lng ?? null,
    lat: e.location?.lat ?? null,
    address: r.address,
    event_time: new Date(e.eventTime),
    payload: JSON.stringify(r),
    ...derivedLocationColumns(r, features),
  };

  if (current) {
    await updateReportRow(tx, { source_system: e.sourceSystem, source_record_id: e.sourceRecordId }, row);
    // (an update leaves a column given as undefined as it was: such a row is read again, not assumed)
    if ([row.category_code, row.division_code, row.grid_code, row.address, row.lng, row.lat].every((v) => v !== undefined)) reportRowWritten(tx, features, storedRow(r, String(current.matter_id), row));
    reportStored(tx, e.sourceSystem, e.sourceRecordId, { source_version: String(e.sourceVersion), matter_id: String(current.matter_id) });
    matterCandidateChanged(tx, String(current.matter_id), features);
    // (never back: a department's closure applied before this report may be the later change)
    await foldIntoMatter(tx, String(current.matter_id), { count: 0, updated: Math.max(e.eventTime, e.ingestTime), keys: row.address_keys });
    const pooledNow = poolMatter(tx, String(current.matter_id));
    if (pooledNow && row.address_keys.length) poolMatterChanged(tx, { ...pooledNow, keys: unionKeys(pooledNow.keys, row.address_keys) });
    await appendMatterEvent(tx, current.matter_id, 'report_updated', e.ingestTime, { sourceSystem: e.sourceSystem, sourceRecordId: e.sourceRecordId, status: r.status, sourceStatus: r.sourceStatus });
    return { outcome: 'updated', matterId: String(current.matter_id) };
  }

  const candidates = await loadCandidates(tx, features);
  const decision = matchMatter(features, candidates, { regions: routing.regions, textWeights: routing.textWeights ?? undefined, positionSpread: routing.positionSpread ?? undefined });
  const explanation = { decision: decision.decision, rule: decision.rule, score: decision.score, features: decision.features, alsoMatching: decision.alsoMatching, explanation: decision.explanation };

  if (decision.decision === 'match' && decision.matterId) {
    const matterId = decision.matterId;
    await insertReport(tx, { source_system: e.sourceSystem, source_record_id: e.sourceRecordId, matter_id: matterId, merge_decision: JSON.stringify(explanation), ...row });
    reportRowWritten(tx, features, storedRow(r, matterId, row));
    matterCandidateChanged(tx, matterId, features);
    const at = features.location;
    await foldIntoMatter(tx, matterId, { count: 1, last: e.eventTime, updated: Math.max(e.eventTime, e.ingestTime), lng: at?.lng ?? null, lat: at?.lat ?? null, grid: row.grid_code, keys: row.address_keys });
    const pooled = poolMatter(tx, matterId);
    if (pooled) poolMatterChanged(tx, { ...pooled, last: Math.max(pooled.last, e.eventTime), lng: pooled.lng ?? at?.lng ?? null, lat: pooled.lat ?? at?.lat ?? null, gridCode: pooled.gridCode ?? row.grid_code, keys: unionKeys(pooled.keys, row.address_keys) });
    await appendMatterEvent(tx, matterId, 'report_linked', e.eventTime, { sourceSystem: e.sourceSystem, sourceRecordId: e.sourceRecordId, rule: decision.rule, score: decision.score });
    // the report fits other open matters as well: they may be one incident (合并建议). Measured on
    // the demo county day, about half of such pairs are; a near miss ('review') only rarely is
    // (3 %), so near misses are kept in the report's merge decision but not queued for people.
    for (const other of decision.alsoMatching) {
      const alt = decision.evaluations.find((v) => v.matterId === other);
      await raiseProposal(tx, { kind: 'matter', ids: [matterId, other], sourceSystem: e.sourceSystem, sourceRecordId: e.sourceRecordId, rule: 'also-matching', score: alt?.score ?? decision.score, explanation: `${e.sourceSystem}/${e.sourceRecordId} fits both: ${alt?.explanation ?? ''}`, at: e.eventTime });
    }
    await linkReportSubject(tx, r, derived.subject, routing);
    return { outcome: 'new', matterId };
  }

  // A new matter: its id is derived from the report that opened it.
  const matterId = deterministicId('matter', e.sourceSystem, e.sourceRecordId);
  const route = categoryCode ? routing.route(categoryCode, e.divisionCode) : undefined;
  const matter = {
    id: matterId,
    title: r.title ?? r.description.slice(0, 40),
    description: r.description,
    category_code: categoryCode,
    family: familyOf(features),
    source_category: r.sourceCategoryCode,
    status: route ? 'DISPATCHED' : 'RECEIVED',
    // where the platform gave no division or position, the gazetteer's (candidate search finds the
    // matter by them; the report keeps what the department sent)
    division_code: features.divisionCode ?? null,
    town_code: features.divisionCode?.slice(0, 9) ?? null,
    grid_code: e.gridCode,
    lng: features.location?.lng ?? null,
    lat: features.location?.lat ?? null,
    address: r.address,
    address_keys: row.address_keys,
    report_count: 1,
    first_reported_at: new Date(e.eventTime),
    first_report_ms: e.eventTime,
    last_report_at: e.eventTime,
    updated_at: new Date(Math.max(e.eventTime, e.ingestTime)),
    lead_department: route?.lead ?? null,
    cooperating_departments: route ? [...route.cooperating] : [],
    route_level: route?.level ?? null,
    route: route ? JSON.stringify({ rule: route.rule, sla: route.sla, category: route.category }) : null,
    recurrence_of: decision.recurrenceOf ?? null,
    // the rule's dispatch below is the matter's first decision
    decision_version: route ? 1 : 0,
  };
  await insertMatter(tx, matter);
  poolMatterChanged(tx, { id: matterId, closedAt: null, last: e.eventTime, first: e.eventTime, family: matter.family, lng: matter.lng, lat: matter.lat, divisionCode: matter.division_code, townCode: matter.town_code, gridCode: matter.grid_code, keys: matter.address_keys });
  await insertReport(tx, { source_system: e.sourceSystem, source_record_id: e.sourceRecordId, matter_id: matterId, merge_decision: JSON.stringify(explanation), ...row });
  reportRowWritten(tx, features, storedRow(r, matterId, row));
  matterCandidateChanged(tx, matterId, features, true);
  await appendMatterEvent(tx, matterId, 'created', e.eventTime, { sourceSystem: e.sourceSystem, sourceRecordId: e.sourceRecordId, rule: decision.rule, review: decision.decision === 'review' });
  if (route) {
    const deadlines = routing.deadlines(route, new Date(e.eventTime));
    const departments: Array<[string, 'lead' | 'cooperating']> = [[route.lead, 'lead'], ...route.cooperating.map((d): [string, 'cooperating'] => [d, 'cooperating'])];
    const tasks = departments.map(([department, role]) => ({
      id: deterministicId('task', matterId, department),
      matter_id: matterId,
      department,
      role,
      status: 'DISPATCHED',
      dispatched_at: new Date(e.eventTime),
      first_response_by: deadlines.firstResponseBy,
      on_site_by: deadlines.onSiteBy,
      close_by: deadlines.closeBy,
    }));
    await insertDeferred(tx, 'tasks', tasks);
    await appendMatterEvent(tx, matterId, 'dispatched', e.eventTime, { lead: route.lead, cooperating: route.cooperating, rule: route.rule, deadlines });
    // the departments get the rule's dispatch as they would an operator's (dispatch_outbox → Kafka)
    await insertDispatch(tx, ruleDispatch({ ...matter, lead_department: route.lead }, tasks, { sourceSystem: e.sourceSystem, sourceRecordId: e.sourceRecordId }, e.eventTime, deadlines));
  }
  await linkReportSubject(tx, r, derived.subject, routing);
  return { outcome: 'new', matterId, opened: true };
}

/**
 * What matter matching reads of a report (the same as it reads back from a stored report's row:
 * featuresOfRow). With the county gazetteer, its address keys, and for a report without usable
 * coordinates or division the geocoded position (origin `geocoded:<level>`, uncertainty) and division.
 */
export function reportFeatures(r: Report, categoryCode: string | null, routing?: Pick<HubRouting, 'gazetteer' | 'regions'>): ReportFeatures {
  const f = sentFeatures(r, categoryCode);
  return routing?.gazetteer ? geocodeFeatures(f, routing.gazetteer, routing.regions) : f;
}

/**
 * The columns matching reads back from a report's row (readReports in matter-candidates.ts), as the
 * row written from `row` holds them: absent values are stored as NULL, and the subject fields are
 * read from the payload, which is the record itself.
 */
function storedRow(r: Report, matterId: string, row: { category_code: string | null; event_time: Date; lng: number | null; lat: number | null; division_code?: string | null; grid_code?: string | null; description: string; address?: string | null } & ReturnType<typeof derivedLocationColumns>): ReportRow {
  return {
    matter_id: matterId,
    source_system: r.envelope.sourceSystem,
    source_record_id: r.envelope.sourceRecordId,
    category_code: row.category_code ?? null,
    event_time: row.event_time,
    lng: row.lng,
    lat: row.lat,
    division_code: row.division_code ?? null,
    grid_code: row.grid_code ?? null,
    description: row.description,
    address: row.address ?? null,
    subject_uscc: r.subjectUscc ?? null,
    subject_name: r.subjectName ?? null,
    address_keys: row.address_keys,
    geocoded_lng: row.geocoded_lng,
    geocoded_lat: row.geocoded_lat,
    location_origin: row.location_origin,
    location_uncertainty_m: row.location_uncertainty_m,
    geocoded_division_code: row.geocoded_division_code,
  };
}

/** What the hub derived from the gazetteer, stored beside what the department sent. */
export function derivedLocationColumns(r: Report, f: ReportFeatures) {
  const geocoded = (f.locationOrigin ?? '').startsWith('geocoded:') && f.location !== null;
  // every origin the hub derived (a geocoded address, a platform's pin on a village centre), so a
  // stored report is judged with the uncertainty it was applied with
  const derived = f.locationOrigin != null && f.location !== null;
  return {
    address_keys: [...new Set(f.addressKeys ?? [])].sort(),
    geocoded_lng: geocoded ? f.location!.lng : null,
    geocoded_lat: geocoded ? f.location!.lat : null,
    location_origin: derived ? f.locationOrigin! : null,
    location_uncertainty_m: derived && f.locationUncertaintyM != null ? Math.round(f.locationUncertaintyM) : null,
    geocoded_division_code: r.envelope.divisionCode ? null : (f.divisionCode ?? null),
  };
}

const unionKeys = (a: readonly string[], b: readonly string[]): string[] => [...new Set([...a, ...b])].sort();

function sentFeatures(r: Report, categoryCode: string | null): ReportFeatures {
  const e = r.envelope;
  return {
    sourceSystem: e.sourceSystem,
    sourceRecordId: e.sourceRecordId,
    categoryCode,
    eventTime: e.eventTime,
    location: e.location ? { lng: e.location.lng, lat: e.location.lat } : null,
    divisionCode: e.divisionCode,
    gridCode: e.gridCode,
    description: r.description,
    address: r.address,
    subjectUscc: r.subjectUscc,
    subjectName: r.subjectName,
  };
}

async function insertReport(tx: Knex.Transaction, row: { source_system: string; source_record_id: string; matter_id: string; source_version: number } & Record<string, unknown>): Promise<void> {
  await insertReportRow(tx, row);
  reportStored(tx, row.source_system, row.source_record_id, { source_version: String(row.source_version), matter_id: row.matter_id });
}

/**
 * A report that names an enterprise or shop is one more record about that subject (一企一档): by
 * its subject fields, or — when it has none, as 12345 work orders — by the first shop or
 * enterprise name its text mentions (hub/merge/mentions.ts). A report's name is linked with the
 * `name-in-town` rule: the same name in the same town, nothing saying "another place". The matter's
 * subject is that of its first report (by source identity) naming one, whatever the arrival order.
 */
async function linkReportSubject(tx: Knex.Transaction, r: Report, rec: SubjectRecord | null, routing: HubRouting): Promise<void> {
  if (!rec) return;
  const e = r.envelope;
  const linked = await linkSubject(
    tx,
    rec,
    { kind: 'report', sourceSystem: e.sourceSystem, sourceRecordId: e.sourceRecordId, sourceVersion: e.sourceVersion, department: e.department, at: e.eventTime },
    routing,
    { nameInTown: true },
  );
  if (linked) await reportSubjectsDue(tx, [{ source_system: e.sourceSystem, source_record_id: e.sourceRecordId, subject_id: linked.subjectId }]);
}

/** The subject a report names (its subject fields, or the first shop or enterprise its text mentions), or null. */
export function reportSubjectRecord(r: Report, routing: HubRouting): SubjectRecord | null {
  let name = r.subjectName;
  if (!r.subjectUscc && !name) {
    // the first shop named, else a nameless stall of a known trade (路边米粉摊): the subject
    // matcher joins the latter only to another at its door
    name = reportSubjectMention(r.title && !r.description.includes(r.title) ? `${r.title}。${r.description}` : r.description, { regions: routing.regions })?.text ?? null;
    if (!name) return null;
  }
  const e = r.envelope;
  // a work order with no address field often names the door in its text, and its town there
  // (城关镇新华路24号：…): the subject gets that door, as the matter matcher reads it
  const inText = r.address && r.address.trim() !== '' ? null : addressInText(r.description, { regions: routing.regions });
  const address = r.address && r.address.trim() !== '' ? r.address : (inText ? doorText(inText) : null);
  const rec: SubjectRecord = { uscc: r.subjectUscc, name, address, divisionCode: e.divisionCode ?? (address ? inText?.divisionCode ?? null : null), location: e.location ? { lng: e.location.lng, lat: e.location.lat } : null };
  // a name with nothing to know it by (无名烧烤摊: a nameless stall) is no subject: no record could
  // ever meet it again, and it would be a profile of one report that nothing can find
  return rec.uscc || subjectKeysOf(rec, routing).length > 0 ? rec : null;
}
