/**
 * Links a department's record about an enterprise, shop or place to its golden subject (一企一档).
 *
 * Subjects are a function of the set of records, not of the order they arrive in
 * (hub/merge/subject-clusters.ts): a record is compared with every record it shares a blocking key
 * with, and subjects are the components of those record-to-record matches (split only between two
 * valid USCCs or ID hashes). A new record, or a new version of one, re-forms the components it
 * touches: subjects it bridges are merged in place, its old component is re-formed without its old
 * version, and each subject's id derives from its smallest source identity. Links, blocking keys,
 * reports' and matters' subject ids and the golden records (survivorship: registry facts from
 * market regulation win; addresses: the newest) follow.
 *
 * Subjects an operator merged or split (merge_audit) are not re-formed: a record matching one
 * joins it, so that an operator's decision is never undone by the next record.
 */
import type { Knex } from 'knex';
import { clusterSubjects, identityOf, identityParts, matchRecordPair, subjectBlockingKeys, type MemberDecision, type SubjectMember, type SubjectRecord } from '../merge/index.js';
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

/** Subjects found by one record's blocking keys, at most: beyond, a key is too common to block on. */
const MAX_BLOCK_SUBJECTS = 400;

export interface LinkOptions {
  /** A report naming a subject: the same name in the same town suffices (pairwise `name-in-town`). */
  nameInTown?: boolean;
}

/** What a link stores as `record`: the matching fields, and what the golden record needs. */
type StoredRecord = SubjectRecord & { department?: string; at?: number; loose?: boolean };

interface LinkRow {
  source_system: string;
  source_record_id: string;
  kind: string;
  subject_id: string;
  source_version: string;
  component: string | null;
  record: StoredRecord;
  decision: { rule?: string; score?: number; with?: string | null } | null;
}

