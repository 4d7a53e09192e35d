/**
 * The command center's decisions (DecisionOps) on PostgreSQL. Each decision runs in one
 * transaction that locks the matters it touches, changes the tables, writes the timeline and
 * merge_audit, and puts the Dispatch record(s) the departments must receive into dispatch_outbox —
 * so a decision is published exactly when it is applied (hub/ops/publisher.ts sends the outbox).
 * Ids of matters and subjects made by a split are derived from what was split, like every hub id.
 */
import type { Knex } from 'knex';
import type { Dispatch } from '../../schemas/index.js';
import type { HubRouting } from '../ingest/routing.js';
import { refreshGolden } from '../ingest/subject-followups.js';
import { insertDeferred } from '../store/deferred-inserts.js';
import { transactionRetryingConflicts } from '../store/db.js';
import { DEFAULT_SLA } from '../routing/rules.js';
import { deterministicId } from '../store/ids.js';
import { DecisionError, type Actor, type DecisionOps, type DecisionResult, type DispatchInput } from './types.js';
import { appendMatterEvent } from '../store/matter-events.js';
import { rememberTold, sendChangedResults, type QueueNotice } from './channel-results.js';

interface MatterRow {
  id: string;
  title: string;
  description: string;
  category_code: string | null;
  status: string;
  division_code: string | null;
  grid_code: string | null;
  lng: number | null;
  lat: number | null;
  address: string | null;
  lead_department: string | null;
  cooperating_departments: string[];
  route_level: string | null;
  merged_into: string | null;
  decision_version: string;
  first_reported_at: Date;
  first_report_ms: string | null;
  last_report_at: string | null;
  family: string | null;
  subject_id: string | null;
}

type Tx = Knex.Transaction;
type ReportRef = { sourceSystem: string; sourceRecordId: string };

const LEVELS = new Set(['NORMAL', 'URGENT', 'EMERGENCY']);

export class PgDecisionOps implements DecisionOps {
  constructor(
    private readonly db: Knex,
    private readonly routing: HubRouting,
    private readonly now: () => number = Date.now,
  ) {}

  async dispatch(matterId: string, input: DispatchInput, actor: Actor): Promise<DecisionResult> {
    this.checkDepartments([input.leadDepartment, ...input.cooperatingDepartments]);
    if (input.cooperatingDepartments.includes(input.leadDepartment)) throw new DecisionError('invalid', `牵头部门 ${input.leadDepartment} 不能同时是协办部门 (the lead cannot also cooperate)`);
    return transactionRetryingConflicts(this.db, async (tx) => {
      const m = await lockOpenMatter(tx, matterId);
      // a closed matter has nobody left to work on it: dispatching it again would hand departments
      // a case whose one result has already gone out (reopening is a 重办, not a redispatch)
      if (m.status === 'CLOSED') throw new DecisionError('conflict', `事项 ${m.id} 已办结，不能派单或改派 (already closed; a closed matter is not dispatched again)`);
      const at = this.now();
      const deadlines = this.deadlines(m, at, input);
      const departments: Array<[string, 'lead' | 'cooperating']> = [[input.leadDepartment, 'lead'], ...input.cooperatingDepartments.map((d): [string, 'cooperating'] => [d, 'cooperating'])];
      const existing = (await tx('tasks').where({ matter_id: m.id }).select('department', 'status')) as Array<{ department: string; status: string }>;
      for (const [department, role] of departments) {
        await tx('tasks')
          .insert({ id: deterministicId('task', m.id, department), matter_id: m.id, department, role, status: 'DISPATCHED', dispatched_at: new Date(at), first_response_by: deadlines.firstResponseBy, on_site_by: deadlines.onSiteBy, close_by: deadlines.closeBy })
          .onConflict(['matter_id', 'department'])
          .merge({ role, status: 'DISPATCHED', dispatched_at: new Date(at), first_response_by: deadlines.firstResponseBy, on_site_by: deadlines.onSiteBy, close_by: deadlines.closeBy, done_at: null, responded_at: null, on_site_at: null });
      }
      // departments no longer involved keep their task for the record, withdrawn
      const kept = new Set(departments.map(([d]) => d));
      const withdrawn = existing.filter((t) => !kept.has(t.department) && t.status !== 'DONE').map((t) => t.department);
      if (withdrawn.length) await tx('tasks').where({ matter_id: m.id }).whereIn('department', withdrawn).update({ status: 'WITHDRAWN' });
      const level = (input.level ?? (m.route_level && LEVELS.has(m.route_level) ? m.route_level : 'NORMAL')) as Dispatch['level'];
      await tx('matters').where({ id: m.id }).update({ lead_department: input.leadDepartment, cooperating_departments: input.cooperatingDepartments, route_level: level, status: 'DISPATCHED', updated_at: new Date(at) });
      const action = existing.length ? 'REDISPATCH' : 'DISPATCH';
      await appendMatterEvent(tx, m.id, action === 'DISPATCH' ? 'dispatched' : 'redispatched', at, { by: actor.principalId, lead: input.leadDepartment, cooperating: input.cooperatingDepartments, deadlines, reason: input.reason ?? null, withdrawn });
      return queueDecision(tx, m, actor, at, {
        action,
        level,
        leadDepartment: input.leadDepartment,
        cooperatingDepartments: input.cooperatingDepartments,
        firstResponseDeadline: deadlines.firstResponseBy.getTime(),
        onSiteDeadline: deadlines.onSiteBy.getTime(),
        closureDeadline: deadlines.closeBy.getTime(),
        instructions: input.instructions ?? null,
        reason: input.reason ?? null,
        previousLeadDepartment: action === 'REDISPATCH' ? m.lead_department : null,
      });
    });
  }

