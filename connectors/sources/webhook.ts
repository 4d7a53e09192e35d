/**
 * Webhook push: the department platform POSTs records to us, and we answer only once they are in
 * Kafka. Declarative like http-poll: the manifest states host/port/path, the shared secret, where
 * each record's idempotency id is, and the limits; nothing here is specific to one department.
 *
 * How a push becomes durable, exactly once:
 *   1. The request is authenticated first (HMAC-SHA256 over timestamp + "\n" + raw body, timestamp
 *      within a skew window — see webhook-signature.ts). Bad or missing signature → 401, nothing
 *      queued.
 *   2. Its records are queued in memory, each with its idempotency id. Records whose id is among
 *      the recently committed ids (carried in the cursor) are not queued again; records already
 *      queued by an earlier attempt of the same push are not queued twice — the retry waits for
 *      the same entries.
 *   3. `nextPage` hands the runtime the front of the queue and a cursor = the committed window plus
 *      the page's ids. Entries stay queued until committed: a page whose transaction failed is
 *      handed out again.
 *   4. The runtime commits records, dead letters and cursor in one transaction, then calls
 *      `committed(cursor)`; only then is the request answered 200 with its ids. A record the
 *      mapping rejects is acknowledged too: it is in the dead-letter topic of the same transaction.
 *   5. If the worker stops first, waiting requests get 503 (or, after kill -9, a dropped
 *      connection) and the pusher retries; the queue is gone with the process, and the retry is
 *      queued again — or answered 200 at once if its transaction had committed after all.
 *
 * The in-memory queue is deliberate: a push is the pusher's to keep until we answer 200, so
 * nothing unacknowledged needs to survive a restart here.
 */
import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createLogger, type Logger } from '../../core/log.js';
import { ConfigError } from '../../core/errors.js';
import type { Source, SourcePage, SourceRecord } from '../sdk/types.js';
import { getPath } from './paths.js';
import { verifyWebhookSignature } from './webhook-signature.js';

export interface WebhookSettings {
  kind: 'webhook';
  /** Interface to listen on; default 127.0.0.1 (0.0.0.0 in containers). */
  host?: string;
  /** Port to listen on; 0 picks a free one (tests). */
  port: number;
  /** The one path that accepts POSTed pushes, e.g. /hooks/environment/alarms. */
  path: string;
  signature: {
    /** The shared secret (≥ 16 bytes). Prefer `secretEnv` so the secret stays out of config files. */
    secret?: string;
    /** Name of the environment variable holding the secret. */
    secretEnv?: string;
    /** Default x-countyhub-signature. */
    header?: string;
    /** Default x-countyhub-timestamp. */
    timestampHeader?: string;
    /** Allowed distance between the request's timestamp and our clock; default 300 s. */
    maxSkewSeconds?: number;
  };
  /**
   * Where each record's idempotency id is: a dotted field of the record, or a request header (for
   * an array push the header's value + "#" + the record's index). A list of fields makes the id of
   * their values joined by "|": a platform that pushes the same record again when it changes (a new
   * status, a new update time) needs its record id *and* its version, or the change would be taken
   * for a re-sent push and acknowledged without being delivered.
   */
  idempotency: { field: string | string[] } | { header: string };
  /** Dotted path of the record or record array in the body; default: the body itself. */
  recordsPath?: string;
  /** Largest accepted body; default 1 MiB (→ 413). */
  maxBodyBytes?: number;
  /** Records waiting for Kafka at most; a push that does not fit → 429 with Retry-After. Default 10,000. */
  maxQueuedRecords?: number;
  /** Records per page (one Kafka transaction); default 500, at most `dedupeWindow`. */
  maxPageRecords?: number;
  /** How long nextPage waits for a push when the queue is empty; default 1,000 ms. */
  maxWaitMs?: number;
  /** How long a request waits for its records' commit before 503 (records stay queued); default 25,000 ms. */
  ackTimeoutMs?: number;
  /** Retry-After (seconds) sent with 429 and 503; default 2. */
  retryAfterSeconds?: number;
  /**
   * How many recently committed idempotency ids the cursor remembers; default 2,000.
   *
   * The limit: a retry is recognised as a duplicate only while its ids are among the last
   * `dedupeWindow` records committed. A pusher that retries after that many newer records were
   * committed (a long outage on its side, a manual re-send of last week's alarms) has its records
   * delivered to Kafka a second time. They carry the same source record id and version, so the hub
   * applies them once (its apply is idempotent) — but Kafka holds two copies. Size the window
   * above (push rate × the pusher's longest retry horizon); the cursor grows by ~20 bytes per id
   * and is written with every transaction.
   */
  dedupeWindow?: number;
}

