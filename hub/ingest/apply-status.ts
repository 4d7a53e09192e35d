/**
 * Applies one StatusChange inside the caller's transaction:
 *   - every change is stored (status_changes) keyed by (target as named, version, change identity)
 *     and the task is refolded from all its stored changes (task-state.ts), so delivery order and
 *     redeliveries do not matter; a redelivery of the same content changes nothing;
 *   - the target is the task named by id, or the acting department's task on the named matter, or
 *     on the matter of the named report (a town government acts as `town`, its task is `town:<code>`);
 *   - a change whose target is not in the hub yet (it travelled on another topic than its report)
 *     is kept with the reason and applied by resolvePendingStatusChanges when the report arrives;
 *   - the matter follows its tasks: closed with the lead's result when every task is done, reopened
 *     when one is not any more; where the rules ask for verification (verify_hours), every task done
 *     makes it 待核查 and the grid's verification task of that round decides (verification-state.ts).
 */
import type { Knex } from 'knex';
import type { StatusChange } from '../../schemas/index.js';
import type { ApplyEffect, Position } from './apply-report.js';
import type { HubRouting } from './routing.js';
import { canonical, registerSourceRecord, sameContent } from './source-records.js';
import { foldWithVerdict, isVerdict, matterStatusOf, type StoredChange, type TaskState } from './task-state.js';
import { foldVerification, verificationClosure, VERIFIER_DEPARTMENT, VERIFIER_ROLE, VERIFYING, type VerificationState } from './verification-state.js';
import { deterministicId } from '../store/ids.js';
import { appendMatterEvent } from '../store/matter-events.js';
import { HUB_ACTOR, queueRedo, queueResults, queueVerification } from '../ops/decisions.js';

type Resolution = { taskId: string; matterId: string } | { reason: string };

interface StatusChangeRow {
  id: string;
  task_id: string | null;
  payload: StatusChange;
}

interface TaskRow {
  id: string;
  matter_id: string;
  department: string;
  role: string;
  status: string;
  status_version: string;
  source_status: string | null;
  responded_at: Date | null;
  on_site_at: Date | null;
  done_at: Date | null;
  result: string | null;
  outcome: string | null;
  rejected_at: Date | null;
  rejection_note: string | null;
  breaches: string[];
  first_response_by: Date | null;
  on_site_by: Date | null;
  close_by: Date | null;
  dispatched_at: Date;
}

const HUB_ID = /^\d{1,18}$/;

/** The identity of what the source says the change is about: the same for every delivery, resolved or not. */
export function targetKey(c: StatusChange): string {
  const t = c.target;
  return canonical({ kind: t.kind, record: t.record, matterId: t.matterId, taskId: t.taskId, actor: c.actorDepartment });
}

export async function applyStatusChange(tx: Knex.Transaction, c: StatusChange, pos: Position, routing: HubRouting): Promise<ApplyEffect> {
  if ((await registerSourceRecord(tx, 'status-change', c, pos)) === 'duplicate') return { outcome: 'duplicate' };
  if (c.target.kind === 'DISPATCH' && c.target.record) return applyResultReceipt(tx, c);

  let target = await resolveTarget(tx, c);
  if ('reason' in target) {
    // Serialise with resolvePendingStatusChanges of a report being applied right now in another
    // transaction: whichever commits first, the other sees it (see lockTargets).
    await lockTargets(tx, targetLockKeys(c));
    target = await resolveTarget(tx, c);
  }
  const resolved = 'taskId' in target ? target : undefined;
  const key = { target_key: targetKey(c), version: c.version, source_system: c.envelope.sourceSystem, source_record_id: c.envelope.sourceRecordId };
  const row = {
    source_version: c.envelope.sourceVersion,
    target_kind: c.target.kind,
    target_source_system: c.target.record?.sourceSystem ?? null,
    target_source_record_id: c.target.record?.sourceRecordId ?? null,
    target_matter_id: c.target.matterId,
    target_task_id: c.target.taskId,
    actor_department: c.actorDepartment,
    status: c.status,
    source_status: c.sourceStatus,
    occurred_at: new Date(c.occurredAt),
    payload: JSON.stringify(c),
    task_id: resolved?.taskId ?? null,
    matter_id: resolved?.matterId ?? null,
    unresolved_reason: 'reason' in target ? target.reason : null,
    resolved_at: resolved ? new Date() : null,
  };

  const inserted = await tx('status_changes').insert({ ...key, ...row }).onConflict(['target_key', 'version', 'source_system', 'source_record_id']).ignore().returning('id');
  if (inserted.length === 0) {
    const stored = await tx('status_changes').where(key).forUpdate().first<{ payload: StatusChange }>('payload');
    // Two contents under one key (a source that corrected a change without a new version): the
    // same one wins whatever the arrival order — the later source version, then the larger content.
    if (stored && sameContent(stored.payload, c)) return { outcome: 'duplicate', matterId: resolved?.matterId };
    if (stored && !supersedes(c, stored.payload)) return { outcome: 'stale', matterId: resolved?.matterId };
    await tx('status_changes').where(key).update(row);
  }
  if (!resolved) return { outcome: 'new' };

  await statusEvent(tx, resolved.matterId, resolved.taskId, c);
  const { before } = await refoldTask(tx, resolved.matterId, resolved.taskId, routing);
  // kept for lineage and its times, but it did not decide the status
  const outcome = c.version < before.statusVersion ? 'stale' : inserted.length === 0 ? 'updated' : 'new';
  return { outcome, matterId: resolved.matterId };
}

