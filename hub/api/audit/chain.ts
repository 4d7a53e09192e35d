/**
 * The access audit log: append-only (a trigger refuses UPDATE and DELETE) and hash-chained, so that
 * even someone who can switch the trigger off cannot change, remove or insert a row without
 * `verifyAuditChain` noticing: each row's hash covers its fields and the previous row's hash.
 * Removing the newest rows is the one change a chain alone cannot see; the chain head reported by
 * verify is what an auditor records elsewhere (e.g. in the monthly audit report) to close that gap.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { canonical } from '../../ingest/source-records.js';

export interface AuditEntry {
  principalId: string;
  action: string;
  target: string;
  purpose: string;
  remoteAddr: string | null;
  detail?: Record<string, unknown>;
}

interface AuditRow {
  seq: string;
  at: Date;
  principal_id: string;
  action: string;
  target: string;
  purpose: string;
  remote_addr: string | null;
  detail: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

const GENESIS = '0'.repeat(64);

function rowHash(prev: string, seq: string, at: Date, e: AuditEntry): string {
  const fields = [prev, seq, at.toISOString(), e.principalId, e.action, e.target, e.purpose, e.remoteAddr ?? '', canonical(e.detail ?? {})];
  return createHash('sha256').update(fields.join('\u001f')).digest('hex');
}

/** Appends one entry in its own transaction; serialised so the chain stays a line under concurrency. */
export async function appendAudit(db: Knex, e: AuditEntry): Promise<{ seq: string; hash: string }> {
  return db.transaction(async (tx) => {
    await tx.raw("select pg_advisory_xact_lock(hashtext(current_schema()), hashtext('countyhub.access_audit'))");
    const last = await tx('access_audit').orderBy('seq', 'desc').first<{ seq: string; hash: string } | undefined>('seq', 'hash');
    const seq = String(BigInt(last?.seq ?? 0) + 1n);
    const at = new Date(); // millisecond precision survives timestamptz, so the hash re-computes
    const hash = rowHash(last?.hash ?? GENESIS, seq, at, e);
    await tx('access_audit').insert({
      seq,
      at,
      principal_id: e.principalId,
      action: e.action,
      target: e.target,
      purpose: e.purpose,
      remote_addr: e.remoteAddr,
      detail: JSON.stringify(e.detail ?? {}),
      prev_hash: last?.hash ?? GENESIS,
      hash,
    });
    return { seq, hash };
  });
}

export interface ChainVerdict {
  ok: boolean;
  checked: number;
  /** The newest row's hash: record it outside the hub to detect later truncation. */
  head: string;
  /** The first row that does not fit the chain, and why. */
  brokenAt?: { seq: string; reason: string };
}

/** Re-computes the chain from the first row, in pages; stops at the first break. */
export async function verifyAuditChain(db: Knex, pageSize = 5_000): Promise<ChainVerdict> {
  let prev = GENESIS;
  let expectedSeq = 1n;
  let checked = 0;
  for (;;) {
    const rows: AuditRow[] = await db('access_audit').where('seq', '>=', String(expectedSeq)).orderBy('seq').limit(pageSize);
    for (const r of rows) {
      const seq = String(r.seq);
      const fail = (reason: string): ChainVerdict => ({ ok: false, checked, head: prev, brokenAt: { seq, reason } });
      if (BigInt(seq) !== expectedSeq) return fail(`row ${expectedSeq} is missing (next row is ${seq})`);
      if (r.prev_hash !== prev) return fail('prev_hash does not match the previous row (a row was removed or inserted)');
      const entry: AuditEntry = { principalId: r.principal_id, action: r.action, target: r.target, purpose: r.purpose, remoteAddr: r.remote_addr, detail: r.detail };
      if (rowHash(prev, seq, r.at, entry) !== r.hash) return fail('row content does not match its hash (the row was altered)');
      prev = r.hash;
      expectedSeq += 1n;
      checked += 1;
    }
    if (rows.length < pageSize) return { ok: true, checked, head: prev };
  }
}