export interface WebhookCursor {
  v: 1;
  /** Keys (truncated SHA-256) of the most recently committed idempotency ids, oldest first. */
  recent: string[];
}

const DEFAULTS = {
  host: '127.0.0.1',
  header: 'x-countyhub-signature',
  timestampHeader: 'x-countyhub-timestamp',
  maxSkewSeconds: 300,
  maxBodyBytes: 1024 * 1024,
  maxQueuedRecords: 10_000,
  maxPageRecords: 500,
  maxWaitMs: 1000,
  ackTimeoutMs: 25_000,
  retryAfterSeconds: 2,
  dedupeWindow: 2000,
} as const;

const MAX_ID_LENGTH = 200;
const MAX_WINDOW = 20_000;

/** The window key of an idempotency id: 96 bits of SHA-256, so the cursor stays small whatever the ids look like. */
export function webhookIdKey(id: string): string {
  return createHash('sha256').update(id).digest('base64url').slice(0, 16);
}

function resolveSecret(s: WebhookSettings, at: string): string {
  const sig = s.signature;
  let secret = sig.secret;
  if (!secret && sig.secretEnv) {
    secret = process.env[sig.secretEnv];
    if (!secret) throw new ConfigError(`${at}.signature.secretEnv`, `environment variable ${sig.secretEnv} is not set; it must hold the webhook's shared secret (≥ 16 bytes)`);
  }
  if (!secret) throw new ConfigError(`${at}.signature`, 'set secret or secretEnv: pushes cannot be authenticated without a shared secret');
  if (Buffer.byteLength(secret) < 16) throw new ConfigError(`${at}.signature.secret`, `the shared secret must be at least 16 bytes, got ${Buffer.byteLength(secret)}`);
  return secret;
}

export function validateWebhookSettings(s: WebhookSettings, at = 'source'): void {
  if (!Number.isInteger(s.port) || s.port < 0 || s.port > 65535) throw new ConfigError(`${at}.port`, `must be a port number 0–65535, got ${String(s.port)}`);
  if (typeof s.path !== 'string' || !s.path.startsWith('/')) throw new ConfigError(`${at}.path`, `must start with "/", got "${String(s.path)}"`);
  const idem = s.idempotency as { field?: unknown; header?: unknown } | undefined;
  const fieldOk = (f: unknown) => typeof f === 'string' && f !== '';
  const hasField = fieldOk(idem?.field) || (Array.isArray(idem?.field) && idem.field.length > 0 && idem.field.every(fieldOk));
  if (!idem || !hasField === (typeof idem.header !== 'string' || !idem.header)) {
    throw new ConfigError(`${at}.idempotency`, 'set exactly one of field (a dotted path in each record, or a list of them) or header (a request header)');
  }
  resolveSecret(s, at);
  const positive: Array<keyof WebhookSettings> = ['maxBodyBytes', 'maxQueuedRecords', 'maxPageRecords', 'maxWaitMs', 'ackTimeoutMs', 'retryAfterSeconds', 'dedupeWindow'];
  for (const k of positive) {
    const v = s[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)) throw new ConfigError(`${at}.${k}`, `must be a positive number, got ${String(v)}`);
  }
  const skew = s.signature.maxSkewSeconds;
  if (skew !== undefined && !(skew > 0)) throw new ConfigError(`${at}.signature.maxSkewSeconds`, `must be positive, got ${String(skew)}`);
  const page = s.maxPageRecords ?? DEFAULTS.maxPageRecords;
  const window = s.dedupeWindow ?? DEFAULTS.dedupeWindow;
  if (window > MAX_WINDOW) throw new ConfigError(`${at}.dedupeWindow`, `at most ${MAX_WINDOW}: the window travels in every cursor message (~20 bytes per id)`);
  if (page > window) throw new ConfigError(`${at}.maxPageRecords`, `must not exceed dedupeWindow (${window}): the cursor must cover every id of a page`);
}

