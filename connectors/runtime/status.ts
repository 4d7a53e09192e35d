/** What an operator needs to know about one connector, and its Prometheus form. */
import type { ConnectorManifest } from '../sdk/types.js';
import type { StoredCursor } from './cursor-store.js';
import type { ConnectorState, ConnectorStatusView } from '../../core/connector-status.js';

export type { ConnectorState, ConnectorStatusView } from '../../core/connector-status.js';

export const STATE_LABELS: Record<ConnectorState, string> = {
  starting: '启动中',
  running: '运行正常',
  paused: '已暂停（管理员操作，恢复后从游标继续）',
  degraded: '降级（上游异常，重试中）',
  refused: '被拒绝（凭据或配置错误，请检查设置）',
  failed: '已停止（错误）',
  stopped: '已停止',
};

/** A page's transaction normally takes well under a second; this long means the broker is away. */
const PRODUCE_STALL_MS = 10_000;

export class ConnectorStatus {
  state: ConnectorState = 'starting';
  recordsRead = 0;
  produced = 0;
  deadLettered = 0;
  retries = 0;
  errors = 0;
  lastSuccessAt: number | null = null;
  lastError: string | null = null;
  warning: string | null = null;
  warningAt: number | null = null;
  warnings = 0;
  /** When the transaction under way began: a broker that does not answer stalls it while the client retries. */
  private producingSince: number | null = null;
  /** Told how long each page took, from the first request to the source to its commit (the metrics' histogram). */
  onPage: ((seconds: number) => void) | undefined;
  /** Where the time goes (ms since start): reading the source, mapping, Avro encoding, transactional produce. */
  readonly timings = { fetchMs: 0, mapMs: 0, encodeMs: 0, produceMs: 0 };
  /**
   * How long the worker's loop stood waiting (ms since start) for a page from the source and for
   * Kafka to take and commit a transaction's records: fetch and produce overlap the mapping of
   * other pages, so `timings` overlap, while these and the mapping add up to the loop's time.
   */
  readonly blocked = { fetchMs: 0, produceMs: 0 };
  /** Told of each committed transaction: its time from begin to commit, its pages and source records (the benchmark). */
  onTransaction: ((ms: number, pages: number, records: number) => void) | undefined;

  constructor(private readonly manifest: ConnectorManifest) {}

  restore(stored: StoredCursor | undefined): void {
    if (!stored) return;
    this.produced = stored.produced;
    this.deadLettered = stored.deadLettered;
    this.lastSuccessAt = Date.parse(stored.committedAt);
  }

  running(): void {
    this.state = 'running';
  }

  /** Paused by a person (through the API); reading stops after the page under way. */
  paused(): void {
    this.state = 'paused';
  }

  resumed(): void {
    if (this.state === 'paused') this.state = 'running';
  }

  committed(produced: number, dead: number, read: number, at: number, pageSeconds?: number): void {
    if (pageSeconds !== undefined) this.onPage?.(pageSeconds);
    this.produced += produced;
    this.deadLettered += dead;
    this.recordsRead += read;
    this.lastSuccessAt = at;
    if (this.state === 'degraded' || this.state === 'refused' || this.state === 'starting') this.state = 'running';
  }

  retried(err: unknown): void {
    this.retries += 1;
    this.lastError = (err as Error)?.message ?? String(err);
  }

  producing(at: number): void {
    this.producingSince = at;
  }

  produceEnded(): void {
    this.producingSince = null;
  }

  /** Running, but something needs a person's eye (the data, not the connector): kept in the view until the next warning. */
  warned(message: string, at: number): void {
    this.warning = message;
    this.warningAt = at;
    this.warnings += 1;
  }

  degraded(err: unknown): void {
    this.state = 'degraded';
    this.errors += 1;
    this.lastError = (err as Error)?.message ?? String(err);
  }

  /** Refused for a reason retrying will not fix; the worker still tries again, slowly, in case someone fixes it upstream. */
  refused(err: unknown): void {
    this.state = 'refused';
    this.errors += 1;
    this.lastError = (err as Error)?.message ?? String(err);
  }

  failed(err: unknown): void {
    this.state = 'failed';
    this.errors += 1;
    this.lastError = (err as Error)?.message ?? String(err);
  }

  stopped(): void {
    if (this.state !== 'failed') this.state = 'stopped';
  }

  view(now = Date.now()): ConnectorStatusView {
    // a page transaction that has waited this long means Kafka does not answer: say so while it lasts
    const stalledMs = this.state === 'running' && this.producingSince !== null ? now - this.producingSince : 0;
    const stalled = stalledMs > PRODUCE_STALL_MS;
    const state = stalled ? 'degraded' : this.state;
    return {
      id: this.manifest.id,
      title: this.manifest.title,
      department: this.manifest.department,
      state,
      stateLabel: stalled ? `降级（Kafka写入已等待${Math.round(stalledMs / 1000)}秒，代理不可达？）` : STATE_LABELS[state],
      recordsRead: this.recordsRead,
      produced: this.produced,
      deadLettered: this.deadLettered,
      retries: this.retries,
      errors: this.errors,
      lastSuccessAt: this.lastSuccessAt === null ? null : new Date(this.lastSuccessAt).toISOString(),
      lastError: stalled ? `Kafka写入已等待${Math.round(stalledMs / 1000)}秒 (no answer from the Kafka broker; the page is retried, nothing is lost)` : this.lastError,
      warning: this.warning === null ? null : `警告: ${this.warning}`,
      warningAt: this.warningAt === null ? null : new Date(this.warningAt).toISOString(),
      warnings: this.warnings,
      secondsSinceLastSuccess: this.lastSuccessAt === null ? null : Math.round((now - this.lastSuccessAt) / 1000),
      timings: { ...this.timings },
    };
  }
}
