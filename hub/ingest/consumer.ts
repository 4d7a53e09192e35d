/**
 * The hub's Kafka consumer: decodes each batch with the schemas from the registry and applies it
 * to PostgreSQL in ONE transaction together with the consumed offsets. The database, not Kafka, is
 * the source of truth for where a partition stands: on first sight of a partition after each
 * (re)join the consumer seeks to its consumed_offsets.next_offset, and every transaction re-reads
 * that row under a lock and skips records already applied — so a Kafka offset commit lost in a
 * crash, or a partition still being applied by an instance that has just lost it, re-applies
 * nothing. Kafka's group offsets are committed afterwards, for lag monitoring; applying is also
 * idempotent by (source, id, version), a second line of defence.
 */
import type { Consumer, EachBatchPayload, Kafka } from '../../core/kafka/client.js';
import { topics as topicNames, type Envelope, type RecordKind, type Topics } from '../../schemas/index.js';
import { SchemaUnavailableError, type SchemaCodec } from '../../schemas/registry.js';
import { ensureTopics, reportSharedGroup } from '../../core/kafka.js';
import type { Logger } from '../../core/log.js';
import { classifyDbError, isConnectionDbError, type Db } from '../store/db.js';
import { applyRecords, type ChunkItem } from './apply-records.js';
import type { ApplyOutcome } from './apply-report.js';
import { consumedKinds, RUN_HOOKS } from './handlers.js';
import { deriveInIdleTime } from './derive-ahead.js';
import { addPhase, timed } from './phase-clock.js';
import { runCommitted } from './matter-candidates.js';
import type { HubRouting } from './routing.js';
import { ConsumerStoppedWhileWaiting, untilAvailable, type OutageWaitOptions } from './outage-wait.js';
import { applyInRuns, RunSize, RunTooLargeError, splitRather } from './run-size.js';

export interface HubConsumerDeps {
  kafka: Kafka;
  db: Db;
  codec: SchemaCodec;
  topics?: Topics;
  groupId?: string;
  log: Logger;
  routing: HubRouting;
  /** How long a silent member stays in the group (a SIGKILLed hub holds its partitions this long). */
  sessionTimeoutMs?: number;
  /**
   * Partitions applied at the same time, each in its own transaction: most of an apply is waiting
   * on PostgreSQL, so a second partition's records are matched meanwhile. Records of one partition
   * stay in order; partitions meet only through locks (subjects, status targets).
   */
  partitionsConcurrently?: number;
  /** Records per PostgreSQL transaction, at most (lowered while the server's lock table cannot hold a run's locks: run-size.ts). */
  runRecords?: number;
  /** Told of every run applied (hub/metrics.ts): kind, outcome counts, dead letters, seconds, the records' source version times. */
  onApplied?: (kind: RecordKind, counts: Partial<Record<ApplyOutcome, number>>, deadLettered: number, seconds: number, sourceTimesMs: number[]) => void;
}

const PARTITIONS_CONCURRENTLY = 1;

/** Times a transaction PostgreSQL aborted for a deadlock is tried again before its records are tried one by one. */
const TRANSIENT_RETRIES = 8;

/** Heartbeats while a transaction is being applied (kafkajs sends at most one per heartbeat interval). */
const HEARTBEAT_WHILE_APPLYING_MS = 3_000;

/** Records per PostgreSQL transaction, at most (HUB_RUN_RECORDS). */
const RUN_RECORDS = 200;

export interface IngestStats {
  batches: number;
  applied: Record<ApplyOutcome, number>;
  deadLettered: number;
  lastAppliedAt: number | null;
  /** When the consumer first joined its group (epoch ms): the start of applying, after Kafka's group start-up. */
  joinedAt: number | null;
  /** Since when the hub has been waiting for a server it cannot do without (records kept, not dead-lettered). */
  waiting: { registry: number | null; database: number | null };
}

export class HubConsumer {
  readonly stats: IngestStats = { batches: 0, applied: { new: 0, updated: 0, stale: 0, duplicate: 0 }, deadLettered: 0, lastAppliedAt: null, joinedAt: null, waiting: { registry: null, database: null } };
  private consumer: Consumer | undefined;
  /** Partitions whose position was checked against consumed_offsets since the last group join. */
  private readonly positioned = new Set<string>();
  private stopping = false;
  private readonly runSize: RunSize;
  private readonly topics: Topics;
  readonly groupId: string;

  constructor(private readonly deps: HubConsumerDeps) {
    this.topics = deps.topics ?? topicNames();
    this.groupId = deps.groupId ?? this.topics.consumerGroup('hub');
    this.runSize = new RunSize(deps.runRecords ?? RUN_RECORDS);
  }

