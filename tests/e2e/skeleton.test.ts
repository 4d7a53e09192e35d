/**
 * The walking skeleton end to end, every part a real process on the real stack:
 * 12345 simulator (HTTP) → connector worker → Kafka (Avro, registry) → hub → PostgreSQL → API.
 */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { KafkaMessage } from '../../core/kafka/client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readToEnd } from '../../core/read-to-end.js';
import type { DeadLetter } from '../../connectors/runtime/dead-letters.js';
import type { Report } from '../../schemas/index.js';
import { duplicates } from '../support/kafka-records.js';
import { kafkaFor, testContext } from '../support/context.js';
import { eventually, startProcess, type RunningProcess } from '../../stack/processes.js';
import { createPrincipal, issueApiKey } from '../../hub/api/auth/principals.js';
import { createDb } from '../../hub/store/db.js';

const ctx = testContext('skeleton');
const kafka = kafkaFor(ctx);
let sim: RunningProcess;
let hub: RunningProcess;
let worker: RunningProcess;

interface MatterView {
  id: string;
  status: string;
  title: string;
  reports: Array<{ sourceSystem: string; sourceRecordId: string; sourceVersion: string; status: string }>;
}

let apiKey: string;
const simUrl = () => String(sim.ready.url);
const hubUrl = () => String(hub.ready.url);

async function startWorker(): Promise<RunningProcess> {
  return startProcess('connector worker', 'connectors/cli.ts', ['run', 'hotline-12345'], {
    ...ctx.env,
    CONNECTOR_CONFIG: JSON.stringify({ 'hotline-12345': { source: { url: `${simUrl()}/api/v2/workorders`, pagination: { size: 5 } }, pollIntervalMs: 200 } }),
  });
}

