/**
 * A canonical dump of the hub's state in one PostgreSQL schema, to compare two runs row by row
 * (the kill and run-engine tests; a rebuild from Kafka against the live hub, hub/ops/rebuild.ts):
 * every table that records what the hub decided, keyed by the rows' deterministic ids (or source
 * identities), without the columns that only say when or in what order this process wrote a row
 * (sequence ids of append-only tables, received_at, failed_at).
 *
 * Subject linking (一企一档) is a function of the set of records (hub/merge/subject-clusters.ts):
 * subjects are components of record-to-record matches, each named after its smallest source
 * identity, so subjects, their keys and golden records, and every subject_id column are compared
 * exactly, like everything else. subjectInvariants also checks, within one run, that every link,
 * key and subject reference is whole — what a half-applied record would break.
 */
import { canonical } from '../ingest/source-records.js';
import type { Db } from './db.js';

interface TableSpec {
  /** Columns that identify a row across runs. */
  key: string[];
  /** Columns left out: their value depends on the processing run, not on the records. */
  omit: string[];
  /** Append-only tables without a natural key: compared as multisets of whole rows. */
  multiset?: boolean;
}

export const DUMPED_TABLES: Record<string, TableSpec> = {
  source_records: { key: ['source_system', 'source_record_id', 'source_version'], omit: ['id', 'received_at'] },
  matters: { key: ['id'], omit: [] },
  reports: { key: ['source_system', 'source_record_id'], omit: [] },
  tasks: { key: ['id'], omit: [] },
  // every subject-bearing record linked once, at its newest version, with what it said, to the same subject for the same reason
  subject_links: { key: ['source_system', 'source_record_id'], omit: [] },
  subjects: { key: ['id'], omit: [] },
  subject_keys: { key: ['key', 'subject_id'], omit: [] },
  // one event per application of a record: a record applied twice shows here
  matter_events: { key: [], omit: ['id', 'xid'], multiset: true }, // xid: the writing transaction, for the change stream
  hub_dead_letters: { key: ['topic', 'partition', 'offset'], omit: ['id', 'failed_at'] },
  // the review queue: one row per pair, raised by the same record whichever instance applied it
  merge_proposals: { key: ['id'], omit: [] },
  // the rule's dispatch of each new matter, for the departments: queued once, with the same content
  dispatch_outbox: { key: ['idempotency_key'], omit: ['id', 'created_at', 'published_at'] },
};

export interface DumpRow {
  key: string;
  row: Record<string, unknown>;
}

export interface Dump {
  tables: Record<string, DumpRow[]>;
  sizes: string;
}

export async function canonicalDump(db: Db): Promise<Dump> {
  const tables: Record<string, DumpRow[]> = {};
  for (const [table, spec] of Object.entries(DUMPED_TABLES)) {
    const rows: Array<Record<string, unknown>> = await db(table).select('*');
    const out = rows.map((r) => {
      const row = Object.fromEntries(
        Object.entries(r)
          .filter(([k]) => !spec.omit.includes(k))
          .map(([k, v]) => [k, v instanceof Date ? v.toISOString() : Buffer.isBuffer(v) ? v.toString('base64') : v]),
      );
      return { key: spec.multiset ? canonical(row) : spec.key.map((k) => String(r[k])).join('|'), row };
    });
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    tables[table] = out;
  }
  return { tables, sizes: Object.entries(tables).map(([t, rows]) => `${t} ${rows.length}`).join(', ') };
}

/** Human-readable differences: per table, rows only in one dump and rows whose columns differ. Empty when equal. */
export function diffDumps(a: Dump, b: Dump, sample = 5): string[] {
  const out: string[] = [];
  for (const table of Object.keys(DUMPED_TABLES)) {
    const count = (rows: DumpRow[]) => {
      const m = new Map<string, { row: Record<string, unknown>; n: number }>();
      for (const r of rows) m.set(r.key, { row: r.row, n: (m.get(r.key)?.n ?? 0) + 1 });
      return m;
    };
    const ma = count(a.tables[table] ?? []);
    const mb = count(b.tables[table] ?? []);
    const onlyA: string[] = [];
    const onlyB: string[] = [];
    const changed: string[] = [];
    const columns = new Map<string, number>();
    for (const [k, ra] of ma) {
      const rb = mb.get(k);
      if (!rb || rb.n < ra.n) onlyA.push(k);
      else if (canonical(ra.row) !== canonical(rb.row)) {
        const cols = Object.keys({ ...ra.row, ...rb.row }).filter((c) => canonical(ra.row[c]) !== canonical(rb.row[c]));
        for (const c of cols) columns.set(c, (columns.get(c) ?? 0) + 1);
        changed.push(`${k}: ${cols.map((c) => `${c} ${canonical(ra.row[c]).slice(0, 160)} → ${canonical(rb.row[c]).slice(0, 160)}`).join('; ')}`);
      }
    }
    for (const [k, rb] of mb) if (!ma.has(k) || ma.get(k)!.n < rb.n) onlyB.push(k);
    if (!onlyA.length && !onlyB.length && !changed.length) continue;
    out.push(
      `${table}: ${ma.size} vs ${mb.size} rows; ${onlyA.length} only in the first, ${onlyB.length} only in the second, ${changed.length} differ` +
        (columns.size ? ` (columns: ${[...columns].map(([c, n]) => `${c} ×${n}`).join(', ')})` : ''),
      ...onlyA.slice(0, sample).map((k) => `  - ${k.slice(0, 300)}`),
      ...onlyB.slice(0, sample).map((k) => `  + ${k.slice(0, 300)}`),
      ...changed.slice(0, sample).map((c) => `  ~ ${c}`),
    );
  }
  return out;
}
