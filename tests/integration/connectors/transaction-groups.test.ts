/**
 * Pages of a pull source grouped into one transaction (connectors/runtime/worker.ts): the group's
 * records and the cursor of its last page commit together or not at all. A fetch that fails in
 * the middle of a group commits the pages already mapped and nothing after them; a send that
 * fails aborts the whole group, and reading resumes from the committed cursor — nothing lost,
 * nothing twice. A record whose encoding fails on a server (not on its content) fails its group
 * the same way instead of being dead-lettered.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { hotlineAdapter } from '../../../bench/fixtures.js';
import type { Kafka, Producer, Transaction } from '../../../core/kafka/client.js';
import { createLogger } from '../../../core/log.js';
import { loadCursor } from '../../../connectors/runtime/cursor-store.js';
import { ConnectorWorker } from '../../../connectors/runtime/worker.js';
import { HttpPollSource, type HttpPollCursor } from '../../../connectors/sources/http-poll.js';
import type { Source, SourcePage } from '../../../connectors/sdk/types.js';
import type { Report } from '../../../schemas/index.js';
import { buildHotlineServer, HotlineStore } from '../../../simulators/hotline-12345/server.js';
import { eventually } from '../../../stack/processes.js';
import { codecFor, kafkaFor, testContext } from '../../support/context.js';
import { committedRecords, deadLetters, duplicates } from '../../support/kafka-records.js';
import type { SchemaCodec } from '../../../schemas/registry.js';

const PAGE = 50;
const ORDERS = 600;
const NO_RETRY = { retries: 0, minTimeoutMs: 1, maxTimeoutMs: 1 };

let app: FastifyInstance;
let url: string;
const store = new HotlineStore({ seed: 20 });

beforeAll(async () => {
  // one order a second apart: pages reach past their update time, so each page moves the cursor
  const t0 = Date.now() - 2 * 3600_000;
  for (let i = 0; i < ORDERS; i++) store.generate(t0 + i * 1000);
  app = buildHotlineServer(store);
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v2/workorders`;
});
afterAll(async () => {
  await app?.close();
});

/** The HTTP poll, failing one chosen call (counted from 1) with a refusal no retry fixes. */
class FailingOnce implements Source<HttpPollCursor> {
  readonly readAhead = true;
  calls = 0;
  constructor(
    private readonly inner: HttpPollSource,
    private readonly failCall: number,
  ) {}
  async nextPage(cursor: HttpPollCursor | undefined, signal: AbortSignal): Promise<SourcePage<HttpPollCursor>> {
    this.calls += 1;
    if (this.calls === this.failCall) throw new Error('platform refused this page');
    return this.inner.nextPage(cursor, signal);
  }
}

/** Kafka whose producers fail the n-th sendBatch of their transactions (once, across sessions). */
function failingSend(kafka: Kafka, n: number): Kafka {
  let sends = 0;
  const wrapTx = (tx: Transaction): Transaction => ({
    send: (r) => tx.send(r),
    sendBatch: async (b) => {
      sends += 1;
      if (sends === n) throw Object.assign(new Error('injected: the broker did not take this batch'), { retriable: true });
      return tx.sendBatch(b);
    },
    sendOffsets: (o) => tx.sendOffsets(o),
    commit: () => tx.commit(),
    abort: () => tx.abort(),
    isActive: () => tx.isActive(),
  });
  return {
    producer: (o) => {
      const p = kafka.producer(o);
      const wrapped: Producer = {
        connect: () => p.connect(),
        disconnect: () => p.disconnect(),
        send: (r) => p.send(r),
        sendBatch: (b) => p.sendBatch(b),
        transaction: async () => wrapTx(await p.transaction()),
      };
      return wrapped;
    },
    consumer: (o) => kafka.consumer(o),
    admin: (o) => kafka.admin(o),
  };
}

/** The registry's codec, its n-th encode failing (once) as a fetch to an unreachable registry does. */
function failingEncode(codec: SchemaCodec, n: number): SchemaCodec {
  let calls = 0;
  const wrapped = Object.create(codec) as SchemaCodec;
  wrapped.encode = async (kind, value) => {
    calls += 1;
    if (calls === n) throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    return codec.encode(kind, value);
  };
  return wrapped;
}

function workerFor(ctx: ReturnType<typeof testContext>, source: Source<HttpPollCursor>, kafka: Kafka, grouping = { maxRecords: 4 * PAGE, maxMs: 60_000 }, codec = codecFor(ctx)) {
  const { manifest, mapping } = hotlineAdapter(url, PAGE);
  return new ConnectorWorker<HttpPollCursor>(manifest, source, mapping, {
    kafka,
    codec,
    topics: ctx.topics,
    personalDataKey: 'test-county-key-0123456789',
    log: createLogger('transaction-groups'),
    retry: NO_RETRY,
    degradedBackoffMs: 100,
    grouping,
  });
}

function sourceFor(): HttpPollSource {
  return new HttpPollSource(hotlineAdapter(url, PAGE).manifest.source);
}