/** The id of a record from several fields: each a non-empty text or number, joined by "|"; undefined if one is missing. */
function joinedId(item: unknown, fields: string[]): string | undefined {
  const parts: string[] = [];
  for (const f of fields) {
    const v = getPath(item, f);
    if (typeof v === 'number' && Number.isFinite(v)) parts.push(String(v));
    else if (typeof v === 'string' && v.trim() !== '') parts.push(v.trim());
    else return undefined;
  }
  return parts.join('|');
}

/** Why a waiting request is answered 503. */
class NotAcknowledged extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

interface Entry {
  id: string;
  key: string;
  record: SourceRecord;
  done: Promise<void>;
  settle: (err?: NotAcknowledged) => void;
}

export interface WebhookSourceOptions {
  now?: () => number;
  /** Receives every refused request (401/400/413/429/503); default: a warning in the structured log. */
  onRefused?: (info: { status: number; reason: string; ip: string }) => void;
}

export class WebhookSource implements Source<WebhookCursor> {
  private readonly secret: string;
  private readonly cfg: Required<Omit<WebhookSettings, 'signature' | 'idempotency' | 'recordsPath'>> & { header: string; timestampHeader: string; maxSkewSeconds: number };
  private readonly queue: Entry[] = [];
  private readonly byKey = new Map<string, Entry>();
  /** Keys of the window of the last committed cursor (the authority for "already delivered"). */
  private committedKeys = new Set<string>();
  private app: FastifyInstance | undefined;
  private listening: string | undefined;
  private closing = false;
  private wake: (() => void) | undefined;
  private readonly now: () => number;
  private log: Logger | undefined;

  constructor(
    private readonly s: WebhookSettings,
    private readonly opts: WebhookSourceOptions = {},
  ) {
    validateWebhookSettings(s);
    this.secret = resolveSecret(s, 'source');
    this.now = opts.now ?? Date.now;
    this.cfg = {
      kind: 'webhook',
      host: s.host ?? DEFAULTS.host,
      port: s.port,
      path: s.path,
      header: (s.signature.header ?? DEFAULTS.header).toLowerCase(),
      timestampHeader: (s.signature.timestampHeader ?? DEFAULTS.timestampHeader).toLowerCase(),
      maxSkewSeconds: s.signature.maxSkewSeconds ?? DEFAULTS.maxSkewSeconds,
      maxBodyBytes: s.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
      maxQueuedRecords: s.maxQueuedRecords ?? DEFAULTS.maxQueuedRecords,
      maxPageRecords: s.maxPageRecords ?? DEFAULTS.maxPageRecords,
      maxWaitMs: s.maxWaitMs ?? DEFAULTS.maxWaitMs,
      ackTimeoutMs: s.ackTimeoutMs ?? DEFAULTS.ackTimeoutMs,
      retryAfterSeconds: s.retryAfterSeconds ?? DEFAULTS.retryAfterSeconds,
      dedupeWindow: s.dedupeWindow ?? DEFAULTS.dedupeWindow,
    };
  }

  /** The URL pushes go to, once open() has run. */
  get url(): string {
    if (!this.listening) throw new Error('webhook source is not listening: call open() first');
    return `${this.listening}${this.cfg.path}`;
  }