export async function linkSubject(tx: Knex.Transaction, rec: SubjectRecord, src: SubjectSource, routing: HubRouting, opts: LinkOptions = {}): Promise<string | null> {
  if (!rec.uscc && !rec.idHash && !rec.name) return null;
  // Two transactions linking records that may match, or re-forming one component, take turns
  // (each would miss the other's uncommitted record): a lock per blocking key (records that can
  // match share one) and, below, per component.
  const keys = subjectBlockingKeys(rec, { regions: routing.regions });
  await lockAll(tx, keys.map((k) => `subject-key:${k}`));
  const where = { source_system: src.sourceSystem, source_record_id: src.sourceRecordId };
  const existing = (await tx('subject_links').where(where).first()) as LinkRow | undefined;
  if (existing && BigInt(existing.source_version) > BigInt(src.sourceVersion)) return String(existing.subject_id);
  const stored: StoredRecord = { ...rec, department: src.department, at: src.at, ...(opts.nameInTown ? { loose: true } : {}) };
  const self: SubjectMember = { sourceSystem: src.sourceSystem, sourceRecordId: src.sourceRecordId, record: stored, ...(opts.nameInTown ? { loose: true } : {}) };
  const selfId = identityOf(self);

  // the components the record touches: those of every subject sharing a blocking key with it, and its own
  // only the components of records it matches (a common key finds many subjects it has nothing to do with)
  const touched = async (): Promise<Set<string>> => {
    const subjectIds: string[] = keys.length
      ? (await tx('subject_keys').distinct('subject_id').whereIn('key', keys).orderBy('subject_id').limit(MAX_BLOCK_SUBJECTS)).map((r: { subject_id: string }) => String(r.subject_id))
      : [];
    const candidates: LinkRow[] = subjectIds.length ? await tx('subject_links').whereIn('subject_id', subjectIds) : [];
    const out = new Set<string>();
    for (const r of candidates) {
      if (r.component === null || out.has(r.component)) continue;
      if (matchRecordPair(self, memberOf(r), { regions: routing.regions })) out.add(r.component);
    }
    const mine = (await tx('subject_links').where(where).first('component')) as { component: string | null } | undefined;
    if (mine?.component) out.add(mine.component);
    return out;
  };
  // lock the components, then look again: another transaction may have re-formed them meanwhile
  const locked = new Set<string>();
  let components = await touched();
  for (let guard = 0; guard < 5 && [...components].some((c) => !locked.has(c)); guard++) {
    const more = [...components].filter((c) => !locked.has(c));
    await lockAll(tx, more.map((c) => `subject-component:${c}`));
    for (const c of more) locked.add(c);
    components = await touched();
  }
  const rows: LinkRow[] = components.size ? await tx('subject_links').whereIn('component', [...components]) : [];
  const others = rows.filter((r) => identityOf({ sourceSystem: r.source_system, sourceRecordId: r.source_record_id }) !== selfId);
  const members: SubjectMember[] = [
    self,
    ...others.map(memberOf),
  ];
  const clustering = clusterSubjects(members, { regions: routing.regions });

  const oldSubjects = [...new Set(rows.map((r) => String(r.subject_id)))];
  if (await operatorGoverned(tx, oldSubjects)) return joinGoverned(tx, self, stored, src, existing, others, clustering.decisions.get(selfId), keys);

  // the subjects as they now are
  const subjectOf = new Map<string, string>();
  const componentOf = new Map<string, string>();
  const changedSubjects = new Set<string>();
  const grownOnly = new Set<string>();
  for (const c of clustering.clusters) {
    const sid = deterministicId('subject', c.first.sourceSystem, c.first.sourceRecordId);
    const comp = deterministicId('subject', ...identityParts(c.component));
    for (const m of c.members) {
      subjectOf.set(identityOf(m), sid);
      componentOf.set(identityOf(m), comp);
    }
  }
  const before = new Map(others.map((r) => [identityOf({ sourceSystem: r.source_system, sourceRecordId: r.source_record_id }), r]));
  const moved: Array<{ source_system: string; source_record_id: string; subject_id: string }> = [];
  for (const c of clustering.clusters) {
    const sid = subjectOf.get(identityOf(c.first)) as string;
    const old = new Set(c.members.map((m) => (identityOf(m) === selfId ? existing?.subject_id : before.get(identityOf(m))?.subject_id)).map((x) => (x === undefined ? null : String(x))));
    if (old.size !== 1 || !old.has(sid) || c.members.some((m) => identityOf(m) === selfId)) changedSubjects.add(sid);
    // the usual case: the record joined one subject, nothing else moved — its keys are added, not rewritten
    const othersOld = new Set(c.members.filter((m) => identityOf(m) !== selfId).map((m) => String(before.get(identityOf(m))?.subject_id)));
    const hadBefore = others.filter((r) => String(r.subject_id) === sid).length;
    if (c.members.some((m) => identityOf(m) === selfId) && othersOld.size === 1 && othersOld.has(sid) && hadBefore === c.members.length - 1 && !existing) grownOnly.add(sid);
  }
  // subjects first (links reference them), then links
  for (const sid of changedSubjects) {
    await tx('subjects').insert({ id: sid, subject_type: 'OTHER', name: '(未知)', updated_at: new Date(src.at) }).onConflict('id').ignore();
  }
  for (const [id, row] of before) {
    const sid = subjectOf.get(id) as string;
    const comp = componentOf.get(id) as string;
    const d = clustering.decisions.get(id);
    const decisionChanged = row.decision?.rule !== d?.rule || row.decision?.score !== d?.score || (row.decision?.with ?? null) !== (d?.with ?? null);
    if (String(row.subject_id) === sid && row.component === comp && !decisionChanged) continue;
    await tx('subject_links')
      .where({ source_system: row.source_system, source_record_id: row.source_record_id })
      .update({ subject_id: sid, component: comp, decision: JSON.stringify(decisionJson(d)) });
    if (String(row.subject_id) !== sid) moved.push({ source_system: row.source_system, source_record_id: row.source_record_id, subject_id: sid });
  }
  const selfSubject = subjectOf.get(selfId) as string;
  const selfRow = {
    subject_id: selfSubject,
    component: componentOf.get(selfId) as string,
    source_version: src.sourceVersion,
    record: JSON.stringify(stored),
    decision: JSON.stringify(decisionJson(clustering.decisions.get(selfId))),
  };
  if (existing) {
    await tx('subject_links').where(where).update(selfRow);
    if (String(existing.subject_id) !== selfSubject) moved.push({ ...where, subject_id: selfSubject });
  } else {
    await tx('subject_links').insert({ ...where, kind: src.kind, linked_at: new Date(src.at), ...selfRow });
  }

  // blocking keys of every changed subject: those of its records
  const live = new Set(subjectOf.values());
  const gone = oldSubjects.filter((s) => !live.has(s));
  const rewrite = [...new Set([...changedSubjects, ...gone])].filter((sid) => !grownOnly.has(sid));
  if (rewrite.length) await tx('subject_keys').whereIn('subject_id', rewrite).del();
  const keyRows: Array<{ key: string; subject_id: string }> = [];
  for (const [id, sid] of subjectOf) {
    if (!changedSubjects.has(sid) || (grownOnly.has(sid) && id !== selfId)) continue;
    for (const key of clustering.keys.get(id) ?? []) keyRows.push({ key, subject_id: sid });
  }
  for (let i = 0; i < keyRows.length; i += 1000) await tx('subject_keys').insert(keyRows.slice(i, i + 1000)).onConflict(['key', 'subject_id']).ignore();

  // reports and matters follow their records
  const matterIds = new Set<string>();
  for (const m of moved) {
    const r = await tx('reports').where({ source_system: m.source_system, source_record_id: m.source_record_id }).update({ subject_id: m.subject_id }, ['matter_id']);
    for (const x of r as Array<{ matter_id: string }>) matterIds.add(String(x.matter_id));
  }
  if (gone.length) {
    for (const x of (await tx('matters').whereIn('subject_id', gone).select('id')) as Array<{ id: string }>) matterIds.add(String(x.id));
    await tx('subjects').whereIn('id', gone).whereNull('merged_into').del();
  }
  await refreshMatterSubjects(tx, [...matterIds]);
  for (const sid of changedSubjects) await refreshGolden(tx, sid);
  return selfSubject;
}

