/**
 * Runs one connector: read a page from the source, map and encode each record, then produce the
 * records, the dead letters and the new cursor in ONE Kafka transaction (for a pull source, a
 * group of pages and the cursor of the last one: see TransactionGrouping). The cursor therefore
 * moves exactly when the records before it become visible to read_committed consumers: a worker
 * killed at any moment resumes at the last committed cursor — nothing lost, nothing twice.
 *
 * Upstream failures are retried (bounded, with jitter); when retries run out the connector reports
 * itself degraded and tries again later from the same cursor. It never skips data.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka, Message, Producer, TopicMessages, Transaction } from '../../core/kafka/client.js';
import { topics as topicNames, type Topics } from '../../schemas/index.js';
import type { SchemaCodec } from '../../schemas/registry.js';
import { CountyHubError, isRetriable } from '../../core/errors.js';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../sdk/retry.js';
import type { ConnectorManifest, Emitted, Mapping, MappingContext, Source, SourcePage, SourceRecord } from '../sdk/types.js';
import { cursorMessage, loadCursor, type StoredCursor } from './cursor-store.js';
import { DEAD_LETTER_MAX_BYTES, deadLetterFrom, deadLetterMessage } from './dead-letters.js';
import { ensureTopics } from '../../core/kafka.js';
import type { Logger } from '../../core/log.js';
import { ConnectorStatus } from './status.js';
import type { Catalogue } from '../../core/catalogue.js';
import { categoryMapper } from '../sdk/categories.js';
import { hourStartMs, recordHourMs } from '../../core/reconciliation.js';
import { ReconciliationLedger, type RecordTally } from './reconciliation-ledger.js';
import { CountyPlaces } from '../../core/places.js';
import { countyProfile } from '../../core/county-profile.js';
import { placeReportKey } from '../sdk/mapping-helpers.js';

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
  /** Largest Kafka message this worker produces (the broker's message.max.bytes, default 1 MiB, less headroom). */
  maxMessageBytes?: number;
  now?: () => number;
  /** The county's towns and their areas, to key reports whose platform gave no division code (the county profile's by default). */
  places?: CountyPlaces;
  /** How many pages of a pull source share one transaction (DEFAULT_GROUPING). */
  grouping?: Partial<TransactionGrouping>;
}

/**
 * Pages of a pull source committed in one transaction: until the group holds this many source
 * records (the page that reaches it is the last), or this long after its first page arrived, or
 * the source has nothing more ready now — whichever comes first.
 * A transaction's fixed costs (begin, markers on every partition, the ledger and cursor messages,
 * the commit round trip) are then paid once per group; the time bound keeps a live connector's
 * records as fresh as before (a page is never held back waiting for the next one).
 */
export interface TransactionGrouping {
  maxRecords: number;
  maxMs: number;
}

export const DEFAULT_GROUPING: TransactionGrouping = { maxRecords: 10_000, maxMs: 1_000 };

/** A page mapped and encoded, waiting for its group's commit. */
interface BuiltPage<C> {
  page: SourcePage<C>;
  messages: TopicMessages[];
  tally: RecordTally[];
  produced: number;
  dead: number;
  ingestTime: number;
}

/** Records mapped between two turns of the event loop, so produce answers and the read-ahead are handled while a page is mapped. */
const YIELD_EVERY_RECORDS = 200;
const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

/** Under the broker's default message.max.bytes (1 MiB) with room for the batch and record overhead. */
export const DEFAULT_MAX_MESSAGE_BYTES = 900 * 1024;
/** The smallest limit the worker narrows to after the broker refused a message as too large. */
const MIN_MESSAGE_BYTES = 16 * 1024;

