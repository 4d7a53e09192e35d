/**
 * Sends the center's decisions from dispatch_outbox to the Dispatch topic (Avro, registry), keyed by
 * matter so a matter's decisions stay in order. Rows are claimed with FOR UPDATE SKIP LOCKED, so
 * several hub instances never send the same row at the same time; a crash between Kafka's
 * acknowledgement and the commit sends a row again, which sinks recognise by its idempotency key.
 */
import type { Kafka, Producer } from '../../core/kafka/client.js';
import type { Logger } from 'pino';
import type { Topics } from '../../schemas/index.js';
import type { SchemaCodec } from '../../schemas/registry.js';
import type { Db } from '../store/db.js';

export interface PublisherDeps {
  db: Db;
  kafka: Kafka;
  codec: SchemaCodec;
  topics: Topics;
  log: Logger;
  pollMs?: number;
}

export class OutboxPublisher {
  private producer: Producer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | null = null;
  published = 0;

  constructor(private readonly deps: PublisherDeps) {}

  async start(): Promise<void> {
    this.producer = this.deps.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();
    const tick = () => {
      this.running ??= this.publishPending()
        .catch((err: Error) => {
          this.deps.log.warn({ err: err.message }, 'publishing decisions failed; retrying');
          return 0;
        })
        .finally(() => {
          this.running = null;
        });
    };
    this.timer = setInterval(tick, this.deps.pollMs ?? 500);
    tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.producer?.disconnect();
  }

  /** Sends every unpublished decision, oldest first, in batches; returns how many were sent. */
  async publishPending(batch = 200): Promise<number> {
    let sent = 0;
    for (;;) {
      const n = await this.deps.db.transaction(async (tx) => {
        const rows = (await tx('dispatch_outbox').whereNull('published_at').orderBy('id').limit(batch).forUpdate().skipLocked()) as Array<{ id: string; matter_id: string; record: unknown; idempotency_key: string }>;
        if (rows.length === 0) return 0;
        const messages = [];
        for (const r of rows) messages.push({ key: String(r.matter_id), value: await this.deps.codec.encode('dispatch', r.record), headers: { 'idempotency-key': r.idempotency_key } });
        await this.producer!.send({ topic: this.deps.topics.records('dispatch'), acks: -1, messages });
        await tx('dispatch_outbox').whereIn('id', rows.map((r) => r.id)).update({ published_at: new Date() });
        return rows.length;
      });
      sent += n;
      this.published += n;
      if (n < batch) return sent;
    }
  }
}
