/**
 * The webhook source under a real ConnectorWorker on the real stack (Kafka transactions, the
 * registry): a push is answered 200 only once its records are visible to read_committed
 * consumers; refused pushes leave no trace; retries and restarts never duplicate a record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaCodec } from '../../../schemas/registry.js';
import { eventually } from '../../../stack/processes.js';
import { kafkaFor, testContext } from '../../support/context.js';
import {
  GatedCodec,
  alarm,
  committedDeadLetters,
  committedReports,
  countById,
  push,
  sleep,
  startWebhookWorker,
  type RunningWorker,
} from './support.js';

const ctx = testContext('webhook_worker');
const kafka = kafkaFor(ctx);
const reader = new SchemaCodec(ctx.stack.schemaRegistryUrl, ctx.topics);
const connectorId = `env-alarms-${ctx.id}`;
let codec: GatedCodec;
let running: RunningWorker;

async function counts(): Promise<Map<string, number>> {
  return countById(await committedReports(kafka, reader, ctx.topics));
}

/**
 * What read_committed readers hold once `ids` are visible. Kafka's commit returns when the
 * transaction is decided (durable, irrevocable); the commit markers reach the partitions a few
 * milliseconds later, and only then does the last stable offset move. So "acknowledged" is checked
 * as "visible within a moment, without anything else happening", never as "visible at the same instant".
 */
async function countsWhenVisible(ids: string[]): Promise<Map<string, number>> {
  return eventually(`records ${ids.join(', ')} visible to read_committed readers`, async () => {
    const c = await counts();
    return ids.every((id) => c.has(id)) ? c : undefined;
  }, 5000, 50);
}

beforeAll(async () => {
  codec = new GatedCodec(ctx.stack.schemaRegistryUrl, ctx.topics);
  running = await startWebhookWorker(ctx, kafka, { connectorId, codec });
});

afterAll(async () => {
  codec?.open();
  await running?.worker.stop();
});

describe('webhook source in a connector worker', () => {
  it('answers a signed push 200 only after its record is readable by a read_committed consumer', async () => {
    const a = alarm('BJ-W-001', 1);
    codec.close(); // hold the page inside commitPage, before its transaction
    const answer = push(running.url, a.payload);
    await codec.hit;
    const early = await Promise.race([answer.then(() => 'answered'), sleep(700).then(() => 'waiting')]);
    expect(early).toBe('waiting');
    expect((await counts()).get(a.recordId)).toBeUndefined();

    codec.open();
    const res = await answer;
    expect(res).toMatchObject({ status: 200, body: { ok: true, ids: ['BJ-W-001'], duplicates: [] } });
    // once the pusher has its 200 the record is committed: read_committed readers see it, once
    expect((await countsWhenVisible([a.recordId])).get(a.recordId)).toBe(1);
  });

  it('refuses a badly signed push with 401 and nothing of it reaches Kafka', async () => {
    const bad = alarm('BJ-W-BAD', 2);
    const res = await push(running.url, bad.payload, { secret: 'not-the-shared-secret-0000' });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/signature rejected/);
    const good = alarm('BJ-W-002', 3);
    expect((await push(running.url, good.payload)).status).toBe(200);
    const c = await countsWhenVisible([good.recordId]);
    expect(c.get(good.recordId)).toBe(1);
    expect(c.get(bad.recordId)).toBeUndefined();
  });

  it('does not duplicate retried pushes: sequential, concurrent, and inside a larger array', async () => {
    const a = alarm('BJ-W-010', 10);
    const b = alarm('BJ-W-011', 11);
    const c = alarm('BJ-W-012', 12);
    expect((await push(running.url, a.payload)).status).toBe(200);
    expect(await push(running.url, a.payload)).toMatchObject({ status: 200, body: { duplicates: ['BJ-W-010'] } });
    const [r1, r2] = await Promise.all([push(running.url, b.payload), push(running.url, b.payload)]);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    const mixed = await push(running.url, [a.payload, b.payload, c.payload, c.payload]);
    expect(mixed).toMatchObject({ status: 200, body: { ids: ['BJ-W-010', 'BJ-W-011', 'BJ-W-012'], duplicates: ['BJ-W-010', 'BJ-W-011'] } });
    const n = await countsWhenVisible([a.recordId, b.recordId, c.recordId]);
    expect([n.get(a.recordId), n.get(b.recordId), n.get(c.recordId)]).toEqual([1, 1, 1]);
  });

  it('acknowledges a record the mapping rejects: it is durable in the dead-letter topic, naming frame.crc', async () => {
    const broken = alarm('BJ-W-CRC', 20, 'crc');
    expect((await push(running.url, broken.payload)).status).toBe(200);
    const letters = await eventually('the dead letter', async () => {
      const found = (await committedDeadLetters(kafka, ctx.topics)).filter((l) => l.sourceRecordId === 'BJ-W-CRC');
      return found.length ? found : undefined;
    }, 5000, 50);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ connector: connectorId, code: 'CH_VALIDATION', field: 'frame.crc' });
    expect(JSON.parse(letters[0]!.payload)).toEqual(broken.payload);
  });

  it('a push in flight when the worker stops gets no 200; re-sent after the restart it is delivered exactly once', async () => {
    const x = alarm('BJ-W-030', 30);
    const y = alarm('BJ-W-031', 31);
    codec.close();
    const ax = push(running.url, x.payload); // its page is being committed when the stop comes
    await codec.hit;
    const ay = push(running.url, y.payload); // queued behind it, not yet in any page
    for (let i = 0; i < 50 && running.source.queued < 2; i++) await sleep(20);
    expect(running.source.queued).toBe(2);

    const stopping = running.worker.stop();
    await sleep(200);
    codec.open();
    await stopping;
    const [rx, ry] = await Promise.all([ax, ay]);
    expect(rx.status).toBe(200); // the in-flight page finished its transaction: durable, acknowledged
    expect(ry.status).toBe(503); // never reached Kafka: the pusher must retry
    expect(ry.body.error).toMatch(/retry/);
    expect((await counts()).get(y.recordId)).toBeUndefined();

    const port = Number(new URL(running.url).port);
    running = await startWebhookWorker(ctx, kafka, { connectorId, codec, settings: { port } });
    expect(await push(running.url, y.payload)).toMatchObject({ status: 200, body: { ids: ['BJ-W-031'], duplicates: [] } });
    expect(await push(running.url, x.payload)).toMatchObject({ status: 200, body: { duplicates: ['BJ-W-030'] } });
    const n = await countsWhenVisible([x.recordId, y.recordId]);
    expect(n.get(x.recordId)).toBe(1);
    expect(n.get(y.recordId)).toBe(1);
    // nothing anywhere twice
    expect([...n.values()].every((v) => v === 1)).toBe(true);
  });
});
