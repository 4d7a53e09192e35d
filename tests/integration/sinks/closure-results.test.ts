/**
 * 统一出件, back to every channel, on the real stack: a matter reported through 12345, the grid
 * platform and 12369 (Reports on Kafka) → hub → the enforcement, environment and market departments
 * close it with their StatusChanges → the hub queues the one result for each reporting record
 * (outbox) → the publisher → Kafka → the sinks of the three platforms (killed -9 twice during it,
 * the grid platform failing requests for a while) → each platform receives the result for its own
 * record once, acknowledges it, and the acknowledgement is on the matter's timeline; the 12345 work
 * order reads 办结 and the 12369 complaint 已办结, each with that result. A reopening and a second
 * closure send the new result once. The hotline's 回访 "not satisfied" (its own work order mapped by
 * the 12345 adapter) reopens the matter and gives it back to the lead department (重办); the lead's
 * next closure sends that result once more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTopics } from '../../../core/kafka.js';
import { manifest as hotlineManifest } from '../../../connectors/adapters/hotline-12345/manifest.js';
import { mapWorkOrder } from '../../../connectors/adapters/hotline-12345/mapping.js';
import { fixtureContext } from '../../../connectors/sdk/fixtures.js';
import { createPrincipal, issueApiKey } from '../../../hub/api/auth/principals.js';
import { createDb, type Db } from '../../../hub/store/db.js';
import type { Report, StatusChange } from '../../../schemas/index.js';
import { ComplaintStore } from '../../../simulators/environment/complaints.js';
import { buildEnvironmentServer } from '../../../simulators/environment/server.js';
import { buildGridServer } from '../../../simulators/grid/server.js';
import { buildHotlineServer, HotlineStore } from '../../../simulators/hotline-12345/server.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { codecFor, kafkaFor, testContext } from '../../support/context.js';
import { killRepeatedly } from '../../support/kill-harness.js';
import { change, byTask, LEAD_RESULT, matterId, progress, report } from '../hub/status-fixtures.js';

const ctx = testContext('results');
const kafka = kafkaFor(ctx);
const codec = codecFor(ctx);
const orders = new HotlineStore();
const hotline = buildHotlineServer(orders);
const grid = buildGridServer();
const complaints = new ComplaintStore();
const environment = buildEnvironmentServer({ complaints });
let hub: RunningProcess | undefined;
let sink: RunningProcess | undefined;
let db: Db;
let key = '';

/** The same incident as `report`, as another platform files it `minutes` later, without a named caller. */
function reportedBy(sourceSystem: string, department: string, id: string, minutes: number, channel: Report['channel'], title: string, description: string): Report {
  const later = minutes * 60_000;
  return {
    ...report,
    envelope: { ...report.envelope, sourceSystem, department, sourceRecordId: id, eventTime: report.envelope.eventTime + later, sourceVersion: report.envelope.sourceVersion + later },
    channel,
    title,
    description,
    reporterNameMasked: null,
    reporterPhoneHash: null,
    reporterPhoneMasked: null,
  };
}

const HOTLINE_ID = report.envelope.sourceRecordId;
const GRID_ID = 'WG20250612000042';
const gridReport = reportedBy('grid', 'grid', GRID_ID, 20, 'GRID', '餐馆油烟直排', '网格员巡查发现该餐馆油烟未经净化直排，周边居民反映强烈。');
const ENV_ID = 'XF2025061200042';
const environmentReport = reportedBy('environment-12369', 'environment', ENV_ID, 40, 'COMPLAINT', '饭店油烟扰民', '举报该饭店油烟直排，影响周边住户。');

const url = (app: typeof grid | typeof environment, path: string) => `http://127.0.0.1:${(app.server.address() as { port: number }).port}${path}`;

function startSink(): Promise<RunningProcess> {
  return startProcess('dispatch sinks', 'connectors/sinks/main.ts', [], {
    ...ctx.env,
    SINK_CONFIG: JSON.stringify([
      { id: 'hotline', url: url(hotline, '/api/v2/dispatches'), departments: ['*'], exceptDepartments: ['town:*', 'environment'], reportsFrom: ['hotline-12345'], sessionTimeoutMs: 6000 },
      { id: 'grid', url: url(grid, '/api/grid/v1/assignments'), departments: ['town:*'], reportsFrom: ['grid'], sessionTimeoutMs: 6000 },
      { id: 'environment', url: url(environment, '/api/12369/dispatches'), departments: ['environment'], reportsFrom: ['environment-12369'], sessionTimeoutMs: 6000 },
    ]),
  });
}

