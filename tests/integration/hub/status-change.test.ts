/**
 * Departments' status changes (签收, 到场, 办结, 重办 …) applied to tasks and matters on the real
 * PostgreSQL through the hub's handlers. Reports and status changes travel on different topics, so
 * the hub sees them in any order and sometimes more than once: every order must give the same
 * tasks and matters, and no change may be lost.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { HANDLERS } from '../../../hub/ingest/handlers.js';
import { HubRouting } from '../../../hub/ingest/routing.js';
import { createDb, migrate } from '../../../hub/store/db.js';
import { deterministicId } from '../../../hub/store/ids.js';
import type { ProgressStatus, Report, StatusChange, StatusTarget } from '../../../schemas/index.js';
import { shuffled } from '../../unit/merge/fixtures.js';
import { EXAMPLES, sh } from '../../unit/schemas/examples.js';

const schema = `t_status_${randomBytes(3).toString('hex')}`;
const db = createDb(inject('stack').databaseUrl, { schema });
const routing = HubRouting.load();
beforeAll(async () => migrate(db, schema));
afterAll(async () => {
  await db.raw(`drop schema if exists "${schema}" cascade`);
  await db.destroy();
});
beforeEach(async () => {
  await db.raw('truncate status_changes, matter_events, tasks, reports, subject_links, subjects, matters, source_records restart identity cascade');
});

const report: Report = EXAMPLES.report; // 餐饮油烟: enforcement leads, environment and market cooperate
const matterId = deterministicId('matter', report.envelope.sourceSystem, report.envelope.sourceRecordId);
const taskId = (department: string) => deterministicId('task', matterId, department);

let offset = 0;
type Delivery = { kind: 'report'; record: Report } | { kind: 'status-change'; record: StatusChange };
async function deliver(d: Delivery) {
  offset += 1;
  return db.transaction((tx) => HANDLERS[d.kind]!(tx, d.record, { topic: d.kind, partition: 0, offset: String(offset) }, routing));
}
async function deliverAll(ds: Delivery[]) {
  const outcomes = [];
  for (const d of ds) outcomes.push((await deliver(d)).outcome);
  return outcomes;
}

function change(department: string, status: ProgressStatus, version: number, at: string, target: Partial<StatusTarget>, over: Partial<StatusChange> = {}): StatusChange {
  const base = EXAMPLES['status-change'];
  const occurredAt = sh(at);
  return {
    ...base,
    envelope: { ...base.envelope, sourceSystem: `${department}-oa`, department, sourceRecordId: `${department}-${version}-${status}`, sourceVersion: occurredAt, eventTime: occurredAt, ingestTime: occurredAt + 3_000 },
    target: { kind: 'TASK', record: null, matterId: null, taskId: null, ...target },
    status,
    sourceStatus: { ACKNOWLEDGED: '已签收', ON_SITE: '已到场', CLOSED: '已办结', REOPENED: '重办' }[status as string] ?? null,
    version,
    occurredAt,
    actorDepartment: department,
    note: null,
    dispatchVersion: null,
    result: null,
    attachments: [],
    ...over,
  };
}
const sc = (record: StatusChange): Delivery => ({ kind: 'status-change', record });
const rep = (record: Report): Delivery => ({ kind: 'report', record });
/** The same change delivered again: Kafka redelivery after a crash (another ingest time, same content). */
const again = (c: StatusChange): StatusChange => ({ ...c, envelope: { ...c.envelope, ingestTime: c.envelope.ingestTime + 60_000 } });

// The three departments name their target three ways: the hub's task id, the hub's matter id, the 12345 ticket.
const byTask = (d: string) => ({ kind: 'TASK' as const, taskId: taskId(d), matterId });
const byMatter = { kind: 'MATTER' as const, matterId };
const byReport = { kind: 'REPORT' as const, record: { sourceSystem: report.envelope.sourceSystem, sourceRecordId: report.envelope.sourceRecordId } };
const LEAD_RESULT = { outcome: 'RESOLVED' as const, sourceOutcome: '已解决', text: '已责令“老王家常菜”安装油烟净化设施并规范排烟，复查合格。' };
const progress: StatusChange[] = [
  change('enforcement', 'ACKNOWLEDGED', 1, '2025-06-12 09:52:30', byTask('enforcement')),
  change('enforcement', 'ON_SITE', 2, '2025-06-12 10:20:00', byTask('enforcement')),
  change('enforcement', 'CLOSED', 3, '2025-06-13 16:00:00', byTask('enforcement'), { result: LEAD_RESULT }),
  change('environment', 'ACKNOWLEDGED', 1, '2025-06-12 10:01:00', byMatter),
  change('environment', 'ON_SITE', 2, '2025-06-12 10:40:00', byMatter),
  change('environment', 'CLOSED', 3, '2025-06-12 15:00:00', byMatter, { result: { outcome: 'RESOLVED', sourceOutcome: null, text: '油烟浓度检测 2.6mg/m³，超标。' } }),
  change('market', 'ACKNOWLEDGED', 1, '2025-06-12 10:05:00', byReport),
  change('market', 'ON_SITE', 2, '2025-06-12 10:50:00', byReport),
  change('market', 'CLOSED', 3, '2025-06-14 11:00:00', byReport, { result: { outcome: 'RESOLVED', sourceOutcome: null, text: '食品经营许可证在有效期内。' } }),
];

