/**
 * Links a department's record about an enterprise, shop or place to its golden subject (一企一档):
 * candidates by blocking keys, hub/merge decides (deterministic on USCC/ID hash, probabilistic on
 * name, address and distance), the decision is stored with the link, and the golden record is
 * kept by survivorship (registry facts from market regulation win; addresses: the newest).
 */
import type { Knex } from 'knex';
import { matchSubject, subjectBlockingKeys, type SubjectCandidate, type SubjectRecord } from '../merge/index.js';
import { deterministicId } from '../store/ids.js';
import type { HubRouting } from './routing.js';

export interface SubjectSource {
  kind: 'subject' | 'report' | 'case' | 'approval';
  sourceSystem: string;
  sourceRecordId: string;
  sourceVersion: number;
  department: string;
  at: number;
}

const REGISTRY_DEPARTMENTS = new Set(['market']);

export interface LinkOptions {
  /** A report naming a subject: the same name in the same town suffices when unambiguous (matchSubject `nameInTown`). */
  nameInTown?: boolean;
}

export async function linkSubject(tx: Knex.Transaction, rec: SubjectRecord, src: SubjectSource, routing: HubRouting, opts: LinkOptions = {}): Promise<string | null> {
  if (!rec.uscc && !rec.idHash && !rec.name) return null;
  const existing = await tx('subject_links').where({ source_system: src.sourceSystem, source_record_id: src.sourceRecordId }).first<{ subject_id: string; source_version: string } | undefined>('subject_id', 'source_version');
  const keys = subjectBlockingKeys(rec, { regions: routing.regions });
  if (existing) {
    // a newer version of a linked record: keep the link, refresh what it says and the golden record
    if (BigInt(existing.source_version) <= BigInt(src.sourceVersion)) {
      await tx('subject_links').where({ source_system: src.sourceSystem, source_record_id: src.sourceRecordId }).update({ record: JSON.stringify(rec), source_version: src.sourceVersion });
      await addKeys(tx, existing.subject_id, keys);
      await refreshGolden(tx, existing.subject_id);
    }
    return String(existing.subject_id);
  }
  const candidates = await loadCandidates(tx, keys);
  const decision = matchSubject(rec, candidates, { regions: routing.regions, ...(opts.nameInTown ? { nameInTown: true } : {}) });
  let subjectId: string;
  if (decision.decision === 'match' && decision.subjectId) {
    subjectId = decision.subjectId;
  } else {
    subjectId = deterministicId('subject', src.sourceSystem, src.sourceRecordId);
    await tx('subjects').insert({
      id: subjectId,
      subject_type: rec.subjectType ?? 'OTHER',
      uscc: rec.uscc ?? null,
      id_hash: rec.idHash ?? null,
      name: rec.name ?? rec.uscc ?? '(未知)',
      address: rec.address ?? null,
      division_code: rec.divisionCode ?? null,
      town_code: rec.divisionCode && rec.divisionCode.length >= 9 ? rec.divisionCode.slice(0, 9) : null,
      lng: rec.location?.lng ?? null,
      lat: rec.location?.lat ?? null,
      updated_at: new Date(src.at),
    });
  }
  await tx('subject_links').insert({
    source_system: src.sourceSystem,
    source_record_id: src.sourceRecordId,
    kind: src.kind,
    subject_id: subjectId,
    source_version: src.sourceVersion,
    record: JSON.stringify({ ...rec, department: src.department, at: src.at }),
    decision: JSON.stringify({ decision: decision.decision, rule: decision.rule, score: decision.score, features: decision.features, explanation: decision.explanation }),
    linked_at: new Date(src.at),
  });
  await addKeys(tx, subjectId, keys);
  if (decision.decision === 'match') await refreshGolden(tx, subjectId);
  return subjectId;
}

async function addKeys(tx: Knex.Transaction, subjectId: string, keys: string[]): Promise<void> {
  if (keys.length) await tx('subject_keys').insert(keys.map((key) => ({ key, subject_id: subjectId }))).onConflict(['key', 'subject_id']).ignore();
}

