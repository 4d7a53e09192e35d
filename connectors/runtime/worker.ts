/**
 * Runs one connector: read a page from the source, map and encode each record, then produce the
 * records, the dead letters and the new cursor in ONE Kafka transaction. The cursor therefore
 * moves exactly when the page's records become visible to read_committed consumers: a worker
 * killed at any moment resumes at the last committed page — nothing lost, nothing twice.
 *
 * Upstream failures are retried (bounded, with jitter); when retries run out the connector reports
 * itself degraded and tries again later from the same cursor. It never skips data.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import { topics as topicNames, type Topics } from '../../schemas/index.js';
import type { SchemaCodec } from '../../schemas/registry.js';
import { CountyHubError, isRetriable } from '../sdk/errors.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../sdk/retry.js';
import type { ConnectorManifest, Mapping, MappingContext, Source, SourcePage } from '../sdk/types.js';
import { cursorMessage, loadCursor, type StoredCursor } from './cursor-store.js';
import { deadLetterFrom, deadLetterMessage } from './dead-letters.js';
import { ensureTopics } from './kafka.js';
import type { Logger } from './log.js';
import { ConnectorStatus } from './status.js';
import type { Catalogue } from '../../hub/routing/catalogue.js';
import { categoryMapper } from '../sdk/categories.js';

export interface WorkerDeps {
  kafka: Kafka;
  codec: SchemaCodec;
  topics?: Topics;
  personalDataKey: string;
  /** County catalogue, for mapping department category codes at the edge. */
  catalogue?: Catalogue;
  log: Logger;
  retry?: RetryPolicy;
  /** Wait after retries ran out before trying the same page again. */
  degradedBackoffMs?: number;
  now?: () => number;
}

export class FencedError extends CountyHubError {
  constructor(connector: string, cause: unknown) {
    super('CH_FENCED', `connector ${connector} was started by another worker; this one stops (only one may run it)`, { cause });
  }
}

function isFenced(err: unknown): boolean {
  const type = (err as { type?: string })?.type;
  return type === 'PRODUCER_FENCED' || type === 'INVALID_PRODUCER_EPOCH' || type === 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED';
}

export class ConnectorWorker<C = unknown> {
  readonly status: ConnectorStatus;
  private readonly topics: Topics;
  private producer: Producer | undefined;
  private stored: StoredCursor<C> | undefined;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly now: () => number;
  private opened = false;
  private readAhead: Promise<SourcePage<C>> | undefined;
  private readonly mapCategory: (code: string | null) => string | null;

  constructor(
    readonly manifest: ConnectorManifest,
    private readonly source: Source<C>,
    private readonly mapping: Mapping,
    private readonly deps: WorkerDeps,
  ) {
    this.topics = deps.topics ?? topicNames();
    this.now = deps.now ?? Date.now;
    this.status = new ConnectorStatus(manifest);
    this.mapCategory = categoryMapper(deps.catalogue, manifest.department);
  }

  /** Source time of a cursor (epoch ms), when the source can tell. */
  position(cursor: unknown): number | undefined {
    return this.source.position?.(cursor as C);
  }

  get cursor(): C | undefined {
    return this.stored?.cursor;
  }

  /**
   * Connects and fences any older worker of this connector (initTransactions aborts its open
   * transaction), then loads the cursor — in that order, so the cursor read is final.
   */
  async connect(): Promise<void> {
    // a broker that has just created the topics may still answer UNKNOWN_TOPIC_OR_PARTITION for a moment
    await withRetry(() => this.connectOnce(), this.deps.retry ?? DEFAULT_RETRY, { signal: this.abort.signal, onRetry: (e) => this.status.retried(e) });
  }

