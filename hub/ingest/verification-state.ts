/**
 * 核查 as a step (GB/T 30428: 处置 → 核查 → 结案). A category whose responsibility rule asks for it
 * (verify_hours) is not closed when its departments' tasks are all done: the grid worker of the
 * matter's grid gets a verification task for that round of work, and the matter closes when the
 * verification passes. A failed one reopens the lead's task like a 回访 不满意 (task-state.ts: the
 * verifier's "unresolved" verdict after the lead's closure), and the lead's next closure starts a
 * new round.
 *
 * Pure functions of the set of stored changes and the task rows, like the task fold: the round is
 * named by the time the departments' work closed (the latest closure of their tasks), never by when
 * the hub happened to notice, so any order of the same changes gives the same tasks and matter.
 */
import { compareChanges, isVerdict, INITIAL_TASK_STATE, type StoredChange, type TaskState, type TaskStatus } from './task-state.js';

/** The role of the verification task beside `lead` and `cooperating`. */
export const VERIFIER_ROLE = 'verifier';
/** Who verifies: the grid platform's department, whose grid workers know every grid of the county. */
export const VERIFIER_DEPARTMENT = 'grid';

/** Matter status while the departments' work waits for its verification (API label 待核查). */
export const VERIFYING = 'VERIFYING';

export type VerificationTaskStatus = TaskStatus | 'WITHDRAWN';
export type VerificationState = Omit<TaskState, 'status'> & { status: VerificationTaskStatus };

/**
 * The verification task of the round issued at `issuedAt` (the departments' closure it verifies):
 * done with the first verdict given after that closure (passed: outcome RESOLVED; failed:
 * UNRESOLVED), signed for once its platform acknowledged it, withdrawn when the work it was to
 * verify was reopened before anybody verified it (a 回访 不满意 came first, or a department
 * reopened its own task).
 */
export function foldVerification(changes: readonly StoredChange[], issuedAt: number, workDone: boolean): VerificationState {
  const byTime = (a: StoredChange, b: StoredChange) => a.occurredAt - b.occurredAt || compareChanges(a, b);
  const verdict = changes.filter((c) => isVerdict(c) && c.occurredAt > issuedAt).sort(byTime)[0];
  const acts = changes.filter((c) => c.occurredAt >= issuedAt).sort(byTime);
  const s: VerificationState = { ...INITIAL_TASK_STATE, statusVersion: Math.max(0, ...changes.map((c) => c.version)) };
  if (acts.length) s.respondedAt = acts[0]!.occurredAt;
  if (verdict) {
    return { ...s, status: 'DONE', sourceStatus: verdict.sourceStatus, doneAt: verdict.occurredAt, result: verdict.result!.text, outcome: verdict.result!.outcome };
  }
  if (!workDone) return { ...s, status: 'WITHDRAWN', sourceStatus: null };
  const last = acts.filter((c) => !isVerdict(c)).at(-1);
  return last ? { ...s, status: 'ACCEPTED', sourceStatus: last.sourceStatus } : { ...s, status: 'DISPATCHED' };
}

/** What the matter's state says about verification, given its work and its verification task. */
export type Closure =
  /** the work is not all done (or verification is not required and it is): the matter is as its tasks say */
  | { kind: 'as-tasks' }
  /** the work is done and no round was issued for this closure yet: issue one named by `round` */
  | { kind: 'issue'; round: number }
  /** the round is out: 待核查 */
  | { kind: 'verifying'; round: number }
  /** the round's verification passed: closed at `closedAt` */
  | { kind: 'closed'; round: number; closedAt: number };

/**
 * `workStatus` is matterStatusOf over the departments' tasks (not the verifier's); `workClosedAt`
 * the latest closure among them; `task` the verification task as stored (its round: dispatched_at).
 */
export function verificationClosure(workStatus: string, workClosedAt: number | null, required: boolean, task: { issuedAt: number; status: string; outcome: string | null; doneAt: number | null } | null): Closure {
  if (!required || workStatus !== 'CLOSED' || workClosedAt === null) return { kind: 'as-tasks' };
  // a round issued for this closure (or a later one: closures are compared by their own times)
  if (!task || task.issuedAt < workClosedAt) return { kind: 'issue', round: workClosedAt };
  if (task.status === 'DONE' && task.outcome === 'RESOLVED' && task.doneAt !== null) return { kind: 'closed', round: task.issuedAt, closedAt: task.doneAt };
  return { kind: 'verifying', round: task.issuedAt };
}
