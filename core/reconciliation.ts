/**
 * Per-department, per-hour reconciliation: what both sides of Kafka must agree on so that their
 * counts can be compared — which hour a record belongs to, the stages counted, and the connector's
 * ledger message (docs/decisions/003-reconciliation-per-hour.md).
 *
 * A record belongs to the hour of its own source update time, not to the hour any stage happened
 * to process it: a record changed at 09:40 and read at 11:05 (an outage, a back-fill) is counted in
 * 09:00–10:00 by the connector and by the hub alike, so the stages of one hour are comparable
 * whenever each of them ran.
 */

export const HOUR_MS = 3_600_000;

// A source version outside these bounds is a revision number, not a time (Envelope.sourceVersion).
const EARLIEST_TIME_MS = Date.UTC(2000, 0, 1);
const LATEST_TIME_MS = Date.UTC(2100, 0, 1);

/** The start (epoch ms, UTC) of the hour `ms` falls in. China has no half-hour offset: UTC hours are Beijing hours. */
export function hourStartMs(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/**
 * The hour of a canonical record: its source version when that is an update time (every adapter's
 * is), else its event time. Both sides compute it from the same envelope fields, so they agree.
 */
export function recordHourMs(e: { sourceVersion: number; eventTime: number }): number {
  const v = Number(e.sourceVersion);
  return hourStartMs(Number.isFinite(v) && v >= EARLIEST_TIME_MS && v < LATEST_TIME_MS ? v : Number(e.eventTime));
}

/**
 * What is counted, each in its own unit:
 * - read: source records the connector read from the platform (distinct id + version), in pages
 *   that committed; a record mapped into several canonical records counts once;
 * - delivered / dead_lettered: of those, the ones whose canonical records went to Kafka, and the
 *   ones that went to the dead-letter topic (so read = delivered + dead_lettered, by construction);
 * - produced: canonical records (distinct source system + id + version) put on Kafka in committed
 *   transactions, each in its own hour;
 * - hub_applied / hub_dead_lettered: canonical records the hub stored for the first time, and
 *   records it decoded but could not apply.
 */
export const RECONCILIATION_STAGES = ['read', 'delivered', 'dead_lettered', 'produced', 'hub_applied', 'hub_dead_lettered'] as const;
export type ReconciliationStage = (typeof RECONCILIATION_STAGES)[number];
export const CONNECTOR_STAGES = ['read', 'delivered', 'dead_lettered', 'produced'] as const satisfies readonly ReconciliationStage[];

export const STAGE_LABELS: Record<ReconciliationStage, string> = {
  read: '源平台读取',
  delivered: '已送达Kafka',
  dead_lettered: '连接器死信',
  produced: 'Kafka记录',
  hub_applied: '汇聚入库',
  hub_dead_lettered: '汇聚死信',
};

/** The connector's cumulative counts for one hour: the value of its ledger message (a compacted topic, key = ledgerKey). */
export interface ConnectorHourLedger {
  connector: string;
  sourceSystem: string;
  department: string;
  /** ISO start of the hour (UTC). */
  hour: string;
  read: number;
  delivered: number;
  deadLettered: number;
  produced: number;
  /** Dead letters by error code (core/errors.ts). */
  deadReasons: Record<string, number>;
  /** 8-byte digests of the keys a page counted, base64 (in the page's digest message; empty in the counts message). */
  seen: string;
  /** Digest messages written for the hour so far (absent in ledgers written before they were split). */
  segments?: number;
}

export function ledgerKey(connector: string, hourMs: number): string {
  return `${connector}@${new Date(hourMs).toISOString()}`;
}

/** Key of a ledger message holding one page's digests only (`<ledgerKey>#<segment>`): it carries no counts of its own. */
export const isDigestKey = (key: string): boolean => key.includes('#');

/**
 * Records still missing somewhere in one hour: read but neither delivered nor dead-lettered, and
 * produced but neither applied nor dead-lettered by the hub. A surplus (the hub stored a version
 * the ledger does not know, e.g. a replayed dead letter) is not a loss and is not counted here.
 */
export function missingRecords(c: Partial<Record<ReconciliationStage, number>>): number {
  const n = (s: ReconciliationStage) => c[s] ?? 0;
  return Math.max(0, n('read') - n('delivered') - n('dead_lettered')) + Math.max(0, n('produced') - n('hub_applied') - n('hub_dead_lettered'));
}
