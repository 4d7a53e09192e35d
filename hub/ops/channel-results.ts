/**
 * After closure, the reports of a matter can still move: an operator merges a closed matter with
 * another, or splits a report out of it. Each reporting channel must then hold exactly the answer
 * that now applies to its own record — the result of the closed matter the record belongs to, or
 * word that its matter is open again — told once, and not told again what it already knows.
 * `record_results` keeps what each record was last told (written by every RESULT and REOPEN).
 */
import type { Knex } from 'knex';
import type { Actor } from './types.js';

export interface Told {
  matterId: string;
  told: 'closed' | 'reopened';
  result: string | null;
}

export type Notice = 'RESULT' | 'REOPEN';

/**
 * What a record's channel must be told now, given its matter and what it was told last: the
 * matter's result when the record's matter is closed and the channel does not hold that matter's
 * result; that it is open again when the channel holds a result that no longer applies; else
 * nothing. A record never told anything about an open matter hears nothing.
 */
export function noticeFor(matter: { id: string; status: string; result: string | null }, last: Told | null): Notice | null {
  if (matter.status === 'CLOSED') {
    const holds = last?.told === 'closed' && last.matterId === matter.id && last.result === matter.result;
    return holds ? null : 'RESULT';
  }
  return last?.told === 'closed' ? 'REOPEN' : null;
}

type Tx = Knex.Transaction;
type ReportRow = { source_system: string; source_record_id: string; department: string };
export type QueueNotice = (tx: Tx, matterId: string, version: number, report: ReportRow, notice: Notice, at: number, actor: Actor) => Promise<void>;

/** What each record of `matterId` was last told. */
export async function toldOf(tx: Tx, reports: ReportRow[]): Promise<Map<string, Told>> {
  if (reports.length === 0) return new Map();
  const rows = (await tx('record_results')
    .whereIn(['source_system', 'source_record_id'], reports.map((r) => [r.source_system, r.source_record_id]))
    .select('source_system', 'source_record_id', 'matter_id', 'told', 'result')) as Array<{ source_system: string; source_record_id: string; matter_id: string; told: Told['told']; result: string | null }>;
  return new Map(rows.map((r) => [`${r.source_system}\u0000${r.source_record_id}`, { matterId: String(r.matter_id), told: r.told, result: r.result }]));
}

/** Remembers what a record's channel was told (in the transaction that queues the telling). */
export async function rememberTold(tx: Tx, report: { source_system: string; source_record_id: string }, matterId: string, told: Told['told'], result: string | null, version: number): Promise<void> {
  const row = { matter_id: matterId, told, result, version };
  await tx('record_results').insert({ source_system: report.source_system, source_record_id: report.source_record_id, ...row }).onConflict(['source_system', 'source_record_id']).merge(row);
}

/**
 * Sends each channel of the matters' records what changed for it (RESULT or REOPEN), under one new
 * decision version per matter that has anything to send. Returns how many notices were queued.
 */
export async function sendChangedResults(tx: Tx, matterIds: string[], at: number, actor: Actor, queue: QueueNotice): Promise<number> {
  let sent = 0;
  for (const id of matterIds) {
    const m = (await tx('matters').where({ id }).first('id', 'status', 'result')) as { id: string; status: string; result: string | null } | undefined;
    if (!m) continue;
    const matter = { ...m, id: String(m.id) };
    const reports = (await tx('reports').where({ matter_id: matter.id }).orderBy(['source_system', 'source_record_id']).select('source_system', 'source_record_id', 'department')) as ReportRow[];
    const told = await toldOf(tx, reports);
    const due = reports.map((r) => ({ r, notice: noticeFor(matter, told.get(`${r.source_system}\u0000${r.source_record_id}`) ?? null) })).filter((x): x is { r: ReportRow; notice: Notice } => x.notice !== null);
    if (due.length === 0) continue;
    const bumped = (await tx('matters').where({ id: matter.id }).increment('decision_version', 1).returning('decision_version')) as Array<{ decision_version: string }>;
    const version = Number(bumped[0]!.decision_version);
    for (const { r, notice } of due) await queue(tx, matter.id, version, r, notice, at, actor);
    sent += due.length;
  }
  return sent;
}
