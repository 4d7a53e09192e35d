/**
 * A schema registry restarted under a running hub: a hub that has not cached the schema yet (a
 * fresh or restarted instance) cannot decode while the registry is down, and after the restart the
 * registry must still know the schema ids the records carry. Nothing may be dead-lettered for it:
 * the hub waits, then applies everything. Only bytes that are truly undecodable (not the wire
 * format, or not Avro of their schema) are dead-lettered.
 *
 * The registry here is one of this file's own (SQL storage on a database of its own), so stopping
 * it does not disturb the other test files.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Producer } from '../../../core/kafka/client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubConsumer } from '../../../hub/ingest/consumer.js';
import { HubRouting } from '../../../hub/ingest/routing.js';
import { createDb, migrate } from '../../../hub/store/db.js';
import { createLogger } from '../../../core/log.js';
import type { Report } from '../../../schemas/index.js';
import { SchemaCodec } from '../../../schemas/registry.js';
import { STACK_HOME, createDatabase, dropDatabase, pgAddress, startRegistryProcess, type RegistryProcess } from '../../../stack/local.js';
import { kafkaFor, testContext } from '../../support/context.js';
import { createTopics } from '../../support/topics.js';
import { until } from '../../support/until.js';
import { EXAMPLES } from '../../unit/schemas/examples.js';

const ctx = testContext('regrestart');
// needs Java and the registry's jar (the local stack's), whichever stack the other servers come from
const local = ctx.stack.kind !== 'containers' && spawnSync('java', ['-version']).status === 0;
const db = createDb(ctx.stack.databaseUrl, { schema: ctx.dbSchema });
const routing = HubRouting.load();
const kafka = kafkaFor(ctx, 'registry-restart-test');
const registryDb = `${ctx.dbSchema}_registry`.toLowerCase();
let registry: RegistryProcess | undefined;
let producer: Producer | undefined;
const hubs: HubConsumer[] = [];

beforeAll(async () => {
  if (!local) return;
  await migrate(db, ctx.dbSchema);
  await createDatabase(ctx.stack.databaseUrl, registryDb);
  const dir = join(STACK_HOME, 'runs', `test-${ctx.id}`);
  mkdirSync(dir, { recursive: true });
  registry = await startRegistryProcess({ database: pgAddress(ctx.stack.databaseUrl, registryDb), logFile: join(dir, 'registry.log'), cwd: dir });
  await createTopics(ctx);
  producer = kafka.producer();
  await producer.connect();
}, 300_000);
afterAll(async () => {
  for (const h of hubs) await h.stop();
  await producer?.disconnect();
  await registry?.stop();
  if (local) await dropDatabase(ctx.stack.databaseUrl, registryDb).catch(() => undefined);
  await db.raw(`drop schema if exists "${ctx.dbSchema}" cascade`);
  await db.destroy();
}, 120_000);

function reports(from: number, n: number): Report[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `RR-${String(from + i).padStart(5, '0')}`;
    return { ...EXAMPLES.report, envelope: { ...EXAMPLES.report.envelope, sourceRecordId: id } };
  });
}

/** With `key`, every message on one partition, in this order. */
async function produce(values: Buffer[], key?: string): Promise<void> {
  await producer!.send({ topic: ctx.topics.records('report'), messages: values.map((value, i) => ({ key: key ?? `k${i}`, value })) });
}

function startHub(): HubConsumer {
  // a codec of its own: nothing cached, like a hub (re)started during the outage
  const hub = new HubConsumer({ kafka, db, codec: new SchemaCodec(registry!.url, ctx.topics), topics: ctx.topics, log: createLogger('hub-test'), routing, groupId: `${ctx.id}-hub` });
  hubs.push(hub);
  return hub;
}

const count = async (table: string) => Number(((await db(table).count('* as count')) as Array<{ count: string }>)[0]!.count);

describe.skipIf(!local)('the schema registry restarted under a running hub', () => {
  it('a fresh hub waits for the registry instead of dead-lettering, and the registry still knows every schema id after its restart', async () => {
    const producerCodec = new SchemaCodec(registry!.url, ctx.topics);
    const first = reports(0, 40);
    await produce(await Promise.all(first.map((r) => producerCodec.encode('report', r))));
    // encoded before the outage (the producer keeps its schema), delivered while the registry is down
    const second = await Promise.all(reports(40, 40).map((r) => producerCodec.encode('report', r)));

    await registry!.stop();
    await produce(second);
    const hub = startHub();
    await hub.start();
    await until('the hub to notice the registry is down and wait', async () => hub.stats.waiting.registry !== null, { timeoutMs: 120_000 });
    expect(await count('hub_dead_letters')).toBe(0);
    expect(hub.stats.deadLettered).toBe(0);

    // the registry comes back: its schemas come back with it (kept in PostgreSQL)
    await registry!.start();
    await until('every record to be applied', async () => (await count('source_records')) === 80, { timeoutMs: 180_000, progress: () => count('source_records') });
    expect(hub.stats.waiting.registry).toBeNull();
    expect(await count('hub_dead_letters')).toBe(0);
    expect(hub.stats.deadLettered).toBe(0);
    expect(await count('reports')).toBe(80);
  });

  it('bytes that are not a record are still dead-lettered, with the reason, and the records after them applied', async () => {
    const hub = hubs[0]!;
    const codec = new SchemaCodec(registry!.url, ctx.topics);
    const good = await codec.encode('report', reports(100, 1)[0]);
    const corruptAvro = Buffer.concat([good.subarray(0, 5), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])]);
    // one partition: the good record comes after the bad ones, so its being applied means they were handled
    await produce([Buffer.from('{"not":"avro"}'), corruptAvro, good], 'one-partition');
    await until('the good record after the bad ones to be applied', async () => (await count('source_records')) === 81, { timeoutMs: 300_000 });
    const dead = (await db('hub_dead_letters').orderBy('offset')) as Array<{ reason: string }>;
    expect(dead.map((d) => d.reason)).toEqual([expect.stringMatching(/magic byte 123/), expect.stringMatching(/does not decode with schema \d+/)]);
    expect(hub.stats.waiting.registry).toBeNull();
  });
});
