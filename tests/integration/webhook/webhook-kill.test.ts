/**
 * kill -9 of a webhook worker process with a push in flight, at the two moments that matter:
 * before the page's transaction commits, and after it committed but before the pusher got its 200.
 * Either way the pusher sees no 200 (its connection drops), retries after the restart, and the
 * record is in Kafka exactly once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SchemaCodec } from '../../../schemas/registry.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { kafkaFor, testContext } from '../../support/context.js';
import { SECRET, alarm, committedReports, countById, push, sleep, type PushResult } from './support.js';

const ctx = testContext('webhook_kill');
const kafka = kafkaFor(ctx);
const reader = new SchemaCodec(ctx.stack.schemaRegistryUrl, ctx.topics);
const connectorId = `env-alarms-${ctx.id}`;
let worker: RunningProcess | undefined;
let port = 0;

async function startWorker(holds: { TEST_HOLD_ENCODE_MS?: string; TEST_HOLD_ACK_MS?: string } = {}): Promise<{ url: string; events: string[] }> {
  worker = await startProcess('webhook worker', 'tests/integration/webhook/worker-process.ts', [], {
    ...ctx.env,
    CONNECTOR_ID: connectorId,
    WEBHOOK_PORT: String(port),
    WEBHOOK_SECRET: SECRET,
    ...holds,
  });
  const url = String(worker.ready.url);
  port = Number(new URL(url).port);
  const events: string[] = [];
  worker.child.stdout!.on('data', (d: Buffer) => events.push(d.toString()));
  return { url, events };
}

async function counts(): Promise<Map<string, number>> {
  return countById(await committedReports(kafka, reader, ctx.topics));
}

/** The push's outcome: a response, or the error of a dropped connection. */
function attempt(url: string, payload: unknown): Promise<PushResult | Error> {
  return push(url, payload).catch((err: unknown) => err as Error);
}

afterAll(async () => {
  await worker?.stop();
});

describe('webhook worker killed with -9 while a push is in flight', () => {
  it('killed before the commit: no 200, and the retry after the restart is delivered once', async () => {
    const { url } = await startWorker({ TEST_HOLD_ENCODE_MS: '15000' });
    const x = alarm('BJ-K-001', 1);
    const answer = attempt(url, x.payload);
    await sleep(1500); // the page is taken and held before its transaction
    await worker!.stop('SIGKILL');
    const first = await answer;
    expect(first).toBeInstanceOf(Error); // the connection dropped: no 200
    expect((await counts()).get(x.recordId)).toBeUndefined();

    const restarted = await startWorker();
    expect(await push(restarted.url, x.payload)).toMatchObject({ status: 200, body: { ids: ['BJ-K-001'], duplicates: [] } });
    const n = await eventually('the record', async () => ((await counts()).has(x.recordId) ? counts() : undefined), 10_000, 100);
    expect(n.get(x.recordId)).toBe(1);
    await worker!.stop();
  });

  it('killed after the commit, before the answer: no 200, and the retry is answered from the committed window, not delivered again', async () => {
    const { url, events } = await startWorker({ TEST_HOLD_ACK_MS: '30000' });
    const y = alarm('BJ-K-002', 2);
    const answer = attempt(url, y.payload);
    await eventually('the commit of the page', async () => (events.join('').includes('committed-holding-ack') ? true : undefined), 20_000, 50);
    await worker!.stop('SIGKILL');
    const first = await answer;
    expect(first).toBeInstanceOf(Error);

    const restarted = await startWorker();
    // the restarted worker knows from its cursor that BJ-K-002 is in Kafka
    expect(await push(restarted.url, y.payload)).toMatchObject({ status: 200, body: { ids: ['BJ-K-002'], duplicates: ['BJ-K-002'] } });
    const n = await eventually('the record', async () => {
      const c = await counts();
      return c.has(y.recordId) ? c : undefined;
    }, 10_000, 100);
    expect(n.get(y.recordId)).toBe(1);
    expect([...n.values()].every((v) => v === 1)).toBe(true);
  });
});
