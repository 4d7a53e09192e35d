/**
 * Copies the connectors' per-hour ledger (core/reconciliation.ts; one cumulative message per
 * connector and hour on a compacted topic, committed with the pages it counts) into
 * reconciliation_counts, where the hub's own stages are counted, so the API and the metrics compare
 * them with one query.
 *
 * The values are cumulative and only grow, so an upsert that keeps the larger value is idempotent
 * and indifferent to order: a message applied twice (a crash before the offset was stored) changes
 * nothing. The position is kept in PostgreSQL with the rows (consumed_offsets), like the record
 * consumer's, so a hub started on another schema (a rebuild) reads the ledger from its beginning.
 */
import type { Consumer, EachBatchPayload, Kafka } from '../../core/kafka/client.js';
import type { Topics } from '../../schemas/index.js';
import type { Logger } from '../../core/log.js';
import { CONNECTOR_STAGES, type ConnectorHourLedger, isDigestKey } from '../../core/reconciliation.js';
import type { Db } from '../store/db.js';

const STAGE_VALUE: Record<(typeof CONNECTOR_STAGES)[number], (l: ConnectorHourLedger) => number> = {
  read: (l) => l.read,
  delivered: (l) => l.delivered,
  dead_lettered: (l) => l.deadLettered,
  produced: (l) => l.produced,
};

/** The rows of reconciliation_counts one ledger message stands for. */
export function ledgerRows(l: ConnectorHourLedger) {
  return CONNECTOR_STAGES.map((stage) => ({
    connector: l.connector,
    hour: new Date(l.hour),
    stage,
    slot: '',
    source_system: l.sourceSystem,
    department: l.department,
    records: STAGE_VALUE[stage](l),
    detail: stage === 'dead_lettered' && Object.keys(l.deadReasons).length ? JSON.stringify(l.deadReasons) : null,
  }));
}

export class ConnectorLedgerReader {
  private consumer: Consumer | undefined;
  private readonly positioned = new Set<number>();
  readonly groupId: string;

  constructor(private readonly deps: { kafka: Kafka; db: Db; topics: Topics; hubGroupId: string; log: Logger; sessionTimeoutMs?: number }) {
    this.groupId = `${deps.hubGroupId}.reconciliation`;
  }

  async start(): Promise<void> {
    this.consumer = this.deps.kafka.consumer({ groupId: this.groupId, readUncommitted: false, allowAutoTopicCreation: false, sessionTimeout: this.deps.sessionTimeoutMs ?? 30_000 });
    this.consumer.on('groupJoin', () => this.positioned.clear());
    this.consumer.on('crash', (e) => this.deps.log.error({ groupId: this.groupId, err: e.error.message, restartedByKafkajs: e.restart }, 'reconciliation ledger reader crashed'));
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.deps.topics.reconciliation, fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (p) => this.applyBatch(p) });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  private async storedNext(topic: string, partition: number): Promise<bigint | null> {
    const row = (await this.deps.db('consumed_offsets').where({ group_id: this.groupId, topic, partition }).first('next_offset')) as { next_offset: string } | undefined;
    return row ? BigInt(row.next_offset) : null;
  }

  private async applyBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const { topic, partition } = batch;
    const first = BigInt(batch.messages[0]!.offset);
    const stored = await this.storedNext(topic, partition);
    if (!this.positioned.has(partition)) {
      this.positioned.add(partition);
      // Kafka's group position may be ahead of this schema's (a new or rebuilt schema): go back to
      // the database's (offset 0 when it has none: below a compacted log's start kafkajs reads from the earliest)
      const from = stored ?? 0n;
      if (from < first) {
        this.deps.log.info({ topic, partition, from: String(first), to: String(from) }, 'reconciliation ledger: reading from the position stored in the database');
        this.consumer!.seek({ topic, partition, offset: String(from) });
        return;
      }
    }
    const todo = batch.messages.filter((m) => stored === null || BigInt(m.offset) >= stored);
    // the latest message per key in the batch is enough: each is cumulative
    const latest = new Map<string, ConnectorHourLedger>();
    for (const m of todo) if (m.key && m.value && !isDigestKey(m.key.toString())) latest.set(m.key.toString(), JSON.parse(m.value.toString()) as ConnectorHourLedger);
    const rows = [...latest.values()].flatMap(ledgerRows);
    const last = batch.messages[batch.messages.length - 1]!.offset;
    await this.deps.db.transaction(async (tx) => {
      for (let i = 0; i < rows.length; i += 1000) {
        await tx('reconciliation_counts')
          .insert(rows.slice(i, i + 1000))
          .onConflict(['connector', 'hour', 'stage', 'slot'])
          .merge({
            records: tx.raw('greatest(reconciliation_counts.records, excluded.records)'),
            detail: tx.raw('case when excluded.records >= reconciliation_counts.records then excluded.detail else reconciliation_counts.detail end'),
            updated_at: tx.fn.now(),
          });
      }
      await tx('consumed_offsets')
        .insert({ group_id: this.groupId, topic, partition, next_offset: BigInt(last) + 1n, updated_at: new Date() })
        .onConflict(['group_id', 'topic', 'partition'])
        .merge({ next_offset: tx.raw('greatest(consumed_offsets.next_offset, excluded.next_offset)'), updated_at: tx.raw('excluded.updated_at') });
    });
    resolveOffset(last);
    await this.consumer!.commitOffsets([{ topic, partition, offset: (BigInt(last) + 1n).toString() }]);
    await heartbeat();
  }
}
