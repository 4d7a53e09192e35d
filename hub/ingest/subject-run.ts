/**
 * The subject-bearing records of a run, for subject-link-store.ts: each record's blocking keys (as
 * linkSubject computes them) and source identity, so that the run's locks and reads happen once.
 */
import type { Knex } from 'knex';
import type { Envelope } from '../../schemas/index.js';
import { subjectBlockingKeys, type SubjectRecord } from '../merge/index.js';
import type { HubRouting } from './routing.js';
import { prepareSubjectRun } from './subject-link-store.js';
import { addPhase } from './phase-clock.js';

const keysOf = new WeakMap<SubjectRecord, string[]>();

/** A record's subject blocking keys, remembered with the record object (the run's prepare, its link and the warm-up ahead of the run all ask). */
export function subjectKeysOf(rec: SubjectRecord, routing: Pick<HubRouting, 'regions'>): string[] {
  let keys = keysOf.get(rec);
  if (!keys) keysOf.set(rec, (keys = subjectBlockingKeys(rec, { regions: routing.regions })));
  return keys;
}

export async function prepareSubjectRunOf(tx: Knex.Transaction, records: Array<{ rec: SubjectRecord | null; envelope: Envelope }>, routing: HubRouting): Promise<void> {
  const t0 = performance.now();
  const named = records.filter((r): r is { rec: SubjectRecord; envelope: Envelope } => !!r.rec && !!(r.rec.uscc || r.rec.idHash || r.rec.name));
  const keyed = named.map((r) => ({ keys: subjectKeysOf(r.rec, routing), self: { source_system: r.envelope.sourceSystem, source_record_id: r.envelope.sourceRecordId } }));
  addPhase('features', performance.now() - t0);
  await prepareSubjectRun(tx, keyed);
}
