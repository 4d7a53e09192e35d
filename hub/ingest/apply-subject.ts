/** Applies one Subject record (a registry row, an enforcement party, an applicant) inside the caller's transaction. */
import type { Knex } from 'knex';
import type { Subject } from '../../schemas/index.js';
import { subjectRecord } from '../merge/index.js';
import type { ApplyEffect, Position } from './apply-report.js';
import { linkSubject } from './link-subject.js';
import type { HubRouting } from './routing.js';
import { registerSourceRecord } from './source-records.js';

export async function applySubject(tx: Knex.Transaction, s: Subject, pos: Position, routing: HubRouting): Promise<ApplyEffect> {
  const e = s.envelope;
  if ((await registerSourceRecord(tx, 'subject', s, pos)) === 'duplicate') return { outcome: 'duplicate' };
  const linked = await linkSubject(tx, subjectRecord(s), { kind: 'subject', sourceSystem: e.sourceSystem, sourceRecordId: e.sourceRecordId, sourceVersion: e.sourceVersion, department: e.department, at: e.eventTime }, routing);
  // a record without a USCC, an ID hash or a name names no subject: it is kept in source_records only
  if (!linked) return { outcome: 'new' };
  return { outcome: linked.stale ? 'stale' : linked.existed ? 'updated' : 'new' };
}