  async close(matterId: string, input: { result: string; reason?: string }, actor: Actor): Promise<DecisionResult> {
    return transactionRetryingConflicts(this.db, async (tx) => {
      const m = await lockOpenMatter(tx, matterId);
      if (m.status === 'CLOSED') throw new DecisionError('conflict', `事项 ${m.id} 已办结 (already closed)`);
      const at = this.now();
      await tx('matters').where({ id: m.id }).update({ status: 'CLOSED', closed_at: new Date(at), result: input.result, updated_at: new Date(at) });
      await tx('tasks').where({ matter_id: m.id }).whereNull('done_at').whereNot('status', 'WITHDRAWN').update({ status: 'DONE', done_at: new Date(at), result: '由指挥中心统一办结' });
      await appendMatterEvent(tx, m.id, 'closed', at, { by: actor.principalId, result: input.result, reason: input.reason ?? null });
      const decided = await queueDecision(tx, m, actor, at, { action: 'CLOSE', result: input.result, reason: input.reason ?? null });
      await queueResults(tx, m.id, at, actor);
      return decided;
    });
  }

  async mergeMatters(input: { into: string; from: string[]; reason: string }, actor: Actor): Promise<DecisionResult> {
    const from = [...new Set(input.from)].filter((id) => id !== input.into);
    if (from.length === 0) throw new DecisionError('invalid', '请至少选择一个要并入的其他事项 (nothing to merge)');
    return transactionRetryingConflicts(this.db, async (tx) => {
      // lock in id order: two operators merging overlapping sets cannot deadlock
      const ids = [input.into, ...from].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
      const locked = new Map<string, MatterRow>();
      for (const id of ids) locked.set(id, await lockOpenMatter(tx, id));
      const into = locked.get(input.into)!;
      const at = this.now();
      const moved = (await tx('reports').whereIn('matter_id', from).select('source_system', 'source_record_id')) as Array<{ source_system: string; source_record_id: string }>;
      await tx('reports').whereIn('matter_id', from).update({ matter_id: into.id });
      // tasks of departments the kept matter lacks move with their clocks; the rest stay behind, merged
      const intoDepartments = (await tx('tasks').where({ matter_id: into.id }).pluck('department')) as string[];
      for (const id of from) {
        const movable = (await tx('tasks').where({ matter_id: id }).whereNotIn('department', intoDepartments).pluck('department')) as string[];
        if (movable.length) await tx('tasks').where({ matter_id: id }).whereIn('department', movable).update({ matter_id: into.id, role: 'cooperating' });
        intoDepartments.push(...movable);
        await tx('tasks').where({ matter_id: id }).whereNull('done_at').update({ status: 'MERGED' });
        await tx('matters').where({ id }).update({ merged_into: into.id, status: 'MERGED', report_count: 0, updated_at: new Date(at) });
        await appendMatterEvent(tx, id, 'merged_into', at, { by: actor.principalId, into: into.id, reason: input.reason });
        await queueDecision(tx, locked.get(id)!, actor, at, { action: 'MERGE', mergedIntoMatterId: into.id, reason: input.reason });
      }
      await refreshMatterSpan(tx, into.id, at);
      const cooperating = (await tx('tasks').where({ matter_id: into.id, role: 'cooperating' }).whereNotIn('status', ['WITHDRAWN', 'MERGED']).pluck('department')) as string[];
      await tx('matters').where({ id: into.id }).update({ cooperating_departments: cooperating });
      await appendMatterEvent(tx, into.id, 'merged', at, { by: actor.principalId, from, reports: moved.length, reason: input.reason });
      await audit(tx, 'matter', 'merge', actor, at, { into: into.id, from, reports: moved.map((r) => `${r.source_system}/${r.source_record_id}`), reason: input.reason });
      // after closure: a record that joined a closed matter gets its result, a record whose closed
      // matter went into an open one hears that it is open again; the others hear nothing
      await sendChangedResults(tx, [into.id], at, actor, queueNotice);
      return queueDecision(tx, { ...into, cooperating_departments: cooperating }, actor, at, { action: 'REDISPATCH', reason: `并入事项 ${from.join('、')}：${input.reason}`, previousLeadDepartment: into.lead_department });
    });
  }

