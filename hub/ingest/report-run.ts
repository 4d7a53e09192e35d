/**
 * What applying a run of reports needs to know about each before the first is applied, asked once
 * for the run instead of once per report:
 *   - the stored version and matter of each report (locked, as applyReport would lock it);
 *   - which reports have status changes waiting for them (a department's 签收 can arrive before
 *     the ticket): by the report, by the matter it would open or by one of that matter's tasks.
 *     Their status-target locks are taken first, in one statement, so a status change applied
 *     meanwhile by another transaction is either seen here or sees the report.
 * Without a prepared run (a test applying one report) every question goes to the database.
 */
import type { Knex } from 'knex';
import type { Report } from '../../schemas/index.js';
import { prepareForMatching, type ReportFeatures, type SubjectRecord } from '../merge/index.js';
import { deterministicId } from '../store/ids.js';
import { lockTargets } from './apply-status.js';
import { reportFeatures, reportSubjectRecord } from './apply-report.js';
import { prepareSubjectRunOf, subjectKeysOf } from './subject-run.js';
import { addPhase } from './phase-clock.js';
import { endCandidatePool, prepareCandidatePool } from './matter-candidates.js';
import type { HubRouting } from './routing.js';

export interface StoredReport {
  source_version: string;
  matter_id: string;
}

interface Run {
  stored: Map<string, StoredReport>;
  /** Reports (source identity) and matters with status changes waiting for them. */
  waiting: Set<string>;
}

/** What a report's apply derives from the record alone: computed once when its run is prepared. */
export interface ReportDerived {
  categoryCode: string | null;
  features: ReportFeatures;
  subject: SubjectRecord | null;
}

/** Per report object of a prepared run (the consumer hands the same objects to prepare and apply). */
const derivedOf = new WeakMap<Report, ReportDerived>();

/** The category, matching features and named subject of a report, as its run computed them (else computed now). */
export function reportDerived(r: Report, routing: HubRouting): ReportDerived {
  const hit = derivedOf.get(r);
  if (hit) return hit;
  const categoryCode = r.categoryCode ?? routing.classify(`${r.title ?? ''} ${r.description}`);
  return { categoryCode, features: reportFeatures(r, categoryCode, routing), subject: reportSubjectRecord(r, routing) };
}

/**
 * Everything a report's apply derives from the record alone — category, matching features, the
 * matcher's parsed form, its subject's blocking keys — computed ahead and remembered with the
 * report object: the consumer calls it for a batch's later reports in the time it waits on
 * PostgreSQL for the earlier ones. Results are those of computing it in the apply itself.
 */
export function deriveReportAhead(r: Report, routing: HubRouting): void {
  if (derivedOf.has(r)) return;
  const derived = reportDerived(r, routing);
  derivedOf.set(r, derived);
  prepareForMatching(derived.features, { regions: routing.regions });
  if (derived.subject && (derived.subject.uscc || derived.subject.idHash || derived.subject.name)) subjectKeysOf(derived.subject, routing);
}

const runs = new WeakMap<Knex.Transaction, Run>();

const identity = (sourceSystem: string, sourceRecordId: string) => `${sourceSystem}\u001f${sourceRecordId}`;