/**
 * A reporting channel's receipt of the result sent back for its own record (a RESULT Dispatch,
 * acknowledged by its sink: target DISPATCH naming the record). It moves no task — the channel's
 * department may have none on the matter — it is the matter's timeline entry that the channel has
 * the answer. Kept in source_records like every record; a redelivery is a duplicate there.
 */
async function applyResultReceipt(tx: Knex.Transaction, c: StatusChange): Promise<ApplyEffect> {
  const id = c.target.matterId;
  const matter = id && HUB_ID.test(id) ? await tx('matters').where({ id }).first<{ id: string; merged_into: string | null } | undefined>('id', 'merged_into') : undefined;
  if (!matter) return { outcome: 'new' };
  const matterId = String(matter.merged_into ?? matter.id);
  await appendMatterEvent(tx, matterId, 'result_delivered', c.occurredAt, {
    department: c.actorDepartment,
    sourceSystem: c.target.record!.sourceSystem,
    sourceRecordId: c.target.record!.sourceRecordId,
    sourceStatus: c.sourceStatus,
    version: c.version,
  });
  return { outcome: 'new', matterId };
}

function supersedes(a: StatusChange, b: StatusChange): boolean {
  if (a.envelope.sourceVersion !== b.envelope.sourceVersion) return a.envelope.sourceVersion > b.envelope.sourceVersion;
  return canonical(a) > canonical(b);
}

// ── target resolution ──────────────────────────────────────────────────────────────────────

async function resolveTarget(tx: Knex.Transaction, c: StatusChange): Promise<Resolution> {
  const t = c.target;
  const reasons: string[] = [];
  if (t.taskId) {
    if (HUB_ID.test(t.taskId)) {
      const task = await tx('tasks').where({ id: t.taskId }).first<{ id: string; matter_id: string } | undefined>('id', 'matter_id');
      if (task) return { taskId: String(task.id), matterId: String(task.matter_id) };
      reasons.push(`task ${t.taskId} is not in the hub`);
    } else reasons.push(`task id ${t.taskId} is not a hub id`);
  }
  if (t.matterId) {
    if (HUB_ID.test(t.matterId)) {
      const r = await taskOfDepartment(tx, t.matterId, c);
      if ('taskId' in r) return r;
      reasons.push(r.reason);
    } else reasons.push(`matter id ${t.matterId} is not a hub id`);
  }
  if (t.record) {
    const report = await tx('reports')
      .where({ source_system: t.record.sourceSystem, source_record_id: t.record.sourceRecordId })
      .first<{ matter_id: string } | undefined>('matter_id');
    if (report) {
      const r = await taskOfDepartment(tx, String(report.matter_id), c);
      if ('taskId' in r) return r;
      reasons.push(r.reason);
    } else reasons.push(`report ${t.record.sourceSystem}/${t.record.sourceRecordId} is not in the hub`);
  }
  if (reasons.length === 0) reasons.push('the target names no task, matter or record');
  return { reason: reasons.join('; ') };
}

