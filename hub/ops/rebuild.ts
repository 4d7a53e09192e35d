/**
 * Rebuilds the hub's database from Kafka: a fresh PostgreSQL schema, a consumer group of its own
 * reading every record topic from the beginning up to the end as it was when the rebuild started,
 * applied by the same engine as the live hub. Kafka is the log of what the departments said; the
 * hub's tables are a function of it (apply-runs and kill tests hold that), so the rebuilt state is
 * what the live hub holds at the same positions — which `verify` checks row by row.
 *
 * What Kafka does not hold is not rebuilt: the command center's own decisions (a redispatch, a
 * merge, a review) and the principals and audit chain live only in PostgreSQL, and breaches are
 * marked by the SLA clock when the rebuilt hub runs. The comparison names the tables that differ.
 *
 * Two things make the rebuilt schema safe to run a hub on: the live group's positions are copied to
 * it (the hub continues where the rebuild stopped, without applying anything twice), and the
 * dispatches already on the dispatch topic are marked published (the departments do not get them
 * again); dispatches the live hub had not sent yet stay queued.
 */
import type { Kafka } from '../../core/kafka/client.js';
import type { Logger } from 'pino';
import { nextOffsetsAfterLastRecord, readToEnd } from '../../core/read-to-end.js';
import { ConfigError } from '../../core/errors.js';
import type { Dispatch, Topics } from '../../schemas/index.js';
import type { SchemaCodec } from '../../schemas/registry.js';
import { HubConsumer } from '../ingest/consumer.js';
import { consumedKinds } from '../ingest/handlers.js';
import type { HubRouting } from '../ingest/routing.js';
import { createDb, migrate, type Db } from '../store/db.js';
import { canonicalDump, diffDumps } from '../store/state-dump.js';

export interface RebuildDeps {
  kafka: Kafka;
  codec: SchemaCodec;
  topics: Topics;
  routing: HubRouting;
  log: Logger;
  databaseUrl: string;
}

export interface RebuildOptions {
  /** The new schema; it must not hold tables yet. */
  into: string;
  /** The live hub's consumer group, whose positions the rebuilt schema gets (HUB_GROUP_ID). */
  liveGroupId: string;
  onProgress?: (p: { applied: number; target: number }) => void;
  /** Gives up when nothing is applied for this long (a record the engine cannot apply stalls it). */
  stallMs?: number;
}

export interface RebuildResult {
  into: string;
  records: number;
  seconds: number;
  deadLetters: number;
  dispatchesAlreadySent: number;
  dispatchesStillQueued: number;
  /** topic:partition → next offset, where the rebuild stopped. */
  positions: Map<string, bigint>;
}

const position = (topic: string, partition: number) => `${topic}:${partition}`;

async function positionsOf(db: Db, groupId: string): Promise<Map<string, bigint>> {
  const rows = (await db('consumed_offsets').where({ group_id: groupId })) as Array<{ topic: string; partition: number; next_offset: string }>;
  return new Map(rows.map((r) => [position(r.topic, r.partition), BigInt(r.next_offset)]));
}

