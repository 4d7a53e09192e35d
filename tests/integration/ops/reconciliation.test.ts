/**
 * Per-department, per-hour reconciliation on the real pipeline: the 12345 and grid simulators,
 * one connector worker process each, the hub — the 12345 worker and the hub killed with -9 while
 * records flow — and then, for every connector and hour of the records' own update time, the API
 * must give exactly what the simulators hold (ground truth from the platforms, not from our
 * counters), with 0 missing between stages; a work order the mapping refuses shows up as a dead
 * letter of its hour, with its reason.
 *
 * The 12345 records are spread over three past hours (a back-fill read now, counted in its own
 * hours) and the current one; each bulk of them shares one update time to the second, so the
 * connector reads that time's pages in passes and delivers some pages again — which must not
 * count twice. The grid platform lists about 2 % of its events twice on a page.
 */
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../../support/context.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { createDb, type Db } from '../../../hub/store/db.js';
import { createPrincipal, issueApiKey } from '../../../hub/api/auth/principals.js';
import { HOUR_MS, hourStartMs } from '../../../core/reconciliation.js';
import { nextOffsetsAfterLastRecord } from '../../../core/read-to-end.js';
import { kafkaFor } from '../../support/context.js';

const ctx = testContext('reconcile');
const PAGE = 5;
let hotlineSim: RunningProcess;
let gridSim: RunningProcess;
let hub: RunningProcess;
let hotlineWorker: RunningProcess;
let gridWorker: RunningProcess;
let db: Db;
const log: string[] = [];

const now = Date.now();
const thisHour = hourStartMs(now);
/** 12345 back-fill: hours ago → orders with one update time in that hour. */
const BACKFILL = [
  { hoursAgo: 3, count: 22 },
  { hoursAgo: 2, count: 17 },
  { hoursAgo: 1, count: 13 },
];
const LIVE_ORDERS = 25;
const GRID_AT_START = 40;
const GRID_LIVE = 30;

const CONTROL_TOKEN = 'reconcile-control-token';
const hotlineEnv = () => ({
  ...ctx.env,
  CONTROL_TOKEN,
  CONNECTOR_CONFIG: JSON.stringify({ 'hotline-12345': { source: { url: `${String(hotlineSim.ready.url)}/api/v2/workorders`, pagination: { size: PAGE } }, pollIntervalMs: 200 } }),
});
const gridEnv = () => ({
  ...ctx.env,
  CONNECTOR_CONFIG: JSON.stringify({ grid: { source: { url: `${String(gridSim.ready.url)}/api/grid/v1/events`, pagination: { size: PAGE } }, pollIntervalMs: 200 } }),
});
const startHub = () => startProcess('hub', 'hub/main.ts', [], { ...ctx.env, HUB_PORT: '0' });
const startHotline = () => startProcess('12345 worker', 'connectors/cli.ts', ['run', 'hotline-12345'], hotlineEnv());
const startGrid = () => startProcess('grid worker', 'connectors/cli.ts', ['run', 'grid'], gridEnv());

async function post(url: string, body: unknown): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.ok, `${url}: ${res.status}`).toBe(true);
  return res.json();
}

/** Source records the hub holds, per source system (the hub's own table, for waiting on progress). */
async function storedBySystem(): Promise<Record<string, number>> {
  const rows = (await db('source_records').select('source_system').count('* as n').groupBy('source_system').catch(() => [])) as Array<{ source_system: string; n: string }>;
  return Object.fromEntries(rows.map((r) => [r.source_system, Number(r.n)]));
}

/** The platform's update time "2026-12-06 09:40:00" (Beijing) → epoch ms. */
const beijing = (t: string) => Date.parse(`${t.replace(' ', 'T')}+08:00`);

interface Truth {
  /** connector → hour ISO → {served, dead} */
  [connector: string]: Record<string, { served: number; dead: number }>;
}

let deadOrderId = '';
let adminKey = '';
let liaisonKey = '';

