/** The task fold: the same stored changes give the same task, whatever order they were stored in. */
import { describe, expect, it } from 'vitest';
import { compareChanges, foldTaskState, INITIAL_TASK_STATE, matterStatusOf, type StoredChange } from '../../../hub/ingest/task-state.js';
import type { ProgressStatus } from '../../../schemas/index.js';
import { shuffled } from '../merge/fixtures.js';

const T0 = Date.parse('2025-06-12T09:45:00+08:00');
const min = (m: number) => T0 + m * 60_000;

function change(version: number, status: ProgressStatus, at: number, over: Partial<StoredChange> = {}): StoredChange {
  return { version, occurredAt: at, status, sourceStatus: null, sourceSystem: 'enforcement-case', sourceRecordId: `sc-${version}-${status}`, note: null, result: null, ...over };
}

const ack = change(1, 'ACKNOWLEDGED', min(7), { sourceStatus: '已签收' });
const onSite = change(2, 'ON_SITE', min(40), { sourceStatus: '已到场' });
const closed = change(3, 'CLOSED', min(600), { sourceStatus: '已办结', result: { outcome: 'RESOLVED', text: '已责令安装油烟净化设施，复查合格。' } });

describe('foldTaskState', () => {
  it('no changes: the task as dispatched', () => {
    expect(foldTaskState([])).toEqual(INITIAL_TASK_STATE);
  });

  it('签收 → 到场 → 办结: response, on-site and done times, result of the closure', () => {
    expect(foldTaskState([ack, onSite, closed])).toEqual({
      status: 'DONE',
      statusVersion: 3,
      sourceStatus: '已办结',
      respondedAt: min(7),
      onSiteAt: min(40),
      doneAt: min(600),
      result: '已责令安装油烟净化设施，复查合格。',
      outcome: 'RESOLVED',
      rejectedAt: null,
      rejectionNote: null,
    });
  });

  it('every order of the changes, with duplicates, gives the same state', () => {
    const reference = foldTaskState([ack, onSite, closed]);
    expect(foldTaskState([closed, onSite, ack])).toEqual(reference);
    for (let seed = 1; seed <= 12; seed++) expect(foldTaskState(shuffled([ack, onSite, closed, closed, ack], seed))).toEqual(reference);
  });

  it('a stale version never decides the status but still dates the first response', () => {
    const lateAck = change(1, 'ACKNOWLEDGED', min(5), { sourceRecordId: 'other-ack' });
    const s = foldTaskState([onSite, closed, lateAck]);
    expect(s.status).toBe('DONE');
    expect(s.statusVersion).toBe(3);
    expect(s.respondedAt).toBe(min(5));
  });

  it('REOPENED of a higher version supersedes the closure; a later CLOSED closes again with its own result', () => {
    const reopened = change(4, 'REOPENED', min(2000), { sourceStatus: '重办', note: '回访不满意' });
    const s = foldTaskState(shuffled([ack, onSite, closed, reopened], 3));
    expect(s).toMatchObject({ status: 'IN_PROGRESS', statusVersion: 4, doneAt: null, result: null, outcome: null, respondedAt: min(7) });
    const closedAgain = change(5, 'CLOSED', min(3000), { result: { outcome: 'PARTIALLY_RESOLVED', text: '二次整改' } });
    expect(foldTaskState([closedAgain, reopened, closed, onSite, ack])).toMatchObject({ status: 'DONE', doneAt: min(3000), result: '二次整改', outcome: 'PARTIALLY_RESOLVED' });
  });

  it('a REOPENED of an older version than the closure does not reopen', () => {
    const oldReopen = change(2, 'REOPENED', min(700), { sourceRecordId: 'old-reopen' });
    expect(foldTaskState([ack, closed, oldReopen])).toMatchObject({ status: 'DONE', doneAt: min(600) });
  });

  it('退单 returns the task and is recorded with its reason; a response, but not an on-site arrival', () => {
    const rejected = change(1, 'REJECTED', min(12), { sourceStatus: '退单', note: '不属于本单位职责' });
    expect(foldTaskState([rejected])).toMatchObject({ status: 'RETURNED', respondedAt: min(12), onSiteAt: null, rejectedAt: min(12), rejectionNote: '不属于本单位职责' });
  });

  it('an extension request or a follow-up call does not move the status', () => {
    const ext = change(4, 'EXTENSION_REQUESTED', min(700));
    const followUp = change(5, 'FOLLOW_UP', min(900));
    expect(foldTaskState([ack, onSite, ext])).toMatchObject({ status: 'ON_SITE', statusVersion: 4 });
    expect(foldTaskState([ack, onSite, closed, followUp])).toMatchObject({ status: 'DONE', statusVersion: 5, doneAt: min(600) });
  });

  it('two changes of one version are ordered by time and source identity, not by arrival', () => {
    const a = change(7, 'ON_SITE', min(50), { sourceRecordId: 'a' });
    const b = change(7, 'IN_PROGRESS', min(50), { sourceRecordId: 'b' });
    expect(compareChanges(a, b)).toBeLessThan(0);
    expect(foldTaskState([a, b]).status).toBe('IN_PROGRESS');
    expect(foldTaskState([b, a]).status).toBe('IN_PROGRESS');
  });
});

