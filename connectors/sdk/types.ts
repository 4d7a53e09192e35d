/**
 * What an adapter author writes against. An adapter is one folder under connectors/adapters/:
 *   manifest.ts  — which department, which source kind and its settings, what it emits
 *   mapping.ts   — a pure function from one source record to canonical record(s)
 *   fixtures/    — recorded source records and the canonical records they must become
 *   *.test.ts    — the fixture test
 * The runtime (connectors/runtime) does everything else: polling, cursors, retries, Avro,
 * transactions, dead letters, metrics.
 */
import type { CanonicalRecords, RecordKind } from '../../schemas/index.js';
import type { CountyHubError } from '../../core/errors.js';

/** One record as read from a source, before mapping. `raw` keeps the original bytes for dead letters. */
export interface SourceRecord {
  /** The source's id for the record when it can be read without mapping (for dead letters and logs). */
  id?: string;
  payload: unknown;
  raw: string;
  /** Set when the source already knows the record cannot be delivered: dead-lettered with this error, never mapped. */
  rejected?: CountyHubError;
  /**
   * The record's update time on the platform (epoch ms), when the source reads it anyway (incremental
   * sources): the hour a dead-lettered record is counted in, since it has no mapped version.
   */
  sourceTime?: number;
}

/** A page read from a source, and the cursor that is valid once every record of it is in Kafka. */
export interface SourcePage<C> {
  records: SourceRecord[];
  cursor: C;
  /** True when the source has more ready now; false means wait for the next poll. */
  hasMore: boolean;
  /** Things an operator should look at although the connector keeps running (shown in its status). */
  warnings?: string[];
}

/**
 * A stream is a small contract: given the committed cursor (undefined on the first run), read the
 * next page. It keeps no state of its own between calls, so a restart loses nothing.
 */
export interface Source<C = unknown> {
  /**
   * True when nextPage is a pure function of the cursor (pull sources), so the runtime may fetch
   * the next page while the current one commits.
   */
  readonly readAhead?: boolean;
  nextPage(cursor: C | undefined, signal: AbortSignal): Promise<SourcePage<C>>;
  /**
   * Called after the page's transaction committed (records and cursor durable in Kafka). Push and
   * file sources use it to acknowledge a push or move a processed file. It may run again for the
   * same cursor after a crash, so it must be idempotent; the cursor alone must suffice to skip
   * what was already delivered.
   */
  committed?(cursor: C): Promise<void>;
  /** Where a cursor stands in source time (epoch ms), for back-fill progress; undefined if unknown. */
  position?(cursor: C): number | undefined;
  /** Starts listeners (webhook servers, folder watchers). Called once before the first nextPage. */
  open?(): Promise<void>;
  close?(): Promise<void>;
}

/** A canonical record ready to produce: kind decides topic and schema; key decides partition. */
export type Emitted = {
  [K in keyof CanonicalRecords]: { kind: K & RecordKind; key: string; value: CanonicalRecords[K] };
}[keyof CanonicalRecords];

export interface MappingContext {
  connectorId: string;
  sourceSystem: string;
  department: string;
  /** When the connector read the record (epoch ms), the same for a whole page. */
  ingestTime: number;
  /** County key for the keyed hash of personal identifiers (never leaves the connector). */
  personalDataKey: string;
  /** The county catalogue category for this department's own category code or name, if mapped. */
  mapCategory(sourceCode: string | null): string | null;
}

/**
 * A mapping turns one source record into zero or more canonical records. It is pure: no I/O, no
 * clock (use ctx.ingestTime). It throws ValidationError/MappingError (core/errors.ts)
 * naming the field for anything it cannot read; the runtime dead-letters that record only.
 */
export type Mapping = (payload: unknown, ctx: MappingContext) => Emitted[];

export interface ConnectorManifest<S = unknown> {
  /** Stable id: names the cursor, the transactional id and the metrics. kebab-case. */
  id: string;
  /** Department id from schemas/catalogues/departments.json. */
  department: string;
  /** Chinese display name for operators. */
  title: string;
  /** The source system, as written in every record's envelope. */
  sourceSystem: string;
  emits: RecordKind[];
  source: S;
  /** How often to poll when the source has nothing new (ms). */
  pollIntervalMs: number;
}