  /** Records received and not yet acknowledged. */
  get queued(): number {
    return this.queue.length;
  }

  async open(): Promise<void> {
    if (this.app) return;
    const app = Fastify({ logger: false, bodyLimit: this.cfg.maxBodyBytes, return503OnClosing: true, forceCloseConnections: 'idle' });
    // keep the raw bytes: the signature is over exactly what was sent
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.post(this.cfg.path, (req, reply) => this.receive(req, reply));
    this.app = app;
    this.listening = await app.listen({ host: this.cfg.host, port: this.cfg.port });
  }

  async nextPage(cursor: WebhookCursor | undefined, signal: AbortSignal): Promise<SourcePage<WebhookCursor>> {
    const recent = cursor?.recent ?? [];
    this.adopt(recent);
    if (this.queue.length === 0) await this.waitForPush(signal);
    const take = this.queue.slice(0, this.cfg.maxPageRecords);
    const next: WebhookCursor = { v: 1, recent: take.length ? [...recent, ...take.map((e) => e.key)].slice(-this.cfg.dedupeWindow) : recent };
    return { records: take.map((e) => e.record), cursor: next, hasMore: this.queue.length > take.length };
  }

  async committed(cursor: WebhookCursor): Promise<void> {
    this.adopt(cursor.recent);
  }

  async close(): Promise<void> {
    this.closing = true;
    const stopping = new NotAcknowledged('the connector is stopping before these records reached Kafka; retry the push with the same ids');
    for (const e of this.queue.splice(0)) e.settle(stopping);
    this.byKey.clear();
    this.wake?.();
    await this.app?.close();
    this.app = undefined;
  }

  /**
   * Takes a committed window as the truth: remembers it for duplicate checks and acknowledges every
   * queued entry it covers. Usually that is the page just committed; after a transaction whose
   * outcome was unknown (the runtime reloads the cursor and calls nextPage), it is whatever did commit.
   */
  private adopt(recent: string[]): void {
    this.committedKeys = new Set(recent);
    if (!this.queue.some((e) => this.committedKeys.has(e.key))) return;
    const still: Entry[] = [];
    for (const e of this.queue) {
      if (this.committedKeys.has(e.key)) {
        this.byKey.delete(e.key);
        e.settle();
      } else still.push(e);
    }
    this.queue.splice(0, this.queue.length, ...still);
  }