/** Transaction-scoped advisory locks, in one order (a transaction's records still interleave: PostgreSQL detects the rare deadlock and the consumer retries record by record). */
async function lockAll(tx: Knex.Transaction, names: string[]): Promise<void> {
  const sorted = [...new Set(names)].sort();
  if (sorted.length) await tx.raw('select pg_advisory_xact_lock(hashtext(current_schema()), hashtext(k)) from unnest(?::text[]) with ordinality as t(k, n) order by n', [sorted]);
}

function memberOf(r: LinkRow): SubjectMember {
  return { sourceSystem: r.source_system, sourceRecordId: r.source_record_id, record: r.record, ...(r.record.loose ? { loose: true } : {}) };
}

function decisionJson(d: MemberDecision | undefined): object {
  if (!d || d.with === null) return { decision: 'new', rule: d?.rule ?? 'no-candidate', score: 0, with: null, features: null, explanation: 'no other record matches' };
  const other = identityParts(d.with).join('/');
  return { decision: 'match', rule: d.rule, score: d.score, with: d.with, features: d.features, explanation: `${d.rule} with ${other} (score ${d.score})` };
}

/** Subjects an operator merged or split: automatic linking adds to them but never re-forms them. */
async function operatorGoverned(tx: Knex.Transaction, subjectIds: string[]): Promise<boolean> {
  if (!subjectIds.length) return false;
  const hit = await tx('merge_audit')
    .where({ kind: 'subject' })
    .where((w) =>
      w
        .whereRaw("detail->>'into' = any(?)", [subjectIds])
        .orWhereRaw("detail->>'subject' = any(?)", [subjectIds])
        .orWhereRaw("detail->>'newSubject' = any(?)", [subjectIds]),
    )
    .first('id');
  return !!hit;
}

/** Near operator decisions: the record joins the subject of the record it matches best (or is a subject of its own). */
async function joinGoverned(
  tx: Knex.Transaction,
  self: SubjectMember,
  stored: StoredRecord,
  src: SubjectSource,
  existing: LinkRow | undefined,
  others: LinkRow[],
  d: MemberDecision | undefined,
  keys: string[],
): Promise<string> {
  const where = { source_system: src.sourceSystem, source_record_id: src.sourceRecordId };
  const partner = d?.with ? others.find((r) => identityOf({ sourceSystem: r.source_system, sourceRecordId: r.source_record_id }) === d.with) : undefined;
  const subjectId = existing ? String(existing.subject_id) : partner ? String(partner.subject_id) : deterministicId('subject', self.sourceSystem, self.sourceRecordId);
  const component = existing?.component ?? partner?.component ?? subjectId;
  if (!existing && !partner) {
    await tx('subjects').insert({ id: subjectId, subject_type: 'OTHER', name: '(未知)', updated_at: new Date(src.at) }).onConflict('id').ignore();
  }
  const row = { subject_id: subjectId, component, source_version: src.sourceVersion, record: JSON.stringify(stored), decision: JSON.stringify(decisionJson(d)) };
  if (existing) await tx('subject_links').where(where).update(row);
  else await tx('subject_links').insert({ ...where, kind: src.kind, linked_at: new Date(src.at), ...row });
  if (keys.length) await tx('subject_keys').insert(keys.map((key) => ({ key, subject_id: subjectId }))).onConflict(['key', 'subject_id']).ignore();
  await refreshGolden(tx, subjectId);
  return subjectId;
}

/**
 * A matter's subject: that of its report of smallest source identity among those naming one — a
 * function of the matter's reports, whichever arrived first.
 */
export async function refreshMatterSubjects(tx: Knex.Transaction, matterIds: string[]): Promise<void> {
  if (!matterIds.length) return;
  await tx.raw(
    `update matters m set subject_id = (
       select r.subject_id from reports r where r.matter_id = m.id and r.subject_id is not null
       order by r.source_system collate "C", r.source_record_id collate "C" limit 1)
     where m.id = any(?::bigint[])`,
    [matterIds],
  );
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
      // the town, for the API's town filter; the ID hash of a person, for blocking and display
      town_code: townOf((golden.divisionCode?.value as string | undefined) ?? null),
      id_hash: (pick(byRegistryThenNewest, 'idHash')?.value as string | undefined) ?? null,
      lng: loc?.lng ?? null,
      lat: loc?.lat ?? null,
      golden: JSON.stringify(golden),
      updated_at: new Date(Math.max(...links.map((l) => l.record.at ?? 0))),
    });
}

function townOf(code: string | null): string | null {
  return code && code.length >= 9 ? code.slice(0, 9) : null;
}
