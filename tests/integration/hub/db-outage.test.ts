/**
 * PostgreSQL interrupted under a running hub: records the hub could not store because its
 * connection was terminated or refused are good records — they must be applied once the database
 * answers again, never dead-lettered, and never twice.
 *
 * 1. The hub's transactions are terminated (pg_terminate_backend, 57P01) while they apply, twice in
 *    a row, and the database is fine again for the next attempt: the moment a hub that took the
 *    termination for a bad record would write the dead letter.
 * 2. The database unreachable for a while (a TCP relay in front of it, cut and refusing): the hub
 *    waits, says so, and carries on when it is back.
 */
import type { Producer } from '../../../core/kafka/client.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubConsumer } from '../../../hub/ingest/consumer.js';
import { HubRouting } from '../../../hub/ingest/routing.js';
import { classifyDbError, createDb, migrate } from '../../../hub/store/db.js';
import { createLogger } from '../../../core/log.js';
import type { Report } from '../../../schemas/index.js';
import { codecFor, kafkaFor, testContext } from '../../support/context.js';
import { createTopics } from '../../support/topics.js';
import { until } from '../../support/until.js';
import { EXAMPLES } from '../../unit/schemas/examples.js';
import { TcpFaultProxy } from '../../../stack/tcp-fault-proxy.js';

const ctx = testContext('dboutage');
const appName = `hub_${ctx.id}`;
const target = new URL(ctx.stack.databaseUrl);
const proxy = new TcpFaultProxy(target.hostname, Number(target.port || 5432));
const direct = createDb(ctx.stack.databaseUrl, { schema: ctx.dbSchema });
let hubDb: ReturnType<typeof createDb> | undefined;
const admin = new pg.Client({ connectionString: ctx.stack.databaseUrl });
const kafka = kafkaFor(ctx, 'db-outage-test');
const codec = codecFor(ctx);
let producer: Producer | undefined;
let hub: HubConsumer | undefined;

beforeAll(async () => {
  await migrate(direct, ctx.dbSchema);
  await admin.connect();
  const port = await proxy.start();
  const viaProxy = new URL(ctx.stack.databaseUrl);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(port);
  viaProxy.searchParams.set('application_name', appName);
  hubDb = createDb(viaProxy.toString(), { schema: ctx.dbSchema, poolMax: 4 });
  await createTopics(ctx);
  producer = kafka.producer();
  await producer.connect();
  hub = new HubConsumer({ kafka, db: hubDb, codec, topics: ctx.topics, log: createLogger('hub-test'), routing: HubRouting.load(), groupId: `${ctx.id}-hub` });
  await hub.start();
});
afterAll(async () => {
  await hub?.stop();
  await producer?.disconnect();
  await hubDb?.destroy();
  await proxy.stop();
  await admin.end();
  await direct.raw(`drop schema if exists "${ctx.dbSchema}" cascade`);
  await direct.destroy();
});

function reports(from: number, n: number): Report[] {
  return Array.from({ length: n }, (_, i) => ({ ...EXAMPLES.report, envelope: { ...EXAMPLES.report.envelope, sourceRecordId: `DB-${String(from + i).padStart(5, '0')}` } }));
}

async function produce(rs: Report[]): Promise<void> {
  const values = await Promise.all(rs.map((r) => codec.encode('report', r)));
  await producer!.send({ topic: ctx.topics.records('report'), messages: values.map((value, i) => ({ key: rs[i]!.envelope.sourceRecordId, value })) });
}

const count = async (table: string) => Number(((await direct(table).count('* as count')) as Array<{ count: string }>)[0]!.count);

/** The hub's backends blocked on the lock the test holds. */
async function blockedHubBackends(): Promise<number[]> {
  const r = await admin.query<{ pid: number }>(`select pid from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'`, [appName]);
  return r.rows.map((x) => x.pid);
}

describe('PostgreSQL interrupted under a running hub', () => {
  it('classifies connection failures as "wait for the database" and statement errors as permanent', () => {
    for (const e of [
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' }),
      Object.assign(new Error('connection failure'), { code: '08006' }),
      new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })], ''),
      Object.assign(new Error('sorry, too many clients already'), { code: '53300' }), // a server shared with other clients
      Object.assign(new Error('could not extend file: No space left on device'), { code: '53100' }),
    ]) {
      expect(classifyDbError(e), e.message).toBe('connection');
    }
    expect(classifyDbError(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe('conflict');
    expect(classifyDbError(Object.assign(new Error('division by zero'), { code: '22012' }))).toBe('permanent');
    expect(classifyDbError(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toBe('permanent');
  });

  it('transactions terminated by an administrator while applying: nothing dead-lettered, everything applied once', async () => {
    await produce(reports(0, 20));
    await until('the first records to be applied', async () => (await count('source_records')) === 20);

    // hold the hub's next transactions at their first statement (the partition's offset row),
    // terminate them there twice, then let the third through
    const holder = new pg.Client({ connectionString: ctx.stack.databaseUrl });
    await holder.connect();
    await holder.query('begin');
    await holder.query(`lock table "${ctx.dbSchema}".consumed_offsets in exclusive mode`);
    await produce(reports(20, 30));
    let terminated = 0;
    try {
      while (terminated < 2) {
        const pids = await until('a hub transaction to wait on the lock', async () => {
          const p = await blockedHubBackends();
          return p.length > 0 ? p : undefined;
        }, { timeoutMs: 120_000 });
        for (const pid of pids) await admin.query('select pg_terminate_backend($1)', [pid]);
        terminated += pids.length;
        await until('the terminated backends to be gone', async () => (await blockedHubBackends()).every((p) => !pids.includes(p)), { timeoutMs: 60_000 });
      }
    } finally {
      await holder.query('rollback');
      await holder.end();
    }

    await until('every record to be applied', async () => (await count('source_records')) === 50, { timeoutMs: 180_000, progress: () => count('source_records') });
    expect(await count('hub_dead_letters')).toBe(0);
    expect(hub!.stats.deadLettered).toBe(0);
    expect(await count('reports')).toBe(50);
    expect(hub!.stats.applied.new).toBe(50);
  });

  it('the database unreachable for a while: the hub waits and then applies everything once', async () => {
    await proxy.stop(); // cuts the hub's connections and refuses new ones
    await produce(reports(50, 30));
    await until('the hub to notice PostgreSQL is gone and wait', async () => hub!.stats.waiting.database !== null, { timeoutMs: 120_000 });
    // a few more failed attempts while it stays down
    const waitingSince = hub!.stats.waiting.database!;
    await until('several seconds of outage', async () => Date.now() - waitingSince > 4_000);
    expect(await count('hub_dead_letters')).toBe(0);
    await proxy.start();

    await until('every record to be applied', async () => (await count('source_records')) === 80, { timeoutMs: 180_000, progress: () => count('source_records') });
    await until('the hub to say the outage is over', async () => hub!.stats.waiting.database === null, { timeoutMs: 60_000 });
    expect(await count('hub_dead_letters')).toBe(0);
    expect(hub!.stats.deadLettered).toBe(0);
    expect(await count('reports')).toBe(80);
    expect(hub!.stats.applied.new).toBe(80);
  });
});