async function loadCandidates(tx: Knex.Transaction, keys: string[]): Promise<SubjectCandidate[]> {
  if (!keys.length) return [];
  const ids: string[] = (await tx('subject_keys').distinct('subject_id').whereIn('key', keys).orderBy('subject_id').limit(50)).map((r: { subject_id: string }) => String(r.subject_id));
  if (!ids.length) return [];
  const subjects = await tx('subjects').whereIn('id', ids).orderBy('id');
  const links: Array<{ subject_id: string; record: SubjectRecord }> = await tx('subject_links').select('subject_id', 'record').whereIn('subject_id', ids);
  return subjects.map((s: { id: string; uscc: string | null; id_hash: string | null; name: string; address: string | null; division_code: string | null; lng: number | null; lat: number | null; subject_type: string }) => {
    const recs = links.filter((l) => String(l.subject_id) === String(s.id)).map((l) => l.record);
    const uniq = (xs: Array<string | null | undefined>) => [...new Set(xs.filter((x): x is string => !!x))].sort();
    return {
      subjectId: String(s.id),
      uscc: s.uscc,
      idHash: s.id_hash,
      names: uniq([s.name, ...recs.flatMap((r) => [r.name, ...(r.formerNames ?? [])])]),
      addresses: uniq([s.address, ...recs.flatMap((r) => [r.address, ...(r.addresses ?? [])])]),
      divisionCode: s.division_code,
      locations: [...recs.map((r) => r.location).filter((l): l is { lng: number; lat: number } => !!l), ...(s.lng !== null && s.lat !== null ? [{ lng: s.lng, lat: s.lat }] : [])],
      subjectType: s.subject_type as SubjectCandidate['subjectType'],
    };
  });
}

/** Golden values by survivorship over every linked record, with provenance of each field. */
export async function refreshGolden(tx: Knex.Transaction, subjectId: string): Promise<void> {
  const links: Array<{ source_system: string; source_record_id: string; source_version: string; record: SubjectRecord & { department?: string; at?: number } }> = await tx('subject_links')
    .select('source_system', 'source_record_id', 'source_version', 'record')
    .where({ subject_id: subjectId })
    .orderBy(['source_system', 'source_record_id']);
  const byRegistryThenNewest = [...links].sort((a, b) => {
    const ra = REGISTRY_DEPARTMENTS.has(a.record.department ?? '') ? 1 : 0;
    const rb = REGISTRY_DEPARTMENTS.has(b.record.department ?? '') ? 1 : 0;
    return rb - ra || (b.record.at ?? 0) - (a.record.at ?? 0) || a.source_record_id.localeCompare(b.source_record_id);
  });
  const newest = [...links].sort((a, b) => (b.record.at ?? 0) - (a.record.at ?? 0) || a.source_record_id.localeCompare(b.source_record_id));
  const pick = <K extends keyof SubjectRecord>(order: typeof links, field: K) => {
    const l = order.find((x) => x.record[field] !== null && x.record[field] !== undefined && x.record[field] !== '');
    return l ? { value: l.record[field], provenance: { sourceSystem: l.source_system, sourceRecordId: l.source_record_id, sourceVersion: l.source_version } } : null;
  };
  const golden = {
    uscc: pick(byRegistryThenNewest, 'uscc'),
    name: pick(byRegistryThenNewest, 'name'),
    subjectType: pick(byRegistryThenNewest, 'subjectType'),
    address: pick(newest, 'address'),
    divisionCode: pick(byRegistryThenNewest, 'divisionCode'),
    location: pick(newest, 'location'),
  };
  const loc = golden.location?.value as { lng: number; lat: number } | undefined;
  await tx('subjects')
    .where({ id: subjectId })
    .update({
      uscc: (golden.uscc?.value as string | undefined) ?? null,
      name: (golden.name?.value as string | undefined) ?? '(未知)',
      subject_type: (golden.subjectType?.value as string | undefined) ?? 'OTHER',
      address: (golden.address?.value as string | undefined) ?? null,
      division_code: (golden.divisionCode?.value as string | undefined) ?? null,
      lng: loc?.lng ?? null,
      lat: loc?.lat ?? null,
      golden: JSON.stringify(golden),
      updated_at: new Date(Math.max(...links.map((l) => l.record.at ?? 0))),
    });
}