/** The broker refused a message or batch for its size: the same page would fail the same way. */
function isTooLarge(err: unknown): boolean {
  for (let e = err as { type?: string; message?: string; cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    if (e.type === 'MESSAGE_TOO_LARGE' || e.type === 'RECORD_LIST_TOO_LARGE') return true;
    if (/too large|MESSAGE_TOO_LARGE/i.test(e.message ?? '')) return true;
  }
  return false;
}

let profiles: CountyPlaces | undefined;
/** The served county profile's places (read once per process: every connector of a worker shares them). */
function profilePlaces(): CountyPlaces {
  profiles ??= CountyPlaces.of(countyProfile());
  return profiles;
}

/** A cursor reset asked of a connector that is reading: pause it first (not retriable: a person acts). */
export class ConnectorNotPausedError extends CountyHubError {
  constructor(id: string) {
    super('CH_STATE', `连接器 ${id} 正在运行：请先暂停再重置游标 (pause the connector before resetting its cursor)`);
  }
}

/** A server the worker needs (Kafka, the schema registry) cannot be reached: named for the operator, and worth retrying. */
export class DependencyUnavailableError extends CountyHubError {
  constructor(what: string, cause: unknown) {
    super('CH_STACK', `${what}: ${(cause as Error)?.message ?? String(cause)} — retrying with back-off`, { retriable: true, cause });
  }
}

/** Failures of Kafka or the registry that pass when the server is back (kafkajs wraps them after its own retries). */
function isTransient(err: unknown): boolean {
  if (isRetriable(err) || isNetworkFailure(err)) return true;
  const name = (err as { name?: string })?.name ?? '';
  if (/^KafkaJS(NumberOfRetriesExceeded|ConnectionError|ConnectionClosedError|RequestTimeoutError|BrokerNotFound|LockTimeout|MetadataNotLoaded|TopicMetadataNotLoaded|StaleTopicMetadataAssignment)$/.test(name)) return true;
  const cause = (err as { cause?: unknown })?.cause;
  return cause !== undefined && cause !== err && (isRetriable(cause) || isNetworkFailure(cause));
}

function isNetworkFailure(err: unknown): boolean {
  const e = err as { message?: string; cause?: { code?: string; message?: string }; status?: number };
  if (err instanceof TypeError && /fetch failed/i.test(e.message ?? '')) return true;
  if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|fetch failed|socket hang up/i.test(`${e.message ?? ''} ${e.cause?.code ?? ''} ${e.cause?.message ?? ''}`)) return true;
  return typeof e.status === 'number' && e.status >= 500;
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
  private readonly pageStarts = new WeakMap<object, number>();
  /** Set while an operator has paused the connector: the loop waits on it. */
  private pauseGate: { wait: Promise<void>; open: () => void } | null = null;
  /** The page under way in the loop (fetch and commit), which a pause lets finish. */
  private inFlight: Promise<unknown> | null = null;
  private readonly mapCategory: (code: string | null) => string | null;
  /** Narrowed after the broker refuses a message as too large, so the offending record is isolated. */
  private messageLimit: number;
  /** Per-hour counts, committed with the pages they count (docs/decisions/003-reconciliation-per-hour.md). */
  readonly ledger: ReconciliationLedger;
  private readonly places: CountyPlaces;
  private readonly grouping: TransactionGrouping;

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
    this.messageLimit = deps.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.ledger = new ReconciliationLedger(manifest);
    this.places = deps.places ?? profilePlaces();
    this.grouping = { ...DEFAULT_GROUPING, ...deps.grouping };
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
    await this.connectUntilReady();
  }

  /**
   * Connects, however long Kafka or the registry stay away: a worker started while either is down
   * waits (status degraded, naming the server) and runs once it is back. Only a refusal that no
   * retry can fix (an incompatible schema, a bad setting) ends it.
   */
  private async connectUntilReady(): Promise<void> {
    let backoff = 1000;
    for (;;) {
      try {
        // a broker that has just created the topics may still answer UNKNOWN_TOPIC_OR_PARTITION for a moment
        await withRetry(() => this.connectOnce(), this.deps.retry ?? DEFAULT_RETRY, {
          signal: this.abort.signal,
          onRetry: (e) => {
            this.status.retried(e);
            this.status.degraded(e);
          },
        });
        return;
      } catch (err) {
        if (this.abort.signal.aborted || !isTransient(err)) throw err;
        this.status.degraded(err instanceof DependencyUnavailableError ? err : new DependencyUnavailableError('Kafka不可达 (Kafka broker unreachable)', err));
        this.deps.log.warn({ connector: this.manifest.id, err: (err as Error).message, retryInMs: backoff }, 'cannot connect yet; retrying');
        await sleep(backoff, undefined, { signal: this.abort.signal }).catch(() => undefined);
        backoff = Math.min(backoff * 2, this.deps.degradedBackoffMs ?? 30_000);
      }
    }
  }

  private async connectOnce(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    const admin = this.deps.kafka.admin();
    try {
      await admin.connect();
      try {
        await ensureTopics(admin, this.topics);
      } finally {
        await admin.disconnect();
      }
    } catch (err) {
      if (isTransient(err)) throw new DependencyUnavailableError('Kafka不可达 (Kafka broker unreachable)', err);
      throw err;
    }
    try {
      await Promise.all(this.manifest.emits.map((k) => this.deps.codec.ensureRegistered(k)));
    } catch (err) {
      if (isNetworkFailure(err) || isNetworkFailure((err as { cause?: unknown }).cause)) throw new DependencyUnavailableError('模式注册中心不可达 (schema registry unreachable)', err);
      throw err;
    }
    this.producer = this.deps.kafka.producer({
      // one id per connector *of this county*: a restarted worker fences its zombie, while counties
      // (or test runs) sharing a cluster under other prefixes never fence each other's connectors
      transactionalId: `${this.topics.prefix}.connector.${this.manifest.id}`,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
      allowAutoTopicCreation: false,
    });
    await this.producer.connect();
    // Resolve what an earlier session of this transactional id left behind (a commit whose answer was
    // lost, a transaction never ended) before the cursor is read: kafkajs fences only at the first
    // transaction, so the cursor could otherwise be read while that commit was still completing,
    // and the page it covered read and delivered a second time.
    await (await this.producer.transaction()).abort();
    // both after the fence, so neither can change behind us; read side by side (each joins a group of its own)
    [this.stored] = await Promise.all([loadCursor<C>(this.deps.kafka, this.topics.cursors, this.manifest.id), this.ledger.load(this.deps.kafka, this.topics.reconciliation)]);
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
      const r = await this.step(opts.until);
      for (const page of r.pages ?? []) opts.onPage?.({ records: page.records.length, cursor: page.cursor });
      const last = r.pages?.at(-1);
      if (!r.more || (last && opts.until?.(last.cursor))) return;
    }
  }

  /**
   * One transaction: fetch a page (with retries), map and encode it, send its records, and — for
   * pull sources (pure functions of the cursor) — go on with the next pages into the same
   * transaction until the group is full (TransactionGrouping); then the ledger and the cursor of
   * the group's last page go in, and it commits. Each page's sends are chained behind the previous
   * one's and overlap the mapping of the next page; the next page is fetched while this one is
   * mapped (read-ahead). If anything fails, the transaction aborts — none of the group's records
   * and not its cursor are visible — and reading resumes from the committed cursor.
   */
  private async step(until?: (cursor: C) => boolean): Promise<{ more: boolean; pages?: SourcePage<C>[] }> {
    const producer = this.producer;
    if (!producer) throw new Error('connect() first');
    const grouped = this.source.readAhead === true;
    const built: BuiltPage<C>[] = [];
    let cursor = this.stored?.cursor;
    let records = 0;
    let tx: Transaction | undefined;
    /** When the group's first page arrived: the group's time bound counts from here. */
    let groupStart = 0;
    let txStart = 0;
    let chain: Promise<void> = Promise.resolve();
    let sendFailed = false;
    let fetchError: unknown;
    let last: SourcePage<C> | undefined;
    const begin = async () => {
      if (tx) return tx;
      txStart = performance.now();
      this.status.producing(this.now());
      tx = await producer.transaction();
      return tx;
    };
    const send = (messages: TopicMessages[]) => {
      const chunks = chunkBySize(messages, MAX_REQUEST_BYTES);
      chain = chain.then(async () => {
        const t = await begin();
        // one transaction, several requests: a client sends a partition's messages as one record
        // batch, which the broker refuses above message.max.bytes (1 MB by default)
        for (const topicMessages of chunks) {
          const t0 = performance.now();
          try {
            await t.sendBatch({ topicMessages });
          } finally {
            this.status.timings.produceMs += performance.now() - t0;
          }
        }
      });
      chain.catch(() => (sendFailed = true));
    };
    try {
      for (;;) {
        let page: SourcePage<C>;
        const tWait = performance.now();
        try {
          const next = this.readAhead ?? this.fetchPage(cursor);
          if (built.length > 0) {
            // A group waits for its next page only while its time lasts: a slow platform must not
            // hold a transaction open (the broker aborts it after transactionTimeout, and the
            // status would show Kafka stalled). The page fetched meanwhile starts the next group.
            this.readAhead = next;
            const ready = await Promise.race([next.then(() => true, () => true), sleep(Math.max(0, this.grouping.maxMs - (performance.now() - groupStart))).then(() => false)]);
            if (!ready) break; // (a failed fetch counts as ready: it surfaces just below)
          }
          page = await next;
        } catch (err) {
          this.readAhead = undefined;
          // nothing under way: the loop waits and tries the same page again, as always
          if (built.length === 0) throw err;
          // pages already mapped are committed first; the failure surfaces after
          fetchError = err;
          break;
        } finally {
          this.status.blocked.fetchMs += performance.now() - tWait;
        }
        this.readAhead = undefined;
        const unchanged = page.records.length === 0 && JSON.stringify(page.cursor) === JSON.stringify(cursor);
        if (unchanged) {
          // the source answered: healthy, nothing new, no empty transaction
          if (built.length === 0) {
            this.status.committed(0, 0, 0, this.now(), this.pageSeconds(page));
            return { more: page.hasMore, pages: [page] };
          }
          break;
        }
        last = page;
        if (built.length === 0) groupStart = performance.now();
        const full = !grouped || records + page.records.length >= this.grouping.maxRecords || performance.now() - groupStart >= this.grouping.maxMs || until?.(page.cursor) === true;
        if (page.hasMore && this.source.readAhead) {
          this.readAhead = this.fetchPage(page.cursor);
          this.readAhead.catch(() => undefined); // surfaces on the next step
        }
        const b = await this.buildPage(page);
        built.push(b);
        records += page.records.length;
        cursor = page.cursor;
        if (b.messages.length) send(b.messages);
        if (full || !page.hasMore || sendFailed) break;
      }
      const lastPage = last!;
      const produced = built.reduce((n, b) => n + b.produced, 0);
      const dead = built.reduce((n, b) => n + b.dead, 0);
      const ingestTime = built.at(-1)!.ingestTime;
      const next: StoredCursor<C> = {
        connector: this.manifest.id,
        cursor: lastPage.cursor,
        committedAt: new Date(ingestTime).toISOString(),
        produced: (this.stored?.produced ?? 0) + produced,
        deadLettered: (this.stored?.deadLettered ?? 0) + dead,
      };
      // the group's counts travel with its records and its cursor: committed together, or aborted together
      const counted = this.ledger.stage(built.flatMap((b) => b.tally));
      const tail: TopicMessages[] = [];
      if (counted.messages.length) tail.push({ topic: this.topics.reconciliation, messages: counted.messages });
      tail.push({ topic: this.topics.cursors, messages: [cursorMessage(next as StoredCursor)] });
      send(tail);
      const tWait = performance.now();
      try {
        await chain;
        const t0 = performance.now();
        await tx!.commit();
        this.status.timings.produceMs += performance.now() - t0;
      } finally {
        this.status.blocked.produceMs += performance.now() - tWait;
      }
      this.status.produceEnded();
      this.status.onTransaction?.(performance.now() - txStart, built.length, records);
      this.stored = next;
      counted.commit();
      await this.source.committed?.(lastPage.cursor);
      for (const b of built) {
        this.status.committed(b.produced, b.dead, b.page.records.length, this.now(), this.pageSeconds(b.page));
        for (const w of b.page.warnings ?? []) {
          this.status.warned(w, this.now());
          this.deps.log.warn({ connector: this.manifest.id, warning: w }, 'connector warning');
        }
      }
    } catch (err) {
      await chain.catch(() => undefined);
      const t = tx as Transaction | undefined;
      if (t) await t.abort().catch(() => undefined);
      this.status.produceEnded();
      if (built.length === 0 && !t) throw err; // the first fetch failed: the loop's back-off handles it
      await this.readAhead?.catch(() => undefined);
      this.readAhead = undefined;
      if (isFenced(err)) throw new FencedError(this.manifest.id, err);
      if (err instanceof FencedError) throw err;
      await this.recover(err);
      return { more: true };
    }
    if (fetchError) throw fetchError;
    return { more: last!.hasMore, pages: built.map((b) => b.page) };
  }

  /**
   * After a failed transaction we cannot know for sure whether the broker committed it (a lost
   * response looks like a failure). So start over from what Kafka says: a new producer session
   * (which aborts anything pending) and the cursor as committed. The page is then read again.
   */
  private async recover(err: unknown): Promise<void> {
    this.status.retried(err);
    if (isTooLarge(err)) {
      // The broker's limit is below ours: narrow ours and commit the page again; the record over it
      // is then dead-lettered (truncated) instead of failing the page for ever.
      this.messageLimit = Math.max(MIN_MESSAGE_BYTES, Math.floor(this.messageLimit / 2));
      this.status.degraded(new Error(`Kafka拒收过大的消息 (the broker refused a message as too large); isolating it under a ${this.messageLimit}-byte limit: ${(err as Error).message}`));
    } else if (isTransient(err)) {
      this.status.degraded(new DependencyUnavailableError('Kafka写入失败 (cannot produce to Kafka)', err));
    } else {
      // a commit that fails the same way every time (authorisation) needs a person
      this.status.refused(err);
    }
    this.deps.log.warn({ connector: this.manifest.id, err: (err as Error).message }, 'transaction failed; reconnecting and resuming from the committed cursor');
    await this.connectUntilReady();
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

  /** Stops reading after the page under way; resolves once that page has committed or aborted. */
  async pause(): Promise<void> {
    if (!this.pauseGate) {
      let open!: () => void;
      const wait = new Promise<void>((r) => (open = r));
      this.pauseGate = { wait, open };
    }
    await this.inFlight?.catch(() => undefined);
    await this.readAhead?.catch(() => undefined);
    this.readAhead = undefined; // read again from the cursor after the pause (a reset may move it)
    // after the page under way has ended: a page that failed would otherwise turn it "degraded"
    this.status.paused();
    this.deps.log.info({ connector: this.manifest.id }, 'connector paused');
  }

  resume(): void {
    const gate = this.pauseGate;
    this.pauseGate = null;
    this.status.resumed();
    gate?.open();
    this.deps.log.info({ connector: this.manifest.id }, 'connector resumed');
  }

  /**
   * Moves the cursor back to the source's first position (the manifest's initial cursor): after
   * resume the source is read again from there. Kafka gets every version again; the hub keeps one
   * copy of each (version), so this costs time, not correctness. Only while paused, so no page is
   * between fetch and commit; the new cursor is committed like any other, in a transaction.
   */
  async resetCursor(): Promise<StoredCursor<C>> {
    if (!this.pauseGate) throw new ConnectorNotPausedError(this.manifest.id);
    await this.inFlight?.catch(() => undefined);
    if (!this.producer) throw new DependencyUnavailableError('Kafka不可达 (the connector has no Kafka producer yet)', new Error('still starting'));
    const next = { connector: this.manifest.id, committedAt: new Date(this.now()).toISOString(), produced: this.stored?.produced ?? 0, deadLettered: this.stored?.deadLettered ?? 0 } as StoredCursor<C>;
    for (let attempt = 1; ; attempt++) {
      const tx = await this.producer!.transaction();
      try {
        await tx.send({ topic: this.topics.cursors, messages: [cursorMessage(next as StoredCursor)] });
        await tx.commit();
        break;
      } catch (err) {
        await tx.abort().catch(() => undefined);
        if (err instanceof FencedError || isFenced(err) || attempt >= 3) throw err;
        // as after a failed page: a new producer session, then the same small transaction again
        this.deps.log.warn({ connector: this.manifest.id, attempt, err: (err as Error).message }, 'cursor reset transaction failed; reconnecting and trying again');
        await this.connectUntilReady();
      }
    }
    this.stored = next;
    this.deps.log.warn({ connector: this.manifest.id }, 'cursor reset to the beginning: the source is read again after resume');
    return next;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    this.status.running();
    while (!signal.aborted) {
      if (this.pauseGate) {
        this.status.paused();
        const stopped = new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
        await Promise.race([this.pauseGate.wait, stopped]);
        continue;
      }
      let more: boolean;
      try {
        const step = this.step();
        this.inFlight = step;
        try {
          more = (await step).more;
        } finally {
          this.inFlight = null;
        }
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
      const page = await this.fetchPageWithRetry(cursor);
      this.pageStarts.set(page, t0); // pages are read ahead: each keeps its own start
      return page;
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

  private pageSeconds(page: SourcePage<C>): number | undefined {
    const t0 = this.pageStarts.get(page);
    return t0 === undefined ? undefined : (performance.now() - t0) / 1000;
  }

  /** Maps, validates, hashes and encodes one page's records; a record that fails becomes a dead letter. */
  private async buildPage(page: SourcePage<C>): Promise<BuiltPage<C>> {
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
    const tally: RecordTally[] = [];
    let produced = 0;
    let n = 0;
    for (const rec of page.records) {
      if (++n % YIELD_EVERY_RECORDS === 0) await yieldToEventLoop();
      try {
        if (rec.rejected) throw rec.rejected; // the source already knows it cannot be delivered
        const t0 = performance.now();
        const emitted = this.mapping(rec.payload, ctx).map((e) => placeReportKey(e, this.places));
        const t1 = performance.now();
        // encode all of a record's outputs before adding any: a record is delivered whole or dead-lettered whole
        const encoded: Array<{ topic: string; key: string; value: Buffer }> = [];
        for (const e of emitted) encoded.push({ topic: this.topics.records(e.kind), key: e.key, value: await this.deps.codec.encode(e.kind, e.value) });
        this.status.timings.mapMs += t1 - t0;
        this.status.timings.encodeMs += performance.now() - t1;
        const oversized = encoded.find((e) => messageBytes(e) > this.messageLimit);
        if (oversized) {
          throw new CountyHubError('CH_VALIDATION', `记录过大: the ${oversized.topic} record is ${messageBytes(oversized)} bytes; Kafka accepts at most ${this.messageLimit} per message`);
        }
        for (const e of encoded) {
          let list = byTopic.get(e.topic);
          if (!list) byTopic.set(e.topic, (list = []));
          list.push({ key: e.key, value: e.value });
        }
        produced += encoded.length;
        tally.push(deliveredTally(rec, emitted, ingestTime));
      } catch (err) {
        // a server failing under a record (the registry asked for a schema) is no fault of the record:
        // dead-lettering it would lose a good record for a moment's outage — the page fails instead,
        // its transaction aborts, and it is read again once the server answers
        if (isTransient(err)) throw err;
        const letter = deadLetterFrom(
          err,
          { ...ctx, connector: ctx.connectorId, sourceRecordId: rec.id, payload: rec.raw, mappingInput: rec.payload, at: ingestTime },
          Math.min(DEAD_LETTER_MAX_BYTES, Math.floor(this.messageLimit / 2)),
        );
        dead.push(deadLetterMessage(letter));
        tally.push({ outcome: 'dead_lettered', hourMs: hourStartMs(rec.sourceTime ?? ingestTime), key: `${rec.id ?? ''}\u001f${rawDigest(rec.raw)}`, code: letter.code });
        this.deps.log.warn({ connector: this.manifest.id, record: rec.id, code: letter.code, field: letter.field, reason: letter.reason }, 'record dead-lettered');
      }
    }
    const messages: TopicMessages[] = [...byTopic].map(([topic, list]) => ({ topic, messages: list }));
    if (dead.length) messages.push({ topic: this.topics.deadLetters, messages: dead });
    return { page, messages, tally, produced, dead: dead.length, ingestTime };
  }
}

/**
 * A delivered source record for the ledger: counted in the hour of its first canonical record's
 * update time, as the source record's id + version; each canonical record in its own hour.
 */
function deliveredTally(rec: SourceRecord, emitted: Emitted[], ingestTime: number): RecordTally {
  const envelopes = emitted.map((e) => e.value.envelope);
  const primary = envelopes[0];
  return {
    outcome: 'delivered',
    hourMs: primary ? recordHourMs(primary) : hourStartMs(rec.sourceTime ?? ingestTime),
    key: primary ? `${primary.sourceRecordId}\u001f${primary.sourceVersion}` : `${rec.id ?? ''}\u001f${rawDigest(rec.raw)}`,
    produced: envelopes.map((e) => ({ hourMs: recordHourMs(e), key: `${e.sourceSystem}\u001f${e.sourceRecordId}\u001f${e.sourceVersion}` })),
  };
}

/** A record without a version (it could not be mapped) is told apart by its content. */
function rawDigest(raw: string): string {
  return createHash('sha256').update(raw).digest('base64url').slice(0, 16);
}

/** Bytes of messages per produce request, under the broker's default message.max.bytes of 1 MiB. */
const MAX_REQUEST_BYTES = 768 * 1024;

function messageBytes(m: { key?: Message['key']; value: Message['value'] }): number {
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