  async splitMatter(matterId: string, input: { reports: ReportRef[]; reason: string }, actor: Actor): Promise<DecisionResult & { newMatterId: string }> {
    if (input.reports.length === 0) throw new DecisionError('invalid', '请选择要拆出的报告 (choose the reports to split off)');
    return transactionRetryingConflicts(this.db, async (tx) => {
      const m = await lockOpenMatter(tx, matterId);
      const all = (await tx('reports').where({ matter_id: m.id }).orderBy(['event_time', 'source_system', 'source_record_id'])) as Array<{ source_system: string; source_record_id: string; title: string | null; description: string; category_code: string | null; division_code: string | null; grid_code: string | null; lng: number | null; lat: number | null; address: string | null; event_time: Date }>;
      const wanted = new Set(input.reports.map((r) => `${r.sourceSystem}\u0000${r.sourceRecordId}`));
      const out = all.filter((r) => wanted.has(`${r.source_system}\u0000${r.source_record_id}`));
      if (out.length !== wanted.size) throw new DecisionError('invalid', `有 ${wanted.size - out.length} 个报告不属于事项 ${m.id} (some reports are not linked to this matter)`);
      if (out.length === all.length) throw new DecisionError('invalid', '不能拆出全部报告；原事项至少保留一个 (a split must leave at least one report)');
      const at = this.now();
      const first = out[0]!;
      const newId = deterministicId('matter-split', m.id, ...[...wanted].sort());
      await tx('matters').insert({
        id: newId,
        title: first.title ?? first.description.slice(0, 40),
        description: first.description,
        category_code: first.category_code,
        family: m.family,
        status: 'RECEIVED',
        division_code: first.division_code,
        town_code: first.division_code?.slice(0, 9) ?? null,
        grid_code: first.grid_code,
        lng: first.lng,
        lat: first.lat,
        address: first.address,
        report_count: out.length,
        first_reported_at: first.event_time,
        first_report_ms: first.event_time.getTime(),
        last_report_at: out[out.length - 1]!.event_time.getTime(),
        updated_at: new Date(at),
        subject_id: m.subject_id,
      });
      await tx('reports').where({ matter_id: m.id }).whereIn(['source_system', 'source_record_id'], out.map((r) => [r.source_system, r.source_record_id])).update({ matter_id: newId });
      await refreshMatterSpan(tx, m.id, at);
      await refreshMatterSpan(tx, newId, at);
      await appendMatterEvent(tx, m.id, 'split', at, { by: actor.principalId, into: newId, reports: out.map((r) => `${r.source_system}/${r.source_record_id}`), reason: input.reason });
      await appendMatterEvent(tx, newId, 'created', at, { by: actor.principalId, splitFrom: m.id, reason: input.reason });
      await audit(tx, 'matter', 'split', actor, at, { matter: m.id, newMatter: newId, reports: out.map((r) => `${r.source_system}/${r.source_record_id}`), reason: input.reason });
      const result = await queueDecision(tx, m, actor, at, { action: 'SPLIT', splitIntoMatterIds: [m.id, newId], reason: input.reason });
      // after closure: the records split out into the new (open) matter hear that their result no longer applies
      await sendChangedResults(tx, [m.id, newId], at, actor, queueNotice);
      return { ...result, newMatterId: newId };
    });
  }

