/**
 * Shared by the webhook tests: signed pushes, HJ 212 alarm payloads, an in-process worker on the
 * real stack, a codec that can hold a page in the middle of its commit, and readers of what Kafka
 * holds for read_committed consumers.
 */
import type { Kafka } from '../../../core/kafka/client.js';
import { alarmsManifest, mapAlarm } from '../../../connectors/adapters/environment/index.js';
import type { DeadLetter } from '../../../connectors/runtime/dead-letters.js';
import { createLogger } from '../../../core/log.js';
import { readToEnd } from '../../../core/read-to-end.js';
import { ConnectorWorker } from '../../../connectors/runtime/worker.js';
import { withRetry } from '../../../connectors/sdk/retry.js';
import type { ConnectorManifest, Mapping } from '../../../connectors/sdk/types.js';
import { WebhookSource, type WebhookSettings } from '../../../connectors/sources/webhook.js';
import { signWebhookRequest } from '../../../connectors/sources/webhook-signature.js';
import { loadCatalogue } from '../../../core/catalogue.js';
import type { RecordKind, Report, Topics } from '../../../schemas/index.js';
import { SchemaCodec } from '../../../schemas/registry.js';
import { buildFrame, type Corruption } from '../../../simulators/environment/hj212.js';
import { TEST_PERSONAL_DATA_KEY, type TestContext } from '../../support/context.js';

export const SECRET = 'test-webhook-secret-0123456789';

export interface PushResult {
  status: number;
  body: { ok: boolean; ids?: string[]; duplicates?: string[]; error?: string };
  retryAfter: string | null;
}

/** POSTs a signed push (or a deliberately wrongly signed one). */
export async function push(url: string, payload: unknown, opts: { secret?: string; now?: number; headers?: Record<string, string>; rawBody?: string } = {}): Promise<PushResult> {
  const body = opts.rawBody ?? JSON.stringify(payload);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signWebhookRequest(opts.secret ?? SECRET, body, { now: opts.now }), ...opts.headers },
    body,
  });
  const text = await res.text();
  let parsed: PushResult['body'];
  try {
    parsed = JSON.parse(text) as PushResult['body'];
  } catch {
    parsed = { ok: false, error: text };
  }
  return { status: res.status, body: parsed, retryAfter: res.headers.get('retry-after') };
}

const BASE = Date.UTC(2026, 2, 5, 11, 0, 0);

/** An alarm push as the online-monitoring platform sends it; `recordId` is the Report id it must become. */
export function alarm(id: string, n: number, corrupt?: Corruption): { payload: Record<string, unknown>; recordId: string } {
  const t = new Date(BASE + n * 1000 + 8 * 3600_000).toISOString().replace(/[-:TZ.]/g, '');
  const qn = t.slice(0, 17);
  const mn = '15062510000101';
  const frame = buildFrame({ qn, st: '32', cn: '2011', pw: '123456', mn, flag: 4, cp: [[`DataTime=${t.slice(0, 14)}`], ['w01018-Rtd=86.2', 'w01018-Flag=N'], ['w21003-Rtd=3.12', 'w21003-Flag=N']] }, corrupt);
  return {
    payload: { id, alarmType: '超标报警', pointName: '锡尼镇污水处理厂总排口', enterpriseName: '演示旗锡尼镇污水处理有限公司', uscc: '91150625MA0N3K7Q28', xzqhdm: '150625100204', limits: { w01018: 50, w21003: 5 }, frame },
    recordId: `${mn}:${qn}`,
  };
}

/** A codec that can hold every encode (the worker is then inside commitPage, before its transaction). */
export class GatedCodec extends SchemaCodec {
  private gate: Promise<void> | undefined;
  private release: (() => void) | undefined;
  private onHit: (() => void) | undefined;
  /** Resolves when an encode reaches the closed gate. */
  hit: Promise<void> = Promise.resolve();

  close(): void {
    this.gate = new Promise((r) => (this.release = r));
    this.hit = new Promise((r) => (this.onHit = r));
  }

  open(): void {
    this.release?.();
    this.gate = undefined;
  }

  override async encode(kind: RecordKind, value: unknown): Promise<Buffer> {
    if (this.gate) {
      this.onHit?.();
      await this.gate;
    }
    return super.encode(kind, value);
  }
}

export function webhookSettings(overrides: Partial<WebhookSettings> = {}): WebhookSettings {
  return { ...alarmsManifest.source, port: 0, signature: { secret: SECRET }, maxWaitMs: 200, ...overrides };
}

export interface RunningWorker {
  worker: ConnectorWorker;
  source: WebhookSource;
  url: string;
}

/** Connects and starts a worker for the alarms adapter (or another mapping) with a webhook source. */
export async function startWebhookWorker(
  ctx: TestContext,
  kafka: Kafka,
  opts: { connectorId: string; settings?: Partial<WebhookSettings>; codec?: SchemaCodec; mapping?: Mapping },
): Promise<RunningWorker> {
  const settings = webhookSettings(opts.settings);
  const source = new WebhookSource(settings);
  const manifest: ConnectorManifest = { ...alarmsManifest, id: opts.connectorId, source: settings };
  const worker = new ConnectorWorker(manifest, source, opts.mapping ?? mapAlarm, {
    kafka,
    codec: opts.codec ?? new SchemaCodec(ctx.stack.schemaRegistryUrl, ctx.topics),
    topics: ctx.topics,
    personalDataKey: TEST_PERSONAL_DATA_KEY,
    log: createLogger('webhook-test'),
    catalogue: loadCatalogue(),
    retry: { retries: 3, minTimeoutMs: 50, maxTimeoutMs: 500 },
    degradedBackoffMs: 500,
  });
  // a broker busy with other test files may answer "does not host this topic-partition" right after
  // creating the topics (a retriable error the runtime's connect() does not retry itself)
  await withRetry(() => worker.connect(), { retries: 5, minTimeoutMs: 200, maxTimeoutMs: 2000 });
  worker.start();
  return { worker, source, url: source.url };
}

/** Every report a read_committed consumer sees now, decoded. */
export async function committedReports(kafka: Kafka, codec: SchemaCodec, topics: Topics): Promise<Report[]> {
  const raw: Buffer[] = [];
  await readToEnd(kafka, topics.records('report'), (m) => {
    if (m.value) raw.push(m.value);
  });
  return Promise.all(raw.map((v) => codec.decode<Report>(v)));
}

export async function committedDeadLetters(kafka: Kafka, topics: Topics): Promise<DeadLetter[]> {
  const out: DeadLetter[] = [];
  await readToEnd(kafka, topics.deadLetters, (m) => {
    if (m.value) out.push(JSON.parse(m.value.toString()) as DeadLetter);
  });
  return out;
}

/** How many times each record id is in `reports`. */
export function countById(reports: Report[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of reports) m.set(r.envelope.sourceRecordId, (m.get(r.envelope.sourceRecordId) ?? 0) + 1);
  return m;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