async function produce(kind: 'report' | 'status-change', records: Array<Report | StatusChange>): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (const r of records) await producer.send({ topic: ctx.topics.records(kind), acks: -1, messages: [{ key: matterId, value: await codec.encode(kind, r as never) }] });
  await producer.disconnect();
}

type Inboxed = { pdbh: string; pdlx: string; ywbh?: string; ywxt?: string; bljg?: string | null; qtbm: string | null; sjbh: string; deliveries: number };
const environmentInbox = async () => (await environment.inject('/__sim/inbox')).json() as Inboxed[];
const results = async (app: typeof grid | typeof environment) => ((await app.inject('/__sim/inbox')).json() as Inboxed[]).filter((a) => a.pdlx === '结果反馈');
const delivered = async () => (await db('matter_events').where({ matter_id: matterId, type: 'result_delivered' }).orderBy('id').select('detail')).map((e) => e.detail as { sourceSystem: string; sourceRecordId: string; version: number });

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, ctx.topics);
  await admin.disconnect();
  await Promise.all([codec.ensureRegistered('report'), codec.ensureRegistered('status-change')]);
  await Promise.all([hotline.listen({ port: 0, host: '127.0.0.1' }), grid.listen({ port: 0, host: '127.0.0.1' }), environment.listen({ port: 0, host: '127.0.0.1' })]);
  orders.create({ gdbh: HOTLINE_ID, sqbt: report.title ?? '', sqnr: report.description, gdzt: '办理' });
  complaints.create({ 举报编号: ENV_ID, 举报内容: environmentReport.description, 办理状态: '调查处理中', 办理结果: null });
  hub = await startProcess('hub', 'hub/main.ts', [], { ...ctx.env, HUB_PORT: '0', HUB_JWT_SECRET: 'results-test-jwt-secret-0123456789' });
  db = createDb(ctx.stack.databaseUrl, { schema: ctx.dbSchema });
  key = await issueApiKey(db, (await createPrincipal(db, { id: 'results-commander', name: '值班长', role: 'commander' })).id);
});

afterAll(async () => {
  await sink?.stop();
  await hub?.stop();
  await db?.destroy();
  await Promise.all([hotline.close(), grid.close(), environment.close()]);
});

