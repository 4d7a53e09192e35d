/**
 * The hub-state dump (hub/store/state-dump.ts) and, for tests, the subject graph's invariants.
 */
import type { Db } from '../../hub/store/db.js';
import { deterministicId } from '../../hub/store/ids.js';

export { canonicalDump, diffDumps, DUMPED_TABLES, type Dump, type DumpRow } from '../../hub/store/state-dump.js';

/**
 * Within one run: the subject graph is whole. Each subject has a link and is named after its
 * linked record of smallest source identity; each report's subject is its link's subject;
 * each matter's subject is one of its reports' subjects; keys and golden provenance point at
 * existing subjects and their own links. Returns the violations, empty when whole.
 */
export async function subjectInvariants(db: Db): Promise<string[]> {
  const out: string[] = [];
  const subjects: Array<{ id: string; golden: Record<string, { provenance?: { sourceSystem: string; sourceRecordId: string } } | null> }> = await db('subjects').select('id', 'golden');
  const links: Array<{ subject_id: string; source_system: string; source_record_id: string }> = await db('subject_links').select('subject_id', 'source_system', 'source_record_id');
  const linksOf = new Map<string, Set<string>>();
  for (const l of links) linksOf.set(String(l.subject_id), (linksOf.get(String(l.subject_id)) ?? new Set()).add(`${l.source_system}|${l.source_record_id}`));
  for (const s of subjects) {
    const own = linksOf.get(String(s.id));
    if (!own) {
      out.push(`subject ${s.id} has no link`);
      continue;
    }
    const first = [...own].map((k) => k.split('|') as [string, string]).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0))[0]!;
    if (deterministicId('subject', ...first) !== String(s.id)) out.push(`subject ${s.id} is not named after its smallest linked record ${first.join('|')}`);
    for (const [field, v] of Object.entries(s.golden ?? {})) {
      const p = v?.provenance;
      if (p && !own.has(`${p.sourceSystem}|${p.sourceRecordId}`)) out.push(`subject ${s.id}: golden ${field} comes from ${p.sourceSystem}|${p.sourceRecordId}, not one of its links`);
    }
  }
  const rows = async (what: string, sql: string) => {
    for (const r of (await db.raw(sql)).rows as Array<Record<string, unknown>>) out.push(`${what}: ${JSON.stringify(r)}`);
  };
  await rows('report whose subject is not its link\'s', `select r.source_system, r.source_record_id, r.subject_id, l.subject_id as linked from reports r left join subject_links l using (source_system, source_record_id) where r.subject_id is distinct from l.subject_id`);
  await rows('matter whose subject is none of its reports\'', `select m.id, m.subject_id from matters m where m.subject_id is not null and not exists (select 1 from reports r where r.matter_id = m.id and r.subject_id = m.subject_id)`);
  await rows('matter without the subject its reports name', `select m.id from matters m where m.subject_id is null and exists (select 1 from reports r where r.matter_id = m.id and r.subject_id is not null)`);
  await rows('redirect to a subject that is not there', `select d.old_id, d.new_id from subject_redirects d where not exists (select 1 from subjects s where s.id = d.new_id)`);
  await rows('key of a missing subject', `select distinct k.subject_id from subject_keys k where not exists (select 1 from subjects s where s.id = k.subject_id)`);
  await rows('linked subject without keys', `select distinct l.subject_id from subject_links l where not exists (select 1 from subject_keys k where k.subject_id = l.subject_id)`);
  return out;
}

/** How far two runs' subject linking differs: for the test's log when the dumps differ. */
export async function subjectDifference(a: Db, b: Db): Promise<string> {
  const load = async (db: Db) => new Map(((await db('subject_links').select('source_system', 'source_record_id', 'subject_id')) as Array<Record<string, string>>).map((l) => [`${l.source_system}|${l.source_record_id}`, String(l.subject_id)]));
  const [la, lb] = [await load(a), await load(b)];
  const count = (m: Map<string, string>) => new Set(m.values()).size;
  const otherSubject = [...la].filter(([k, s]) => lb.get(k) !== s).length;
  return `subjects ${count(la)} vs ${count(lb)}; ${otherSubject} of ${la.size} links point at a subject of another id`;
}