  async mergeSubjects(input: { into: string; from: string[]; reason: string }, actor: Actor): Promise<{ subjectId: string }> {
    const from = [...new Set(input.from)].filter((id) => id !== input.into);
    if (from.length === 0) throw new DecisionError('invalid', '请至少选择一个要并入的其他主体 (nothing to merge)');
    return transactionRetryingConflicts(this.db, async (tx) => {
      const ids = [input.into, ...from].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
      for (const id of ids) await lockSubject(tx, id);
      const at = this.now();
      const links = (await tx('subject_links').whereIn('subject_id', from).select('source_system', 'source_record_id')) as Array<{ source_system: string; source_record_id: string }>;
      await tx('subject_links').whereIn('subject_id', from).update({ subject_id: input.into });
      // blocking keys move too, so the next record of the merged subject finds the kept one
      await tx.raw('insert into subject_keys (key, subject_id) select key, ? from subject_keys where subject_id = any(?) on conflict do nothing', [input.into, from]);
      await tx('subject_keys').whereIn('subject_id', from).del();
      await tx('reports').whereIn('subject_id', from).update({ subject_id: input.into });
      await tx('matters').whereIn('subject_id', from).update({ subject_id: input.into });
      await tx('subjects').whereIn('id', from).update({ merged_into: input.into, updated_at: new Date(at) });
      await refreshGolden(tx, [input.into]);
      await audit(tx, 'subject', 'merge', actor, at, { into: input.into, from, links: links.map((l) => `${l.source_system}/${l.source_record_id}`), reason: input.reason });
      return { subjectId: input.into };
    });
  }

  async splitSubject(subjectId: string, input: { links: ReportRef[]; reason: string }, actor: Actor): Promise<{ subjectId: string; newSubjectId: string }> {
    if (input.links.length === 0) throw new DecisionError('invalid', '请选择要拆出的关联记录 (choose the linked records to split off)');
    return transactionRetryingConflicts(this.db, async (tx) => {
      const s = await lockSubject(tx, subjectId);
      const all = (await tx('subject_links').where({ subject_id: s.id }).select('source_system', 'source_record_id')) as Array<{ source_system: string; source_record_id: string }>;
      const wanted = new Set(input.links.map((r) => `${r.sourceSystem}\u0000${r.sourceRecordId}`));
      const out = all.filter((l) => wanted.has(`${l.source_system}\u0000${l.source_record_id}`));
      if (out.length !== wanted.size) throw new DecisionError('invalid', `有 ${wanted.size - out.length} 条记录不属于主体 ${s.id} (some records are not linked to this subject)`);
      if (out.length === all.length) throw new DecisionError('invalid', '不能拆出全部记录；原主体至少保留一条 (a split must leave at least one record)');
      const at = this.now();
      const newId = deterministicId('subject-split', s.id, ...[...wanted].sort());
      await tx('subjects').insert({ id: newId, subject_type: s.subject_type, name: s.name, updated_at: new Date(at) });
      const pairs = out.map((l) => [l.source_system, l.source_record_id]);
      await tx('subject_links').where({ subject_id: s.id }).whereIn(['source_system', 'source_record_id'], pairs).update({ subject_id: newId });
      await tx('reports').where({ subject_id: s.id }).whereIn(['source_system', 'source_record_id'], pairs).update({ subject_id: newId });
      await refreshGolden(tx, [s.id, newId]);
      await audit(tx, 'subject', 'split', actor, at, { subject: s.id, newSubject: newId, links: out.map((l) => `${l.source_system}/${l.source_record_id}`), reason: input.reason });
      return { subjectId: s.id, newSubjectId: newId };
    });
  }

