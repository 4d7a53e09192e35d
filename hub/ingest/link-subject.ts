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
import { clusterSubjects, identityOf, identityParts, matchRecordPair, type MemberDecision, type SubjectMember, type SubjectRecord } from '../merge/index.js';
import { subjectKeysOf } from './subject-run.js';
import { compareIds, deterministicId } from '../store/ids.js';
import type { HubRouting } from './routing.js';
import { goldenDue, redirectsDue, reportSubjectsDue, subjectsGone } from './subject-followups.js';
import { dbStore, endSubjectRun, NeedsDatabase, subjectRunOf, type LinkRow, type LinkStore, type StoredRecord } from './subject-link-store.js';

export interface SubjectSource {
  kind: 'subject' | 'report' | 'case' | 'approval';
  sourceSystem: string;
  sourceRecordId: string;
  sourceVersion: number;
  department: string;
  at: number;
}

export interface LinkOptions {
  /** A report naming a subject: the same name in the same town suffices (pairwise `name-in-town`). */
  nameInTown?: boolean;
}

/** What linking did: the record's subject, and whether a version of the record was linked before. */
export interface LinkResult {
  subjectId: string;
  /** A version of the record was linked before. */
  existed: boolean;
  /** The linked version is newer: nothing changed. */
  stale: boolean;
}

export async function linkSubject(tx: Knex.Transaction, rec: SubjectRecord, src: SubjectSource, routing: HubRouting, opts: LinkOptions = {}): Promise<LinkResult | null> {
  if (!rec.uscc && !rec.idHash && !rec.name) return null;
  const run = subjectRunOf(tx);
  if (run) {
    try {
      return await linkWith(tx, run, rec, src, routing, opts);
    } catch (err) {
      if (!(err instanceof NeedsDatabase)) throw err;
      // something the run's memory does not hold: write what it has, ask PostgreSQL from here on
      await endSubjectRun(tx);
    }
  }
  return linkWith(tx, dbStore(tx), rec, src, routing, opts);
}