async function state() {
  const tasks = await db('tasks').orderBy('id').select('*');
  const matters = await db('matters').orderBy('id').select('*');
  const events = (await db('matter_events').where({ type: 'status_changed' }).select('at', 'detail')).map((e) => JSON.stringify([e.at, e.detail])).sort();
  const pending = await db('status_changes').whereNull('task_id').count<Array<{ count: string }>>('* as count');
  return { tasks, matters, events, pending: Number(pending[0]!.count) };
}

describe('status changes on tasks and matters', () => {
  it('签收 → 到场 → 办结 of three departments: tasks done with their times, the matter closed with the lead’s result', async () => {
    expect(await deliverAll([rep(report), ...progress.map(sc)])).toEqual(['new', ...progress.map(() => 'new')]);
    const s = await state();
    const enforcement = s.tasks.find((t) => t.department === 'enforcement')!;
    expect(enforcement).toMatchObject({ status: 'DONE', status_version: '3', source_status: '已办结', result: LEAD_RESULT.text, outcome: 'RESOLVED', role: 'lead' });
    expect(enforcement.responded_at.getTime()).toBe(sh('2025-06-12 09:52:30'));
    expect(enforcement.on_site_at.getTime()).toBe(sh('2025-06-12 10:20:00'));
    expect(enforcement.done_at.getTime()).toBe(sh('2025-06-13 16:00:00'));
    expect(s.tasks.map((t) => [t.department, t.status])).toEqual(expect.arrayContaining([['environment', 'DONE'], ['market', 'DONE']]));
    expect(s.matters).toHaveLength(1);
    // closed when the last department (market) closed, with the lead's result, not the last one's
    expect(s.matters[0]).toMatchObject({ status: 'CLOSED', result: LEAD_RESULT.text, result_outcome: 'RESOLVED' });
    expect(s.matters[0].closed_at.getTime()).toBe(sh('2025-06-14 11:00:00'));
    expect(s.events).toHaveLength(9);
    const closedEvents = await db('matter_events').where({ type: 'closed' }).select('detail');
    expect(closedEvents).toEqual([{ detail: expect.objectContaining({ result: LEAD_RESULT.text, lead: 'enforcement' }) }]);
    expect(s.pending).toBe(0);
  });

  it('any delivery order — reversed, shuffled, status changes before their report, every change twice — gives the same tasks and matter', async () => {
    const inOrder = [rep(report), ...progress.map(sc)];
    await deliverAll(inOrder);
    const reference = await state();
    expect(reference.matters[0].status).toBe('CLOSED');

    const orders: Array<[string, Delivery[]]> = [
      ['reversed', [...inOrder].reverse()],
      ['report last', [...progress.map(sc), rep(report)]],
      ['every change twice', [rep(report), ...progress.flatMap((c) => [sc(c), sc(again(c))])]],
    ];
    for (let seed = 1; seed <= 6; seed++) orders.push([`shuffled ${seed}`, shuffled([...inOrder, ...shuffled(progress, seed + 50).slice(0, 4).map((c) => sc(again(c)))], seed)]);
    for (const [name, order] of orders) {
      await db.raw('truncate status_changes, matter_events, tasks, reports, subject_links, subjects, matters, source_records restart identity cascade');
      await deliverAll(order);
      expect(await state(), name).toEqual(reference);
    }
  });

  it('a redelivered change is a duplicate: no new event, no change', async () => {
    await deliverAll([rep(report), sc(progress[0]!)]);
    const before = await state();
    expect((await deliver(sc(again(progress[0]!)))).outcome).toBe('duplicate');
    expect(await state()).toEqual(before);
  });

  it('a stale version arriving after a newer one is kept for lineage but never overwrites the status', async () => {
    const [ack, onSite, closed] = progress as [StatusChange, StatusChange, StatusChange];
    expect(await deliverAll([rep(report), sc(closed), sc(onSite), sc(ack)])).toEqual(['new', 'new', 'stale', 'stale']);
    const t = await db('tasks').where({ id: taskId('enforcement') }).first();
    expect(t).toMatchObject({ status: 'DONE', status_version: '3', source_status: '已办结', result: LEAD_RESULT.text });
    // the late 签收 still says when the department first responded
    expect(t.responded_at.getTime()).toBe(ack.occurredAt);
    expect(await db('status_changes').where({ task_id: taskId('enforcement') }).count<Array<{ count: string }>>('* as count')).toEqual([{ count: '3' }]);
  });

  it('a status change that arrives before its report is kept as unresolved and applied when the report arrives', async () => {
    const ack = progress[6]!; // market, by the 12345 ticket
    expect((await deliver(sc(ack))).outcome).toBe('new');
    const waiting = await db('status_changes').select('task_id', 'unresolved_reason');
    expect(waiting).toEqual([{ task_id: null, unresolved_reason: expect.stringContaining('is not in the hub') }]);

    expect((await deliver(rep(report))).outcome).toBe('new');
    expect(await db('status_changes').select('task_id', 'unresolved_reason')).toEqual([{ task_id: taskId('market'), unresolved_reason: null }]);
    const market = await db('tasks').where({ id: taskId('market') }).first();
    expect(market).toMatchObject({ status: 'ACCEPTED', status_version: '1', source_status: '已签收' });
    expect(market.responded_at.getTime()).toBe(ack.occurredAt);
    expect(await db('matter_events').where({ type: 'status_changed' }).count<Array<{ count: string }>>('* as count')).toEqual([{ count: '1' }]);
  });

  it('a change for a department with no task on the matter is kept with the reason, not applied elsewhere', async () => {
    await deliver(rep(report));
    await deliver(sc(change('agriculture', 'ACKNOWLEDGED', 1, '2025-06-12 10:00:00', byReport)));
    expect(await db('status_changes').select('task_id', 'unresolved_reason')).toEqual([{ task_id: null, unresolved_reason: `matter ${matterId} has no task for department agriculture` }]);
    expect((await db('tasks').select('status')).map((t) => t.status)).toEqual(['DISPATCHED', 'DISPATCHED', 'DISPATCHED']);
  });

  it('the matter closes only when every task is done; REOPENED after CLOSED reopens task and matter', async () => {
    const closures = progress.filter((c) => c.status === 'CLOSED');
    await deliverAll([rep(report), sc(closures[0]!), sc(closures[1]!)]);
    let m = await db('matters').first();
    expect(m).toMatchObject({ status: 'IN_PROGRESS', closed_at: null, result: null });

    await deliver(sc(closures[2]!));
    m = await db('matters').first();
    expect(m).toMatchObject({ status: 'CLOSED', result: LEAD_RESULT.text });

    const reopen = change('enforcement', 'REOPENED', 4, '2025-06-16 09:00:00', byTask('enforcement'), { note: '回访群众不满意，重新办理' });
    expect((await deliver(sc(reopen))).outcome).toBe('new');
    m = await db('matters').first();
    expect(m).toMatchObject({ status: 'IN_PROGRESS', closed_at: null, result: null, result_outcome: null });
    expect(await db('tasks').where({ id: taskId('enforcement') }).first()).toMatchObject({ status: 'IN_PROGRESS', done_at: null, result: null, status_version: '4' });
    const timeline = (await db('matter_events').orderBy('id').select('type')).map((e) => e.type).filter((t) => t === 'closed' || t === 'reopened');
    expect(timeline).toEqual(['closed', 'reopened']);
    const reopenedEvent = await db('matter_events').where({ type: 'status_changed' }).whereRaw("detail->>'status' = 'REOPENED'").first();
    expect(reopenedEvent.detail).toMatchObject({ department: 'enforcement', status: 'REOPENED', sourceStatus: '重办', version: 4 });

    // the stale closure delivered again does not close it
    expect((await deliver(sc(again(closures[0]!)))).outcome).toBe('duplicate');
    expect((await db('matters').first()).status).toBe('IN_PROGRESS');
  });

  it('a town government acts as `town` on its town’s task', async () => {
    const burning: Report = {
      ...report,
      envelope: { ...report.envelope, sourceRecordId: 'GD20250612000999' },
      title: '秸秆焚烧',
      description: '来电人反映锡尼镇锡尼社区北侧农田有人焚烧秸秆，浓烟很大。',
      categoryCode: 'env.open_burning',
      subjectName: null,
    };
    await deliver(rep(burning));
    const townTask = await db('tasks').where({ role: 'lead' }).first();
    expect(townTask.department).toBe('town:150625100');
    const target = { kind: 'REPORT' as const, record: { sourceSystem: burning.envelope.sourceSystem, sourceRecordId: burning.envelope.sourceRecordId } };
    await deliver(sc(change('town', 'ON_SITE', 1, '2025-06-12 10:10:00', target)));
    expect(await db('tasks').where({ id: townTask.id }).first()).toMatchObject({ status: 'ON_SITE', status_version: '1' });
  });
});