  private checkDepartments(ids: string[]): void {
    for (const d of ids) {
      if (/^town:\d{9}$/.test(d)) continue;
      if (!this.routing.catalogue.departments.has(d) || d === 'town') throw new DecisionError('invalid', `未知部门 ${d} (unknown department; see schemas/catalogues/departments.json, or town:<9-digit town code>)`);
    }
  }

  /** The rule's deadlines from now (the category's SLA, else the county defaults), with the operator's overrides. */
  private deadlines(m: MatterRow, at: number, input: DispatchInput) {
    const route = m.category_code ? this.routing.route(m.category_code, m.division_code) : undefined;
    const d = this.routing.deadlines(route ?? { sla: DEFAULT_SLA }, new Date(at));
    const pick = (override: number | undefined, fallback: Date) => {
      if (override === undefined) return fallback;
      if (override <= at) throw new DecisionError('invalid', `期限 ${new Date(override).toISOString()} 早于现在 (a deadline must lie in the future)`);
      return new Date(override);
    };
    return { firstResponseBy: pick(input.firstResponseDeadline, d.firstResponseBy), onSiteBy: pick(input.onSiteDeadline, d.onSiteBy), closeBy: pick(input.closureDeadline, d.closeBy) };
  }

}

/** Bumps the matter's decision version and puts the Dispatch record into the outbox. */
async function queueDecision(tx: Tx, m: MatterRow, actor: Actor, at: number, d: Partial<Dispatch> & { action: Dispatch['action'] }): Promise<DecisionResult> {
  const bumped = (await tx('matters').where({ id: m.id }).increment('decision_version', 1).returning('decision_version')) as Array<{ decision_version: string }>;
  const version = Number(bumped[0]!.decision_version);
  // the verifier's task is the grid's 核查 of a closure, sent on its own (queueVerification), not a share of the work
  const tasks = (await tx('tasks').where({ matter_id: m.id }).whereNotIn('status', ['WITHDRAWN', 'MERGED']).whereNot('role', 'verifier').select('id', 'department', 'role')) as DispatchTask[];
  const reports = (await tx('reports').where({ matter_id: m.id }).orderBy(['source_system', 'source_record_id']).select('source_system', 'source_record_id')) as Array<{ source_system: string; source_record_id: string }>;
  const record = dispatchRecord(m, version, tasks, reports.map((r) => ({ sourceSystem: r.source_system, sourceRecordId: r.source_record_id })), actor, at, d);
  await insertDispatch(tx, record);
  return { matterId: String(m.id), version, idempotencyKey: record.idempotencyKey };
}

type DispatchTask = { id: string; department: string; role: string };
type DispatchMatter = Pick<MatterRow, 'id' | 'title' | 'category_code' | 'division_code' | 'grid_code' | 'lng' | 'lat' | 'address' | 'lead_department' | 'route_level'>;