beforeAll(async () => {
  [hotlineSim, gridSim] = await Promise.all([
    startProcess('12345 simulator', 'simulators/hotline-12345/main.ts', ['--seed', '31'], {}),
    startProcess('grid simulator', 'simulators/grid/main.ts', ['--seed', '31', '--generate', String(GRID_AT_START)], {}),
  ]);
  // the back-fill is on the platform before the connector first reads (keyset polling reads forward)
  for (const b of BACKFILL) await post(`${String(hotlineSim.ready.url)}/__sim/generate`, { count: b.count, at: thisHour - b.hoursAgo * HOUR_MS + 17 * 60_000 });
  // slow pages (0.4 s each) so that the 12345 worker's kill lands while it is reading the back-fill
  await post(`${String(hotlineSim.ready.url)}/__sim/faults`, { mode: 'slow', count: 30, delayMs: 400 });
  hub = await startHub();
  db = createDb(ctx.stack.databaseUrl, { schema: ctx.dbSchema });
  const admin = await createPrincipal(db, { name: '运维管理员', role: 'admin' });
  adminKey = await issueApiKey(db, admin.id);
  const liaison = await createPrincipal(db, { name: '网格中心联络员', role: 'liaison', department: 'grid' });
  liaisonKey = await issueApiKey(db, liaison.id);
  [hotlineWorker, gridWorker] = await Promise.all([startHotline(), startGrid()]);
});

afterAll(async () => {
  await Promise.all([hotlineWorker?.stop(), gridWorker?.stop(), hub?.stop()]);
  await Promise.all([hotlineSim?.stop(), gridSim?.stop()]);
  await db?.destroy();
});

async function api(key: string, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${String(hub.ready.url)}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: await res.json() };
}

