/**
 * Applies a run of records of one kind inside the caller's transaction (the consumer's, which also
 * records the consumed offset): their source records in one INSERT, each record by its kind's
 * handler in order, then what the handlers left for the end of the transaction — subject
 * follow-ups and deferred inserts (timeline, new tasks, rule dispatches), each written set-based. A record that could not be decoded is
 * kept in hub_dead_letters with the reason.
 *
 * The result is a function of the records applied so far, whatever the runs they were cut into:
 * a run cut anywhere else after a crash or a rebalance ends in the same state.
 */
import type { Knex } from 'knex';
import type { Envelope, RecordKind } from '../../schemas/index.js';
import { deferInserts, endDeferredInserts, flushDeferredInserts } from '../store/deferred-inserts.js';
import { endMatterWrites } from './matter-writes.js';
import { endSubjectRun } from './subject-link-store.js';
import { timed } from './phase-clock.js';
import type { ApplyOutcome, Position } from './apply-report.js';
import { HANDLERS, RUN_HOOKS } from './handlers.js';
import type { HubRouting } from './routing.js';
import { preregisterSourceRecords } from './source-records.js';
import { countHubStage } from './reconciliation-counts.js';
import { bufferSubjectFollowups, flushSubjectFollowups } from './subject-followups.js';

/** One Kafka message: the decoded record, or why it could not be decoded. */
export interface ChunkItem {
  offset: string;
  report?: unknown;
  error?: string;
  value: Buffer | null;
  /** A record decoded but not applicable keeps its envelope: the reconciliation counts it in its hour. */
  envelope?: Envelope;
}

export async function applyRecords(
  tx: Knex.Transaction,
  kind: RecordKind,
  pos: { topic: string; partition: number },
  items: ChunkItem[],
  routing: HubRouting,
): Promise<{ counts: Partial<Record<ApplyOutcome, number>>; deadLettered: number }> {
  const handler = HANDLERS[kind];
  if (!handler) throw new Error(`the hub has no handler for ${kind} records`);
  const counts: Partial<Record<ApplyOutcome, number>> = {};
  let deadLettered = 0;
  const firstStored = await timed('writes', () =>
    preregisterSourceRecords(
      tx,
      items.filter((d) => d.report).map((d) => ({ kind, record: d.report as { envelope: Envelope }, pos: { ...pos, offset: d.offset } })),
    ),
  );
  // the keys stored for the first time are the records the reconciliation counts as applied
  await timed('reconcile', () => countHubStage(tx, 'hub_applied', pos, firstStored));
  const hooks = RUN_HOOKS[kind];
  // (the run's features, locks and reads of candidate matters and subject neighbourhoods)
  await timed('candidates', async () => hooks?.prepare(tx, items.filter((d) => d.report).map((d) => d.report), routing));
  deferInserts(tx);
  bufferSubjectFollowups(tx);
  await timed('matching', async () => {
    for (const d of items) {
      if (d.report) {
        const at: Position = { ...pos, offset: d.offset };
        const { outcome } = await handler(tx, d.report, at, routing);
        counts[outcome] = (counts[outcome] ?? 0) + 1;
      } else {
        const kept = await tx('hub_dead_letters').insert({ ...pos, offset: d.offset, reason: d.error, value: d.value }).onConflict(['topic', 'partition', 'offset']).ignore().returning('offset');
        if (kept.length && d.envelope) await countHubStage(tx, 'hub_dead_lettered', pos, [d.envelope]);
        deadLettered += 1;
      }
    }
  });
  hooks?.end(tx);
  await timed('writes', async () => {
    // matters and reports first: the follow-ups set their subjects
    await flushDeferredInserts(tx);
    await endSubjectRun(tx);
    await flushSubjectFollowups(tx);
    await endDeferredInserts(tx);
  });
  endMatterWrites(tx);
  return { counts, deadLettered };
}