export async function prepareReportRun(tx: Knex.Transaction, reports: Report[], routing: HubRouting): Promise<void> {
  if (!reports.length) return;
  const systems = reports.map((r) => r.envelope.sourceSystem);
  const ids = reports.map((r) => r.envelope.sourceRecordId);
  // the matter each would open, and its tasks (ids derive from the report and the departments)
  const matters = new Map<string, string>();
  const tasks = new Map<string, string>();
  const features = [];
  const subjects = [];
  const t0 = performance.now();
  for (const r of reports) {
    const matterId = deterministicId('matter', r.envelope.sourceSystem, r.envelope.sourceRecordId);
    matters.set(matterId, matterId);
    const derived = reportDerived(r, routing);
    derivedOf.set(r, derived);
    const category = derived.categoryCode;
    features.push(derived.features);
    subjects.push({ rec: derived.subject, envelope: r.envelope });
    const route = category ? routing.route(category, r.envelope.divisionCode) : undefined;
    for (const d of route ? [route.lead, ...route.cooperating] : []) tasks.set(deterministicId('task', matterId, d), matterId);
  }
  addPhase('features', performance.now() - t0);
  await lockTargets(tx, [...reports.map((r) => `record\u001f${identity(r.envelope.sourceSystem, r.envelope.sourceRecordId)}`), ...[...matters.keys()].map((m) => `matter\u001f${m}`), ...[...tasks.keys()].map((t) => `task\u001f${t}`)]);
  const stored = (
    await tx.raw(
      `select r.source_system, r.source_record_id, r.source_version, r.matter_id from reports r
        join unnest(?::text[], ?::text[]) as k(source_system, source_record_id) using (source_system, source_record_id)
        for update of r`,
      [systems, ids],
    )
  ).rows as Array<StoredReport & { source_system: string; source_record_id: string }>;
  const waitingRows = (
    await tx.raw(
      `select target_source_system, target_source_record_id, target_matter_id, target_task_id from status_changes
        where task_id is null and (
          (target_source_system, target_source_record_id) in (select * from unnest(?::text[], ?::text[]))
          or target_matter_id = any(?::text[]) or target_task_id = any(?::text[]))`,
      [systems, ids, [...matters.keys()], [...tasks.keys()]],
    )
  ).rows as Array<{ target_source_system: string | null; target_source_record_id: string | null; target_matter_id: string | null; target_task_id: string | null }>;
  const waiting = new Set<string>();
  for (const w of waitingRows) {
    if (w.target_source_system && w.target_source_record_id) waiting.add(identity(w.target_source_system, w.target_source_record_id));
    if (w.target_matter_id && matters.has(w.target_matter_id)) waiting.add(`matter:${w.target_matter_id}`);
    if (w.target_task_id && tasks.has(w.target_task_id)) waiting.add(`matter:${tasks.get(w.target_task_id)}`);
  }
  // the candidate matters of the whole run, after the locks (the run's town is its partition's)
  await prepareCandidatePool(tx, features);
  // and the subjects they name: their keys locked, their neighbourhood read, in a few statements
  await prepareSubjectRunOf(tx, subjects, routing);
  runs.set(tx, { stored: new Map(stored.map((s) => [identity(s.source_system, s.source_record_id), { source_version: String(s.source_version), matter_id: String(s.matter_id) }])), waiting });
}

/** The stored version and matter of a report, locked. */
export async function storedReport(tx: Knex.Transaction, sourceSystem: string, sourceRecordId: string): Promise<StoredReport | undefined> {
  const run = runs.get(tx);
  if (run) return run.stored.get(identity(sourceSystem, sourceRecordId));
  return tx('reports').where({ source_system: sourceSystem, source_record_id: sourceRecordId }).forUpdate().first<StoredReport | undefined>('source_version', 'matter_id');
}

/** A version of the report was stored (a later version in the same run reads it). */
export function reportStored(tx: Knex.Transaction, sourceSystem: string, sourceRecordId: string, row: StoredReport): void {
  runs.get(tx)?.stored.set(identity(sourceSystem, sourceRecordId), row);
}

/** Whether status changes may be waiting for this report or the matter it is on (always, without a prepared run). */
export function mayHaveWaitingChanges(tx: Knex.Transaction, sourceSystem: string, sourceRecordId: string, matterId: string): boolean {
  const run = runs.get(tx);
  return !run || run.waiting.has(identity(sourceSystem, sourceRecordId)) || run.waiting.has(`matter:${matterId}`);
}

/** The run is applied. */
export function endReportRun(tx: Knex.Transaction): void {
  runs.delete(tx);
  endCandidatePool(tx);
}