describe('matterStatusOf', () => {
  it('closed only when every task is done', () => {
    expect(matterStatusOf([{ status: 'DONE' }, { status: 'DONE' }], 'IN_PROGRESS')).toBe('CLOSED');
    expect(matterStatusOf([{ status: 'DONE' }, { status: 'RETURNED' }], 'IN_PROGRESS')).toBe('IN_PROGRESS');
    expect(matterStatusOf([{ status: 'DISPATCHED' }, { status: 'DISPATCHED' }], 'DISPATCHED')).toBe('DISPATCHED');
    expect(matterStatusOf([], 'RECEIVED')).toBe('RECEIVED');
  });
});

describe('a verdict on the result (回访, 核查) reopens a done task until the department closes it again', () => {
  // the hotline's clock: its versions are epoch milliseconds, far above the department's decision versions
  const verdict = (at: number, satisfied: boolean): StoredChange =>
    change(at, 'FOLLOW_UP', at, { sourceSystem: 'hotline-12345', sourceRecordId: `GD1#回访@${at}`, sourceStatus: satisfied ? '回访满意' : '回访不满意', result: { outcome: satisfied ? 'RESOLVED' : 'UNRESOLVED', text: satisfied ? '满意' : '问题没有解决' } });
  const unsatisfied = verdict(min(900), false);
  const redo = change(4, 'RECEIVED', min(905), { sourceStatus: '已签收' });
  const closedAgain = change(5, 'CLOSED', min(1500), { sourceStatus: '已办结', result: { outcome: 'RESOLVED', text: '已查封排烟设施，复查合格。' } });

  it('不满意 after the closure: back to work, without the result; the version stays the department\'s', () => {
    const s = foldTaskState([ack, onSite, closed, unsatisfied]);
    expect(s).toMatchObject({ status: 'IN_PROGRESS', sourceStatus: '回访不满意', doneAt: null, result: null, outcome: null, statusVersion: 3, respondedAt: min(7) });
  });

  it('满意, or a verdict from before the closure, changes nothing', () => {
    const done = foldTaskState([ack, onSite, closed]);
    expect(foldTaskState([ack, onSite, closed, verdict(min(900), true)])).toEqual(done);
    expect(foldTaskState([ack, onSite, closed, verdict(min(500), false)])).toEqual(done);
  });

  it('the department closing again after the verdict closes the task with the new result, in any order', () => {
    const reference = foldTaskState([ack, onSite, closed, unsatisfied, redo, closedAgain]);
    expect(reference).toMatchObject({ status: 'DONE', doneAt: min(1500), result: '已查封排烟设施，复查合格。', statusVersion: 5 });
    for (let seed = 1; seed <= 20; seed++) expect(foldTaskState(shuffled([ack, onSite, closed, unsatisfied, redo, closedAgain], seed))).toEqual(reference);
    // and a second 不满意 after that closure reopens it once more
    expect(foldTaskState([ack, onSite, closed, unsatisfied, redo, closedAgain, verdict(min(1600), false)]).status).toBe('IN_PROGRESS');
  });
});

