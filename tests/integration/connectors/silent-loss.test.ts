/**
 * Faults nobody had scripted (issue 19), on the real stack with a worker process: a list that
 * shifts under the page numbers, a mistyped update time in the future, update times out of range,
 * a record too large for a Kafka message, ids with a NUL byte or a lone surrogate. Each must end
 * with every good record in Kafka, each bad one dead-lettered once with its reason, and the
 * connector still reading.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../../../schemas/index.js';
import { buildHotlineServer, HotlineStore, type WorkOrder } from '../../../simulators/hotline-12345/server.js';
import { shanghaiDateTime } from '../../../simulators/shared/county.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { kafkaFor, testContext, type TestContext } from '../../support/context.js';
import { committedRecords, deadLetters } from '../../support/kafka-records.js';

let app: FastifyInstance | undefined;
let worker: RunningProcess | undefined;
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
  await app?.close();
  app = undefined;
});

async function platform(): Promise<{ store: HotlineStore; url: string }> {
  const store = new HotlineStore({ seed: 19 });
  app = buildHotlineServer(store);
  return { store, url: await app.listen({ host: '127.0.0.1', port: 0 }) };
}

async function startWorker(ctx: TestContext, url: string, pageSize: number, extra: Record<string, string> = {}, pollIntervalMs = 100): Promise<RunningProcess> {
  worker = await startProcess('connector worker', 'connectors/cli.ts', ['run', 'hotline-12345'], {
    ...ctx.env,
    STATUS_PORT: '0',
    CONNECTOR_CONFIG: JSON.stringify({ 'hotline-12345': { source: { url: `${url}/api/v2/workorders`, pagination: { size: pageSize }, rateLimitPerSecond: 1000 }, pollIntervalMs } }),
    ...extra,
  });
  return worker;
}

const versionOf = (gxsj: string) => Date.parse(`${gxsj.replace(' ', 'T')}+08:00`);

async function reports(ctx: TestContext): Promise<Report[]> {
  return committedRecords<Report>(kafkaFor(ctx), ctx.stack.schemaRegistryUrl, ctx.topics.records('report'));
}

/** Waits until Kafka holds each of `orders` at its current version. */
async function delivered(ctx: TestContext, orders: WorkOrder[], timeoutMs = 180_000): Promise<Report[]> {
  try {
    return await deliveredWithin(ctx, orders, timeoutMs);
  } catch (err) {
    // what the worker says when it does not get there: stalled, degraded (and why) or slow
    const st = worker ? await status(worker).catch((e: unknown) => `no status: ${(e as Error).message}`) : 'no worker';
    throw new Error(`${(err as Error).message}; the worker's status: ${JSON.stringify(st)}`, { cause: err });
  }
}

async function deliveredWithin(ctx: TestContext, orders: WorkOrder[], timeoutMs: number): Promise<Report[]> {
  return eventually(
    `Kafka to hold ${orders.length} work orders at their latest versions`,
    async () => {
      const rs = await reports(ctx);
      const have = new Set(rs.map((r) => `${r.envelope.sourceRecordId}@${r.envelope.sourceVersion}`));
      return orders.every((o) => have.has(`${o.gdbh}@${versionOf(o.gxsj)}`)) ? rs : undefined;
    },
    timeoutMs,
    1000,
  );
}

async function status(w: RunningProcess): Promise<{ state: string; lastError: string | null; warning: string | null }> {
  return ((await (await fetch(`${String(w.ready.statusUrl)}/status`)).json()) as Array<{ state: string; lastError: string | null; warning: string | null }>)[0]!;
}