async function linkWith(tx: Knex.Transaction, store: LinkStore, rec: SubjectRecord, src: SubjectSource, routing: HubRouting, opts: LinkOptions): Promise<LinkResult | null> {
  // Two transactions linking records that may match, or re-forming one component, take turns
  // (each would miss the other's uncommitted record): a lock per blocking key (records that can
  // match share one) and, below, per component.
  const keys = subjectKeysOf(rec, routing);
  await store.lockKeys(keys);
  const where = { source_system: src.sourceSystem, source_record_id: src.sourceRecordId };
  const stored: StoredRecord = { ...rec, department: src.department, at: src.at, ...(opts.nameInTown ? { loose: true } : {}) };
  const self: SubjectMember = { sourceSystem: src.sourceSystem, sourceRecordId: src.sourceRecordId, record: stored, ...(opts.nameInTown ? { loose: true } : {}) };
  const selfId = identityOf(self);

  // The components the record touches — of the records it matches among those sharing a blocking
  // key with it (a common key finds many it has nothing to do with), and its own — and, in the same
  // statement, every record of the components already locked.
  const look = async (locked: Set<string>) => {
    const found = await store.near(keys, where, [...locked]);
    const touched = new Set<string>();
    for (const r of found.near) {
      if (r.component === null || touched.has(r.component)) continue;
      if (matchRecordPair(self, memberOf(r), { regions: routing.regions })) touched.add(r.component);
    }
    if (found.self?.component) touched.add(found.self.component);
    return { ...found, touched };
  };
  // lock the components, then look again: another transaction may have re-formed them meanwhile
  const locked = new Set<string>();
  let seen = await look(locked);
  const existing = seen.self;
  if (existing && BigInt(existing.source_version) > BigInt(src.sourceVersion)) {
    // an older version, late: it changes nothing but when the record was first seen
    await store.touchLinkedAt(where, src.at);
    return { subjectId: String(existing.subject_id), existed: true, stale: true };
  }
  for (let guard = 0; guard < 5 && [...seen.touched].some((c) => !locked.has(c)); guard++) {
    const more = [...seen.touched].filter((c) => !locked.has(c));
    await store.lockComponents(more);
    for (const c of more) locked.add(c);
    seen = await look(locked);
  }
  // (after five rounds of others re-forming them meanwhile, the components are read unlocked)
  const rows = [...seen.touched].every((c) => locked.has(c))
    ? seen.inComponents.filter((r) => r.component !== null && seen.touched.has(r.component))
    : await store.linksOfComponents([...seen.touched]);
  const others = rows.filter((r) => identityOf({ sourceSystem: r.source_system, sourceRecordId: r.source_record_id }) !== selfId);
  const members: SubjectMember[] = [self, ...others.map(memberOf)];
  const clustering = clusterSubjects(members, { regions: routing.regions });

  const oldSubjects = [...new Set(rows.map((r) => String(r.subject_id)))];
  if (await store.governed(oldSubjects)) {
    const subjectId = await joinGoverned(tx, self, stored, src, existing, others, clustering.decisions.get(selfId), keys);
    return { subjectId, existed: !!existing, stale: false };
  }

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
  // a subject that lost a record (it left for another subject) has changed too: its keys and golden
  // record must no longer carry the departed record's, or they would depend on the arrival order
  const live = new Set(subjectOf.values());
  for (const [id, row] of [...before, [selfId, existing] as const]) {
    const old = row ? String(row.subject_id) : null;
    if (old !== null && live.has(old) && old !== subjectOf.get(id)) changedSubjects.add(old);
  }
  // subjects first (links reference them), then links
  const fresh = [...changedSubjects].filter((sid) => !oldSubjects.includes(sid));
  if (fresh.length) await store.insertSubjects(fresh, src.at);
  const relinked: Array<{ source_system: string; source_record_id: string; subject_id: string; component: string; decision: object }> = [];
  for (const [id, row] of before) {
    const sid = subjectOf.get(id) as string;
    const comp = componentOf.get(id) as string;
    const d = clustering.decisions.get(id);
    const decisionChanged = row.decision?.rule !== d?.rule || row.decision?.score !== d?.score || (row.decision?.with ?? null) !== (d?.with ?? null);
    if (String(row.subject_id) === sid && row.component === comp && !decisionChanged) continue;
    relinked.push({ source_system: row.source_system, source_record_id: row.source_record_id, subject_id: sid, component: comp, decision: decisionJson(d) });
    if (String(row.subject_id) !== sid) moved.push({ source_system: row.source_system, source_record_id: row.source_record_id, subject_id: sid });
  }
  await store.relink(relinked);
  const selfSubject = subjectOf.get(selfId) as string;
  const selfRow = {
    subject_id: selfSubject,
    component: componentOf.get(selfId) as string,
    source_version: src.sourceVersion,
    record: stored,
    decision: decisionJson(clustering.decisions.get(selfId)),
  };
  if (existing) {
    // linked_at: when the record was first seen at the source, whichever of its versions came first
    await store.updateLink(where, selfRow, src.at);
    if (String(existing.subject_id) !== selfSubject) moved.push({ ...where, subject_id: selfSubject });
  } else {
    await store.insertLink({ ...where, kind: src.kind, ...selfRow }, src.at);
  }

  // blocking keys of every changed subject: those of its records
  const gone = oldSubjects.filter((s) => !live.has(s));
  // (a subject that did not exist before has no keys to remove)
  const rewrite = [...new Set([...changedSubjects, ...gone])].filter((sid) => !grownOnly.has(sid) && oldSubjects.includes(sid));
  if (rewrite.length) await store.deleteKeys(rewrite);
  const keyRows: Array<{ key: string; subject_id: string }> = [];
  for (const [id, sid] of subjectOf) {
    if (!changedSubjects.has(sid) || (grownOnly.has(sid) && id !== selfId)) continue;
    for (const key of clustering.keys.get(id) ?? []) keyRows.push({ key, subject_id: sid });
  }
  await store.insertKeys(keyRows);

  // reports and matters follow their records (subject-followups.ts: at the end of the consumer's transaction)
  await reportSubjectsDue(tx, moved);
  if (gone.length) {
    await subjectsGone(tx, gone);
    await store.deleteSubjects(gone);
    await redirect(tx, gone, [...rows.map((r) => ({ id: identityOf({ sourceSystem: r.source_system, sourceRecordId: r.source_record_id }), old: String(r.subject_id) }))], subjectOf, src.at);
  }
  await goldenDue(tx, changedSubjects);
  return { subjectId: selfSubject, existed: !!existing, stale: false };
}

/**
 * Each subject id that went is sent on to the subject that now holds most of its records (the
 * smaller id on a tie), and so are the ids that were sent to it.
 */
async function redirect(tx: Knex.Transaction, gone: string[], records: Array<{ id: string; old: string }>, subjectOf: Map<string, string>, at: number): Promise<void> {
  const rows = gone.map((old) => {
    const votes = new Map<string, number>();
    for (const r of records) if (r.old === old) votes.set(subjectOf.get(r.id)!, (votes.get(subjectOf.get(r.id)!) ?? 0) + 1);
    const [newId] = [...votes].sort(([a, x], [b, y]) => y - x || compareIds(a, b))[0]!;
    return { old_id: old, new_id: newId, redirected_at: new Date(at) };
  });
  // (written at the end of the consumer's transaction: subject-followups.ts)
  await redirectsDue(tx, rows);
}

/**
 * A row's member, one object per row: the matcher remembers what it prepared per member object,
 * and the run's store hands out the same row objects until a row changes (then a new object).
 */
const MEMBERS = new WeakMap<LinkRow, SubjectMember>();

function memberOf(r: LinkRow): SubjectMember {
  let m = MEMBERS.get(r);
  if (!m) MEMBERS.set(r, (m = { sourceSystem: r.source_system, sourceRecordId: r.source_record_id, record: r.record, ...(r.record.loose ? { loose: true } : {}) }));
  return m;
}

function decisionJson(d: MemberDecision | undefined): object {
  if (!d || d.with === null) return { decision: 'new', rule: d?.rule ?? 'no-candidate', score: 0, with: null, features: null, explanation: 'no other record matches' };
  const other = identityParts(d.with).join('/');
  return { decision: 'match', rule: d.rule, score: d.score, with: d.with, features: d.features, explanation: `${d.rule} with ${other} (score ${d.score})` };
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
  await goldenDue(tx, [subjectId]);
  return subjectId;
}
