/**
 * The hub's Kafka consumer: decodes each batch with the schemas from the registry and applies it
 * to PostgreSQL in ONE transaction together with the consumed offsets. Kafka's own group offsets
 * are committed afterwards, for lag monitoring and as the starting point; since applying is
 * idempotent by (source, id, version), a record delivered again after a crash changes nothing.
 */
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { topics as topicNames, type RecordKind, type Topics } from '../../schemas/index.js';
import type { SchemaCodec } from '../../schemas/registry.js';
import { ensureTopics } from '../../connectors/runtime/kafka.js';
import type { Logger } from '../../connectors/runtime/log.js';
import type { Db } from '../store/db.js';
import type { ApplyEffect, ApplyOutcome, Position } from './apply-report.js';
import { consumedKinds, HANDLERS } from './handlers.js';
import type { HubRouting } from './routing.js';

export interface HubConsumerDeps {
  kafka: Kafka;
  db: Db;
  codec: SchemaCodec;
  topics?: Topics;
  groupId?: string;
  log: Logger;
  routing: HubRouting;
}

/** Records per PostgreSQL transaction. */
const APPLY_CHUNK = 200;

export interface IngestStats {
  batches: number;
  applied: Record<ApplyOutcome, number>;
  deadLettered: number;
  lastAppliedAt: number | null;
}

export class HubConsumer {
  readonly stats: IngestStats = { batches: 0, applied: { new: 0, updated: 0, stale: 0, duplicate: 0 }, deadLettered: 0, lastAppliedAt: null };
  private consumer: Consumer | undefined;
  private readonly topics: Topics;
  readonly groupId: string;

  constructor(private readonly deps: HubConsumerDeps) {
    this.topics = deps.topics ?? topicNames();
    this.groupId = deps.groupId ?? 'countyhub-hub';
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
    this.consumer = this.deps.kafka.consumer({ groupId: this.groupId, readUncommitted: false, allowAutoTopicCreation: false, sessionTimeout: 30_000 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: consumedKinds().map((k) => this.topics.records(k)), fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (p) => this.applyBatch(p),
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  /** Records in Kafka that this group has not applied yet, per topic (end offset − consumed offset in PostgreSQL). */
  async lag(): Promise<Record<string, number>> {
    const admin = this.deps.kafka.admin();
    await admin.connect();
    try {
      const out: Record<string, number> = {};
      const done = (await this.deps.db('consumed_offsets').where({ group_id: this.groupId })) as Array<{ topic: string; partition: number; next_offset: string }>;
      for (const kind of consumedKinds()) {
        const topic = this.topics.records(kind);
        let behind = 0;
        for (const p of await admin.fetchTopicOffsets(topic)) {
          const at = done.find((d) => d.topic === topic && d.partition === p.partition);
          behind += Math.max(0, Number(p.high) - Number(at?.next_offset ?? p.low));
        }
        out[topic] = behind;
      }
      return out;
    } finally {
      await admin.disconnect();
    }
  }

  /** One record, by the kind its topic carries. */
  private apply(tx: Parameters<Parameters<Db['transaction']>[0]>[0], topic: string, record: unknown, pos: Position): Promise<ApplyEffect> {
    const kind = consumedKinds().find((k) => this.topics.records(k) === topic) as RecordKind;
    return HANDLERS[kind]!(tx, record, pos, this.deps.routing);
  }

  private async applyBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const decoded: Array<{ offset: string; report?: unknown; error?: string; value: Buffer | null }> = [];
    for (const m of batch.messages) {
      if (!m.value) {
        decoded.push({ offset: m.offset, error: 'empty message value', value: null });
        continue;
      }
      try {
        decoded.push({ offset: m.offset, report: await this.deps.codec.decode(m.value), value: m.value });
      } catch (err) {
        decoded.push({ offset: m.offset, error: `could not decode with the registry: ${(err as Error).message}`, value: m.value });
      }
    }
    // Small transactions with a heartbeat between them: a fetch can hold thousands of records, and
    // a consumer silent for longer than its session time-out is thrown out of the group.
    for (let i = 0; i < decoded.length; i += APPLY_CHUNK) {
      if (!isRunning() || isStale()) return;
      const chunk = decoded.slice(i, i + APPLY_CHUNK);
      const pos = { topic: batch.topic, partition: batch.partition };
      try {
        await this.applyChunk(pos, chunk);
      } catch (err) {
        // one record that cannot be applied must not block its partition forever: find it, keep it
        this.deps.log.warn({ ...pos, from: chunk[0]!.offset, err: (err as Error).message }, 'batch failed; applying its records one by one');
        for (const d of chunk) {
          try {
            await this.applyChunk(pos, [d]);
          } catch (e) {
            this.deps.log.error({ ...pos, offset: d.offset, err: (e as Error).message }, 'record could not be applied; kept in hub_dead_letters');
            await this.applyChunk(pos, [{ ...d, report: undefined, error: `apply failed: ${(e as Error).message}` }]);
          }
        }
      }
      const lastOffset = chunk[chunk.length - 1]!.offset;
      resolveOffset(lastOffset); // without it kafkajs fetches the same records again
      await this.consumer!.commitOffsets([{ ...pos, offset: (BigInt(lastOffset) + 1n).toString() }]);
      await heartbeat();
    }
  }

  /** Applies records and records the consumed offset in ONE PostgreSQL transaction. */
  private async applyChunk(pos: { topic: string; partition: number }, chunk: Array<{ offset: string; report?: unknown; error?: string; value: Buffer | null }>): Promise<void> {
    const counts: Partial<Record<ApplyOutcome, number>> = {};
    let dead = 0;
    await this.deps.db.transaction(async (tx) => {
      for (const d of chunk) {
        if (d.report) {
          const { outcome } = await this.apply(tx, pos.topic, d.report, { ...pos, offset: d.offset });
          counts[outcome] = (counts[outcome] ?? 0) + 1;
        } else {
          await tx('hub_dead_letters')
            .insert({ ...pos, offset: d.offset, reason: d.error, value: d.value })
            .onConflict(['topic', 'partition', 'offset'])
            .ignore();
          dead += 1;
        }
      }
      await tx('consumed_offsets')
        .insert({ group_id: this.groupId, ...pos, next_offset: BigInt(chunk[chunk.length - 1]!.offset) + 1n, updated_at: new Date() })
        .onConflict(['group_id', 'topic', 'partition'])
        .merge();
    });
    for (const [k, v] of Object.entries(counts)) this.stats.applied[k as ApplyOutcome] += v;
    this.stats.deadLettered += dead;
    this.stats.batches += 1;
    this.stats.lastAppliedAt = Date.now();
  }
}