describe('silent loss: faults nobody scripted', () => {
  it('600 orders share one update time; 100 already read are updated before page 3 — all 600 and the 100 new versions reach Kafka', async () => {
    const ctx = testContext('shift');
    const { store, url } = await platform();
    const bulk = Date.now() - 3600_000; // a bulk operation an hour ago gave them all one update time
    for (let i = 0; i < 600; i++) store.generate(bulk);
    await app!.inject({ method: 'POST', url: '/__sim/quirks', payload: { mode: 'shift-before-page', page: 3, count: 100 } });
    await startWorker(ctx, url, 200);
    const shifted = await eventually('page 3 to be asked for (and the list to shift)', async () => ((await app!.inject({ method: 'GET', url: '/__sim/quirks' })).json() as Array<{ shifted?: string[] }>)[0]!.shifted, 60_000);
    expect(shifted).toHaveLength(100);
    const rs = await delivered(ctx, [...store.orders.values()]); // the orders as they are now: 100 of them updated
    expect(new Set(rs.map((r) => r.envelope.sourceRecordId)).size).toBe(600);
    // both versions of each shifted order: the one read on page 1 and the update
    for (const id of shifted) expect(rs.filter((r) => r.envelope.sourceRecordId === id).map((r) => r.envelope.sourceVersion).sort()).toEqual([bulk - (bulk % 1000), versionOf(store.orders.get(id)!.gxsj)]);
    expect((await status(worker!)).state).toBe('running');
  });

  it('an update time six months ahead and one in 2099: each dead-lettered once, and orders updated afterwards are still read', async () => {
    const ctx = testContext('future');
    const { store, url } = await platform();
    const first = Array.from({ length: 5 }, () => store.generate());
    const mistyped = { ...store.generate(), gxsj: shanghaiDateTime(Date.now() + 182 * 24 * 3600_000) };
    const far = { ...store.generate(), gxsj: '2099-01-01 00:00:00' };
    store.loadWorkOrders([mistyped, far]);
    const w = await startWorker(ctx, url, 50);
    await delivered(ctx, first);
    const after = Array.from({ length: 5 }, () => store.generate());
    await delivered(ctx, after);
    // ~100 polls at 100 ms: still one dead letter each
    await new Promise((r) => setTimeout(r, 10_000));
    const letters = await deadLetters(kafkaFor(ctx), ctx.topics.deadLetters);
    expect(letters.filter((l) => l.sourceRecordId === mistyped.gdbh)).toHaveLength(1);
    expect(letters.filter((l) => l.sourceRecordId === far.gdbh)).toHaveLength(1);
    expect(letters.find((l) => l.sourceRecordId === mistyped.gdbh)).toMatchObject({ field: 'gxsj', reason: expect.stringMatching(/未来/) });
    expect((await reports(ctx)).some((r) => r.envelope.sourceRecordId === mistyped.gdbh)).toBe(false);
    const st = await status(w);
    expect(st.state).toBe('running');
    expect(st.warning).toMatch(/未来|不可信/);
  });

  it('a field of a million Chinese characters: dead-lettered under the broker limit with size and hash; records after it flow; never "refused"', async () => {
    const ctx = testContext('huge');
    const { store, url } = await platform();
    const before = Array.from({ length: 3 }, () => store.generate());
    const huge = store.create({ sqnr: '油'.repeat(1_000_000) });
    // the 3 MB record stays on the page at the cursor's time and is served again on every poll:
    // polled every 100 ms, this test's own platform (in the test process) loaded a busy machine
    // more than anything it tests
    const w = await startWorker(ctx, url, 10, {}, 1000);
    await delivered(ctx, before);
    const after = Array.from({ length: 3 }, () => store.generate());
    await delivered(ctx, after); // a bound, not a speed claim: a loaded CI run needed more than 30 s
    const letter = (await deadLetters(kafkaFor(ctx), ctx.topics.deadLetters)).find((l) => l.sourceRecordId === huge.gdbh)!;
    expect(letter).toBeDefined();
    expect(Buffer.byteLength(JSON.stringify(letter))).toBeLessThan(1024 * 1024);
    expect(letter.truncated?.originalBytes).toBeGreaterThan(3_000_000);
    expect(letter.truncated?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(letter.field).toBe('sqnr');
    expect((await status(w)).state).toBe('running');
  });

  it('a broker that takes smaller messages than the worker assumes: the record it refuses is isolated, instead of retrying the page for ever', async () => {
    const ctx = testContext('toolarge');
    const { store, url } = await platform();
    const huge = store.create({ sqnr: '油'.repeat(1_000_000) });
    const next = Array.from({ length: 3 }, () => store.generate());
    // this dead-letter topic takes at most 50 kB per message: the worker's dead letter of the record (about 90 kB) is refused
    const admin = kafkaFor(ctx).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: ctx.topics.deadLetters, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '50000' }] }], waitForLeaders: true });
    await admin.disconnect();
    const states: string[] = [];
    const w = await startWorker(ctx, url, 10);
    const timer = setInterval(() => void status(w).then((s) => states.push(s.state)).catch(() => undefined), 100);
    try {
      await delivered(ctx, next, 60_000);
    } finally {
      clearInterval(timer);
    }
    const letters = (await deadLetters(kafkaFor(ctx), ctx.topics.deadLetters)).filter((l) => l.sourceRecordId === huge.gdbh);
    expect(letters).toHaveLength(1);
    expect(Buffer.byteLength(JSON.stringify(letters[0]))).toBeLessThan(50_000);
    expect(states).not.toContain('refused');
  });

  it('ids are kept exactly or refused: a NUL byte or a lone surrogate in an id is dead-lettered, never changed into another id', async () => {
    const ctx = testContext('ids');
    const { store, url } = await platform();
    const good = store.generate();
    const nul = { ...store.generate(), gdbh: 'GDabc\u0000def' };
    const lone = { ...store.generate(), gdbh: 'GDabc\uD800def' };
    store.loadWorkOrders([nul, lone]);
    await startWorker(ctx, url, 50);
    await delivered(ctx, [good]);
    const letters = await eventually('two dead letters', async () => {
      const ls = await deadLetters(kafkaFor(ctx), ctx.topics.deadLetters);
      return ls.length >= 2 ? ls : undefined;
    });
    expect(letters.map((l) => l.field)).toEqual(['gdbh', 'gdbh']);
    expect(letters.map((l) => l.reason).join(' ')).toMatch(/U\+0000/);
    expect(letters.map((l) => l.reason).join(' ')).toMatch(/surrogate/);
    const ids = (await reports(ctx)).map((r) => r.envelope.sourceRecordId);
    expect(ids.filter((id) => id.startsWith('GDabc'))).toEqual([]);
  });
});