describe('per-department hourly reconciliation', () => {
  let truth: Truth;

  it('survives kill -9 of a connector and of the hub while records flow', async () => {
    const backfill = BACKFILL.reduce((n, b) => n + b.count, 0);
    // kill the 12345 worker once some of the back-fill is in, not all of it
    await eventually('the hub to store part of the 12345 back-fill', async () => ((await storedBySystem())['hotline-12345'] ?? 0) >= PAGE * 2 || undefined, 300_000, 50);
    const before = (await storedBySystem())['hotline-12345'] ?? 0;
    await hotlineWorker.stop('SIGKILL');
    log.push(`12345 worker killed with ${before}/${backfill} back-fill orders in the hub`);
    expect(before).toBeLessThan(backfill); // killed while it was reading
    // live changes while the worker is down: this hour's orders, one of them unmappable, and grid events
    await post(`${String(hotlineSim.ready.url)}/__sim/generate`, { count: LIVE_ORDERS, at: Date.now() });
    deadOrderId = ((await post(`${String(hotlineSim.ready.url)}/__sim/workorders`, { gdzt: '挂起待查' })) as { gdbh: string }).gdbh;
    await post(`${String(gridSim.ready.url)}/__sim/generate`, { count: GRID_LIVE });
    hotlineWorker = await startHotline();
    // kill the hub while it applies: between a fifth and two thirds of everything in
    const total = backfill + LIVE_ORDERS + GRID_AT_START + GRID_LIVE;
    const stored = await eventually('the hub to have applied a fifth of the records', async () => {
      const s = await storedBySystem();
      const n = (s['hotline-12345'] ?? 0) + (s.grid ?? 0);
      return n >= total / 5 ? n : undefined;
    }, 300_000, 50);
    await hub.stop('SIGKILL');
    log.push(`hub killed with ${stored}/${total} records applied`);
    hub = await startHub();
    expect(stored).toBeLessThan(total); // the kill landed while records were still on their way
  });

  it('every connector and hour equals what the platforms served, with 0 missing between stages', async () => {
    const orders = (await (await fetch(`${String(hotlineSim.ready.url)}/__sim/workorders`)).json()) as Array<{ gdbh: string; gxsj: string }>;
    const events = (await (await fetch(`${String(gridSim.ready.url)}/__sim/events`)).json()) as Array<{ eventId: string; updateTime: string }>;
    truth = { 'hotline-12345': {}, grid: {} };
    const add = (connector: string, t: string, dead: boolean) => {
      const hour = new Date(hourStartMs(beijing(t))).toISOString();
      const h = (truth[connector]![hour] ??= { served: 0, dead: 0 });
      h.served += 1;
      if (dead) h.dead += 1;
    };
    for (const o of orders) add('hotline-12345', o.gxsj, o.gdbh === deadOrderId);
    for (const e of events) add('grid', e.updateTime, false);
    expect(Object.keys(truth['hotline-12345']!).length).toBeGreaterThanOrEqual(4); // three back-filled hours and this one
    expect(orders.length).toBe(BACKFILL.reduce((n, b) => n + b.count, 0) + LIVE_ORDERS + 1);
    expect(events.length).toBe(GRID_AT_START + GRID_LIVE);

    const from = new Date(thisHour - 4 * HOUR_MS).toISOString();
    const to = new Date(thisHour + 2 * HOUR_MS).toISOString();
    // wait for the pipeline to settle (records in the hub, the ledger copied); the assertions are on ground truth
    const body = await eventually('the reconciliation to account for every record the platforms hold', async () => {
      const r = await api(adminKey, `/api/v1/reconciliation?from=${from}&to=${to}`);
      if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${JSON.stringify(r.body)}`);
      const hours = r.body.hours as Array<{ connector: string; counts: Record<string, number> }>;
      const sum = (c: string, stage: string) => hours.filter((h) => h.connector === c).reduce((n, h) => n + h.counts[stage]!, 0);
      const settled = sum('hotline-12345', 'read') === orders.length && sum('hotline-12345', 'hub_applied') === orders.length - 1 && sum('grid', 'read') === events.length && sum('grid', 'hub_applied') === events.length;
      if (!settled) throw new Error(`not yet: ${JSON.stringify(hours.map((h) => [h.connector, h.counts]))}`);
      return r.body;
    }, 400_000, 500);

    const hours = body.hours as Array<{ hour: string; connector: string; department: string; counts: Record<string, number>; deadReasons: Record<string, number>; missing: number; status: string; statusLabel: string }>;
    const got: Truth = {};
    for (const h of hours) {
      expect(h.counts.read, `${h.connector} ${h.hour}`).toBe(h.counts.delivered! + h.counts.dead_lettered!);
      expect(h.counts.produced, `${h.connector} ${h.hour}`).toBe(h.counts.delivered); // one canonical record per source record here
      expect(h.counts.hub_applied, `${h.connector} ${h.hour}`).toBe(h.counts.produced);
      expect(h.counts.hub_dead_lettered).toBe(0);
      expect([h.missing, h.status, h.statusLabel]).toEqual([0, 'ok', '一致']);
      (got[h.connector] ??= {})[h.hour] = { served: h.counts.read!, dead: h.counts.dead_lettered! };
    }
    expect(got).toEqual(truth);
    expect(body.missing).toBe(0);
    expect(hours.find((h) => h.connector === 'grid')!.department).toBe('grid');
    // the answer is the one the OpenAPI document describes
    const doc = (await (await fetch(`${String(hub.ready.url)}/docs/json`)).json()) as { paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: object }> }> } }> };
    const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
    const validate = addFormats(new Ajv({ strict: false, allErrors: true })).compile(doc.paths['/api/v1/reconciliation']!.get.responses['200']!.content['application/json']!.schema);
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    // the unmappable work order: a dead letter of its own hour, with its reason
    const deadHour = hours.find((h) => h.connector === 'hotline-12345' && h.counts.dead_lettered === 1)!;
    expect(deadHour.deadReasons).toEqual({ CH_MAPPING: 1 });
    expect(deadHour.hour).toBe(Object.entries(truth['hotline-12345']!).find(([, v]) => v.dead === 1)![0]);
    console.log(`reconciliation: ${log.join('; ')}; ${hours.length} connector-hours, ${orders.length} orders, ${events.length} grid events`);
  });

  it('a cursor reset reads the whole platform again and counts nothing twice', async () => {
    const control = (path: string, body?: unknown) =>
      fetch(`${String(hotlineWorker.ready.statusUrl)}/connectors/hotline-12345/${path}`, { method: 'POST', headers: { authorization: `Bearer ${CONTROL_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    const readSoFar = async () => ((await (await fetch(`${String(hotlineWorker.ready.statusUrl)}/status`)).json()) as Array<{ id: string; recordsRead: number }>).find((c) => c.id === 'hotline-12345')!.recordsRead;
    const before = await readSoFar();
    expect((await control('pause')).status).toBe(200);
    expect((await control('cursor', { to: 'beginning' })).status).toBe(200);
    expect((await control('resume')).status).toBe(200);
    const served = Object.values(truth['hotline-12345']!).reduce((n, h) => n + h.served, 0);
    await eventually('the 12345 worker to read every work order again', async () => ((await readSoFar()) >= before + served ? true : undefined), 300_000, 200);
    // everything it committed is applied by the hub and copied from the ledger: then the counts are final
    const kafka = kafkaFor(ctx, 'reconcile-test');
    const caughtUp = async (group: string, topic: string) => {
      const { next } = await nextOffsetsAfterLastRecord(kafka, topic);
      const done = (await db('consumed_offsets').where({ group_id: group, topic })) as Array<{ partition: number; next_offset: string }>;
      return [...next].every(([p, n]) => BigInt(done.find((d) => d.partition === p)?.next_offset ?? '0') >= n);
    };
    const hubGroup = ctx.topics.consumerGroup('hub');
    await eventually('the hub and its ledger reader to catch up', async () => ((await caughtUp(hubGroup, ctx.topics.records('report'))) && (await caughtUp(`${hubGroup}.reconciliation`, ctx.topics.reconciliation)) ? true : undefined), 300_000, 500);
    const from = new Date(thisHour - 4 * HOUR_MS).toISOString();
    const r = await api(adminKey, `/api/v1/reconciliation?from=${from}&department=hotline`);
    const got = Object.fromEntries((r.body.hours as Array<{ hour: string; counts: Record<string, number> }>).map((h) => [h.hour, { served: h.counts.read, dead: h.counts.dead_lettered, produced: h.counts.produced, applied: h.counts.hub_applied }]));
    // every version went to Kafka and the hub twice; each is counted once at every stage
    expect(got).toEqual(Object.fromEntries(Object.entries(truth['hotline-12345']!).map(([hour, t]) => [hour, { ...t, produced: t.served - t.dead, applied: t.served - t.dead }])));
    expect(r.body.missing).toBe(0);
  });

  it('filters by department; a liaison reads its own department only; bad ranges are refused in words', async () => {
    const from = new Date(thisHour - 4 * HOUR_MS).toISOString();
    const grid = await api(adminKey, `/api/v1/reconciliation?from=${from}&department=grid`);
    expect(grid.status).toBe(200);
    expect(new Set(grid.body.hours.map((h: { connector: string }) => h.connector))).toEqual(new Set(['grid']));
    const own = await api(liaisonKey, `/api/v1/reconciliation?from=${from}`);
    expect(own.status).toBe(200);
    expect(own.body.hours.length).toBeGreaterThan(0);
    expect(own.body.hours.every((h: { department: string }) => h.department === 'grid')).toBe(true);
    expect((await api(liaisonKey, `/api/v1/reconciliation?department=hotline`)).status).toBe(400);
    const backwards = await api(adminKey, `/api/v1/reconciliation?from=${new Date(now).toISOString()}&to=${from}`);
    expect(backwards.status).toBe(400);
    expect(backwards.body.message).toMatch(/from 必须早于 to/);
    expect((await fetch(`${String(hub.ready.url)}/api/v1/reconciliation`)).status).toBe(401);
  });

  it('/metrics gives each stage per connector and 0 missing', async () => {
    const text = await (await fetch(`${String(hub.ready.url)}/metrics`)).text();
    const sample = (name: string, labels: Record<string, string>) => {
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
      return line === undefined ? undefined : Number(line.split(' ').pop());
    };
    const served = (c: string) => Object.values(truth[c]!).reduce((n, h) => n + h.served, 0);
    expect(sample('countyhub_reconciliation_records', { connector: 'grid', stage: 'read' })).toBe(served('grid'));
    expect(sample('countyhub_reconciliation_records', { connector: 'grid', stage: 'hub_applied' })).toBe(served('grid'));
    expect(sample('countyhub_reconciliation_records', { connector: 'hotline-12345', stage: 'dead_lettered' })).toBe(1);
    expect(sample('countyhub_reconciliation_records', { connector: 'hotline-12345', stage: 'hub_applied' })).toBe(served('hotline-12345') - 1);
    expect(sample('countyhub_reconciliation_missing_records', { connector: 'hotline-12345', department: 'hotline' })).toBe(0);
    expect(sample('countyhub_reconciliation_missing_records', { connector: 'grid' })).toBe(0);
  });
});