/** The acting department's task on a matter (following a merge once); `town` acts on the town's task. */
async function taskOfDepartment(tx: Knex.Transaction, matterId: string, c: StatusChange): Promise<Resolution> {
  const matter = await tx('matters').where({ id: matterId }).first<{ id: string; merged_into: string | null } | undefined>('id', 'merged_into');
  if (!matter) return { reason: `matter ${matterId} is not in the hub` };
  const id = String(matter.merged_into ?? matter.id);
  const tasks = await tx('tasks').where({ matter_id: id }).orderBy('id').select<Array<{ id: string; department: string }>>('id', 'department');
  const actor = c.actorDepartment;
  let mine = tasks.filter((t) => t.department === actor || (actor === 'town' && t.department.startsWith('town:')));
  if (mine.length > 1 && actor === 'town' && c.envelope.divisionCode) {
    const town = `town:${c.envelope.divisionCode.slice(0, 9)}`;
    mine = mine.filter((t) => t.department === town);
  }
  if (mine.length === 1) return { taskId: String(mine[0]!.id), matterId: id };
  if (mine.length === 0 && c.target.kind === 'REPORT' && isVerdict(storedChange(c))) {
    // a reporting channel's verdict on the result (12345's 回访) judges the lead's work
    const lead = await tx('tasks').where({ matter_id: id, role: 'lead' }).whereNotIn('status', ['WITHDRAWN', 'MERGED']).first<{ id: string } | undefined>('id');
    if (lead) return { taskId: String(lead.id), matterId: id };
    return { reason: `matter ${id} has no lead task for the follow-up of ${actor}` };
  }
  if (mine.length === 0) return { reason: `matter ${id} has no task for department ${actor}` };
  return { reason: `matter ${id} has ${mine.length} tasks for department ${actor} and the change does not say which` };
}

function targetLockKeys(c: StatusChange): string[] {
  const t = c.target;
  const keys: string[] = [];
  if (t.record) keys.push(`record\u001f${t.record.sourceSystem}\u001f${t.record.sourceRecordId}`);
  if (t.matterId) keys.push(`matter\u001f${t.matterId}`);
  if (t.taskId) keys.push(`task\u001f${t.taskId}`);
  return keys;
}

/**
 * Transaction-scoped advisory locks on the target identities. A status change about to be kept as
 * unresolved and a report whose arrival resolves it take the same lock, so either the change sees
 * the committed report or the report's pending scan sees the committed change — never neither.
 */
export async function lockTargets(tx: Knex.Transaction, keys: string[], tasksOfMatter?: string): Promise<void> {
  // one round trip, the tasks of a matter included; always in byte order (collate "C"), so two
  // transactions never wait on each other in a cycle
  await tx.raw(
    `select pg_advisory_xact_lock(hashtext(current_schema()), hashtext(k)) from (
       select 'status-target' || chr(31) || k as k from unnest(?::text[]) as given(k)
       union select 'status-target' || chr(31) || 'task' || chr(31) || id::text from tasks where matter_id = ?
     ) as keys order by k collate "C"`,
    [[...new Set(keys)], tasksOfMatter ?? null],
  );
}

// ── pending changes ────────────────────────────────────────────────────────────────────────

/**
 * After a report was applied to `matterId`: applies the stored changes that waited for that
 * report, its matter or one of its tasks. Returns how many were resolved.
 */
export async function resolvePendingStatusChanges(tx: Knex.Transaction, report: { sourceSystem: string; sourceRecordId: string }, matterId: string, routing: HubRouting): Promise<number> {
  await lockTargets(tx, [`record\u001f${report.sourceSystem}\u001f${report.sourceRecordId}`, `matter\u001f${matterId}`], matterId);
  const pending: StatusChangeRow[] = await tx('status_changes')
    .whereNull('task_id')
    .where((w) => {
      w.where({ target_source_system: report.sourceSystem, target_source_record_id: report.sourceRecordId }).orWhere('target_matter_id', matterId);
      w.orWhereIn('target_task_id', tx('tasks').where({ matter_id: matterId }).select(tx.raw('id::text')));
    })
    .orderBy('id')
    .forUpdate()
    .select('id', 'task_id', 'payload');
  const touched = new Map<string, string>();
  let resolvedCount = 0;
  for (const p of pending) {
    const target = await resolveTarget(tx, p.payload);
    if ('reason' in target) {
      await tx('status_changes').where({ id: p.id }).update({ unresolved_reason: target.reason });
      continue;
    }
    await tx('status_changes').where({ id: p.id }).update({ task_id: target.taskId, matter_id: target.matterId, unresolved_reason: null, resolved_at: new Date() });
    await statusEvent(tx, target.matterId, target.taskId, p.payload);
    touched.set(target.taskId, target.matterId);
    resolvedCount += 1;
  }
  for (const [taskId, mId] of [...touched].sort(([a], [b]) => (BigInt(a) < BigInt(b) ? -1 : 1))) await refoldTask(tx, mId, taskId, routing);
  return resolvedCount;
}