describe('the one result back to every reporting channel', () => {
  it('each platform gets the result for its own record once, through kills and an outage, and each receipt is on the timeline', async () => {
    await produce('report', [report, gridReport, environmentReport]);
    const linked = await eventually('the three reports in the hub', async () => {
      const rows = (await db('reports').whereIn('source_record_id', [HOTLINE_ID, GRID_ID, ENV_ID]).select('source_record_id', 'matter_id')) as Array<{ source_record_id: string; matter_id: string }>;
      return rows.length === 3 ? rows : undefined;
    }, 120_000, 500);
    // one matter, whether the matcher joined them or the centre merges them
    const others = [...new Set(linked.map((r) => String(r.matter_id)))].filter((id) => id !== matterId);
    if (others.length) {
      const res = await fetch(`${String(hub!.ready.url)}/api/v1/matters/merge`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ into: matterId, from: others, reason: '同一餐馆油烟' }) });
      expect(res.status).toBe(200);
    }

    // the departments close it (enforcement leads); the grid platform is down for a while meanwhile
    await grid.inject({ method: 'POST', url: '/__sim/faults', payload: { mode: 'http500', count: 8 } });
    await produce('status-change', progress);
    await eventually('the matter closed by its departments', async () => ((await db('matters').where({ id: matterId }).first())?.status === 'CLOSED' ? true : undefined), 120_000, 500);
    const { last } = await killRepeatedly(startSink, { kills: 2, minMs: 1500, maxMs: 4000, seed: 21 });
    sink = last;

    const [atHotline, atGrid, atEnvironment] = await eventually('the result at the three platforms', async () => {
      const h = await results(hotline);
      const g = await results(grid);
      const e = await results(environment);
      return h.length && g.length && e.length ? [h, g, e] : undefined;
    }, 180_000, 500);
    // each platform: its own record, the one result, the lead department, once
    expect(atHotline).toEqual([expect.objectContaining({ sjbh: matterId, ywbh: HOTLINE_ID, ywxt: 'hotline-12345', bljg: LEAD_RESULT.text, qtbm: 'enforcement' })]);
    expect(atGrid).toEqual([expect.objectContaining({ sjbh: matterId, ywbh: GRID_ID, ywxt: 'grid', bljg: LEAD_RESULT.text, qtbm: 'enforcement' })]);
    expect(atEnvironment).toEqual([expect.objectContaining({ sjbh: matterId, ywbh: ENV_ID, ywxt: 'environment-12369', bljg: LEAD_RESULT.text, qtbm: 'enforcement' })]);
    // the results went out once per record in the outbox; the 12345 work order and the 12369 complaint are closed with it
    expect(await db('dispatch_outbox').where({ matter_id: matterId, action: 'RESULT' }).count('* as n').first()).toEqual({ n: '3' });
    expect(orders.orders.get(HOTLINE_ID)).toMatchObject({ gdzt: '办结', bljg: LEAD_RESULT.text });
    expect(complaints.complaints.get(ENV_ID)).toMatchObject({ 办理状态: '已办结', 办理结果: LEAD_RESULT.text });

    // each receipt came back as a StatusChange and is on the matter's timeline, once
    const receipts = await eventually('the three receipts on the timeline', async () => {
      const d = await delivered();
      return d.length >= 3 ? d : undefined;
    }, 120_000, 500);
    expect(receipts.map((d) => `${d.sourceSystem}/${d.sourceRecordId}`).sort()).toEqual([`environment-12369/${ENV_ID}`, `grid/${GRID_ID}`, `hotline-12345/${HOTLINE_ID}`]);
    const timeline = (await (await fetch(`${String(hub!.ready.url)}/api/v1/matters/${matterId}`, { headers: { authorization: `Bearer ${key}` } })).json()) as { timeline: Array<{ type: string }> };
    expect(timeline.timeline.filter((e) => e.type === 'result_delivered')).toHaveLength(3);
    expect(timeline.timeline.filter((e) => e.type === 'result_sent')).toHaveLength(1);
  });

  it('reopened and closed again with a new result: each platform gets the new result once more, nothing else', async () => {
    const before = { hotline: (await results(hotline)).length, grid: (await results(grid)).length, environment: (await results(environment)).length };
    const NEW_RESULT = { outcome: 'RESOLVED' as const, sourceOutcome: null, text: '复查发现反弹，已查封违规排烟设施并立案处罚，再次复查合格。' };
    await produce('status-change', [
      change('enforcement', 'REOPENED', 4, '2025-06-16 09:00:00', byTask('enforcement'), { note: '回访不满意，重新办理' }),
      change('enforcement', 'CLOSED', 5, '2025-06-18 16:00:00', byTask('enforcement'), { result: NEW_RESULT }),
    ]);
    const [h, g, e] = await eventually('the new result at the three platforms', async () => {
      const hr = (await results(hotline)).filter((a) => a.bljg === NEW_RESULT.text);
      const gr = (await results(grid)).filter((a) => a.bljg === NEW_RESULT.text);
      const er = (await results(environment)).filter((a) => a.bljg === NEW_RESULT.text);
      return hr.length && gr.length && er.length ? [hr, gr, er] : undefined;
    }, 180_000, 500);
    expect(h.map((a) => a.ywbh)).toEqual([HOTLINE_ID]);
    expect(g.map((a) => a.ywbh)).toEqual([GRID_ID]);
    expect(e.map((a) => a.ywbh)).toEqual([ENV_ID]);
    expect((await results(hotline)).length).toBe(before.hotline + 1);
    expect((await results(grid)).length).toBe(before.grid + 1);
    expect((await results(environment)).length).toBe(before.environment + 1);
    expect(orders.orders.get(HOTLINE_ID)).toMatchObject({ gdzt: '办结', bljg: NEW_RESULT.text });
    expect(complaints.complaints.get(ENV_ID)).toMatchObject({ 办理状态: '已办结', 办理结果: NEW_RESULT.text });
    await eventually('the new receipts on the timeline', async () => ((await delivered()).length >= 6 ? true : undefined), 120_000, 500);
    expect(await db('dispatch_outbox').where({ matter_id: matterId, action: 'RESULT' }).count('* as n').first()).toEqual({ n: '6' });
  });

  it('回访 不满意 on the 12345 work order reopens the matter and gives it back to the lead (重办); its next closure goes out once more', async () => {
    const before = { hotline: (await results(hotline)).length, grid: (await results(grid)).length, environment: (await results(environment)).length };
    // the hotline calls the citizen back and records the verdict on its work order; the 12345
    // adapter maps the order as the connector would, and its follow-up goes to Kafka
    orders.update(HOTLINE_ID, { gdzt: '回访', hfjg: '不满意', hfsj: '2025-06-19 10:00:00', hfyj: '油烟还是直排，问题没有解决。' });
    const emitted = mapWorkOrder(orders.orders.get(HOTLINE_ID), fixtureContext(hotlineManifest));
    const followUp = emitted.find((e) => e.kind === 'status-change')!.value as StatusChange;
    expect(followUp).toMatchObject({ status: 'FOLLOW_UP', sourceStatus: '回访不满意', target: { kind: 'REPORT', record: { sourceSystem: 'hotline-12345', sourceRecordId: HOTLINE_ID } } });
    await produce('status-change', [followUp]);

    await eventually('the matter reopened', async () => ((await db('matters').where({ id: matterId }).first())?.status !== 'CLOSED' ? true : undefined), 120_000, 500);
    const lead = await db('tasks').where({ matter_id: matterId, role: 'lead' }).first();
    expect(lead).toMatchObject({ department: 'enforcement', status: 'IN_PROGRESS', source_status: '回访不满意', result: null });
    // the lead receives the matter again, with the citizen's words; nobody else does
    const redo = await eventually('the 重办 at the lead department', async () => ((await (await fetch(url(hotline, '/__sim/inbox'))).json()) as Inboxed[]).find((a) => a.sjbh === matterId && a.pdlx.startsWith('派单') && String((a as { pdyj?: string }).pdyj ?? '').includes('回访不满意')), 120_000, 500);
    expect(redo).toMatchObject({ qtbm: 'enforcement', pdlx: '派单（牵头）' });
    // the cooperating departments' work stands: no copy of the 重办 for them
    const copies = [...((await (await fetch(url(hotline, '/__sim/inbox'))).json()) as Inboxed[]), ...(await environmentInbox())].filter((a) => a.sjbh === matterId && String((a as { pdyj?: string }).pdyj ?? '').includes('回访不满意'));
    expect(copies.map((a) => (a as { rwbh?: string }).rwbh)).toEqual([String((await db('tasks').where({ matter_id: matterId, role: 'lead' }).first()).id)]);
    expect(String((redo as { pdyj?: string }).pdyj)).toContain('油烟还是直排');
    const timeline = (await (await fetch(`${String(hub!.ready.url)}/api/v1/matters/${matterId}`, { headers: { authorization: `Bearer ${key}` } })).json()) as { timeline: Array<{ type: string }> };
    expect(timeline.timeline.filter((e) => e.type === 'reopened').length).toBeGreaterThanOrEqual(2); // the department's reopening earlier, and this one
    expect(timeline.timeline.filter((e) => e.type === 'dispatched' && JSON.stringify(e).includes('回访不满意'))).toHaveLength(1);
    // a redelivery of the same follow-up changes nothing
    await produce('status-change', [followUp]);

    const REDONE = { outcome: 'RESOLVED' as const, sourceOutcome: null, text: '再次现场核查，排烟设施已拆除并更换净化设备，回访满意。' };
    // answering the 重办 assignment: its feedback carries that decision's version (as the departments' feedback connector's does)
    const redoVersion = Number((await db('matters').where({ id: matterId }).first()).decision_version);
    await produce('status-change', [change('enforcement', 'CLOSED', Math.max(redoVersion, 5) + 1, '2025-06-20 16:00:00', byTask('enforcement'), { result: REDONE })]); // above the closure of version 5 before
    await eventually('the redone result at the three platforms', async () => {
      const all = [await results(hotline), await results(grid), await results(environment)];
      return all.every((r) => r.some((a) => a.bljg === REDONE.text)) ? true : undefined;
    }, 180_000, 500);
    expect((await results(hotline)).length).toBe(before.hotline + 1);
    expect((await results(grid)).length).toBe(before.grid + 1);
    expect((await results(environment)).length).toBe(before.environment + 1);
    expect(await db('matters').where({ id: matterId }).first()).toMatchObject({ status: 'CLOSED', result: REDONE.text });
  });
});
