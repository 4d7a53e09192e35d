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
import { markBreaches } from '../../../hub/routing/sla-watch.js';
import { createDb, migrate } from '../../../hub/store/db.js';
import type { Report, StatusChange } from '../../../schemas/index.js';
import { shuffled } from '../../unit/merge/fixtures.js';
import { EXAMPLES, sh } from '../../unit/schemas/examples.js';
import { again, byMatter, byReport, byTask, change, LEAD_RESULT, matterId, progress, rep, report, sc, taskId, type Delivery, hubState } from './status-fixtures.js';

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

let offset = 0;
async function deliver(d: Delivery) {
  offset += 1;
  return db.transaction((tx) => HANDLERS[d.kind]!(tx, d.record, { topic: d.kind, partition: 0, offset: String(offset) }, routing));
}
async function deliverAll(ds: Delivery[]) {
  const outcomes = [];
  for (const d of ds) outcomes.push((await deliver(d)).outcome);
  return outcomes;
}

const state = () => hubState(db);

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

  it('a report and its early status change applied at the same time in two transactions: the change is applied whichever commits first', async () => {
    const ack = progress[6]!; // market, by the 12345 ticket
    const pos = (n: number) => ({ topic: 'concurrent', partition: 0, offset: String(1_000 + n) });
    const settled = (p: Promise<unknown>) => Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), 300))]);

    // the report's transaction first: the change, not seeing the uncommitted report, waits for it
    const reportTx = await db.transaction();
    await HANDLERS.report!(reportTx, report, pos(1), routing);
    const changeApplied = db.transaction((tx) => HANDLERS['status-change']!(tx, ack, pos(2), routing));
    await settled(changeApplied); // give it every chance to run ahead of the report's commit
    await reportTx.commit();
    expect((await changeApplied).outcome).toBe('new');
    expect(await db('tasks').where({ id: taskId('market') }).first()).toMatchObject({ status: 'ACCEPTED' });
    expect((await state()).pending).toBe(0);

    // the change's transaction first: it is kept as unresolved, and the report's pending scan waits for it
    await db.raw('truncate status_changes, matter_events, tasks, reports, subject_links, subjects, matters, source_records restart identity cascade');
    const changeTx = await db.transaction();
    expect((await HANDLERS['status-change']!(changeTx, ack, pos(3), routing)).outcome).toBe('new');
    const reportApplied = db.transaction((tx) => HANDLERS.report!(tx, report, pos(4), routing));
    await settled(reportApplied);
    await changeTx.commit();
    expect((await reportApplied).outcome).toBe('new');
    expect(await db('tasks').where({ id: taskId('market') }).first()).toMatchObject({ status: 'ACCEPTED' });
    expect((await state()).pending).toBe(0);
  });

  it('退单: the task is returned with its reason and the matter stays open when the others are done', async () => {
    const closures = progress.filter((c) => c.status === 'CLOSED' && c.actorDepartment !== 'market');
    const rejected = change('market', 'REJECTED', 1, '2025-06-12 10:08:00', byReport, { sourceStatus: '退单', note: '无证经营不属实，非本局职责' });
    await deliverAll([rep(report), ...closures.map(sc), sc(rejected)]);
    const market = await db('tasks').where({ id: taskId('market') }).first();
    expect(market).toMatchObject({ status: 'RETURNED', source_status: '退单', rejection_note: '无证经营不属实，非本局职责', done_at: null });
    expect(market.rejected_at.getTime()).toBe(rejected.occurredAt);
    expect(market.responded_at.getTime()).toBe(rejected.occurredAt);
    expect(await db('matters').first()).toMatchObject({ status: 'IN_PROGRESS', closed_at: null });
  });

  it('an acknowledgement naming ids from outside the hub is kept with the reason, and a corrected copy of a change wins in any order', async () => {
    await deliver(rep(report));
    const foreign = EXAMPLES['status-change']; // names the matter and task by another system's ids
    expect((await deliver(sc(foreign))).outcome).toBe('new');
    expect(await db('status_changes').select('task_id', 'unresolved_reason')).toEqual([
      { task_id: null, unresolved_reason: `task id ${foreign.target.taskId} is not a hub id; matter id ${foreign.target.matterId} is not a hub id` },
    ]);

    // the same change id and version, corrected by the source (a later source version): whichever arrives last, the correction holds
    const first = progress[3]!; // environment 签收
    const corrected: StatusChange = { ...first, envelope: { ...first.envelope, sourceVersion: first.envelope.sourceVersion + 1_000 }, sourceStatus: '已签收（更正）' };
    for (const order of [[first, corrected], [corrected, first]]) {
      await db.raw('truncate status_changes, matter_events, tasks, reports, subject_links, subjects, matters, source_records restart identity cascade');
      expect(await deliverAll([rep(report), ...order.map(sc)])).toEqual(order[0] === first ? ['new', 'new', 'updated'] : ['new', 'new', 'stale']);
      expect(await db('tasks').where({ id: taskId('environment') }).first()).toMatchObject({ status: 'ACCEPTED', source_status: '已签收（更正）' });
    }
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

  it('a breach the SLA watcher inferred before the progress arrived is withdrawn when the progress shows the deadline was met; a confirmed one stands', async () => {
    await deliver(rep(report));
    // the watcher runs after every deadline, before any department's progress has reached the hub
    // (a platform that was down, a back-filled history)
    await markBreaches(db, new Date(sh('2025-07-01 00:00:00')));
    const marked = new Map((await db('tasks').select('id', 'breaches')).map((t) => [String(t.id), t.breaches as string[]]));
    expect([...marked.values()].every((b) => b.includes('first_response') && b.includes('closure'))).toBe(true);
    // market acknowledges a week late: that breach is a fact
    const late = change('market', 'ACKNOWLEDGED', 1, '2025-06-19 10:05:00', byReport);
    await deliverAll([...progress.filter((c) => !(c.actorDepartment === 'market' && c.status === 'ACKNOWLEDGED')), late].map(sc));
    const tasks = await db('tasks').orderBy('id').select('*');
    let withdrawn = 0;
    for (const t of tasks) {
      const met: Record<string, boolean> = {
        first_response: !!t.responded_at && t.responded_at <= t.first_response_by,
        on_site: !!t.on_site_at && t.on_site_at <= t.on_site_by,
        closure: !!t.done_at && t.done_at <= t.close_by,
      };
      const before = marked.get(String(t.id))!;
      expect(t.breaches, t.department).toEqual(before.filter((b) => !met[b]));
      withdrawn += before.length - t.breaches.length;
    }
    expect(withdrawn).toBeGreaterThan(0);
    expect(tasks.find((t) => t.department === 'enforcement')!.breaches).toEqual([]); // 签收 09:52, 到场 10:20, 办结 the next day: all in time
    expect(tasks.find((t) => t.department === 'market')!.breaches).toContain('first_response');
    // the timeline keeps what the center was told at the time
    expect(await db('matter_events').where({ type: 'sla_breached' }).count('* as n').first()).toEqual({ n: String([...marked.values()].flat().length) });
  });

  it('a milestone reached after its deadline is a breach even when the SLA watcher never ran in between', async () => {
    await deliver(rep(report));
    const late = change('market', 'ACKNOWLEDGED', 1, '2025-06-19 10:05:00', byReport); // a week after the 30 minutes
    await deliverAll([late, ...progress.filter((c) => c.actorDepartment === 'enforcement')].map(sc));
    const market = await db('tasks').where({ department: 'market' }).first();
    expect(market.responded_at > market.first_response_by).toBe(true);
    expect(market.breaches).toEqual(['first_response']);
    // enforcement met its deadlines: nothing marked
    expect((await db('tasks').where({ department: 'enforcement' }).first()).breaches).toEqual([]);
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
