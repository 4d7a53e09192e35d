/**
 * The canonical record kinds: their Avro schemas (one .avsc per kind in schemas/avro/), the
 * topics they travel on and the registry subjects they are registered under.
 * Shared named types (the Envelope) live in their own file and are inlined into each kind's
 * schema, so every registered schema is self-contained and readable on its own.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';

export const RECORD_KINDS = ['report', 'subject', 'case', 'approval', 'status-change', 'dispatch'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

const AVRO_DIR = join(import.meta.dirname, 'avro');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function readAvsc(file: string): { [k: string]: Json } {
  return JSON.parse(readFileSync(join(AVRO_DIR, file), 'utf8')) as { [k: string]: Json };
}

function fullName(schema: { [k: string]: Json }): string {
  const name = String(schema.name);
  return name.includes('.') || !schema.namespace ? name : `${String(schema.namespace)}.${name}`;
}

/** Named types defined in files that are not record kinds themselves (e.g. envelope.avsc). */
function sharedTypes(): Map<string, { [k: string]: Json }> {
  const kinds = new Set(RECORD_KINDS.map((k) => `${k}.avsc`));
  const out = new Map<string, { [k: string]: Json }>();
  for (const f of readdirSync(AVRO_DIR)) {
    if (f.endsWith('.avsc') && !kinds.has(f)) {
      const s = readAvsc(f);
      out.set(fullName(s), s);
    }
  }
  return out;
}

function inline(node: Json, shared: Map<string, { [k: string]: Json }>, seen: Set<string>): Json {
  if (typeof node === 'string') {
    const def = shared.get(node);
    if (def && !seen.has(node)) {
      seen.add(node);
      return inline(def, shared, seen);
    }
    return node;
  }
  if (Array.isArray(node)) return node.map((n) => inline(n, shared, seen));
  if (node && typeof node === 'object') {
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(node)) out[k] = k === 'doc' || k === 'name' || k === 'namespace' ? v : inline(v, shared, seen);
    return out;
  }
  return node;
}

const cache = new Map<RecordKind, { [k: string]: Json }>();

/** The self-contained Avro schema of a record kind, as registered. */
export function loadSchema(kind: RecordKind): { [k: string]: Json } {
  let s = cache.get(kind);
  if (!s) {
    s = inline(readAvsc(`${kind}.avsc`), sharedTypes(), new Set()) as { [k: string]: Json };
    avro.Type.forSchema(s as avro.Schema); // fail here, with avsc's message, if the file is invalid
    cache.set(kind, s);
  }
  return s;
}

export function avroType(kind: RecordKind): avro.Type {
  return avro.Type.forSchema(loadSchema(kind) as avro.Schema);
}

/** Topic names. `prefix` isolates deployments (and test runs) sharing one cluster. */
export interface Topics {
  /** The county's namespace on the cluster (TOPIC_PREFIX): topics, transactional ids and consumer groups carry it. */
  prefix: string;
  records(kind: RecordKind): string;
  deadLetters: string;
  cursors: string;
  /** The connectors' per-hour reconciliation ledger (compacted; core/reconciliation.ts). */
  reconciliation: string;
  /**
   * The Kafka consumer group of one of the county's services (`hub`, `sink-hotline`). Groups are
   * cluster-wide: two counties' hubs in one group are handed each other's partitions (kafkajs
   * assigns over the union of the members' subscriptions), drop them, and nobody reads them.
   */
  consumerGroup(role: string): string;
}

const DEFAULT_PREFIX = 'countyhub';

export function topics(prefix = DEFAULT_PREFIX): Topics {
  return {
    prefix,
    records: (kind) => `${prefix}.${kind}`,
    deadLetters: `${prefix}.dead-letters`,
    cursors: `${prefix}.connector-cursors`,
    reconciliation: `${prefix}.connector-reconciliation`,
    // the default county keeps the group names it always had, so its sinks resume from their committed offsets
    consumerGroup: (role) => (prefix === DEFAULT_PREFIX ? `countyhub-${role}` : `${prefix}.${role}`),
  };
}

/** Registry subject for a topic's values (Confluent TopicNameStrategy). */
export function subjectFor(topic: string): string {
  return `${topic}-value`;
}

export type * from './types.js';