/**
 * The committed reports, once at least `atLeast` are readable: a commit returns when the
 * coordinator has taken it, and the markers that make its records readable land on each partition
 * a moment later (on a busy broker, long enough for a read right after to miss some). More than
 * expected is what the assertions look for, so waiting for "at least" hides nothing.
 */
async function delivered(ctx: ReturnType<typeof testContext>, kafka: Kafka, atLeast: number): Promise<Report[]> {
  return eventually(`${atLeast} committed reports`, async () => {
    const rs = await committedRecords<Report>(kafka, ctx.stack.schemaRegistryUrl, ctx.topics.records('report'));
    return rs.length >= atLeast ? rs : undefined;
  });
}

/** Runs a worker whose group fails once to the source's head: it retried, and every order is in Kafka once. */
async function deliversEachOnceAfterARetry(ctx: ReturnType<typeof testContext>, kafka: Kafka, worker: ReturnType<typeof workerFor>): Promise<void> {
  await worker.connect();
  await worker.drain();
  // the failed group was read again after the reconnect; drain ends once the source is read to its head
  for (let i = 0; i < 20 && worker.status.view().produced < ORDERS; i++) await worker.drain();
  await worker.stop();
  expect(worker.status.retries).toBeGreaterThanOrEqual(1);
  const records = await delivered(ctx, kafka, ORDERS);
  expect(new Set(records.map((r) => r.envelope.sourceRecordId)).size).toBe(ORDERS);
  expect(duplicates(records)).toEqual([]);
}

describe('pages grouped into one transaction', () => {
  it('commits several pages per transaction, each record once, and the cursor of the last page', async () => {
    const ctx = testContext('txgroups');
    const kafka = kafkaFor(ctx);
    const worker = workerFor(ctx, sourceFor(), kafka);
    const groups: Array<{ pages: number; records: number }> = [];
    worker.status.onTransaction = (_ms, pages, records) => groups.push({ pages, records });
    await worker.connect();
    let pages = 0;
    await worker.drain({ onPage: (p) => (pages += p.records > 0 ? 1 : 0) });
    await worker.stop();

    expect(pages).toBeGreaterThanOrEqual(ORDERS / PAGE);
    expect(groups.length).toBeLessThan(pages);
    // the page that reaches the bound is the group's last
    expect(Math.max(...groups.map((g) => g.records))).toBeLessThan(4 * PAGE + PAGE);
    expect(groups.reduce((n, g) => n + g.pages, 0)).toBe(pages);
    const records = await delivered(ctx, kafka, ORDERS);
    expect(new Set(records.map((r) => r.envelope.sourceRecordId)).size).toBe(ORDERS);
    expect(duplicates(records)).toEqual([]);
    const stored = await loadCursor<HttpPollCursor>(kafka, ctx.topics.cursors, worker.manifest.id);
    expect(stored?.cursor).toEqual(worker.cursor);
    expect(stored?.produced).toBe(ORDERS);
  });

  it('a fetch failing mid-group commits the pages mapped before it, then the next run delivers the rest once', async () => {
    const ctx = testContext('txgroups_fetch');
    const kafka = kafkaFor(ctx);
    const failing = new FailingOnce(sourceFor(), 3); // pages 1 and 2 are mapped when page 3 fails
    const first = workerFor(ctx, failing, kafka);
    await first.connect();
    await expect(first.drain()).rejects.toThrow(/refused this page/);
    await first.stop();
    const afterFailure = await delivered(ctx, kafka, 2 * PAGE - 1);
    // page 2 starts at page 1's last update time, so it repeats that one (already delivered) record
    expect(afterFailure).toHaveLength(2 * PAGE - 1);
    const stored = await loadCursor<HttpPollCursor>(kafka, ctx.topics.cursors, first.manifest.id);
    expect(stored?.produced).toBe(2 * PAGE - 1);
    expect(failing.calls).toBe(3);

    const second = workerFor(ctx, sourceFor(), kafka);
    await second.connect();
    await second.drain();
    await second.stop();
    const records = await delivered(ctx, kafka, ORDERS);
    expect(new Set(records.map((r) => r.envelope.sourceRecordId)).size).toBe(ORDERS);
    expect(duplicates(records)).toEqual([]);
  });

  it('a send failing mid-group aborts the whole group; the worker resumes from the committed cursor and delivers each record once', async () => {
    const ctx = testContext('txgroups_send');
    const kafka = kafkaFor(ctx);
    // the third batch: the first group's third page, after two pages of it were already sent
    await deliversEachOnceAfterARetry(ctx, kafka, workerFor(ctx, sourceFor(), failingSend(kafka, 3)));
  });

  it('a record whose encoding fails on an unreachable registry is not dead-lettered: its page is read again and every record delivered once', async () => {
    const ctx = testContext('txgroups_encode');
    const kafka = kafkaFor(ctx);
    // the 70th record: in the first group's second page, after one page was already sent
    await deliversEachOnceAfterARetry(ctx, kafka, workerFor(ctx, sourceFor(), kafka, undefined, failingEncode(codecFor(ctx), 70)));
    expect(await deadLetters(kafka, ctx.topics.deadLetters)).toEqual([]);
  });
});