  private async connectOnce(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    const admin = this.deps.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, this.topics);
    } finally {
      await admin.disconnect();
    }
    await Promise.all(this.manifest.emits.map((k) => this.deps.codec.ensureRegistered(k)));
    this.producer = this.deps.kafka.producer({
      transactionalId: `countyhub-connector-${this.manifest.id}`,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
      allowAutoTopicCreation: false,
    });
    await this.producer.connect();
    this.stored = await loadCursor<C>(this.deps.kafka, this.topics.cursors, this.manifest.id);
    this.status.restore(this.stored);
    if (this.stored && !this.opened) await this.source.committed?.(this.stored.cursor); // finish acknowledgements a crash interrupted
    if (!this.opened) await this.source.open?.();
    this.opened = true;
    this.deps.log.info({ connector: this.manifest.id, cursor: this.stored?.cursor ?? null }, 'connector connected');
  }

  /** Runs until stop(); resolves when the loop has ended cleanly. */
  start(): void {
    this.loop = this.run().catch((err) => {
      this.status.failed(err);
      this.deps.log.error({ connector: this.manifest.id, err }, 'connector stopped with an error');
    });
  }

  /**
   * Reads pages until the source says nothing more is ready now, or `until(cursor)` says stop.
   * For back-fills and tests; `onPage` sees each committed page (progress reporting).
   */
  async drain(opts: { onPage?: (p: { records: number; cursor: C }) => void; until?: (cursor: C) => boolean } = {}): Promise<void> {
    for (;;) {
      if (this.abort.signal.aborted) return;
      const r = await this.step();
      if (r.page) opts.onPage?.({ records: r.page.records.length, cursor: r.page.cursor });
      if (!r.more || (r.page && opts.until?.(r.page.cursor))) return;
    }
  }

  /**
   * One page: fetch (with retries), then commit. Sources that read ahead safely (pure functions of
   * the cursor) have their next page fetched while this one's transaction commits; if the commit
   * fails, the read-ahead page is dropped and reading resumes from the committed cursor.
   */
  private async step(): Promise<{ more: boolean; page?: SourcePage<C> }> {
    const page = await (this.readAhead ?? this.fetchPage(this.stored?.cursor));
    this.readAhead = undefined;
    if (page.hasMore && this.source.readAhead) {
      this.readAhead = this.fetchPage(page.cursor);
      this.readAhead.catch(() => undefined); // surfaces on the next step
    }
    try {
      await this.commitPage(page);
    } catch (err) {
      await this.readAhead?.catch(() => undefined);
      this.readAhead = undefined;
      if (err instanceof FencedError) throw err;
      await this.recover(err);
      return { more: true };
    }
    return { more: page.hasMore, page };
  }

  /**
   * After a failed transaction we cannot know for sure whether the broker committed it (a lost
   * response looks like a failure). So start over from what Kafka says: a new producer session
   * (which aborts anything pending) and the cursor as committed. The page is then read again.
   */
  private async recover(err: unknown): Promise<void> {
    this.status.retried(err);
    // a commit that fails the same way every time (record too large, authorisation) needs a person
    if (!isRetriable(err)) this.status.refused(err);
    this.deps.log.warn({ connector: this.manifest.id, err: (err as Error).message }, 'transaction failed; reconnecting and resuming from the committed cursor');
    await withRetry(
      () => this.connectOnce(),
      this.deps.retry ?? DEFAULT_RETRY,
      { signal: this.abort.signal, onRetry: (e) => this.status.retried(e) },
    );
  }

  /** Stops after the in-flight page: its transaction commits or aborts, never half. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    await this.readAhead?.catch(() => undefined);
    await this.producer?.disconnect();
    await this.source.close?.();
    this.status.stopped();
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    this.status.running();
    while (!signal.aborted) {
      let more: boolean;
      try {
        more = (await this.step()).more;
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof FencedError) throw err;
        if (isRetriable(err)) {
          this.status.degraded(err);
          this.deps.log.warn({ connector: this.manifest.id, err: (err as Error).message }, 'source unavailable after retries; will try the same page again');
        } else {
          this.status.refused(err);
          this.deps.log.error({ connector: this.manifest.id, err: (err as Error).message }, 'source refused the connector; check its credentials and settings (trying the same page again later)');
        }
        await sleep(this.deps.degradedBackoffMs ?? 30_000, undefined, { signal }).catch(() => undefined);
        continue;
      }
      if (!more) await sleep(this.manifest.pollIntervalMs, undefined, { signal }).catch(() => undefined);
    }
  }

  private async fetchPage(cursor: C | undefined): Promise<SourcePage<C>> {
    const t0 = performance.now();
    try {
      return await this.fetchPageWithRetry(cursor);
    } finally {
      this.status.timings.fetchMs += performance.now() - t0;
    }
  }

  private fetchPageWithRetry(cursor: C | undefined): Promise<SourcePage<C>> {
    return withRetry(() => this.source.nextPage(cursor, this.abort.signal), this.deps.retry ?? DEFAULT_RETRY, {
      signal: this.abort.signal,
      onRetry: (err, attempt) => {
        this.status.retried(err);
        this.deps.log.info({ connector: this.manifest.id, attempt, err: err.message }, 'source request failed; retrying');
      },
    });
  }

  /** Maps, encodes and produces one page with its cursor in one transaction. */
  private async commitPage(page: SourcePage<C>): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new Error('connect() first');
    if (page.records.length === 0 && JSON.stringify(page.cursor) === JSON.stringify(this.stored?.cursor)) {
      this.status.committed(0, 0, 0, this.now()); // the source answered: healthy, nothing new, no empty transaction
      return;
    }
    const ingestTime = this.now();
    const ctx: MappingContext = {
      connectorId: this.manifest.id,
      sourceSystem: this.manifest.sourceSystem,
      department: this.manifest.department,
      ingestTime,
      personalDataKey: this.deps.personalDataKey,
      mapCategory: this.mapCategory,
    };
    const byTopic = new Map<string, Message[]>();
    const dead: Message[] = [];
    let produced = 0;
    for (const rec of page.records) {
      try {
        if (rec.rejected) throw rec.rejected; // the source already knows it cannot be delivered
        const t0 = performance.now();
        const emitted = this.mapping(rec.payload, ctx);
        const t1 = performance.now();
        // encode all of a record's outputs before adding any: a record is delivered whole or dead-lettered whole
        const encoded = await Promise.all(emitted.map(async (e) => ({ topic: this.topics.records(e.kind), key: e.key, value: await this.deps.codec.encode(e.kind, e.value) })));
        this.status.timings.mapMs += t1 - t0;
        this.status.timings.encodeMs += performance.now() - t1;
        for (const e of encoded) {
          const list = byTopic.get(e.topic) ?? [];
          list.push({ key: e.key, value: e.value });
          byTopic.set(e.topic, list);
        }
        produced += encoded.length;
      } catch (err) {
        const letter = deadLetterFrom(err, { ...ctx, connector: ctx.connectorId, sourceRecordId: rec.id, payload: rec.raw, mappingInput: rec.payload, at: ingestTime });
        dead.push(deadLetterMessage(letter));
        this.deps.log.warn({ connector: this.manifest.id, record: rec.id, code: letter.code, field: letter.field, reason: letter.reason }, 'record dead-lettered');
      }
    }
    const next: StoredCursor<C> = {
      connector: this.manifest.id,
      cursor: page.cursor,
      committedAt: new Date(ingestTime).toISOString(),
      produced: (this.stored?.produced ?? 0) + produced,
      deadLettered: (this.stored?.deadLettered ?? 0) + dead.length,
    };
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    if (dead.length) topicMessages.push({ topic: this.topics.deadLetters, messages: dead });
    topicMessages.push({ topic: this.topics.cursors, messages: [cursorMessage(next as StoredCursor)] });

    const tProduce = performance.now();
    const tx = await producer.transaction();
    try {
      // one transaction, several requests: kafkajs sends a partition's messages as one record batch,
      // which the broker refuses above message.max.bytes (1 MB by default)
      for (const chunk of chunkBySize(topicMessages, MAX_REQUEST_BYTES)) await tx.sendBatch({ topicMessages: chunk });
      await tx.commit();
    } catch (err) {
      await tx.abort().catch(() => undefined);
      if (isFenced(err)) throw new FencedError(this.manifest.id, err);
      throw err;
    }
    this.status.timings.produceMs += performance.now() - tProduce;
    this.stored = next;
    await this.source.committed?.(page.cursor);
    this.status.committed(produced, dead.length, page.records.length, this.now());
    for (const w of page.warnings ?? []) {
      this.status.warned(w, this.now());
      this.deps.log.warn({ connector: this.manifest.id, warning: w }, 'connector warning');
    }
  }
}

/** Bytes of messages per produce request, under the broker's default message.max.bytes of 1 MiB. */
const MAX_REQUEST_BYTES = 768 * 1024;

function messageBytes(m: Message): number {
  const v = m.value;
  const k = m.key;
  return 64 + (typeof v === 'string' ? Buffer.byteLength(v) : (v?.length ?? 0)) + (typeof k === 'string' ? Buffer.byteLength(k) : (k?.length ?? 0));
}

/** Splits topic messages into requests of at most `limit` bytes, keeping each topic's order. */
export function chunkBySize(all: TopicMessages[], limit: number): TopicMessages[][] {
  const chunks: TopicMessages[][] = [];
  let current: TopicMessages[] = [];
  let size = 0;
  for (const { topic, messages } of all) {
    let run: Message[] = [];
    for (const m of messages) {
      const b = messageBytes(m);
      if (size + b > limit && size > 0) {
        if (run.length) current.push({ topic, messages: run });
        chunks.push(current);
        current = [];
        run = [];
        size = 0;
      }
      run.push(m);
      size += b;
    }
    if (run.length) current.push({ topic, messages: run });
  }
  if (current.length) chunks.push(current);
  return chunks;
}