/** The Dispatch record of a matter's decision of this version: what the departments receive. */
function dispatchRecord(m: DispatchMatter, version: number, tasks: DispatchTask[], reports: ReportRef[], actor: Actor, at: number, d: Partial<Dispatch> & { action: Dispatch['action'] }): Dispatch {
  const idempotencyKey = `${m.id}:${version}`;
  const lead = d.leadDepartment ?? tasks.find((t) => t.role === 'lead')?.department ?? m.lead_department;
  return {
    envelope: {
      sourceSystem: 'countyhub',
      department: 'command',
      sourceRecordId: idempotencyKey,
      sourceVersion: version,
      eventTime: at,
      ingestTime: at,
      divisionCode: m.division_code,
      gridCode: m.grid_code,
      // the hub's coordinates are already canonical: as given and as canonical are the same point
      location: m.lng !== null && m.lat !== null ? { lng: m.lng, lat: m.lat, originalLng: m.lng, originalLat: m.lat, originalCrs: 'WGS84' } : null,
      connector: 'hub',
    },
    matterId: String(m.id),
    idempotencyKey,
    version,
    level: (d.level ?? (m.route_level && LEVELS.has(m.route_level) ? m.route_level : 'NORMAL')) as Dispatch['level'],
    categoryCode: m.category_code,
    summary: m.title,
    address: m.address,
    leadDepartment: lead ?? null,
    cooperatingDepartments: d.cooperatingDepartments ?? tasks.filter((t) => t.role === 'cooperating').map((t) => t.department),
    taskIds: Object.fromEntries(tasks.map((t) => [t.department, String(t.id)])),
    firstResponseDeadline: null,
    onSiteDeadline: null,
    closureDeadline: null,
    instructions: null,
    issuedByRole: actor.role,
    issuedByNameMasked: actor.nameMasked,
    issuedAt: at,
    reports,
    reason: null,
    previousLeadDepartment: null,
    mergedIntoMatterId: null,
    splitIntoMatterIds: [],
    result: null,
    recipientDepartment: null,
    ...d,
  };
}

/**
 * 统一出件, back to every channel: the closed matter's one result goes to each department whose
 * report is linked to it, for its own record (its record id, the result, the lead department, the
 * time) — a RESULT Dispatch per report, through the same outbox, under a new decision version, so a
 * closure after a reopening sends the new result once more and a redelivery is the same copy
 * (idempotency key per matter, version and record). The sink serving the report's platform delivers
 * it and acknowledges it as a StatusChange (hub/ingest/apply-status.ts: applyResultReceipt).
 */
export async function queueResults(tx: Tx, matterId: string, at: number, actor: Actor): Promise<number> {
  const m = (await tx('matters').where({ id: matterId }).first()) as (MatterRow & { result: string | null }) | undefined;
  if (!m || m.status !== 'CLOSED') return 0;
  const bumped = (await tx('matters').where({ id: m.id }).increment('decision_version', 1).returning('decision_version')) as Array<{ decision_version: string }>;
  const version = Number(bumped[0]!.decision_version);
  const reports = (await tx('reports').where({ matter_id: m.id }).orderBy(['source_system', 'source_record_id']).select('source_system', 'source_record_id', 'department')) as Array<{ source_system: string; source_record_id: string; department: string }>;
  for (const r of reports) {
    const ref = { sourceSystem: r.source_system, sourceRecordId: r.source_record_id };
    const record = dispatchRecord(m, version, [], [ref], actor, at, { action: 'RESULT', result: m.result, leadDepartment: m.lead_department, cooperatingDepartments: [], recipientDepartment: r.department });
    const idempotencyKey = `${m.id}:${version}:result:${r.source_system}:${r.source_record_id}`;
    await insertDispatch(tx, { ...record, idempotencyKey, envelope: { ...record.envelope, sourceRecordId: idempotencyKey } });
    await rememberTold(tx, r, String(m.id), 'closed', m.result, version);
  }
  await appendMatterEvent(tx, m.id, 'result_sent', at, { version, result: m.result, lead: m.lead_department, records: reports.map((r) => ({ department: r.department, sourceSystem: r.source_system, sourceRecordId: r.source_record_id })) });
  return reports.length;
}

/**
 * One record's notice after its matter changed under it (hub/ops/channel-results.ts): the result of
 * its closed matter (RESULT, as at closure) or word that its matter is open again (REOPEN), to the
 * department whose report it is, keyed per matter, version and record like every result.
 */
