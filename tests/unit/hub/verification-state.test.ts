/**
 * 核查 as a step: the verification task and the matter's closure are functions of the set of
 * changes. A miniature of the hub's refold (hub/ingest/apply-status.ts: refoldTask) applies the
 * changes one by one in every order — a verifier's change waits until its round was issued, as a
 * change whose task the hub does not know yet waits in status_changes — and every order, with
 * redeliveries, must end in the same tasks, round and matter.
 */
import { describe, expect, it } from 'vitest';
import { foldTaskState, foldWithVerdict, matterStatusOf, type StoredChange } from '../../../hub/ingest/task-state.js';
import { foldVerification, verificationClosure, type Closure } from '../../../hub/ingest/verification-state.js';
import type { ProgressStatus, ResultOutcome } from '../../../schemas/index.js';

const T0 = Date.parse('2025-06-12T09:45:00+08:00');
const h = (hours: number) => T0 + hours * 3_600_000;

type Task = 'lead' | 'coop' | 'verifier';
type Stored = { task: Task; c: StoredChange };

function change(task: Task, version: number, status: ProgressStatus, at: number, result?: { outcome: ResultOutcome; text: string }, sourceStatus: string | null = null): Stored {
  return { task, c: { version, occurredAt: at, status, sourceStatus, sourceSystem: `${task}-oa`, sourceRecordId: `${task}-${version}-${status}-${at}`, note: result?.text ?? null, result: result ?? null } };
}
const verdict = (at: number, pass: boolean) => change('verifier', at, 'FOLLOW_UP', at, { outcome: pass ? 'RESOLVED' : 'UNRESOLVED', text: pass ? '现场已整改到位' : '垃圾仍未清运' }, pass ? '核查通过' : '核查不通过');

const leadClosed1 = change('lead', 3, 'CLOSED', h(10), { outcome: 'RESOLVED', text: '已清运' });
const coopClosed = change('coop', 3, 'CLOSED', h(8), { outcome: 'RESOLVED', text: '已配合' });
const leadAck = change('lead', 1, 'ACKNOWLEDGED', h(1));
const verifierAck = change('verifier', 4, 'RECEIVED', h(10.5), undefined, '已接收');
const failed = verdict(h(12), false);
const leadClosed2 = change('lead', 6, 'CLOSED', h(20), { outcome: 'RESOLVED', text: '已再次清运并消杀' });
const passed = verdict(h(22), true);

interface Hub {
  arrived: Stored[];
  /** The verification round issued (the verifier task's dispatched_at); null: no verifier task yet. */
  issued: number | null;
  /** Every round issued, in the order the hub issued them. */
  rounds: number[];
}

/** The hub's refold after a change arrived: departments' tasks, then the round, then the verifier. */
function settle(hub: Hub) {
  for (;;) {
    // a verifier's change resolves to its task only once the task exists
    const seen = hub.arrived.filter((s) => s.task !== 'verifier' || hub.issued !== null);
    const of = (t: Task) => seen.filter((s) => s.task === t).map((s) => s.c);
    const lead = foldWithVerdict([...of('lead'), ...of('verifier').filter((c) => c.status === 'FOLLOW_UP')]);
    const coop = foldTaskState(of('coop'));
    const workStatus = matterStatusOf([lead.state, coop], 'DISPATCHED');
    const closedAt = workStatus === 'CLOSED' ? Math.max(lead.state.doneAt!, coop.doneAt!) : null;
    const verifier = hub.issued === null ? null : foldVerification(of('verifier'), hub.issued, workStatus === 'CLOSED');
    const closure: Closure = verificationClosure(workStatus, closedAt, true, verifier && { issuedAt: hub.issued!, status: verifier.status, outcome: verifier.outcome, doneAt: verifier.doneAt });
    if (closure.kind === 'issue') {
      hub.issued = closure.round;
      hub.rounds.push(closure.round);
      continue;
    }
    const matter = closure.kind === 'closed' ? 'CLOSED' : closure.kind === 'verifying' ? 'VERIFYING' : workStatus;
    return { lead: lead.state, coop, verifier, issued: hub.issued, matter, closedAt: closure.kind === 'closed' ? closure.closedAt : null };
  }
}

function applyInOrder(changes: Stored[]) {
  const hub: Hub = { arrived: [], issued: null, rounds: [] };
  let state = settle(hub);
  for (const c of changes) {
    hub.arrived.push(c);
    state = settle(hub);
  }
  return { state, rounds: hub.rounds };
}

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

function expectEveryOrderAlike(changes: Stored[]) {
  const reference = applyInOrder(changes).state;
  for (const order of permutations(changes)) {
    expect(applyInOrder(order).state).toEqual(reference);
    // redelivered: the same change twice changes nothing
    expect(applyInOrder([...order, order[0]!, order[order.length - 1]!]).state).toEqual(reference);
  }
  return reference;
}