// ── task and matter state ──────────────────────────────────────────────────────────────────

function storedChange(c: StatusChange): StoredChange {
  return {
    version: c.version,
    occurredAt: c.occurredAt,
    status: c.status,
    sourceStatus: c.sourceStatus,
    sourceSystem: c.envelope.sourceSystem,
    sourceRecordId: c.envelope.sourceRecordId,
    note: c.note,
    result: c.result ? { outcome: c.result.outcome, text: c.result.text } : null,
  };
}

function stateOfRow(t: TaskRow): TaskState {
  const ms = (d: Date | null) => d?.getTime() ?? null;
  return {
    status: t.status as TaskState['status'],
    statusVersion: Number(t.status_version),
    sourceStatus: t.source_status,
    respondedAt: ms(t.responded_at),
    onSiteAt: ms(t.on_site_at),
    doneAt: ms(t.done_at),
    result: t.result,
    outcome: t.outcome as TaskState['outcome'],
    rejectedAt: ms(t.rejected_at),
    rejectionNote: t.rejection_note,
  };
}

/**
 * Recomputes a task from all its stored changes, then its matter from all its tasks. Locks the
 * matter first, as report application does. A verifier's verdict judges the lead's work, so a
 * change to the verification task refolds the lead's task too, and the lead's task is folded with
 * the verifier's verdicts beside its own changes (a failed 核查 reopens it like a 回访 不满意).
 */