export const queueNotice: QueueNotice = async (tx, matterId, version, r, notice, at, actor) => {
  const m = (await tx('matters').where({ id: matterId }).first()) as MatterRow & { result: string | null };
  const ref = { sourceSystem: r.source_system, sourceRecordId: r.source_record_id };
  const result = notice === 'RESULT' ? m.result : null;
  const reason = notice === 'REOPEN' ? `事项 ${m.id} 尚未办结（合并或拆分后重新办理），此前的办理结果不再适用` : null;
  const record = dispatchRecord(m, version, [], [ref], actor, at, { action: notice, result, reason, leadDepartment: m.lead_department, cooperatingDepartments: [], recipientDepartment: r.department });
  const idempotencyKey = `${m.id}:${version}:${notice === 'RESULT' ? 'result' : 'reopen'}:${r.source_system}:${r.source_record_id}`;
  await insertDispatch(tx, { ...record, idempotencyKey, envelope: { ...record.envelope, sourceRecordId: idempotencyKey } });
  await rememberTold(tx, r, String(m.id), notice === 'RESULT' ? 'closed' : 'reopened', result, version);
  await appendMatterEvent(tx, m.id, notice === 'RESULT' ? 'result_sent' : 'result_withdrawn', at, { version, result, lead: m.lead_department, records: [{ department: r.department, sourceSystem: r.source_system, sourceRecordId: r.source_record_id }] });
};

/**
 * 重办: a matter reopened by a verdict on its result (the citizen not satisfied at 回访) goes back to
 * its lead department — a new decision version with the reason, which the lead's platform receives
 * like any assignment. The cooperating departments' work stands.
 */
export async function queueRedo(tx: Tx, matterId: string, at: number, actor: Actor, reason: string): Promise<DecisionResult> {
  const m = (await tx('matters').where({ id: matterId }).first()) as MatterRow;
  const lead = (await tx('tasks').where({ matter_id: matterId, role: 'lead' }).whereNotIn('status', ['WITHDRAWN', 'MERGED']).first('id', 'department')) as { id: string; department: string } | undefined;
  // addressed to the lead's task alone: the copies of a decision go to every department it names
  const queued = await queueDecision(tx, m, actor, at, { action: 'DISPATCH', cooperatingDepartments: [], instructions: reason, reason, ...(lead ? { leadDepartment: lead.department, taskIds: { [lead.department]: String(lead.id) } } : {}) });
  await appendMatterEvent(tx, matterId, 'dispatched', at, { by: actor.principalId, lead: lead?.department ?? m.lead_department, cooperating: [], reason, redo: true });
  return queued;
}

/**
 * 核查: the departments' closure at `round` goes to the grid worker of the matter's grid for
 * verification — a VERIFY Dispatch addressed to the verifier's task alone, with the lead's result to
 * check and the deadline from the rules, under a new decision version; the grid platform answers
 * on its own feed (pass or fail, in the verifier's words), which its adapter maps to a StatusChange
 * on that task. Stamped with the closure's time, like the task it is for.
 */
export async function queueVerification(tx: Tx, matterId: string, taskId: string, round: number, due: number, actor: Actor): Promise<DecisionResult> {
  const m = (await tx('matters').where({ id: matterId }).first()) as MatterRow;
  const lead = (await tx('tasks').where({ matter_id: matterId, role: 'lead' }).whereNotIn('status', ['WITHDRAWN', 'MERGED']).first('department', 'result')) as { department: string; result: string | null } | undefined;
  const bumped = (await tx('matters').where({ id: m.id }).increment('decision_version', 1).returning('decision_version')) as Array<{ decision_version: string }>;
  const version = Number(bumped[0]!.decision_version);
  const reports = (await tx('reports').where({ matter_id: m.id }).orderBy(['source_system', 'source_record_id']).select('source_system', 'source_record_id')) as Array<{ source_system: string; source_record_id: string }>;
  const result = lead?.result ?? null;
  const record = dispatchRecord(m, version, [], reports.map((r) => ({ sourceSystem: r.source_system, sourceRecordId: r.source_record_id })), actor, round, {
    action: 'VERIFY',
    leadDepartment: lead?.department ?? m.lead_department,
    cooperatingDepartments: [],
    taskIds: { grid: taskId },
    recipientDepartment: 'grid',
    closureDeadline: due,
    result,
    instructions: `请核查处置结果${result ? `：${result}` : ''}`,
  });
  await insertDispatch(tx, record);
  await appendMatterEvent(tx, matterId, 'verification_dispatched', round, { version, taskId, department: 'grid', due, result });
  return { matterId: String(m.id), version, idempotencyKey: record.idempotencyKey };
}

