/**
 * Every version of every source record is kept in source_records, keyed by (source system, record
 * id, source version). Many platforms version a record by its update time to the second (12345's
 * 更新时间), so two changes within one second carry the same version: the key alone cannot tell a
 * redelivery from a real change. The content can. A record of the same key with other content is
 * a revision — and, since a record's versions travel in one partition (keyed by the record), it is
 * the later one — so it replaces the stored payload and is applied; the same content is a duplicate.
 */
import type { Knex } from 'knex';
import type { Envelope } from '../../schemas/index.js';
import type { Position } from './apply-report.js';

export type Registration = 'new' | 'revised' | 'duplicate';

/** JSON with sorted keys and without the ingest time (which differs between deliveries of one change). */
export function canonical(value: unknown, top = true): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, false)).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([k, v]) => v !== undefined && !(top === false && k === 'ingestTime'))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v, false)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function sameContent(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function keyOf(e: Pick<Envelope, 'sourceSystem' | 'sourceRecordId' | 'sourceVersion'>): string {
  return `${e.sourceSystem}\u001f${e.sourceRecordId}\u001f${e.sourceVersion}`;
}

/** Per consumer transaction: keys its bulk registration inserted, each consumed by the first registerSourceRecord of that key. */
const preregistered = new WeakMap<Knex.Transaction, Set<string>>();

/**
 * Registers a transaction's records in one INSERT before they are applied one by one; each
 * registerSourceRecord then knows without a round trip that its key is new. A key the INSERT did
 * not take (stored before, or twice in this batch) goes the usual way, content compared.
 */
export async function preregisterSourceRecords(tx: Knex.Transaction, records: Array<{ kind: string; record: { envelope: Envelope }; pos: Position }>): Promise<Envelope[]> {
  const taken = new Set<string>();
  const firstStored: Envelope[] = [];
  for (let i = 0; i < records.length; i += 500) {
    const slice = records.slice(i, i + 500);
    const rows = slice.map(({ kind, record, pos }) => rowOf(kind, record, pos));
    const inserted: Array<{ source_system: string; source_record_id: string; source_version: string }> = await tx('source_records')
      .insert(rows)
      .onConflict(['source_system', 'source_record_id', 'source_version'])
      .ignore()
      .returning(['source_system', 'source_record_id', 'source_version']);
    const keys = inserted.map((r) => keyOf({ sourceSystem: r.source_system, sourceRecordId: r.source_record_id, sourceVersion: Number(r.source_version) }));
    for (const k of keys) taken.add(k);
    // the envelopes of the keys stored for the first time: what the reconciliation counts as applied
    if (keys.length) {
      const byKey = new Map(slice.map(({ record }) => [keyOf(record.envelope), record.envelope] as const));
      for (const k of keys) firstStored.push(byKey.get(k)!);
    }
  }
  preregistered.set(tx, taken);
  return firstStored;
}

function rowOf(kind: string, record: { envelope: Envelope }, pos: Position) {
  const e = record.envelope;
  return { source_system: e.sourceSystem, source_record_id: e.sourceRecordId, source_version: e.sourceVersion, kind, department: e.department, payload: JSON.stringify(record), topic: pos.topic, partition: pos.partition, offset: pos.offset };
}

export async function registerSourceRecord(tx: Knex.Transaction, kind: string, record: { envelope: Envelope }, pos: Position): Promise<Registration> {
  const e = record.envelope;
  if (preregistered.get(tx)?.delete(keyOf(e))) return 'new';
  const { source_system, source_record_id, source_version, ...row } = rowOf(kind, record, pos);
  const key = { source_system, source_record_id, source_version };
  const inserted = await tx('source_records').insert({ ...key, ...row }).onConflict(['source_system', 'source_record_id', 'source_version']).ignore().returning('id');
  if (inserted.length > 0) return 'new';
  const stored = await tx('source_records').where(key).forUpdate().first<{ payload: unknown }>('payload');
  if (stored && sameContent(stored.payload, JSON.parse(row.payload))) return 'duplicate';
  await tx('source_records').where(key).update(row);
  return 'revised';
}
