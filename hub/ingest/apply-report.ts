/**
 * Applies one Report to the store inside the caller's transaction. Idempotent by
 * (source system, record id, version): a version already stored changes nothing, and an older
 * version than the current one is kept for lineage but never overwrites the newer state.
 */
import type { Knex } from 'knex';
import type { Report } from '../../schemas/index.js';

export interface Position {
  topic: string;
  partition: number;
  offset: string;
}

export type ApplyOutcome = 'new' | 'updated' | 'stale' | 'duplicate';

export async function applyReport(tx: Knex.Transaction, r: Report, pos: Position): Promise<ApplyOutcome> {
  const e = r.envelope;
  const inserted = await tx('source_records')
    .insert({
      kind: 'report',
      source_system: e.sourceSystem,
      source_record_id: e.sourceRecordId,
      source_version: e.sourceVersion,
      department: e.department,
      payload: JSON.stringify(r),
      topic: pos.topic,
      partition: pos.partition,
      offset: pos.offset,
    })
    .onConflict(['source_system', 'source_record_id', 'source_version'])
    .ignore()
    .returning('id');
  if (inserted.length === 0) return 'duplicate';

  const current = await tx('reports')
    .where({ source_system: e.sourceSystem, source_record_id: e.sourceRecordId })
    .forUpdate()
    .first<{ source_version: string; matter_id: string } | undefined>('source_version', 'matter_id');
  if (current && BigInt(current.source_version) > BigInt(e.sourceVersion)) return 'stale';

  const row = {
    source_version: e.sourceVersion,
    department: e.department,
    channel: r.channel,
    status: r.status,
    source_status: r.sourceStatus,
    title: r.title,
    description: r.description,
    category_code: r.categoryCode,
    source_category: r.sourceCategoryCode,
    division_code: e.divisionCode,
    grid_code: e.gridCode,
    lng: e.location?.lng ?? null,
    lat: e.location?.lat ?? null,
    address: r.address,
    event_time: new Date(e.eventTime),
    payload: JSON.stringify(r),
  };
  const updatedAt = new Date(Math.max(e.eventTime, e.sourceVersion > 1e12 ? e.sourceVersion : e.eventTime));
  if (current) {
    await tx('reports').where({ source_system: e.sourceSystem, source_record_id: e.sourceRecordId }).update(row);
    await tx('matters')
      .where({ id: current.matter_id })
      .update({ status: r.status, title: r.title ?? r.description.slice(0, 40), description: r.description, category_code: r.categoryCode, updated_at: updatedAt });
    return 'updated';
  }
  // One report, one matter for now; the merge engine links reports about the same matter.
  const [matter] = await tx('matters')
    .insert({
      title: r.title ?? r.description.slice(0, 40),
      description: r.description,
      category_code: r.categoryCode,
      source_category: r.sourceCategoryCode,
      status: r.status,
      division_code: e.divisionCode,
      town_code: e.divisionCode?.slice(0, 9) ?? null,
      grid_code: e.gridCode,
      lng: e.location?.lng ?? null,
      lat: e.location?.lat ?? null,
      address: r.address,
      report_count: 1,
      first_reported_at: new Date(e.eventTime),
      updated_at: updatedAt,
    })
    .returning<{ id: string }[]>('id');
  await tx('reports').insert({ source_system: e.sourceSystem, source_record_id: e.sourceRecordId, matter_id: matter!.id, ...row });
  return 'new';
}