async function refoldTask(tx: Knex.Transaction, matterId: string, taskId: string, routing: HubRouting): Promise<{ before: TaskState; after: TaskState }> {
  const matter = await tx('matters').where({ id: matterId }).forUpdate().first<{ status: string; closed_at: Date | null; result: string | null; result_outcome: string | null; category_code: string | null; division_code: string | null }>('status', 'closed_at', 'result', 'result_outcome', 'category_code', 'division_code');
  const task = await tx('tasks').where({ id: taskId }).forUpdate().first<TaskRow>('*');
  const before = stateOfRow(task);
  const verifier = task.role === VERIFIER_ROLE ? task : await tx('tasks').where({ matter_id: matterId, role: VERIFIER_ROLE }).first<TaskRow | undefined>('*');
  const lead = task.role === 'lead' ? task : task.role === VERIFIER_ROLE ? await tx('tasks').where({ matter_id: matterId, role: 'lead' }).whereNotIn('status', ['WITHDRAWN', 'MERGED']).first<TaskRow | undefined>('*') : undefined;
  let verdict: StoredChange | null = null;
  let after = before;
  let lastActivity = 0;
  if (task.role !== VERIFIER_ROLE) {
    const folded = await refoldWorkTask(tx, task, task.role === 'lead' ? verifier : undefined);
    ({ after, verdict, lastActivity } = { after: folded.state, verdict: folded.reopenedBy, lastActivity: folded.lastActivity });
  } else if (lead) {
    const folded = await refoldWorkTask(tx, lead, verifier);
    verdict = folded.reopenedBy;
  }

  const tasks: TaskRow[] = await tx('tasks').where({ matter_id: matterId }).orderBy('id').select('*');
  const work = tasks.filter((t) => t.role !== VERIFIER_ROLE);
  const workStatus = matterStatusOf(work, matter!.status === VERIFYING ? 'IN_PROGRESS' : matter!.status);
  const done = work.filter((t) => t.status === 'DONE' && t.done_at);
  const workClosedAt = workStatus === 'CLOSED' && done.length ? Math.max(...done.map((t) => t.done_at!.getTime())) : null;
  const verifyHours = matter!.category_code ? (routing.route(matter!.category_code, matter!.division_code)?.verifyHours ?? null) : null;
  const verifierRow = () => tasks.find((t) => t.role === VERIFIER_ROLE);
  const asStored = (t: TaskRow | undefined) => (t ? { issuedAt: t.dispatched_at.getTime(), status: t.status, outcome: t.outcome, doneAt: t.done_at?.getTime() ?? null } : null);
  let closure = verificationClosure(workStatus, workClosedAt, verifyHours !== null, asStored(verifierRow()));
  let resolvedAtIssue = 0;
  if (closure.kind === 'issue') {
    resolvedAtIssue = await issueVerification(tx, matterId, closure.round, verifyHours!);
    tasks.splice(0, tasks.length, ...((await tx('tasks').where({ matter_id: matterId }).orderBy('id').select('*')) as TaskRow[]));
  }
  const v = verifierRow();
  if (v) {
    const rows: Array<{ payload: StatusChange }> = await tx('status_changes').where({ task_id: v.id }).select('payload');
    const state = foldVerification(rows.map((r) => storedChange(r.payload)), v.dispatched_at.getTime(), workStatus === 'CLOSED');
    await writeTask(tx, v, state);
    Object.assign(v, { status: state.status, outcome: state.outcome, done_at: state.doneAt === null ? null : new Date(state.doneAt) });
    if (v.id === task.id) {
      after = state as TaskState;
      lastActivity = Math.max(0, ...rows.map((r) => r.payload.occurredAt));
    }
    closure = verificationClosure(workStatus, workClosedAt, verifyHours !== null, asStored(v));
  }

  const status = closure.kind === 'closed' ? 'CLOSED' : closure.kind === 'verifying' || closure.kind === 'issue' ? VERIFYING : workStatus;
  const leadRow = work.find((t) => t.role === 'lead');
  const closed = status === 'CLOSED';
  const closedAt = closure.kind === 'closed' ? new Date(closure.closedAt) : closed ? new Date(workClosedAt!) : null;
  const result = closed ? (leadRow?.result ?? null) : null;
  const resultOutcome = closed ? (leadRow?.outcome ?? null) : null;
  await tx('matters')
    .where({ id: matterId })
    .update({ status, closed_at: closedAt, result, result_outcome: resultOutcome, ...(lastActivity ? { updated_at: tx.raw('greatest(updated_at, ?)', [new Date(lastActivity)]) } : {}) });
  const wasSettled = matter!.status === 'CLOSED' || matter!.status === VERIFYING;
  if (closed && matter!.status !== 'CLOSED') {
    await appendMatterEvent(tx, matterId, 'closed', closedAt!.getTime(), { result, outcome: resultOutcome, lead: leadRow?.department ?? null, ...(closure.kind === 'closed' ? { verifiedBy: VERIFIER_DEPARTMENT } : {}) });
    await queueResults(tx, matterId, closedAt!.getTime(), HUB_ACTOR);
  }
  if (!closed && status !== VERIFYING && wasSettled) {
    const reopening = work.filter((t) => t.status !== 'DONE').map((t) => t.department);
    await appendMatterEvent(tx, matterId, 'reopened', lastActivity, { departments: reopening, status });
    // reopened by a verdict (回访不满意, 核查不通过): the lead receives the matter again, with why (重办)
    if (verdict) await queueRedo(tx, matterId, verdict.occurredAt, HUB_ACTOR, `${verdict.sourceStatus ?? '回访不满意'}，重新办理${verdict.note ? `：${verdict.note}` : ''}`);
  }
  // a verdict that waited for this round's task judges the lead's work now
  if (resolvedAtIssue > 0) await refoldTask(tx, matterId, verifierRow()!.id, routing);
  return { before, after };
}

/** A department's task refolded from its changes (and, for the lead, the verifier's verdicts) and written. */
async function refoldWorkTask(tx: Knex.Transaction, task: TaskRow, verifier: TaskRow | undefined): Promise<{ state: TaskState; reopenedBy: StoredChange | null; lastActivity: number }> {
  const rows: Array<{ payload: StatusChange; task_id: string }> = await tx('status_changes')
    .where({ task_id: task.id })
    .modify((q) => {
      if (verifier) q.orWhere((w) => w.where({ task_id: verifier.id, status: 'FOLLOW_UP' }));
    })
    .select('payload', 'task_id');
  const changes = rows.map((r) => storedChange(r.payload));
  const own = rows.filter((r) => String(r.task_id) === String(task.id));
  const { state, reopenedBy } = foldWithVerdict(changes);
  await writeTask(tx, task, state);
  Object.assign(task, { status: state.status, done_at: state.doneAt === null ? null : new Date(state.doneAt), result: state.result, outcome: state.outcome });
  return { state, reopenedBy, lastActivity: Math.max(0, ...own.map((r) => r.payload.occurredAt)) };
}