async function simPost<T>(path: string, body: unknown, method = 'POST'): Promise<T> {
  const res = await fetch(`${simUrl()}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.ok).toBe(true);
  return (await res.json()) as T;
}

async function allMatters(): Promise<MatterView[]> {
  const out: MatterView[] = [];
  let cursor: string | null = null;
  do {
    const res = await fetch(`${hubUrl()}/api/v1/matters?limit=200${cursor ? `&cursor=${cursor}` : ''}`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: MatterView[]; nextCursor: string | null };
    out.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor);
  return out;
}

/** Reports the hub holds, over all matters: merging links several reports to one matter. */
async function reportCount(): Promise<number> {
  return (await allMatters()).reduce((n, m) => n + m.reports.length, 0);
}

async function mattersFor(orderId: string): Promise<MatterView[]> {
  return (await allMatters()).filter((m) => m.reports.some((r) => r.sourceRecordId === orderId));
}

async function readTopic(topic: string): Promise<KafkaMessage[]> {
  const out: KafkaMessage[] = [];
  await readToEnd(kafka, topic, (m) => void out.push(m));
  return out;
}

beforeAll(async () => {
  sim = await startProcess('12345 simulator', 'simulators/hotline-12345/main.ts', ['--seed', '7'], {});
  [hub, worker] = await Promise.all([startProcess('hub', 'hub/main.ts', [], { ...ctx.env, HUB_PORT: '0' }), startWorker()]);
  // the hub has migrated its schema by the time it is ready: a county commander to read the API with
  const db = createDb(ctx.stack.databaseUrl, { schema: ctx.dbSchema });
  try {
    apiKey = await issueApiKey(db, (await createPrincipal(db, { id: 'e2e-commander', name: '县指挥中心', role: 'commander' })).id);
  } finally {
    await db.destroy();
  }
});

afterAll(async () => {
  await Promise.all([worker?.stop(), hub?.stop(), sim?.stop()]);
});

describe('walking skeleton: one department end to end', () => {
  let orderId: string;

  it('a work order created in the 12345 platform appears in GET /api/v1/matters with its source reference', async () => {
    const created = await simPost<{ gdbh: string; sqbt: string }>('/__sim/workorders', { sqbt: '烧烤店油烟扰民', gdzt: '受理', xzqhdm: '150625100001' });
    orderId = created.gdbh;
    const [matter] = await eventually('the matter in the API', async () => {
      const ms = await mattersFor(orderId);
      return ms.length ? ms : undefined;
    });
    expect(matter!.title).toBe('烧烤店油烟扰民');
    expect(matter!.reports).toEqual([expect.objectContaining({ sourceSystem: 'hotline-12345', sourceRecordId: orderId, status: 'RECEIVED' })]);
  });

  it('an update of the work order updates the same matter: one matter, not two', async () => {
    await simPost(`/__sim/workorders/${orderId}`, { gdzt: '派单', cbdw: '综合行政执法局' }, 'PATCH');
    await eventually('the matter to be dispatched', async () => {
      const ms = await mattersFor(orderId);
      return ms[0]?.reports.find((r) => r.sourceRecordId === orderId)?.status === 'DISPATCHED' ? ms : undefined;
    });
    expect(await mattersFor(orderId)).toHaveLength(1);
  });

  it('the Kafka record decodes with the schema fetched from the registry by its id', async () => {
    const messages = await readTopic(ctx.topics.records('report'));
    const mine = messages.filter((m) => m.value);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    const value = mine[0]!.value!;
    expect(value[0]).toBe(0); // Confluent wire format: magic byte, then the schema id
    const schemaId = value.readInt32BE(1);
    // a fresh client knows nothing: it must fetch the schema from the registry
    const registry = new SchemaRegistry({ host: ctx.stack.schemaRegistryUrl });
    const schema = (await registry.getSchema(schemaId)) as { name?: string };
    expect(schema.name).toBe('org.countyhub.v1.Report');
    const decoded = (await registry.decode(value)) as Report;
    expect(decoded.envelope.sourceRecordId).toBe(orderId);
    expect(decoded.envelope.sourceSystem).toBe('hotline-12345');
    expect(decoded.reporterPhoneHash).toMatch(/^(sm3|sha256):[0-9a-f]{64}$/);
  });

  it('a restarted connector resumes from its committed cursor: nothing already emitted is emitted again', async () => {
    // more than one page (size 5) between restarts, and one kill -9 in the middle
    await simPost('/__sim/generate', { count: 12 });
    await eventually('12 more reports', async () => ((await reportCount()) >= 13 ? true : undefined));
    await worker.stop('SIGTERM');
    await simPost('/__sim/generate', { count: 7 });
    worker = await startWorker();
    await eventually('20 reports', async () => ((await reportCount()) >= 20 ? true : undefined));
    await worker.stop('SIGKILL');
    await simPost('/__sim/generate', { count: 3 });
    worker = await startWorker();
    await eventually('23 reports', async () => ((await reportCount()) >= 23 ? true : undefined));
    await new Promise((r) => setTimeout(r, 1500)); // a few idle polls after catching up

    const platform = (await (await fetch(`${simUrl()}/__sim/workorders`)).json()) as Array<{ gdbh: string }>;
    const registry = new SchemaRegistry({ host: ctx.stack.schemaRegistryUrl });
    const records = await Promise.all((await readTopic(ctx.topics.records('report'))).map(async (m) => (await registry.decode(m.value!)) as Report));
    expect(duplicates(records)).toEqual([]); // no change twice
    expect(new Set(records.map((r) => r.envelope.sourceRecordId))).toEqual(new Set(platform.map((o) => o.gdbh))); // none lost
    expect(await reportCount()).toBe(platform.length);
    // and the hub read each Kafka record once: no record was fetched and applied twice
    const metrics = await (await fetch(`${hubUrl()}/metrics`)).text();
    expect(metrics).toMatch(/countyhub_hub_records_total\{kind="report",outcome="duplicate"\} 0\n/);
    expect(metrics).toMatch(/countyhub_hub_records_total\{kind="report",outcome="new"\} [1-9]/);
  });

  it('a work order the mapping cannot read is dead-lettered with the reason, and the next ones still flow', async () => {
    const bad = await simPost<{ gdbh: string }>('/__sim/workorders', { xzqhdm: '1506251', sqbt: '坏记录' });
    const good = await simPost<{ gdbh: string }>('/__sim/workorders', { sqbt: '正常记录' });
    await eventually('the good order to flow', async () => ((await mattersFor(good.gdbh)).length === 1 ? true : undefined));
    const letters = (await readTopic(ctx.topics.deadLetters)).map((m) => JSON.parse(m.value!.toString()) as DeadLetter);
    const letter = letters.find((l) => l.sourceRecordId === bad.gdbh);
    expect(letter).toMatchObject({ connector: 'hotline-12345', code: 'CH_VALIDATION', field: 'xzqhdm' });
    expect(letter!.reason).toContain('12');
    expect(JSON.parse(letter!.payload)).toMatchObject({ gdbh: bad.gdbh, xzqhdm: '1506251' });
    expect(await mattersFor(bad.gdbh)).toHaveLength(0);
  });
});