describe('verification (核查) as a step of closure', () => {
  it('the departments closed: not closed yet, a round is issued for their closure (待核查)', () => {
    const { state, rounds } = applyInOrder([leadAck, coopClosed, leadClosed1]);
    expect(state).toMatchObject({ matter: 'VERIFYING', issued: h(10), closedAt: null, verifier: { status: 'DISPATCHED' } });
    expect(rounds).toEqual([h(10)]);
    expect(applyInOrder([leadAck, coopClosed, leadClosed1, verifierAck]).state.verifier).toMatchObject({ status: 'ACCEPTED', respondedAt: h(10.5) });
  });

  it('no round while a department still works', () => {
    const { state, rounds } = applyInOrder([leadAck, leadClosed1]);
    expect(state.matter).toBe('IN_PROGRESS');
    expect(rounds).toEqual([]);
  });

  it('passed: closed when the verification passed, in every order', () => {
    const s = expectEveryOrderAlike([leadAck, coopClosed, leadClosed1, verifierAck, verdict(h(11), true)]);
    expect(s).toMatchObject({ matter: 'CLOSED', closedAt: h(11), issued: h(10), lead: { status: 'DONE' }, verifier: { status: 'DONE', outcome: 'RESOLVED', result: '现场已整改到位' } });
  });

  it('failed: the lead is back to work, reopened by the verifier’s words; the verification is done, failed', () => {
    const s = expectEveryOrderAlike([coopClosed, leadClosed1, verifierAck, failed]);
    expect(s).toMatchObject({ matter: 'IN_PROGRESS', lead: { status: 'IN_PROGRESS', doneAt: null }, coop: { status: 'DONE' }, verifier: { status: 'DONE', outcome: 'UNRESOLVED' } });
    expect(foldWithVerdict([leadClosed1.c, failed.c]).reopenedBy).toEqual(failed.c);
  });

  it('failed, redone, verified again: a second round for the new closure, closed when it passes, in every order', () => {
    const s = expectEveryOrderAlike([coopClosed, leadClosed1, failed, leadClosed2, passed]);
    expect(s).toMatchObject({ matter: 'CLOSED', closedAt: h(22), issued: h(20), lead: { status: 'DONE', result: '已再次清运并消杀' }, verifier: { status: 'DONE', outcome: 'RESOLVED' } });
    // in the order they happened, the hub issued one round per closure
    expect(applyInOrder([coopClosed, leadClosed1, failed, leadClosed2, passed]).rounds).toEqual([h(10), h(20)]);
  });

  it('failed and redone, the second round not answered yet: 待核查 again, in every order', () => {
    const s = expectEveryOrderAlike([coopClosed, leadClosed1, failed, leadClosed2]);
    expect(s).toMatchObject({ matter: 'VERIFYING', issued: h(20), lead: { status: 'DONE' }, verifier: { status: 'DISPATCHED' } });
  });

  it('a verdict of an earlier round does not count for the next one', () => {
    const pass1 = verdict(h(11), true);
    const reopened = change('lead', 5, 'REOPENED', h(15));
    const s = expectEveryOrderAlike([coopClosed, leadClosed1, pass1, reopened, leadClosed2]);
    expect(s).toMatchObject({ matter: 'VERIFYING', issued: h(20), verifier: { status: 'DISPATCHED' } });
  });

  it('the work reopened before anybody verified: the round is withdrawn', () => {
    const reopened = change('lead', 5, 'REOPENED', h(15));
    expect(applyInOrder([coopClosed, leadClosed1, reopened]).state).toMatchObject({ matter: 'IN_PROGRESS', verifier: { status: 'WITHDRAWN' } });
    // whether a round was issued at all depends on whether the hub ever saw the work closed (like
    // the results it sent then): in any order the matter and the departments' tasks are the same,
    // and the verifier's task, if any, is withdrawn
    const reference = applyInOrder([coopClosed, leadClosed1, reopened]).state;
    for (const order of permutations([coopClosed, leadClosed1, reopened])) {
      const { lead, coop, matter, verifier } = applyInOrder(order).state;
      expect({ lead, coop, matter }).toEqual({ lead: reference.lead, coop: reference.coop, matter: reference.matter });
      expect(verifier?.status ?? 'WITHDRAWN').toBe('WITHDRAWN');
    }
  });

  it('not required: closed by the departments as before', () => {
    expect(verificationClosure('CLOSED', h(10), false, null)).toEqual({ kind: 'as-tasks' });
    expect(verificationClosure('IN_PROGRESS', null, true, null)).toEqual({ kind: 'as-tasks' });
  });
});
