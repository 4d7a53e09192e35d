/**
 * A task's progress as a pure fold over every StatusChange stored for it. The hub never updates a
 * task "from the previous state plus this change": it refolds all stored changes, ordered by their
 * version with a deterministic tie-break, so any delivery order and any number of redeliveries give
 * the same task. Stale versions still count as facts about the past (an acknowledgement that
 * arrives after the closure still says when the department first responded); they never decide
 * the current status.
 */
import type { ProgressStatus, ResultOutcome } from '../../schemas/index.js';

/** What the fold reads of one stored change. */
export interface StoredChange {
  version: number;
  occurredAt: number;
  status: ProgressStatus;
  sourceStatus: string | null;
  sourceSystem: string;
  sourceRecordId: string;
  note: string | null;
  result: { outcome: ResultOutcome; text: string } | null;
}

/** Task status vocabulary of the tasks table (migration 002) and the tasks API. */
export type TaskStatus = 'DISPATCHED' | 'ACCEPTED' | 'ON_SITE' | 'IN_PROGRESS' | 'DONE' | 'RETURNED';

export interface TaskState {
  status: TaskStatus;
  /** Highest version of any change (0: none yet). */
  statusVersion: number;
  /** The source's label of the highest-version change. */
  sourceStatus: string | null;
  respondedAt: number | null;
  onSiteAt: number | null;
  doneAt: number | null;
  result: string | null;
  outcome: ResultOutcome | null;
  /** The latest 退单 that is still in force (not followed by a later-version change of status). */
  rejectedAt: number | null;
  rejectionNote: string | null;
}

/**
 * The task status a change moves to; null for changes that report something without moving the
 * task (an extension request, a suspension, a follow-up call after closure, an unmapped label).
 * REOPENED puts the task back to work.
 */
const STATUS_OF: Record<ProgressStatus, TaskStatus | null> = {
  RECEIVED: 'ACCEPTED',
  ACKNOWLEDGED: 'ACCEPTED',
  REJECTED: 'RETURNED',
  IN_PROGRESS: 'IN_PROGRESS',
  ON_SITE: 'ON_SITE',
  EXTENSION_REQUESTED: null,
  SUSPENDED: null,
  FOLLOW_UP: null,
  CLOSED: 'DONE',
  REOPENED: 'IN_PROGRESS',
  UNKNOWN: null,
};

/**
 * Changes that stop the first-response clock: any deliberate act of the department on the task.
 * A 退单 is a response too (the department answered, within the time, that it is not theirs); a
 * reopening, a follow-up call or an unmapped label is not.
 */
const FIRST_RESPONSE: ReadonlySet<ProgressStatus> = new Set(['RECEIVED', 'ACKNOWLEDGED', 'REJECTED', 'IN_PROGRESS', 'ON_SITE', 'EXTENSION_REQUESTED', 'SUSPENDED', 'CLOSED']);

export const INITIAL_TASK_STATE: TaskState = {
  status: 'DISPATCHED',
  statusVersion: 0,
  sourceStatus: null,
  respondedAt: null,
  onSiteAt: null,
  doneAt: null,
  result: null,
  outcome: null,
  rejectedAt: null,
  rejectionNote: null,
};

/** Version order; equal versions (two systems, or a second within one source clock tick) by time, then source identity, then content. */
export function compareChanges(a: StoredChange, b: StoredChange): number {
  return (
    a.version - b.version ||
    a.occurredAt - b.occurredAt ||
    cmp(a.sourceSystem, b.sourceSystem) ||
    cmp(a.sourceRecordId, b.sourceRecordId) ||
    cmp(a.status, b.status) ||
    cmp(JSON.stringify([a.sourceStatus, a.note, a.result]), JSON.stringify([b.sourceStatus, b.note, b.result]))
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A follow-up verdict on the result: the reporting channel's call back to the citizen (回访), an
 * inspector's check (核查) — a FOLLOW_UP that carries a result. It comes from another clock than the
 * department's own changes, so it is judged by time, not ordered among their versions.
 */
export function isVerdict(c: StoredChange): boolean {
  return c.status === 'FOLLOW_UP' && c.result !== null;
}

/**
 * The verdict that puts a done task back to work (重办): the first "unresolved" verdict after the
 * task's own closure. A closure after it (the department redid the work) stands until the next one.
 * A function of the set of changes, like the fold.
 */
function reopeningVerdict(changes: readonly StoredChange[], done: Pick<TaskState, 'status' | 'doneAt'>): StoredChange | null {
  if (done.status !== 'DONE' || done.doneAt === null) return null;
  const after = changes.filter((c) => isVerdict(c) && c.result!.outcome === 'UNRESOLVED' && c.occurredAt > done.doneAt!);
  return after.sort((a, b) => a.occurredAt - b.occurredAt || compareChanges(a, b))[0] ?? null;
}

export function foldTaskState(changes: readonly StoredChange[]): TaskState {
  return foldWithVerdict(changes).state;
}

/** The task, and the verdict that reopened it if one did (the matter then goes back to the lead: 重办). */
export function foldWithVerdict(changes: readonly StoredChange[]): { state: TaskState; reopenedBy: StoredChange | null } {
  const own = foldOwnChanges(changes.filter((c) => !isVerdict(c)));
  const verdict = reopeningVerdict(changes, own);
  if (!verdict) return { state: own, reopenedBy: null };
  return { state: { ...own, status: 'IN_PROGRESS', sourceStatus: verdict.sourceStatus, doneAt: null, result: null, outcome: null }, reopenedBy: verdict };
}

function foldOwnChanges(changes: readonly StoredChange[]): TaskState {
  const s: TaskState = { ...INITIAL_TASK_STATE };
  for (const c of [...changes].sort(compareChanges)) {
    s.statusVersion = c.version;
    s.sourceStatus = c.sourceStatus;
    if (FIRST_RESPONSE.has(c.status)) s.respondedAt = earliest(s.respondedAt, c.occurredAt);
    if (c.status === 'ON_SITE') s.onSiteAt = earliest(s.onSiteAt, c.occurredAt);
    const next = STATUS_OF[c.status];
    if (!next) continue;
    s.status = next;
    if (c.status === 'CLOSED') {
      s.doneAt = c.occurredAt;
      s.result = c.result?.text ?? null;
      s.outcome = c.result?.outcome ?? null;
    } else {
      // any later-version change of status (REOPENED, or a department working again) supersedes the closure
      s.doneAt = null;
      s.result = null;
      s.outcome = null;
    }
    if (c.status === 'REJECTED') {
      s.rejectedAt = c.occurredAt;
      s.rejectionNote = c.note;
    } else {
      s.rejectedAt = null;
      s.rejectionNote = null;
    }
  }
  return s;
}

function earliest(a: number | null, b: number): number {
  return a === null ? b : Math.min(a, b);
}

/** Matter status derived from its tasks: closed when every task is done, in progress once any department acted. */
export function matterStatusOf(all: ReadonlyArray<{ status: string }>, current: string): string {
  // tasks the center withdrew (redispatch) or left behind in a merge no longer hold the matter open
  const tasks = all.filter((t) => t.status !== 'WITHDRAWN' && t.status !== 'MERGED');
  if (tasks.length === 0) return current;
  if (tasks.every((t) => t.status === 'DONE')) return 'CLOSED';
  if (tasks.some((t) => t.status !== 'DISPATCHED')) return 'IN_PROGRESS';
  return 'DISPATCHED';
}