/** Who sends the result when the departments' own progress closed the matter. */
export const HUB_ACTOR: Actor = { principalId: 'hub', role: 'rule', nameMasked: null, from: null };

/** The key names the decision: a second insert of it can only be the same decision again. */
export async function insertDispatch(tx: Tx, record: Dispatch): Promise<void> {
  await insertDeferred(tx, 'dispatch_outbox', [{ matter_id: record.matterId, version: record.version, idempotency_key: record.idempotencyKey, action: record.action, record: JSON.stringify(record) }], ['idempotency_key']);
}

/**
 * A matter the responsibility rules dispatched when its first report arrived: the departments get
 * the same Dispatch record an operator's decision would give them (issued by `rule`), decision
 * version 1. Built by the ingest transaction from the matter, tasks and report it has just written
 * (the caller stores the matter with decision_version 1); its time is the report's, so a re-run
 * produces the identical record.
 */
export function ruleDispatch(
  m: DispatchMatter & { lead_department: string; cooperating_departments: string[] },
  tasks: DispatchTask[],
  report: ReportRef,
  at: number,
  deadlines: { firstResponseBy: Date; onSiteBy: Date; closeBy: Date },
): Dispatch {
  return dispatchRecord(m, 1, tasks, [report], { principalId: 'rule', role: 'rule', nameMasked: null, from: null }, at, {
    action: 'DISPATCH',
    leadDepartment: m.lead_department,
    cooperatingDepartments: m.cooperating_departments,
    firstResponseDeadline: deadlines.firstResponseBy.getTime(),
    onSiteDeadline: deadlines.onSiteBy.getTime(),
    closureDeadline: deadlines.closeBy.getTime(),
  });
}

async function lockOpenMatter(tx: Tx, id: string): Promise<MatterRow> {
  const m = (await tx('matters').where({ id }).forUpdate().first()) as MatterRow | undefined;
  if (!m) throw new DecisionError('not_found', `事项 ${id} 不存在 (no such matter)`);
  if (m.merged_into) throw new DecisionError('conflict', `事项 ${id} 已并入事项 ${m.merged_into} (merged; act on ${m.merged_into})`);
  return { ...m, id: String(m.id) };
}

async function lockSubject(tx: Tx, id: string): Promise<{ id: string; subject_type: string; name: string }> {
  const s = (await tx('subjects').where({ id }).forUpdate().first()) as { id: string; subject_type: string; name: string; merged_into: string | null } | undefined;
  if (!s) throw new DecisionError('not_found', `主体 ${id} 不存在 (no such subject)`);
  if (s.merged_into) throw new DecisionError('conflict', `主体 ${id} 已并入主体 ${s.merged_into} (merged; act on ${s.merged_into})`);
  return { ...s, id: String(s.id) };
}

/** Report count and first/last report times of a matter after reports moved in or out. */
async function refreshMatterSpan(tx: Tx, matterId: string, at: number): Promise<void> {
  const span = (await tx('reports').where({ matter_id: matterId }).first(tx.raw('count(*)::int as n'), tx.raw('min(event_time) as first'), tx.raw('max(event_time) as last'))) as { n: number; first: Date | null; last: Date | null };
  // the matter's address keys are its reports' (candidate search by address finds it by them)
  const update: Record<string, unknown> = { report_count: span.n, updated_at: new Date(at), address_keys: tx.raw('array(select distinct k from reports r, unnest(r.address_keys) k where r.matter_id = ? order by k)', [matterId]) };
  if (span.first && span.last) Object.assign(update, { first_reported_at: span.first, first_report_ms: span.first.getTime(), last_report_at: span.last.getTime() });
  await tx('matters').where({ id: matterId }).update(update);
}


async function audit(tx: Tx, kind: 'matter' | 'subject', action: 'merge' | 'split', actor: Actor, at: number, detail: object): Promise<void> {
  await tx('merge_audit').insert({ kind, action, detail: JSON.stringify(detail), actor: actor.principalId, actor_role: actor.role, remote_addr: actor.from, at: new Date(at) });
}
