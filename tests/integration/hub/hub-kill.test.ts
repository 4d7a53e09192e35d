/**
 * The hub is effectively-once: kill -9 at random moments during ingest and a restart, or two hub
 * instances in one consumer group of which one dies mid-way (a rebalance), end in exactly the
 * database state of an uninterrupted run — the same matters, report→matter links, tasks, subjects
 * and subject links, no record lost and none applied twice (source records, matter events).
 *
 * Each run consumes the same topics into a PostgreSQL schema of its own with a consumer group of
 * its own; ids are derived from source identities (hub/store/ids.ts), so rows compare one to one.
 * Subject linking is a function of the set of records, not of their order (tests/support/hub-dump.ts):
 * subjects and every subject_id are compared exactly — a second uninterrupted run, with another
 * interleaving of partitions, shows it — and each run's subject graph must be whole (subjectInvariants).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin } from '../../../core/kafka/client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumedKinds } from '../../../hub/ingest/handlers.js';
import { createDb, migrate, type Db } from '../../../hub/store/db.js';
import { seededRandom } from '../../../simulators/shared/county.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { kafkaFor, testContext } from '../../support/context.js';
import { nextOffsetsAfterLastRecord, produceCountyDataset } from '../../support/county-topics.js';
import { until } from '../../support/until.js';
import { canonicalDump, diffDumps, subjectDifference, subjectInvariants, type Dump } from '../../support/hub-dump.js';

const ctx = testContext('hubkill');
const dir = mkdtempSync(join(tmpdir(), 'countyhub-hubkill-'));
const dbs = new Map<string, Db>();
const running = new Set<RunningProcess>();
let divisionsFile: string;
/** `topic:partition` → the next offset once every record is applied. */
const targets = new Map<string, bigint>();
let recordCount = 0;

function dbFor(schema: string): Db {
  if (!dbs.has(schema)) dbs.set(schema, createDb(ctx.stack.databaseUrl, { schema, poolMax: 2 }));
  return dbs.get(schema)!;
}

async function startHub(run: string, instance = run): Promise<RunningProcess> {
  const p = await startProcess(`hub ${run}`, 'hub/main.ts', [], {
    ...ctx.env,
    DB_SCHEMA: `${ctx.dbSchema}_${run}`,
    HUB_GROUP_ID: `${ctx.id}-${run}`,
    HUB_INSTANCE_ID: instance,
    HUB_PORT: '0',
    DIVISIONS_FILE: divisionsFile,
    // a SIGKILLed member leaves the group only when its session times out: keep that short
    HUB_SESSION_TIMEOUT_MS: '10000',
    // breaches are marked by the wall clock (the dataset's deadlines are past): off, so runs compare
    HUB_SLA_CHECK_MS: '0',
  });
  running.add(p);
  return p;
}

async function stop(p: RunningProcess, signal: NodeJS.Signals): Promise<void> {
  await p.stop(signal);
  running.delete(p);
}

