/**
 * The connector's per-hour counts (read, delivered, dead-lettered, produced), kept as one
 * cumulative message per hour in a compacted topic and written in the SAME Kafka transaction as
 * the page and the cursor they describe. A page whose transaction aborts (a kill -9, a broker
 * failure) takes its counts with it; the page read again after the restart counts once.
 *
 * A page can also be delivered again in a committed transaction — the HTTP poll's passes over one
 * update time, a cursor reset, a platform listing a record twice. Each hour therefore keeps the
 * 8-byte digests of the keys it has counted (source record id + version; canonical record id +
 * version), so a version counts once however often it travels. 8 bytes: at 10,000 records in one
 * hour of one connector the chance of any collision is about 3·10⁻¹². The digests a page adds go
 * in a message of their own (key `<hour key>#<segment>`), not into the hour's counts message: one
 * cumulative message grew with every page (quadratic bytes, and over the broker's message limit at
 * ~50,000 records in one hour, where the connector stalled); the counts message stays small.
 */
import { hash } from 'node:crypto';
import type { Kafka, Message } from '../../core/kafka/client.js';
import { readToEnd } from '../../core/read-to-end.js';
import { hourStartMs, isDigestKey, ledgerKey, type ConnectorHourLedger } from '../../core/reconciliation.js';

export { isDigestKey };

/** What one record of a page did, with the hour(s) it belongs to. */
export type RecordTally =
  | { outcome: 'delivered'; hourMs: number; key: string; produced: Array<{ hourMs: number; key: string }> }
  | { outcome: 'dead_lettered'; hourMs: number; key: string; code: string };

interface HourCounts {
  read: number;
  delivered: number;
  deadLettered: number;
  produced: number;
  deadReasons: Record<string, number>;
  seen: Set<string>;
  /** Digest messages written for this hour so far (the next one's number). */
  segments: number;
}


const DIGEST_BYTES = 8;

function digest(kind: 'r' | 'p', key: string): string {
  return hash('sha256', `${kind}\u001f${key}`, 'buffer').subarray(0, DIGEST_BYTES).toString('base64');
}

function packSeen(seen: Iterable<string>): string {
  return Buffer.concat([...seen].map((d) => Buffer.from(d, 'base64'))).toString('base64');
}

function unpackSeen(packed: string): Set<string> {
  const buf = Buffer.from(packed, 'base64');
  const out = new Set<string>();
  for (let i = 0; i + DIGEST_BYTES <= buf.length; i += DIGEST_BYTES) out.add(buf.subarray(i, i + DIGEST_BYTES).toString('base64'));
  return out;
}

export interface StagedLedger {
  /** Messages for the page's transaction: one per hour the page touched. */
  messages: Message[];
  /** After the transaction committed: the counts become the ledger's. */
  commit(): void;
}

export class ReconciliationLedger {
  private readonly hours = new Map<number, HourCounts>();

  constructor(private readonly connector: { id: string; sourceSystem: string; department: string }) {}

  /** Loads this connector's committed ledger (read_committed: counts of aborted pages are not there). */
  async load(kafka: Kafka, topic: string): Promise<void> {
    this.hours.clear();
    const prefix = `${this.connector.id}@`;
    const digests = new Map<number, Set<string>>();
    await readToEnd(kafka, topic, (m) => {
      const key = m.key?.toString();
      if (!key?.startsWith(prefix) || !m.value) return;
      const v = JSON.parse(m.value.toString()) as ConnectorHourLedger;
      const h = Date.parse(v.hour);
      const seen = digests.get(h) ?? new Set<string>();
      digests.set(h, seen);
      for (const d of unpackSeen(v.seen)) seen.add(d);
      if (!isDigestKey(key)) this.hours.set(h, { read: v.read, delivered: v.delivered, deadLettered: v.deadLettered, produced: v.produced, deadReasons: { ...v.deadReasons }, seen, segments: v.segments ?? 0 });
    });
    for (const [h, c] of this.hours) c.seen = digests.get(h) ?? c.seen;
  }

  /** The committed counts of one hour (status, tests). */
  counts(hourMs: number): Omit<HourCounts, 'seen' | 'segments'> | undefined {
    const h = this.hours.get(hourStartMs(hourMs));
    return h && { read: h.read, delivered: h.delivered, deadLettered: h.deadLettered, produced: h.produced, deadReasons: { ...h.deadReasons } };
  }

  /** Counts a page into copies of the hours it touches; the ledger itself changes only on commit(). */
  stage(records: RecordTally[]): StagedLedger {
    const staged = new Map<number, HourCounts & { added: Set<string> }>();
    const hour = (ms: number) => {
      const h = hourStartMs(ms);
      let s = staged.get(h);
      if (!s) {
        const base = this.hours.get(h);
        s = { read: base?.read ?? 0, delivered: base?.delivered ?? 0, deadLettered: base?.deadLettered ?? 0, produced: base?.produced ?? 0, deadReasons: { ...base?.deadReasons }, seen: base?.seen ?? new Set(), segments: base?.segments ?? 0, added: new Set() };
        staged.set(h, s);
      }
      return s;
    };
    const first = (s: { seen: Set<string>; added: Set<string> }, d: string) => {
      if (s.seen.has(d) || s.added.has(d)) return false;
      s.added.add(d);
      return true;
    };
    for (const r of records) {
      const h = hour(r.hourMs);
      if (first(h, digest('r', r.key))) {
        h.read += 1;
        if (r.outcome === 'delivered') h.delivered += 1;
        else {
          h.deadLettered += 1;
          h.deadReasons[r.code] = (h.deadReasons[r.code] ?? 0) + 1;
        }
      }
      if (r.outcome === 'delivered') {
        for (const p of r.produced) {
          const ph = hour(p.hourMs);
          if (first(ph, digest('p', p.key))) ph.produced += 1;
        }
      }
    }
    const changed = [...staged].filter(([, s]) => s.added.size > 0);
    const messages = changed.flatMap(([h, s]) => {
      const value: ConnectorHourLedger = {
        connector: this.connector.id,
        sourceSystem: this.connector.sourceSystem,
        department: this.connector.department,
        hour: new Date(h).toISOString(),
        read: s.read,
        delivered: s.delivered,
        deadLettered: s.deadLettered,
        produced: s.produced,
        deadReasons: s.deadReasons,
        seen: '',
        segments: s.segments + 1,
      };
      const key = ledgerKey(this.connector.id, h);
      // the page's digests under a key of their own, the counts (with the next segment number) under the hour's
      return [
        { key: `${key}#${s.segments}`, value: JSON.stringify({ ...value, seen: packSeen(s.added) }) },
        { key, value: JSON.stringify(value) },
      ];
    });
    return {
      messages,
      commit: () => {
        for (const [h, s] of changed) {
          const seen = this.hours.get(h)?.seen ?? s.seen;
          for (const d of s.added) seen.add(d);
          this.hours.set(h, { read: s.read, delivered: s.delivered, deadLettered: s.deadLettered, produced: s.produced, deadReasons: s.deadReasons, seen, segments: s.segments + 1 });
        }
      },
    };
  }
}
