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
  const before = await tx('subject_links').where({ source_system: e.sourceSystem, source_record_id: e.sourceRecordId }).first<{ source_version: string } | undefined>('source_version');
  if (before && BigInt(before.source_version) > BigInt(e.sourceVersion)) return { outcome: 'stale' };
  await linkSubject(tx, subjectRecord(s), { kind: 'subject', sourceSystem: e.sourceSystem, sourceRecordId: e.sourceRecordId, sourceVersion: e.sourceVersion, department: e.department, at: e.eventTime }, routing);
  return { outcome: before ? 'updated' : 'new' };
}