/** Records of every kind with one of `outcomes`, from a hub's metrics text. */
function recordsWith(metrics: string, ...outcomes: string[]): number {
  return [...metrics.matchAll(/countyhub_hub_records_total\{kind="[^"]+",outcome="(\w+)"\} (\d+)/g)].filter((m) => outcomes.includes(m[1]!)).reduce((n, m) => n + Number(m[2]), 0);
}

/** Records one hub instance has applied (new or updated), from its metrics. */
async function appliedBy(hub: RunningProcess): Promise<number> {
  return recordsWith(await (await fetch(`${String(hub.ready.url)}/metrics`)).text(), 'new', 'updated');
}

/** The group's members by instance (HUB_INSTANCE_ID), each with its member id and the partitions (`topic:partition`) it holds. */
async function members(admin: Admin, groupId: string): Promise<Map<string, { memberId: string; partitions: string[] }>> {
  const { groups } = await admin.describeGroups([groupId]);
  const g = groups[0];
  if (!g || g.state !== 'Stable') return new Map();
  return new Map(
    g.members.map((m) => {
      return [m.clientId.replace(/^countyhub-hub-/, ''), { memberId: m.memberId, partitions: Object.entries(m.assignment).flatMap(([t, ps]) => ps.map((p) => `${t}:${p}`)) }];
    }),
  );
}

/** consumed_offsets of a run, `topic:partition` → next offset. */
async function offsetsOf(run: string): Promise<Map<string, bigint>> {
  const rows: Array<{ topic: string; partition: number; next_offset: string }> = await dbFor(`${ctx.dbSchema}_${run}`)('consumed_offsets').where({ group_id: `${ctx.id}-${run}` }).select('topic', 'partition', 'next_offset');
  return new Map(rows.map((r) => [`${r.topic}:${r.partition}`, BigInt(r.next_offset)]));
}

/** How far a run has got: the sum of its consumed offsets (which commit with the effects), and whether it reached every target. */
async function progress(run: string): Promise<{ applied: bigint; caughtUp: boolean }> {
  const db = dbFor(`${ctx.dbSchema}_${run}`);
  if (!(await db.schema.hasTable('consumed_offsets'))) return { applied: 0n, caughtUp: false };
  const rows: Array<{ topic: string; partition: number; next_offset: string }> = await db('consumed_offsets').where({ group_id: `${ctx.id}-${run}` }).select('topic', 'partition', 'next_offset');
  const at = new Map(rows.map((r) => [`${r.topic}:${r.partition}`, BigInt(r.next_offset)]));
  let applied = 0n;
  let caughtUp = true;
  for (const [k, end] of targets) {
    const n = at.get(k) ?? 0n;
    applied += n < end ? n : end;
    if (n < end) caughtUp = false;
  }
  return { applied, caughtUp };
}

/**
 * Waits on progress, not on a clock: a busy machine may take minutes, which is fine as long as the
 * consumed offsets keep moving; two minutes without any movement is a stuck hub.
 */
async function caughtUp(run: string): Promise<void> {
  try {
    await until(`hub run ${run} to apply every record`, async () => (await progress(run)).caughtUp, { timeoutMs: 1_200_000, stallMs: 120_000, progress: async () => String((await progress(run)).applied) });
  } catch (err) {
    const p = await progress(run);
    const rows = await dbFor(`${ctx.dbSchema}_${run}`)('consumed_offsets').select('topic', 'partition', 'next_offset');
    throw new Error(`${(err as Error).message} (${p.applied}/${recordCount} applied; at ${JSON.stringify(rows)}, targets ${JSON.stringify([...targets].map(([k, v]) => `${k}=${v}`))}); hub output:\n${[...running].map((h) => `${h.name}: ${h.output().slice(-3000)}`).join('\n')}`);
  }
}

async function dumpOf(run: string): Promise<Dump> {
  return canonicalDump(dbFor(`${ctx.dbSchema}_${run}`));
}

/** The run's state against the uninterrupted run's: the same rows, and a whole subject graph. */
async function expectSameStateAs(reference: Dump, run: string): Promise<void> {
  const diff = diffDumps(reference, await dumpOf(run));
  if (diff.length) console.log(`[hub-kill] a vs ${run}:\n${diff.join('\n')}`);
  if (diff.length) console.log(`[hub-kill] a vs ${run}, subject linking: ${await subjectDifference(dbFor(`${ctx.dbSchema}_a`), dbFor(`${ctx.dbSchema}_${run}`))}`);
  expect(diff).toEqual([]);
  expect(await subjectInvariants(dbFor(`${ctx.dbSchema}_${run}`))).toEqual([]);
}

beforeAll(async () => {
  const t0 = Date.now();
  const ds = await produceCountyDataset(ctx, dir, { seed: 7, scale: 0.03 });
  divisionsFile = ds.divisionsFile;
  for (const kind of consumedKinds()) {
    const topic = ctx.topics.records(kind);
    const { next, records } = await nextOffsetsAfterLastRecord(ctx, topic);
    for (const [partition, offset] of next) targets.set(`${topic}:${partition}`, offset);
    recordCount += records;
  }
  console.log(`[hub-kill] ${ds.produced} records produced, ${recordCount} of kinds the hub consumes, over ${targets.size} partitions, in ${Date.now() - t0} ms`);
});

afterAll(async () => {
  await Promise.all([...running].map((p) => p.stop('SIGKILL')));
  for (const [schema, db] of dbs) {
    await db.raw(`drop schema if exists "${schema}" cascade`).catch(() => undefined);
    await db.destroy();
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('the hub is effectively-once under kill -9 and rebalances', () => {
  let reference: Dump;
  let uninterruptedMs = 0;

  it('an uninterrupted run applies every record', async () => {
    const t0 = Date.now();
    const hub = await startHub('a');
    await caughtUp('a');
    uninterruptedMs = Date.now() - t0;
    await stop(hub, 'SIGTERM');
    reference = await dumpOf('a');
    console.log(`[hub-kill] run a: ${uninterruptedMs} ms; ${reference.sizes}`);
    expect(reference.tables.source_records).toHaveLength(recordCount);
    expect(reference.tables.matters!.length).toBeGreaterThan(50);
    expect(reference.tables.tasks!.length).toBeGreaterThan(50);
    expect(reference.tables.subject_links!.length).toBeGreaterThan(100);
    expect(await subjectInvariants(dbFor(`${ctx.dbSchema}_a`))).toEqual([]);
  });

  it('a second uninterrupted run, with another interleaving of partitions, ends in the same state', async () => {
    const hub = await startHub('a2');
    await caughtUp('a2');
    await stop(hub, 'SIGTERM');
    await expectSameStateAs(reference, 'a2');
  });

  it('a Kafka offset commit lost after the database commit: the restarted hub resumes where the database says and re-applies nothing', async () => {
    // the hub commits to PostgreSQL first, then to Kafka: a crash in between leaves Kafka behind
    const groupId = `${ctx.id}-a`;
    const admin = kafkaFor(ctx, 'hub-kill-admin').admin();
    await admin.connect();
    try {
      for (const kind of consumedKinds()) await admin.resetOffsets({ groupId, topic: ctx.topics.records(kind), earliest: true });
      const hub = await startHub('a');
      const kafkaCaughtUp = async () => {
        const committed = await admin.fetchOffsets({ groupId, topics: consumedKinds().map((k) => ctx.topics.records(k)) });
        const at = new Map(committed.flatMap((t) => t.partitions.map((p) => [`${t.topic}:${p.partition}`, BigInt(p.offset)])));
        return [...targets].every(([k, end]) => (at.get(k) ?? -1n) >= end) ? true : undefined;
      };
      await until('the restarted hub to position every partition', kafkaCaughtUp, { timeoutMs: 600_000, stallMs: 120_000, progress: async () => JSON.stringify(await admin.fetchOffsets({ groupId, topics: consumedKinds().map((k) => ctx.topics.records(k)) })) });
      const metrics = await (await fetch(`${String(hub.ready.url)}/metrics`)).text();
      await stop(hub, 'SIGTERM');
      expect(metrics).toMatch(/countyhub_hub_records_total\{kind="report",outcome="new"\} 0\n/); // the series are there …
      expect(recordsWith(metrics, 'new', 'duplicate')).toBe(0); // … and no kind had a record applied again
      expect(diffDumps(reference, await dumpOf('a'))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });

  it('kill -9 at random moments, restarts, same final state', async () => {
    const rand = seededRandom(20261206);
    const killedAt: bigint[] = [];
    let hub = await startHub('b');
    const total = [...targets.values()].reduce((a, b) => a + b, 0n);
    for (let i = 0; i < 3; i++) {
      // each kill lands while records are being applied, at a random point of a third of the way
      // (15–30 %, 45–60 %, 75–90 % of the records): chosen by progress, not by a clock, because a
      // fast hub on a quiet machine applies the whole day before a timed kill would land
      const threshold = (total * BigInt(Math.round((0.15 + i * 0.3 + rand() * 0.15) * 1000))) / 1000n;
      // a restarted hub needs its start-up (and a loaded machine its time) before it applies again
      await until('the hub to reach the kill point', async () => (await progress('b')).applied >= threshold, { timeoutMs: 300_000, intervalMs: 20 });
      await stop(hub, 'SIGKILL');
      const at = await progress('b');
      if (at.caughtUp) break; // too late: that one proves nothing
      killedAt.push(at.applied);
      hub = await startHub('b');
    }
    await caughtUp('b');
    await stop(hub, 'SIGTERM');
    console.log(`[hub-kill] run b: killed at consumed offsets ${killedAt.join(', ')} of ${[...targets.values()].reduce((a, b) => a + b, 0n)}`);
    expect(killedAt.length).toBeGreaterThanOrEqual(2);
    await expectSameStateAs(reference, 'b');
  });

  it('two instances in one group, one killed mid-way: the survivor takes over its partitions and the state is the same', async () => {
    const groupId = `${ctx.id}-c`;
    const admin = kafkaFor(ctx, 'hub-kill-admin').admin();
    await admin.connect();
    try {
      // two hubs migrating one fresh schema at the same moment race on creating knex's lock table
      // (relation "knex_migrations_lock" already exists): migrate first, then start both together
      await migrate(dbFor(`${ctx.dbSchema}_c`), `${ctx.dbSchema}_c`);
      const hubs = new Map(await Promise.all(['c1', 'c2'].map(async (i) => [i, await startHub('c', i)] as const)));
      // wait until the group has split the partitions and one instance, having applied records of
      // its own, still has records to apply: that one is killed and the survivor must take over
      const { split, victim } = await eventually(
        'an instance applying records with more to go',
        async () => {
          const m = await members(admin, groupId);
          if (m.size !== 2 || [...m.values()].some((x) => x.partitions.length === 0)) return undefined;
          const at = await offsetsOf('c');
          for (const [i, hub] of hubs) {
            const pending = m.get(i)!.partitions.filter((k) => (at.get(k) ?? 0n) < targets.get(k)!);
            if (pending.length && (await appliedBy(hub)) > 0) return { split: m, victim: i };
          }
          return undefined;
        },
        300_000,
        100,
      );
      const survivor = victim === 'c1' ? 'c2' : 'c1';
      await stop(hubs.get(victim)!, 'SIGKILL');
      const atKill = await offsetsOf('c'); // the victim's partitions stand still until the group hands them over
      const orphaned = split.get(victim)!.partitions;
      const unfinished = orphaned.filter((k) => (atKill.get(k) ?? 0n) < targets.get(k)!);
      // the dead member's partitions move to the survivor once its session times out
      await eventually('the group to rebalance onto the survivor', async () => {
        const m = await members(admin, groupId);
        return m.size === 1 && m.has(survivor) ? true : undefined;
      }, 300_000, 250);
      await caughtUp('c');
      console.log(`[hub-kill] run c: ${victim} killed holding ${orphaned.join(', ')}; unfinished then: ${unfinished.map((k) => `${k} at ${atKill.get(k) ?? 0n}/${targets.get(k)}`).join(', ')}; ${survivor} applied ${await appliedBy(hubs.get(survivor)!)} records`);
      await stop(hubs.get(survivor)!, 'SIGTERM');
      // the survivor had to finish what the killed instance left, or no partition changed hands mid-way
      expect(unfinished.length).toBeGreaterThan(0);
      await expectSameStateAs(reference, 'c');
    } finally {
      await admin.disconnect();
    }
  });
});
