/**
 * The chaos suite's fault helpers do what the suite's report says they did: the HTTP proxy in front
 * of a real 12345 simulator answers each fault as asked and then the platform's own answer, shifts
 * the list between pages through the simulator, and counts re-reads; the TCP proxy delays, cuts and
 * refuses. (The suite itself, `npm run chaos`, is the pipeline-level check.)
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpFaultProxy } from '../../../scripts/chaos/http-fault-proxy.js';
import { PLATFORMS, versionOf } from '../../../scripts/chaos/platforms.js';
import { TcpFaultProxy } from '../../../stack/tcp-fault-proxy.js';
import { converged, type Observation } from '../../../scripts/chaos/checker.js';
import { buildHotlineServer, HotlineStore } from '../../../simulators/hotline-12345/server.js';

const hotline = PLATFORMS.find((p) => p.name === 'hotline')!;

describe('HTTP fault proxy in front of the 12345 simulator', () => {
  let app: FastifyInstance;
  let store: HotlineStore;
  let proxy: HttpFaultProxy;
  let base: string;
  beforeAll(async () => {
    store = new HotlineStore({ seed: 7 });
    for (let i = 0; i < 6; i++) store.generate();
    app = buildHotlineServer(store);
    const target = await app.listen({ host: '127.0.0.1', port: 0 });
    proxy = new HttpFaultProxy(hotline, target);
    base = await proxy.start();
  });
  afterAll(async () => {
    await proxy.stop();
    await app.close();
  });
  const page = (n: number) => fetch(`${base}/api/v2/workorders?orderBy=gxsj&pageSize=3&pageNum=${n}`);

  it('answers each injected fault, then the platform again', async () => {
    proxy.inject({ mode: 'http500', count: 2 });
    proxy.inject({ mode: 'http429', count: 1 });
    proxy.inject({ mode: 'html', count: 1 });
    const answers = [];
    for (let i = 0; i < 5; i++) {
      const r = await page(1);
      answers.push([r.status, r.headers.get('content-type')?.split(';')[0], r.headers.get('retry-after')]);
      await r.arrayBuffer();
    }
    expect(answers).toEqual([
      [500, 'text/html', null],
      [500, 'text/html', null],
      [429, 'application/json', '2'],
      [200, 'text/html', null],
      [200, 'application/json', null],
    ]);
    expect(proxy.pending()).toBe(0);
  });

  it('counts a page served again as re-reads, at the platform side', async () => {
    const before = proxy.reReads();
    await (await page(2)).json();
    await (await page(2)).json();
    expect(proxy.reReads() - before).toBe(3);
  });

  it('page shift: changes page 1 records in the simulator before serving page 2', async () => {
    const listed = store.list(undefined, 'gxsj').map((o) => o.gdbh);
    const first = (await (await page(1)).json()) as { data: { rows: Array<{ gdbh: string; gxsj: string }> } };
    const ids = first.data.rows.map((r) => r.gdbh);
    expect(ids).toEqual(listed.slice(0, 3));
    // make the change land on a later second than the orders' own update time
    await new Promise((r) => setTimeout(r, 1100));
    proxy.inject({ mode: 'page-shift', count: 1, touch: 2 });
    const second = (await (await page(2)).json()) as { data: { rows: Array<{ gdbh: string }> } };
    expect(proxy.touched).toBe(2);
    const changed = ids.slice(0, 2).map((id) => store.orders.get(id)!);
    for (const o of changed) expect(o.sqnr).toContain('来电人补充');
    // the two changed orders moved to the end of the list: page 2 skips two orders and repeats page 1's, changed
    expect(second.data.rows.map((r) => r.gdbh)).toEqual([listed[5], listed[0], listed[1]]);
  });
});

describe('TCP fault proxy', () => {
  let echo: Server;
  let proxy: TcpFaultProxy;
  beforeAll(async () => {
    echo = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
    const a = echo.address();
    proxy = new TcpFaultProxy('127.0.0.1', typeof a === 'object' && a ? a.port : 0);
    await proxy.start();
  });
  afterAll(async () => {
    await proxy.stop();
    await new Promise<void>((r) => echo.close(() => r()));
  });
  const open = () =>
    new Promise<Socket>((resolve, reject) => {
      const s = connect(proxy.port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
  const roundTrip = (s: Socket) =>
    new Promise<number>((resolve) => {
      const t = Date.now();
      s.once('data', () => resolve(Date.now() - t));
      s.write('ping');
    });

  it('adds its delay in both directions', async () => {
    proxy.setQuality({ delayMs: 150, jitterMs: 0 });
    const s = await open();
    expect(await roundTrip(s)).toBeGreaterThanOrEqual(290);
    proxy.heal();
    s.destroy();
  });

  it('cuts open connections and refuses new ones while told to', async () => {
    const s = await open();
    const closed = new Promise<void>((r) => s.once('close', () => r()));
    s.on('error', () => undefined);
    expect(proxy.cut()).toBeGreaterThanOrEqual(1);
    await closed;
    proxy.refuse(true);
    const refused = await open().then(
      (c) => new Promise<boolean>((r) => c.once('close', () => r(true)).once('data', () => r(false)).write('x')),
      () => true,
    );
    expect(refused).toBe(true);
    proxy.refuse(false);
    const again = await open();
    expect(await roundTrip(again)).toBeGreaterThanOrEqual(0);
    again.destroy();
  });
});

describe('the checker', () => {
  it('reads platform update times as Beijing time', () => {
    expect(versionOf('2026-03-02 10:00:00')).toBe(Date.parse('2026-03-02T02:00:00Z'));
    expect(versionOf('2026-03-02T10:00:00+08:00')).toBe(Date.parse('2026-03-02T02:00:00Z'));
    expect(versionOf('not a time')).toBeUndefined();
  });

  it('does not call a pipeline recovered while a record is missing, unless an earlier fault already reported it lost', () => {
    const o: Observation = {
      at: 0,
      truth: 2,
      missingInKafka: ['hotline-12345|A|1'],
      missingInHub: ['hotline-12345|A|1'],
      deadLettered: [],
      kafkaDuplicates: [],
      hubDuplicates: 0,
      lag: 0,
      notRunning: [],
      dispatches: { queued: 0, unpublished: 0, undelivered: [], duplicated: [], redelivered: 0 },
      problems: [],
    };
    expect(converged(o)).toBe(false);
    expect(converged(o, new Set(['kafka:hotline-12345|A|1', 'hub:hotline-12345|A|1']))).toBe(true);
    expect(converged({ ...o, missingInKafka: [], missingInHub: [], lag: 3 })).toBe(false);
    expect(converged({ ...o, missingInKafka: [], missingInHub: [], notRunning: ['grid: degraded'] })).toBe(false);
  });
});