  private async waitForPush(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.cfg.maxWaitMs);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
    // stopping: no page (the runtime's loop ends on the abort); nothing queued is lost, it is unacknowledged
    signal.throwIfAborted();
  }

  private refuse(reply: FastifyReply, req: FastifyRequest, status: number, reason: string, retryAfter?: number): FastifyReply {
    const info = { status, reason, ip: req.ip };
    if (this.opts.onRefused) this.opts.onRefused(info);
    else (this.log ??= createLogger('webhook-source')).warn({ path: this.cfg.path, ...info }, 'webhook push refused');
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    return reply.code(status).send({ ok: false, error: reason });
  }

  private async receive(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const header = (name: string): string | undefined => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const check = verifyWebhookSignature({
      secret: this.secret,
      rawBody: raw,
      timestamp: header(this.cfg.timestampHeader),
      signature: header(this.cfg.header),
      maxSkewSeconds: this.cfg.maxSkewSeconds,
      now: this.now(),
      timestampHeader: this.cfg.timestampHeader,
      signatureHeader: this.cfg.header,
    });
    if (!check.ok) return this.refuse(reply, req, 401, `signature rejected: ${check.reason}`);

    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      return this.refuse(reply, req, 400, `body is not JSON: ${(err as Error).message}`);
    }
    const at = this.s.recordsPath ? getPath(body, this.s.recordsPath) : body;
    const items = Array.isArray(at) ? (at as unknown[]) : at !== null && typeof at === 'object' ? [at] : undefined;
    if (!items) return this.refuse(reply, req, 400, `expected a record (JSON object) or an array of records${this.s.recordsPath ? ` at "${this.s.recordsPath}"` : ''}`);

    const idem = this.s.idempotency;
    const headerId = 'header' in idem ? header(idem.header.toLowerCase()) : undefined;
    const ids: string[] = [];
    const records: SourceRecord[] = [];
    for (const [i, item] of items.entries()) {
      let id: unknown;
      if ('field' in idem) id = Array.isArray(idem.field) ? joinedId(item, idem.field) : getPath(item, idem.field);
      else id = headerId === undefined ? undefined : Array.isArray(at) ? `${headerId}#${i}` : headerId;
      if (typeof id === 'number' && Number.isFinite(id)) id = String(id);
      if (typeof id !== 'string' || id.trim() === '' || id.length > MAX_ID_LENGTH) {
        const where = 'field' in idem ? (Array.isArray(idem.field) ? `fields ${idem.field.map((f) => `"${f}"`).join(' + ')}` : `field "${idem.field}"`) : `header ${idem.header}`;
        return this.refuse(reply, req, 400, `record ${i}: idempotency id (${where}) missing or not a text of 1–${MAX_ID_LENGTH} characters; nothing of this push was accepted`);
      }
      ids.push(id.trim());
      // the record's own id is the first field's (what dead letters and reconciliation name); the idempotency id may add its version
      const recordId = 'field' in idem && Array.isArray(idem.field) ? String(getPath(item, idem.field[0]!)).trim() : id.trim();
      records.push({ id: recordId, payload: item, raw: JSON.stringify(item) });
    }

    if (this.closing) return this.refuse(reply, req, 503, 'the connector is stopping; retry the push', this.cfg.retryAfterSeconds);

    // sort the push into: already committed (answer at once), already queued (wait for it), new
    const waitFor: Entry[] = [];
    const fresh: Array<{ id: string; key: string; record: SourceRecord }> = [];
    const duplicates: string[] = [];
    const seen = new Set<string>();
    for (const [i, id] of ids.entries()) {
      const key = webhookIdKey(id);
      if (seen.has(key)) continue; // the same id twice in one push is one record
      seen.add(key);
      if (this.committedKeys.has(key)) duplicates.push(id);
      else {
        const queued = this.byKey.get(key);
        if (queued) waitFor.push(queued);
        else fresh.push({ id, key, record: records[i]! });
      }
    }
    if (fresh.length > this.cfg.maxQueuedRecords) {
      return this.refuse(reply, req, 413, `a push of ${fresh.length} records can never fit the queue of ${this.cfg.maxQueuedRecords}; split it`);
    }
    if (this.queue.length + fresh.length > this.cfg.maxQueuedRecords) {
      return this.refuse(reply, req, 429, `too many records waiting for Kafka (${this.queue.length}); retry later`, this.cfg.retryAfterSeconds);
    }
    for (const f of fresh) {
      let settle!: (err?: NotAcknowledged) => void;
      const done = new Promise<void>((resolve, reject) => {
        settle = (err) => (err ? reject(err) : resolve());
      });
      done.catch(() => undefined); // a request that timed out no longer listens
      const entry: Entry = { ...f, done, settle };
      this.queue.push(entry);
      this.byKey.set(f.key, entry);
      waitFor.push(entry);
    }
    if (fresh.length) this.wake?.();

    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.all(waitFor.map((e) => e.done)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new NotAcknowledged(`not yet in Kafka after ${this.cfg.ackTimeoutMs / 1000} s (the records stay queued); retry the push with the same ids`)), this.cfg.ackTimeoutMs);
        }),
      ]);
    } catch (err) {
      if (err instanceof NotAcknowledged) return reply.code(503).header('retry-after', String(this.cfg.retryAfterSeconds)).send({ ok: false, error: err.reason });
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return reply.code(200).send({ ok: true, ids: [...new Set(ids)], duplicates });
  }
}