async function writeTask(tx: Knex.Transaction, task: TaskRow, after: TaskState | VerificationState): Promise<void> {
  const date = (ms: number | null) => (ms === null ? null : new Date(ms));
  await tx('tasks')
    .where({ id: task.id })
    .update({
      breaches: standingBreaches(task, after),
      status: after.status,
      status_version: after.statusVersion,
      source_status: after.sourceStatus,
      responded_at: date(after.respondedAt),
      on_site_at: date(after.onSiteAt),
      done_at: date(after.doneAt),
      result: after.result,
      outcome: after.outcome,
      rejected_at: date(after.rejectedAt),
      rejection_note: after.rejectionNote,
    });
}

/**
 * A new round of verification for the departments' closure at `round`: the verifier's task (one
 * per matter, issued again for every round) due `hours` after that closure, and the VERIFY
 * Dispatch for the grid platform through the outbox. Stamped with the closure's time, not the
 * clock, so whichever order the changes came in, the round is the same task. A verdict that came
 * before its task was known to the hub waits in status_changes; it is resolved here.
 */
async function issueVerification(tx: Knex.Transaction, matterId: string, round: number, hours: number): Promise<number> {
  const id = deterministicId('task', matterId, VERIFIER_DEPARTMENT);
  const due = new Date(round + hours * 3_600_000);
  const fields = { role: VERIFIER_ROLE, status: 'DISPATCHED', dispatched_at: new Date(round), first_response_by: due, on_site_by: due, close_by: due, done_at: null, responded_at: null, on_site_at: null, result: null, outcome: null, breaches: [] };
  await tx('tasks').insert({ id, matter_id: matterId, department: VERIFIER_DEPARTMENT, ...fields }).onConflict(['matter_id', 'department']).merge(fields);
  await queueVerification(tx, matterId, id, round, due.getTime(), HUB_ACTOR);
  const waiting: Array<{ id: string; payload: StatusChange }> = await tx('status_changes').whereNull('task_id').where({ target_task_id: id }).orderBy('id').forUpdate().select('id', 'payload');
  let resolved = 0;
  for (const p of waiting) {
    const target = await resolveTarget(tx, p.payload);
    if ('reason' in target) continue;
    await tx('status_changes').where({ id: p.id }).update({ task_id: target.taskId, matter_id: target.matterId, unresolved_reason: null, resolved_at: new Date() });
    await statusEvent(tx, target.matterId, target.taskId, p.payload);
    resolved += 1;
  }
  return resolved;
}

/**
 * A task's breaches as its facts say. The SLA watcher marks a breach when a deadline passes and the
 * hub knows of no milestone — an inference from missing facts. A change that arrives late (a
 * platform that was down, a back-filled history) settles it: a milestone met in time withdraws the
 * watcher's mark (its timeline events stay: they record what the center was told then), and a
 * milestone met after its deadline is a breach whether or not the watcher happened to run in
 * between. Without the milestone, what the watcher marked stands. Arrival on site is held against
 * cooperating departments only, as the watcher holds it (routing/sla-watch.ts).
 */
export function standingBreaches(t: Pick<TaskRow, 'breaches' | 'role' | 'first_response_by' | 'on_site_by' | 'close_by'>, s: Pick<TaskState, 'respondedAt' | 'onSiteAt' | 'doneAt'>): string[] {
  const facts: Record<string, { at: number | null; by: Date | null; held: boolean }> = {
    first_response: { at: s.respondedAt, by: t.first_response_by, held: true },
    on_site: { at: s.onSiteAt, by: t.on_site_by, held: t.role === 'cooperating' },
    closure: { at: s.doneAt, by: t.close_by, held: true },
  };
  const late = (kind: string): boolean | null => {
    const f = facts[kind];
    if (!f || f.at === null || f.by === null) return null; // no fact yet
    return f.held && f.at > f.by.getTime();
  };
  const kept = (t.breaches ?? []).filter((b) => late(b) !== false);
  const confirmed = Object.keys(facts).filter((k) => late(k) === true && !kept.includes(k));
  return [...kept, ...confirmed];
}

async function statusEvent(tx: Knex.Transaction, matterId: string, taskId: string, c: StatusChange): Promise<void> {
  await appendMatterEvent(tx, matterId, 'status_changed', c.occurredAt, {
    taskId,
    department: c.actorDepartment,
    status: c.status,
    sourceStatus: c.sourceStatus,
    version: c.version,
    sourceSystem: c.envelope.sourceSystem,
    sourceRecordId: c.envelope.sourceRecordId,
    actorUnitName: c.actorUnitName,
    note: c.note,
    result: c.result,
  });
}

