/**
 * Status changes through real Kafka and the hub's consumer: the departments' changes (shuffled,
 * some delivered twice) reach the hub before the 12345 ticket they are about — they travel on
 * another topic — and nothing is lost: once the ticket arrives the hub holds exactly the tasks and
 * matter that applying everything in order gives.
 */
import type { Producer } from '../../../core/kafka/client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubConsumer } from '../../../hub/ingest/consumer.js';
import { HANDLERS } from '../../../hub/ingest/handlers.js';
import { HubRouting } from '../../../hub/ingest/routing.js';
import { createDb, migrate } from '../../../hub/store/db.js';
import { createLogger } from '../../../core/log.js';
import type { RecordKind } from '../../../schemas/index.js';
import { codecFor, kafkaFor, testContext } from '../../support/context.js';
import { shuffled } from '../../unit/merge/fixtures.js';
import { again, hubState, matterId, progress, rep, report, sc, type Delivery } from './status-fixtures.js';

const ctx = testContext('statuskafka');
const db = createDb(ctx.stack.databaseUrl, { schema: ctx.dbSchema });
const routing = HubRouting.load();
const kafka = kafkaFor(ctx, 'status-change-test');
const codec = codecFor(ctx);
let producer: Producer | undefined;
let hub: HubConsumer | undefined;

beforeAll(async () => {
  await migrate(db, ctx.dbSchema);
  producer = kafka.producer();
  await producer.connect();
});
afterAll(async () => {
  await hub?.stop();
  await producer?.disconnect();
  await db.raw(`drop schema if exists "${ctx.dbSchema}" cascade`);
  await db.destroy();
});

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function produce(ds: Delivery[]): Promise<void> {
  for (const d of ds) {
    const kind: RecordKind = d.kind;
    await producer!.send({ topic: ctx.topics.records(kind), messages: [{ key: d.record.envelope.sourceRecordId, value: await codec.encode(kind, d.record) }] });
  }
}

const count = async (q: ReturnType<typeof db>) => Number(((await q.count('* as count')) as Array<{ count: string }>)[0]!.count);

describe('status changes through Kafka and the hub consumer', () => {
  it('changes before their report, shuffled and redelivered: none lost, the same tasks and matter as in order', async () => {
    // the reference: everything applied in order, directly
    let offset = 0;
    for (const d of [rep(report), ...progress.map(sc)]) {
      offset += 1;
      await db.transaction((tx) => HANDLERS[d.kind]!(tx, d.record, { topic: 'reference', partition: 0, offset: String(offset) }, routing));
    }
    const reference = await hubState(db);
    expect(reference.matters[0]).toMatchObject({ status: 'CLOSED' });
    await db.raw('truncate status_changes, matter_events, tasks, reports, subject_links, subjects, matters, source_records, consumed_offsets restart identity cascade');

    const redelivered = shuffled(progress, 7).slice(0, 3).map(again);
    hub = new HubConsumer({ kafka, db, codec, topics: ctx.topics, log: createLogger('hub-test'), routing, groupId: `${ctx.id}-hub` });
    await hub.start();
    await produce(shuffled([...progress, ...redelivered], 11).map(sc));

    // all nine wait, stored, for the ticket; the redeliveries are recognised
    await until('the status changes to be stored', async () => (await count(db('status_changes'))) === progress.length && (await count(db('source_records'))) === progress.length);
    await until('the redeliveries to be consumed', async () => hub!.stats.applied.duplicate >= redelivered.length);
    expect(await count(db('status_changes').whereNull('task_id'))).toBe(progress.length);
    expect(hub.stats.applied.duplicate).toBe(redelivered.length);

    await produce([rep(report)]);
    await until('the matter to close', async () => (await db('matters').where({ id: matterId, status: 'CLOSED' }).first()) as unknown);

    expect(await hubState(db)).toEqual(reference);
    expect(hub.stats.deadLettered).toBe(0);
  });
});