export async function rebuildFromKafka(deps: RebuildDeps, opts: RebuildOptions): Promise<RebuildResult> {
  const started = Date.now();
  const db = createDb(deps.databaseUrl, { schema: opts.into });
  try {
    const existing = await db.raw('select count(*)::int as n from information_schema.tables where table_schema = ?', [opts.into]);
    if ((existing.rows[0] as { n: number }).n > 0) throw new ConfigError('--into', `schema ${opts.into} already holds tables: rebuild into a new schema`);
    await migrate(db, opts.into);

    // the end of every record topic as of now: the rebuild applies up to there
    const target = new Map<string, bigint>();
    let records = 0;
    for (const kind of consumedKinds()) {
      const topic = deps.topics.records(kind);
      const { next, records: n } = await nextOffsetsAfterLastRecord(deps.kafka, topic, 30 * 60_000);
      for (const [partition, offset] of next) target.set(position(topic, partition), offset);
      records += n;
    }

    const groupId = deps.topics.consumerGroup(`rebuild-${opts.into}`);
    const hub = new HubConsumer({ kafka: deps.kafka, db, codec: deps.codec, topics: deps.topics, groupId, log: deps.log, routing: deps.routing });
    await hub.start();
    try {
      let last = -1;
      let lastMove = Date.now();
      for (;;) {
        const at = await positionsOf(db, groupId);
        const complete = [...target].filter(([k, end]) => (at.get(k) ?? 0n) >= end).length;
        const done = complete === target.size;
        const progress = Number((await db('source_records').count<{ n: string }[]>({ n: '*' }))[0]?.n ?? 0);
        opts.onProgress?.({ applied: progress, target: records });
        if (done) break;
        if (progress !== last) {
          last = progress;
          lastMove = Date.now();
        } else if (Date.now() - lastMove > (opts.stallMs ?? 300_000)) {
          throw new Error(`the rebuild stalled: ${complete} of ${target.size} partitions complete, nothing applied for ${(opts.stallMs ?? 300_000) / 1000} s (see the hub's log)`);
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    } finally {
      await hub.stop();
    }

    const positions = await positionsOf(db, groupId);
    // the live hub, pointed at this schema, continues from here
    await db('consumed_offsets').where({ group_id: opts.liveGroupId }).delete();
    await db.raw('insert into consumed_offsets (group_id, topic, partition, next_offset) select ?, topic, partition, next_offset from consumed_offsets where group_id = ?', [opts.liveGroupId, groupId]);

    // what the live hub already sent must not go out again
    const sent: string[] = [];
    await readToEnd(
      deps.kafka,
      deps.topics.records('dispatch'),
      async (m) => {
        const header = m.headers?.['idempotency-key'];
        const key = header ? String(header) : m.value ? ((await deps.codec.decode(m.value).catch(() => null)) as Dispatch | null)?.idempotencyKey : undefined;
        if (key) sent.push(key);
      },
      30 * 60_000,
    );
    let alreadySent = 0;
    for (let i = 0; i < sent.length; i += 5000) {
      alreadySent += await db('dispatch_outbox').whereIn('idempotency_key', sent.slice(i, i + 5000)).whereNull('published_at').update({ published_at: db.fn.now() });
    }
    const queued = Number((await db('dispatch_outbox').whereNull('published_at').count<{ n: string }[]>({ n: '*' }))[0]?.n ?? 0);
    const deadLetters = Number((await db('hub_dead_letters').count<{ n: string }[]>({ n: '*' }))[0]?.n ?? 0);
    return { into: opts.into, records, seconds: (Date.now() - started) / 1000, deadLetters, dispatchesAlreadySent: alreadySent, dispatchesStillQueued: queued, positions };
  } finally {
    await db.destroy();
  }
}

export interface Verification {
  /** The live hub stood at the same positions as the rebuild (otherwise differences are expected). */
  samePositions: boolean;
  positionDifferences: string[];
  /** Per table, what differs; empty when the states are equal. */
  differences: string[];
}

/** Compares the rebuilt schema with the live one, row by row (hub/store/state-dump.ts). */
export async function verifyRebuild(databaseUrl: string, live: { schema: string | undefined; groupId: string }, rebuilt: string): Promise<Verification> {
  const a = createDb(databaseUrl, { schema: live.schema });
  const b = createDb(databaseUrl, { schema: rebuilt });
  try {
    const [pa, pb] = [await positionsOf(a, live.groupId), await positionsOf(b, live.groupId)];
    const positionDifferences = [...new Set([...pa.keys(), ...pb.keys()])].filter((k) => pa.get(k) !== pb.get(k)).map((k) => `${k}: live ${pa.get(k) ?? '—'}, rebuilt ${pb.get(k) ?? '—'}`);
    const differences = diffDumps(await canonicalDump(a), await canonicalDump(b));
    return { samePositions: positionDifferences.length === 0, positionDifferences, differences };
  } finally {
    await Promise.all([a.destroy(), b.destroy()]);
  }
}