  async start(): Promise<void> {
    // the hub may start before any connector has created the topics
    const admin = this.deps.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, this.topics);
    } finally {
      await admin.disconnect();
    }
    this.consumer = this.deps.kafka.consumer({ groupId: this.groupId, readUncommitted: false, allowAutoTopicCreation: false, sessionTimeout: this.deps.sessionTimeoutMs ?? 30_000 });
    reportSharedGroup(this.consumer, this.deps.log, 'HUB_GROUP_ID');
    // a (re)join may hand over partitions another instance advanced in the database meanwhile
    this.consumer.on('groupJoin', (e) => {
      this.positioned.clear();
      this.stats.joinedAt ??= Date.now();
      this.deps.log.info({ groupId: this.groupId, memberId: e.memberId, assigned: e.memberAssignment }, 'joined the consumer group');
    });
    // kafkajs restarts a consumer that crashed on a retriable error by itself; one it gave up on
    // (its rejoins exhausted, say after the group dropped it) would otherwise stop applying for good
    this.consumer.on('crash', (e) => {
      this.deps.log.error({ groupId: this.groupId, err: e.error.message, restartedByKafkajs: e.restart }, 'hub consumer crashed');
      if (!e.restart && !this.stopping) setTimeout(() => void this.restart(), 1_000);
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: consumedKinds().map((k) => this.topics.records(k)), fromBeginning: true });
    await this.consumer.run({
      partitionsConsumedConcurrently: this.deps.partitionsConcurrently ?? PARTITIONS_CONCURRENTLY,
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (p) => this.applyBatch(p),
    });
  }

  /** A consumer kafkajs gave up on: a new one, positioned from the database like any (re)join. */
  private async restart(): Promise<void> {
    try {
      await this.consumer?.disconnect();
      if (this.stopping) return;
      this.deps.log.warn({ groupId: this.groupId }, 'restarting the hub consumer');
      await this.start();
    } catch (err) {
      this.deps.log.error({ groupId: this.groupId, err: (err as Error).message }, 'could not restart the hub consumer; trying again in 5 s');
      setTimeout(() => void this.restart(), 5_000);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer?.disconnect();
  }

  /**
   * Records in Kafka this group has not applied yet, per topic: end offset − consumed offset in
   * PostgreSQL − 1, since connectors write in transactions and a partition's last offset is then
   * the commit marker, which is never delivered as a record.
   */
  async lag(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const l of await this.lagByPartition()) out[l.topic] = (out[l.topic] ?? 0) + l.lag;
    return out;
  }

  /** The same, per topic and partition (the metrics' consumer lag series). */
  async lagByPartition(): Promise<Array<{ topic: string; partition: number; lag: number }>> {
    const admin = this.deps.kafka.admin();
    await admin.connect();
    try {
      const out: Array<{ topic: string; partition: number; lag: number }> = [];
      const done = (await this.deps.db('consumed_offsets').where({ group_id: this.groupId })) as Array<{ topic: string; partition: number; next_offset: string }>;
      for (const kind of consumedKinds()) {
        const topic = this.topics.records(kind);
        for (const p of await admin.fetchTopicOffsets(topic)) {
          const at = done.find((d) => d.topic === topic && d.partition === p.partition);
          out.push({ topic, partition: p.partition, lag: Math.max(0, Number(p.high) - Number(at?.next_offset ?? p.low) - 1) });
        }
      }
      return out;
    } finally {
      await admin.disconnect();
    }
  }

  private kindOf(topic: string): RecordKind {
    return consumedKinds().find((k) => this.topics.records(k) === topic) as RecordKind;
  }

  /** The next offset to apply for a partition, as committed with the effects in PostgreSQL. */
  private async appliedUpTo(q: Db | Parameters<Parameters<Db['transaction']>[0]>[0], pos: { topic: string; partition: number }, lock = false): Promise<bigint | null> {
    const query = q('consumed_offsets').where({ group_id: this.groupId, ...pos }).first<{ next_offset: string } | undefined>('next_offset');
    const row = await (lock ? query.forUpdate() : query);
    return row ? BigInt(row.next_offset) : null;
  }

  private async applyBatch(payload: EachBatchPayload): Promise<void> {
    try {
      await this.applyBatchWaiting(payload);
    } catch (err) {
      // stopped or rebalanced during an outage: nothing of the unresolved records was applied or
      // dead-lettered; whoever owns the partition next fetches them again
      if (!(err instanceof ConsumerStoppedWhileWaiting)) throw err;
      this.deps.log.info({ topic: payload.batch.topic, partition: payload.batch.partition, reason: err.message }, 'batch left to be fetched again');
    }
  }

  /** How to wait out an outage of the registry or PostgreSQL while this batch is being applied. */
  private outageWait(what: 'registry' | 'database', { batch, heartbeat, isRunning, isStale }: EachBatchPayload, fields: Record<string, unknown>): OutageWaitOptions {
    return {
      what: what === 'registry' ? `the schema registry (${this.deps.codec.registryUrl})` : 'PostgreSQL',
      log: this.deps.log,
      fields: { topic: batch.topic, partition: batch.partition, ...fields },
      alive: () => !this.stopping && isRunning() && !isStale(),
      heartbeat,
      onOutage: (since) => (this.stats.waiting[what] = since),
    };
  }

  private async applyBatchWaiting(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const key = `${batch.topic}:${batch.partition}`;
    if (!this.positioned.has(key)) {
      // Kafka's committed offset may lag the database (a crash between the PostgreSQL commit and
      // the Kafka commit): start where the database says, not where Kafka says
      const next = await untilAvailable(() => this.appliedUpTo(this.deps.db, { topic: batch.topic, partition: batch.partition }), isConnectionDbError, this.outageWait('database', payload, {}));
      this.positioned.add(key);
      if (next !== null && next > BigInt(batch.messages[0]!.offset)) {
        this.deps.log.info({ topic: batch.topic, partition: batch.partition, from: batch.messages[0]!.offset, to: String(next) }, 'seeking to the offset the database has applied up to');
        this.consumer!.seek({ topic: batch.topic, partition: batch.partition, offset: String(next) });
        await this.consumer!.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(next) }]);
        return;
      }
    }
    const decoded: ChunkItem[] = [];
    const decodeStart = performance.now();
    for (const m of batch.messages) {
      if (!m.value) {
        decoded.push({ offset: m.offset, error: 'empty message value', value: null });
        continue;
      }
      const value = m.value;
      try {
        // a schema the registry cannot hand out now (down, restarting, restoring) is no fault of
        // the record: the partition waits for it; only bytes that do not decode are dead-lettered
        const report = await untilAvailable(() => this.deps.codec.decode(value), (e) => e instanceof SchemaUnavailableError, this.outageWait('registry', payload, { offset: m.offset }));
        decoded.push({ offset: m.offset, report, value });
      } catch (err) {
        if (err instanceof ConsumerStoppedWhileWaiting) throw err;
        decoded.push({ offset: m.offset, error: `could not decode: ${(err as Error).message}`, value });
      }
    }
    addPhase('decode', performance.now() - decodeStart);
    // the per-record work (features, parsed addresses, keys) done while the transaction waits on
    // PostgreSQL: the first chunk's in the round trips before its run needs them (offsets lock,
    // source records, reconciliation counts), the later chunks' while the earlier ones apply — the
    // main thread is otherwise idle for a third of a run
    const deriveAhead = RUN_HOOKS[this.kindOf(batch.topic)]?.deriveAhead;
    const ahead = deriveAhead
      ? deriveInIdleTime(decoded.flatMap((d) => (d.report ? [d.report] : [])), (r) => deriveAhead(r, this.deps.routing), () => !this.stopping && isRunning() && !isStale())
      : undefined;
    // Small transactions with a heartbeat between them: a fetch can hold thousands of records, and
    // a consumer silent for longer than its session time-out is thrown out of the group.
    for (let i = 0; i < decoded.length; ) {
      if (!isRunning() || isStale()) return;
      const chunk = decoded.slice(i, i + this.runSize.current);
      i += chunk.length;
      const pos = { topic: batch.topic, partition: batch.partition };
      const dbWait = this.outageWait('database', payload, { from: chunk[0]!.offset });
      // a transaction can outlast the session time-out on a loaded machine: keep the membership alive
      const beat = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_WHILE_APPLYING_MS);
      try {
        await applyInRuns(chunk, this.runSize, (run) => this.applyRetrying(pos, run, dbWait), (records, now) =>
          this.deps.log.warn({ ...pos, from: chunk[0]!.offset, records, now }, 'PostgreSQL\'s lock table cannot hold the locks of this run: applying it in smaller runs (raise max_locks_per_transaction on the server to apply larger ones)'),
        );
      } catch (err) {
        if (err instanceof ConsumerStoppedWhileWaiting) throw err;
        // one record that cannot be applied must not block its partition forever: find it, keep it
        this.deps.log.warn({ ...pos, from: chunk[0]!.offset, err: (err as Error).message }, 'batch failed; applying its records one by one');
        for (const d of chunk) {
          try {
            await this.applyRetrying(pos, [d], dbWait);
          } catch (e) {
            if (e instanceof ConsumerStoppedWhileWaiting) throw e;
            this.deps.log.error({ ...pos, offset: d.offset, err: (e as Error).message }, 'record could not be applied; kept in hub_dead_letters');
            await this.applyRetrying(pos, [{ ...d, report: undefined, envelope: (d.report as { envelope?: Envelope } | undefined)?.envelope, error: `apply failed: ${(e as Error).message}` }], dbWait);
          }
        }
      } finally {
        clearInterval(beat);
      }
      const lastOffset = chunk[chunk.length - 1]!.offset;
      resolveOffset(lastOffset); // without it kafkajs fetches the same records again
      await this.consumer!.commitOffsets([{ ...pos, offset: (BigInt(lastOffset) + 1n).toString() }]);
      await heartbeat();
    }
    ahead?.stop();
  }

  /**
   * applyChunk until it commits or fails for a reason in the records. A lost connection to
   * PostgreSQL (refused, reset, terminated, pool time-out) is waited out however long it lasts —
   * the records are never dead-lettered for it; a transaction PostgreSQL aborted for a deadlock or
   * a serialization failure with another hub instance is tried again a few times.
   */
  private async applyRetrying(pos: { topic: string; partition: number }, chunk: ChunkItem[], wait: OutageWaitOptions): Promise<void> {
    for (let conflicts = 0; ; conflicts++) {
      try {
        // a run too large for the lock table is split, not waited on: the wait might never end
        return await untilAvailable(() => this.applyChunk(pos, chunk), (e) => isConnectionDbError(e) && !splitRather(chunk.length, e), wait);
      } catch (err) {
        if (splitRather(chunk.length, err)) throw new RunTooLargeError(chunk.length, err);
        if (classifyDbError(err) !== 'conflict' || conflicts >= TRANSIENT_RETRIES) throw err;
        this.deps.log.info({ ...pos, from: chunk[0]!.offset, attempt: conflicts + 1, err: (err as Error).message }, 'transaction aborted by PostgreSQL (deadlock or serialization); applying it again');
        await new Promise((r) => setTimeout(r, Math.min(2_000, 50 * 2 ** conflicts) * (0.5 + Math.random())));
        await wait.heartbeat().catch(() => undefined);
      }
    }
  }

  /** Applies records and records the consumed offset in ONE PostgreSQL transaction. */
  private async applyChunk(pos: { topic: string; partition: number }, chunk: ChunkItem[]): Promise<void> {
    let counts: Partial<Record<ApplyOutcome, number>> = {};
    let dead = 0;
    let commitStart = performance.now();
    const started = performance.now();
    let committed: (() => void) | undefined;
    await this.deps.db.transaction(async (tx) => {
      // serialises instances on the partition; records another instance applied meanwhile are skipped
      const next = await this.appliedUpTo(tx, pos, true);
      const todo = chunk.filter((d) => next === null || BigInt(d.offset) >= next);
      const applied = await applyRecords(tx, this.kindOf(pos.topic), pos, todo, this.deps.routing);
      counts = applied.counts;
      dead = applied.deadLettered;
      // (the offsets row's xmin is the transaction's id: the version of every row the run wrote)
      const [offsets] = (await timed('commit', async () => tx('consumed_offsets')
        .insert({ group_id: this.groupId, ...pos, next_offset: BigInt(chunk[chunk.length - 1]!.offset) + 1n, updated_at: new Date() })
        .onConflict(['group_id', 'topic', 'partition'])
        .merge({ next_offset: tx.raw('greatest(consumed_offsets.next_offset, excluded.next_offset)'), updated_at: tx.raw('excluded.updated_at') })
        .returning(tx.raw('xmin::text as version') as never))) as Array<{ version: string }>;
      if (offsets) committed = () => runCommitted(tx, offsets.version);
      commitStart = performance.now();
    });
    addPhase('commit', performance.now() - commitStart);
    committed?.();
    for (const [k, v] of Object.entries(counts)) this.stats.applied[k as ApplyOutcome] += v;
    this.stats.deadLettered += dead;
    this.stats.batches += 1;
    this.stats.lastAppliedAt = Date.now();
    this.deps.onApplied?.(this.kindOf(pos.topic), counts, dead, (performance.now() - started) / 1000, chunk.map((d) => Number((d.report as { envelope?: { sourceVersion?: unknown } } | undefined)?.envelope?.sourceVersion)).filter(Number.isFinite));
  }
}
