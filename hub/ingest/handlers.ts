/**
 * Which canonical record kinds the hub consumes, and the function that applies each inside the
 * consumer's PostgreSQL transaction. The consumer subscribes to exactly these kinds' topics; a new
 * kind is one entry here (and its apply module), not a change to the consumer.
 */
import type { Knex } from 'knex';
import type { RecordKind, Report, StatusChange, Subject } from '../../schemas/index.js';
import { applyReport, type ApplyEffect, type Position } from './apply-report.js';
import { applyStatusChange, resolvePendingStatusChanges } from './apply-status.js';
import { applySubject } from './apply-subject.js';
import type { HubRouting } from './routing.js';
import { flushDeferredInserts } from '../store/deferred-inserts.js';
import { sendChangedResults } from '../ops/channel-results.js';
import { HUB_ACTOR, queueNotice } from '../ops/decisions.js';
import { poolMatter, poolMatterReread } from './matter-candidates.js';
import { prepareSubjectRunOf } from './subject-run.js';
import { subjectRecord } from '../merge/index.js';
import { deriveReportAhead, endReportRun, mayHaveWaitingChanges, prepareReportRun } from './report-run.js';

export type ApplyRecord = (tx: Knex.Transaction, record: unknown, pos: Position, routing: HubRouting) => Promise<ApplyEffect>;

/**
 * A report (with the rule's dispatch of a matter it opened, for the departments); then the status
 * changes that waited for it: reports and status changes travel on different topics, so a
 * department's 签收 can reach the hub before the ticket it is about.
 */
export async function applyReportAndPending(tx: Knex.Transaction, r: Report, pos: Position, routing: HubRouting): Promise<ApplyEffect> {
  const effect = await applyReport(tx, r, pos, routing);
  if (effect.matterId && (effect.outcome === 'new' || effect.outcome === 'updated') && mayHaveWaitingChanges(tx, r.envelope.sourceSystem, r.envelope.sourceRecordId, effect.matterId)) {
    // the changes are applied to tasks: those of a matter this run opened may not be written yet
    await flushDeferredInserts(tx);
    // a department's 办结 that waited may have closed it: the run's candidate pool reads it again
    if ((await resolvePendingStatusChanges(tx, r.envelope, effect.matterId, routing)) > 0) await poolMatterReread(tx, effect.matterId);
  }
  if (effect.matterId && effect.outcome === 'new' && !effect.opened) await answerJoinedRecord(tx, effect.matterId, r.envelope.eventTime);
  return effect;
}

/**
 * A new report that joined a matter already closed: its channel gets the matter's result once, as
 * the channels of the matter's other reports did (统一出件; hub/ops/channel-results.ts).
 */
async function answerJoinedRecord(tx: Knex.Transaction, matterId: string, at: number): Promise<void> {
  // the run's candidate pool knows whether the matter it joined is closed: no statement per report
  const pooled = poolMatter(tx, matterId);
  if (pooled && pooled.closedAt === null) return;
  const m = (await tx('matters').where({ id: matterId }).first('status')) as { status: string } | undefined;
  if (m?.status !== 'CLOSED') return;
  await flushDeferredInserts(tx); // the report's row, if the run holds it back
  await sendChangedResults(tx, [matterId], at, HUB_ACTOR, queueNotice);
}

export const HANDLERS: Partial<Record<RecordKind, ApplyRecord>> = {
  report: (tx, r, pos, routing) => applyReportAndPending(tx, r as Report, pos, routing),
  subject: (tx, s, pos, routing) => applySubject(tx, s as Subject, pos, routing),
  'status-change': (tx, c, pos, routing) => applyStatusChange(tx, c as StatusChange, pos, routing),
};

/**
 * Per kind, what a run of its records asks once before the first is applied, and forgets after the
 * last; and what can be derived from one record alone ahead of its run (no I/O, same result).
 */
export const RUN_HOOKS: Partial<Record<RecordKind, { prepare(tx: Knex.Transaction, records: unknown[], routing: HubRouting): Promise<void>; end(tx: Knex.Transaction): void; deriveAhead?(record: unknown, routing: HubRouting): void }>> = {
  report: { prepare: (tx, rs, routing) => prepareReportRun(tx, rs as Report[], routing), end: endReportRun, deriveAhead: (r, routing) => deriveReportAhead(r as Report, routing) },
  subject: {
    prepare: (tx, ss, routing) => prepareSubjectRunOf(tx, (ss as Subject[]).map((s) => ({ rec: subjectRecord(s), envelope: s.envelope })), routing),
    end: () => undefined,
  },
};

export function consumedKinds(): RecordKind[] {
  return Object.keys(HANDLERS) as RecordKind[];
}
