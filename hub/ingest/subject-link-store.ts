/**
 * Where subject linking (link-subject.ts) reads and writes links, keys and subjects.
 *
 * - `dbStore`: every question and every write a statement, as a lone transaction needs.
 * - A subject run (`prepareSubjectRun`): the consumer's transaction takes the advisory locks of
 *   ALL its records' blocking keys in one statement up front (sorted), reads the neighbourhood of
 *   all those keys in one statement — the subjects each key finds (as many as a record's lookup
 *   can use), all their links, the records' own links and every link of their components — locks
 *   those components (sorted) and reads again. From then on nobody else can change what the run
 *   reads (writers of those keys and components wait for its locks), so linking runs in memory,
 *   record by record in order, on the neighbourhood with the run's own changes applied, and the
 *   run's links, keys and subjects are written at its end, set-based. Each record sees exactly
 *   what it would have read from PostgreSQL after the records before it.
 *
 *   What the memory does not hold (a key found by more subjects than a lookup uses that lost one
 *   of them, a component not locked, a subject an operator merged or split, a record not read
 *   ahead) is not guessed: the question throws NeedsDatabase before the record wrote anything,
 *   the run writes what it has and the rest of the run asks PostgreSQL (`dbStore`).
 */
import type { Knex } from 'knex';
import type { SubjectRecord } from '../merge/index.js';
import { compareIds } from '../store/ids.js';

/** Subjects found by one record's blocking keys, at most: beyond, a key is too common to block on. */
export const MAX_BLOCK_SUBJECTS = 400;

/** What a link stores as `record`: the matching fields, and what the golden record needs. */
export type StoredRecord = SubjectRecord & { department?: string; at?: number; loose?: boolean };

export interface LinkRow {
  source_system: string;
  source_record_id: string;
  kind: string;
  subject_id: string;
  source_version: string;
  component: string | null;
  record: StoredRecord;
  decision: { rule?: string; score?: number; with?: string | null } | null;
}

type Where = { source_system: string; source_record_id: string };
type LinkFields = { subject_id: string; component: string; source_version: number; record: StoredRecord; decision: object };

export interface LinkStore {
  lockKeys(keys: string[]): Promise<void>;
  /** The links of the subjects the keys find (at most MAX_BLOCK_SUBJECTS), the record's own link, every link of the components. */
  near(keys: string[], self: Where, components: string[]): Promise<{ near: LinkRow[]; self: LinkRow | undefined; inComponents: LinkRow[] }>;
  lockComponents(components: string[]): Promise<void>;
  linksOfComponents(components: string[]): Promise<LinkRow[]>;
  /** An older version arrived late: the link was first seen then. */
  touchLinkedAt(self: Where, at: number): Promise<void>;
  /** Whether an operator merged or split one of these subjects. */
  governed(subjectIds: string[]): Promise<boolean>;
  insertSubjects(ids: string[], at: number): Promise<void>;
  relink(rows: Array<Where & { subject_id: string; component: string; decision: object }>): Promise<void>;
  updateLink(self: Where, row: LinkFields, at: number): Promise<void>;
  insertLink(row: Where & { kind: string } & LinkFields, at: number): Promise<void>;
  deleteKeys(subjectIds: string[]): Promise<void>;
  insertKeys(rows: Array<{ key: string; subject_id: string }>): Promise<void>;
  deleteSubjects(ids: string[]): Promise<void>;
}

/** The run's memory cannot answer: ask PostgreSQL (thrown before the record wrote anything). */
export class NeedsDatabase extends Error {}

const identity = (w: Where) => `${w.source_system}\u001f${w.source_record_id}`;
const byId = compareIds;

/** Transaction-scoped advisory locks, in one order (byte order of the names). */
export async function lockAll(tx: Knex.Transaction, names: string[]): Promise<void> {
  const sorted = [...new Set(names)].sort();
  if (sorted.length) await tx.raw('select pg_advisory_xact_lock(hashtext(current_schema()), hashtext(k)) from unnest(?::text[]) with ordinality as t(k, n) order by n', [sorted]);
}

const LINK_COLS = 'l.source_system, l.source_record_id, l.kind, l.subject_id, l.source_version, l.component, l.record, l.decision';

/** Transactions that found no operator decision on subjects (one made meanwhile is seen by the next transaction). */
const withoutOperatorSubjects = new WeakSet<Knex.Transaction>();

async function operatorGoverned(tx: Knex.Transaction, subjectIds: string[]): Promise<boolean> {
  if (!subjectIds.length || withoutOperatorSubjects.has(tx)) return false;
  // operators rarely merge or split subjects: while none ever has, a transaction asks once, not per record
  if (!(await tx('merge_audit').where({ kind: 'subject' }).first('id'))) {
    withoutOperatorSubjects.add(tx);
    return false;
  }
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

export function dbStore(tx: Knex.Transaction): LinkStore {
  return {
    lockKeys: (keys) => lockAll(tx, keys.map((k) => `subject-key:${k}`)),
    async near(keys, self, components) {
      const res = await tx.raw(
        `select 'near' as why, ${LINK_COLS} from subject_links l
          where l.subject_id in (select distinct subject_id from subject_keys where key = any(?::text[]) order by subject_id limit ${MAX_BLOCK_SUBJECTS})
         union all
         select 'self', ${LINK_COLS} from subject_links l where l.source_system = ? and l.source_record_id = ?
         union all
         select 'component', ${LINK_COLS} from subject_links l where l.component = any(?::text[])`,
        [keys, self.source_system, self.source_record_id, components],
      );
      const out = { near: [] as LinkRow[], self: undefined as LinkRow | undefined, inComponents: [] as LinkRow[] };
      for (const r of res.rows as Array<LinkRow & { why: string }>) {
        if (r.why === 'near') out.near.push(r);
        else if (r.why === 'self') out.self = r;
        else out.inComponents.push(r);
      }
      return out;
    },
    lockComponents: (components) => lockAll(tx, components.map((c) => `subject-component:${c}`)),
    linksOfComponents: async (components) => (await tx('subject_links').whereIn('component', components)) as LinkRow[],
    async touchLinkedAt(self, at) {
      await tx('subject_links').where(self).where('linked_at', '>', new Date(at)).update({ linked_at: new Date(at) });
    },
    governed: (ids) => operatorGoverned(tx, ids),
    async insertSubjects(ids, at) {
      await tx('subjects')
        .insert(ids.map((id) => ({ id, subject_type: 'OTHER', name: '(未知)', updated_at: new Date(at) })))
        .onConflict('id')
        .ignore();
    },
    async relink(rows) {
      if (!rows.length) return;
      await tx.raw(
        `update subject_links l set subject_id = v.subject_id, component = v.component, decision = v.decision
           from jsonb_to_recordset(?::jsonb) as v(source_system text, source_record_id text, subject_id bigint, component text, decision jsonb)
          where l.source_system = v.source_system and l.source_record_id = v.source_record_id`,
        [JSON.stringify(rows)],
      );
    },
    async updateLink(self, row, at) {
      await tx('subject_links')
        .where(self)
        .update({ ...row, record: JSON.stringify(row.record), decision: JSON.stringify(row.decision), linked_at: tx.raw('least(linked_at, ?)', [new Date(at)]) });
    },
    async insertLink(row, at) {
      await tx('subject_links').insert({ ...row, record: JSON.stringify(row.record), decision: JSON.stringify(row.decision), linked_at: new Date(at) });
    },
    async deleteKeys(ids) {
      await tx('subject_keys').whereIn('subject_id', ids).del();
    },
    async insertKeys(rows) {
      for (let i = 0; i < rows.length; i += 1000) await tx('subject_keys').insert(rows.slice(i, i + 1000)).onConflict(['key', 'subject_id']).ignore();
    },
    async deleteSubjects(ids) {
      await tx('subjects').whereIn('id', ids).whereNull('merged_into').del();
    },
  };
}

// ── the run in memory ──────────────────────────────────────────────────────────────────────

type MemLink = LinkRow & { linked_at: number };

/** A JSON value as it comes back from a jsonb column. */
const asStored = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

class RunStore implements LinkStore {
  private readonly links = new Map<string, MemLink>();
  private readonly bySubject = new Map<string, Set<string>>();
  private readonly byComponent = new Map<string, Set<string>>();
  /** Per run key: the subjects holding it (the first MAX_BLOCK_SUBJECTS + 1 by id when read). */
  private readonly keyIndex = new Map<string, Set<string>>();
  /** The same, by subject: the run keys each subject holds (a subject's keys are deleted without scanning every key). */
  private readonly keysOfSubject = new Map<string, Set<string>>();
  /** Keys read with more subjects than a lookup uses; and those of them that lost a subject since. */
  private readonly saturated = new Set<string>();
  private readonly shrunk = new Set<string>();
  private readonly lockedComponents: Set<string>;
  private readonly selves: Set<string>;
  private readonly governedIds: Set<string>;
  // what the run wrote, for the end
  private readonly dirtyLinks = new Set<string>();
  /** Subject id → written since its last delete (the row must exist), or deleted last. */
  private readonly subjectOps = new Map<string, { exists: boolean; deleted: boolean; at: number }>();
  /** Subject id → keys inserted since the run deleted its keys (deletedKeys) or since the start. */
  private readonly keyOps = new Map<string, { deleted: boolean; keys: Set<string> }>();

  constructor(read: NeighbourhoodRead, lockedComponents: Set<string>, selves: Set<string>, governedIds: Set<string>) {
    this.lockedComponents = lockedComponents;
    this.selves = selves;
    this.governedIds = governedIds;
    for (const [key, subjects] of read.keys) {
      this.keyIndex.set(key, new Set(subjects));
      for (const sid of subjects) this.holds(sid, key);
      if (subjects.length > MAX_BLOCK_SUBJECTS) this.saturated.add(key);
    }
    for (const l of read.links) this.put(l);
  }

  private put(l: MemLink): void {
    const id = identity(l);
    const before = this.links.get(id);
    if (before) {
      this.bySubject.get(String(before.subject_id))?.delete(id);
      if (before.component !== null) this.byComponent.get(before.component)?.delete(id);
    }
    this.links.set(id, l);
    const sid = String(l.subject_id);
    (this.bySubject.get(sid) ?? this.bySubject.set(sid, new Set()).get(sid)!).add(id);
    if (l.component !== null) (this.byComponent.get(l.component) ?? this.byComponent.set(l.component, new Set()).get(l.component)!).add(id);
  }

  private holds(sid: string, key: string): void {
    (this.keysOfSubject.get(sid) ?? this.keysOfSubject.set(sid, new Set()).get(sid)!).add(key);
  }

  /**
   * A link as the store's questions hand it out: the stored object itself, not a copy — the run
   * replaces a link when it changes and never edits one, and linking only reads what it is given,
   * so a copy per link per question (hundreds for a popular subject) was garbage and nothing else.
   */
  private copy(l: MemLink): LinkRow {
    return l;
  }

  async lockKeys(keys: string[]): Promise<void> {
    if (keys.some((k) => !this.keyIndex.has(k))) throw new NeedsDatabase('a blocking key the run did not lock');
  }

  async near(keys: string[], self: Where, components: string[]) {
    if (!this.selves.has(identity(self))) throw new NeedsDatabase('a record the run did not read ahead');
    if (keys.some((k) => this.saturated.has(k) && this.shrunk.has(k))) throw new NeedsDatabase('a common key lost a subject');
    const subjects = new Set<string>();
    for (const k of keys) for (const s of this.keyIndex.get(k) ?? []) subjects.add(s);
    const found = [...subjects].sort(byId).slice(0, MAX_BLOCK_SUBJECTS);
    const near: LinkRow[] = [];
    for (const s of found) for (const id of this.bySubject.get(s) ?? []) near.push(this.copy(this.links.get(id)!));
    const own = this.links.get(identity(self));
    const inComponents: LinkRow[] = [];
    for (const c of new Set(components)) for (const id of this.byComponent.get(c) ?? []) inComponents.push(this.copy(this.links.get(id)!));
    return { near, self: own ? this.copy(own) : undefined, inComponents };
  }

  async lockComponents(components: string[]): Promise<void> {
    if (components.some((c) => !this.lockedComponents.has(c))) throw new NeedsDatabase('a component the run did not lock');
  }

  async linksOfComponents(): Promise<LinkRow[]> {
    throw new NeedsDatabase('components read unlocked');
  }

  async touchLinkedAt(self: Where, at: number): Promise<void> {
    const l = this.links.get(identity(self));
    if (l && l.linked_at > at) {
      this.put({ ...l, linked_at: at });
      this.dirtyLinks.add(identity(self));
    }
  }

  async governed(ids: string[]): Promise<boolean> {
    if (ids.some((id) => this.governedIds.has(id))) throw new NeedsDatabase('a subject an operator decided on');
    return false;
  }

  async insertSubjects(ids: string[], at: number): Promise<void> {
    for (const id of ids) {
      const op = this.subjectOps.get(id);
      // insert … on conflict do nothing: a row that exists keeps its values
      if (!op) this.subjectOps.set(id, { exists: true, deleted: false, at });
      else if (!op.exists) this.subjectOps.set(id, { exists: true, deleted: op.deleted, at });
    }
  }

  async relink(rows: Array<Where & { subject_id: string; component: string; decision: object }>): Promise<void> {
    for (const r of rows) {
      const l = this.links.get(identity(r));
      if (!l) continue;
      this.put({ ...l, subject_id: String(r.subject_id), component: r.component, decision: asStored(r.decision) as LinkRow['decision'] });
      this.dirtyLinks.add(identity(r));
      this.lockedComponents.add(r.component);
    }
  }

  async updateLink(self: Where, row: LinkFields, at: number): Promise<void> {
    const l = this.links.get(identity(self));
    if (!l) throw new Error('updateLink: the link is not in the run');
    this.put({ ...l, subject_id: String(row.subject_id), component: row.component, source_version: String(row.source_version), record: asStored(row.record), decision: asStored(row.decision) as LinkRow['decision'], linked_at: Math.min(l.linked_at, at) });
    this.dirtyLinks.add(identity(self));
    this.lockedComponents.add(row.component);
  }

  async insertLink(row: Where & { kind: string } & LinkFields, at: number): Promise<void> {
    if (this.links.has(identity(row))) throw new Error('insertLink: the link exists');
    this.put({ source_system: row.source_system, source_record_id: row.source_record_id, kind: row.kind, subject_id: String(row.subject_id), component: row.component, source_version: String(row.source_version), record: asStored(row.record), decision: asStored(row.decision) as LinkRow['decision'], linked_at: at });
    this.dirtyLinks.add(identity(row));
    this.lockedComponents.add(row.component);
  }

  async deleteKeys(ids: string[]): Promise<void> {
    for (const id of ids) {
      this.keyOps.set(id, { deleted: true, keys: new Set() });
      for (const key of this.keysOfSubject.get(id) ?? []) if (this.keyIndex.get(key)?.delete(id)) this.shrunk.add(key);
      this.keysOfSubject.delete(id);
    }
  }

  async insertKeys(rows: Array<{ key: string; subject_id: string }>): Promise<void> {
    for (const r of rows) {
      const sid = String(r.subject_id);
      const op = this.keyOps.get(sid) ?? this.keyOps.set(sid, { deleted: false, keys: new Set() }).get(sid)!;
      op.keys.add(r.key);
      const holders = this.keyIndex.get(r.key);
      if (holders) {
        holders.add(sid);
        this.holds(sid, r.key);
      }
    }
  }

  async deleteSubjects(ids: string[]): Promise<void> {
    for (const id of ids) this.subjectOps.set(id, { exists: false, deleted: true, at: 0 });
  }

  /** The subjects of the run's keys and the components of its subjects, as the run leaves them: the next runs' guess of what to lock. */
  rememberComponents(): void {
    for (const [key, subjects] of this.keyIndex) remember(SUBJECTS_OF_KEY, key, [...subjects], REMEMBERED_MAX);
    // keys the run gave subjects it re-formed, beyond its own records' keys (a merged subject holds its records' keys)
    for (const [sid, op] of this.keyOps) {
      for (const key of op.keys) {
        if (this.keyIndex.has(key)) continue;
        const known = SUBJECTS_OF_KEY.get(key) ?? [];
        // (a common key: a lookup reads only the first subjects by id; the read will tell)
        if (known.length <= MAX_BLOCK_SUBJECTS && !known.includes(sid)) remember(SUBJECTS_OF_KEY, key, [...known, sid], REMEMBERED_MAX);
      }
    }
    // (a subject's links share its component: one of them says it)
    for (const [sid, ids] of this.bySubject) {
      for (const id of ids) {
        const c = this.links.get(id)?.component;
        if (c) remember(COMPONENT_OF_SUBJECT, sid, c, REMEMBERED_MAX);
        break;
      }
    }
  }

  /** Writes the run's links, keys and subjects, set-based; subjects first (links and keys reference them), deleted ones last. */
  async flush(tx: Knex.Transaction): Promise<void> {
    const created = [...this.subjectOps].filter(([, o]) => o.exists);
    for (let i = 0; i < created.length; i += 1000) {
      await tx.raw(
        `insert into subjects (id, subject_type, name, updated_at)
         select v.id, 'OTHER', '(未知)', v.at from jsonb_to_recordset(?::jsonb) as v(id bigint, at timestamptz) on conflict (id) do nothing`,
        [JSON.stringify(created.slice(i, i + 1000).map(([id, o]) => ({ id, at: new Date(o.at).toISOString() })))],
      );
    }
    const links = [...this.dirtyLinks].map((id) => this.links.get(id)!);
    for (let i = 0; i < links.length; i += 1000) {
      await tx.raw(
        `insert into subject_links (source_system, source_record_id, kind, subject_id, source_version, component, record, decision, linked_at)
         select v.source_system, v.source_record_id, v.kind, v.subject_id, v.source_version, v.component, v.record, v.decision, v.linked_at
           from jsonb_to_recordset(?::jsonb) as v(source_system text, source_record_id text, kind text, subject_id bigint, source_version bigint,
                component text, record jsonb, decision jsonb, linked_at timestamptz)
         on conflict (source_system, source_record_id) do update set kind = excluded.kind, subject_id = excluded.subject_id,
            source_version = excluded.source_version, component = excluded.component, record = excluded.record,
            decision = excluded.decision, linked_at = excluded.linked_at`,
        [JSON.stringify(links.slice(i, i + 1000).map((l) => ({ ...l, linked_at: new Date(l.linked_at).toISOString() })))],
      );
    }
    const rewritten = [...this.keyOps].filter(([, o]) => o.deleted).map(([id]) => id);
    if (rewritten.length) await tx.raw('delete from subject_keys where subject_id = any(?::bigint[])', [rewritten]);
    const keyRows = [...this.keyOps].flatMap(([sid, o]) => [...o.keys].map((key) => ({ key, sid })));
    for (let i = 0; i < keyRows.length; i += 5000) {
      const part = keyRows.slice(i, i + 5000);
      await tx.raw('insert into subject_keys (key, subject_id) select * from unnest(?::text[], ?::bigint[]) on conflict (key, subject_id) do nothing', [part.map((r) => r.key), part.map((r) => r.sid)]);
    }
    const deleted = [...this.subjectOps].filter(([, o]) => !o.exists && o.deleted).map(([id]) => id);
    if (deleted.length) await tx.raw('delete from subjects where id = any(?::bigint[]) and merged_into is null', [deleted]);
  }
}

interface NeighbourhoodRead {
  keys: Map<string, string[]>;
  links: MemLink[];
}

/**
 * Links as a run read them, by source identity, with the row version (xmin) they were read at: a
 * run reads its neighbourhood twice (before and after locking its components), and consecutive
 * runs of a partition meet the same popular subjects, so most of what it reads is unchanged since
 * the last read. A committed row version has one content, so an unchanged version means the kept
 * link is the row. Only reads are kept (never the run's own writes: those are new versions), so a
 * run that rolls back leaves nothing wrong behind. The kept objects are never changed (RunStore
 * replaces a link, it does not edit it), and handing out the same record objects lets the
 * matchers' per-object memos find them again. Bounded.
 */
const LINKS_READ = new Map<string, { version: string; link: MemLink }>();
const LINKS_READ_MAX = 50_000;

/** The subjects each key finds (one more than a lookup uses, to know it is common), their links, the records' own, and all links of their components. */
async function readNeighbourhood(tx: Knex.Transaction, keys: string[], selves: Where[]): Promise<NeighbourhoodRead> {
  const keyRows = (
    await tx.raw(
      `select k.key, s.subject_id from unnest(?::text[]) as k(key)
         cross join lateral (select subject_id from subject_keys sk where sk.key = k.key order by subject_id limit ${MAX_BLOCK_SUBJECTS + 1}) s`,
      [keys],
    )
  ).rows as Array<{ key: string; subject_id: string }>;
  const byKey = new Map<string, string[]>(keys.map((k) => [k, []]));
  for (const r of keyRows) byKey.get(r.key)!.push(String(r.subject_id));
  const subjects = [...new Set(keyRows.map((r) => String(r.subject_id)))];
  // which rows, and their versions: the content (record, decision) only of rows not kept at that
  // version. (Asked apart from the keys: one statement for both planned the subjects' links worse
  // and took longer than the two together.)
  const versions = (
    await tx.raw(
      `with base as (
         select l.source_system, l.source_record_id, l.component, l.xmin::text as v from subject_links l where l.subject_id = any(?::bigint[])
         union all
         select l.source_system, l.source_record_id, l.component, l.xmin::text from subject_links l join unnest(?::text[], ?::text[]) as s(ss, sid) on l.source_system = s.ss and l.source_record_id = s.sid
       )
       select source_system, source_record_id, v from base
       union
       select l.source_system, l.source_record_id, l.xmin::text from subject_links l where l.component in (select component from base where component is not null)`,
      [subjects, selves.map((s) => s.source_system), selves.map((s) => s.source_record_id)],
    )
  ).rows as Array<Where & { v: string }>;
  const links = new Map<string, MemLink>();
  const stale: Where[] = [];
  for (const r of versions) {
    const id = identity(r);
    if (links.has(id)) continue;
    const kept = LINKS_READ.get(id);
    if (kept && kept.version === r.v) links.set(id, kept.link);
    else {
      stale.push(r);
      // (a placeholder keeps the read's order)
      links.set(id, undefined as unknown as MemLink);
    }
  }
  if (stale.length) {
    const res = await tx.raw(
      `select ${LINK_COLS}, extract(epoch from l.linked_at) * 1000 as linked_ms, l.xmin::text as v from subject_links l
         join unnest(?::text[], ?::text[]) as s(ss, sid) on l.source_system = s.ss and l.source_record_id = s.sid`,
      [stale.map((s) => s.source_system), stale.map((s) => s.source_record_id)],
    );
    for (const r of res.rows as Array<LinkRow & { linked_ms: string; v: string }>) {
      const { linked_ms, v, ...row } = r;
      const link: MemLink = { ...row, subject_id: String(row.subject_id), source_version: String(row.source_version), linked_at: Math.round(Number(linked_ms)) };
      const id = identity(r);
      links.set(id, link);
      remember(LINKS_READ, id, { version: v, link }, LINKS_READ_MAX);
    }
  }
  // a row deleted between the two statements: not there, as if read after
  for (const [id, l] of links) if (l === undefined) links.delete(id);
  return { keys: byKey, links: [...links.values()] };
}

const runs = new WeakMap<Knex.Transaction, RunStore>();

/** Rounds of locking components others re-formed between reading and locking, before the run asks PostgreSQL record by record. */
const LOCK_ROUNDS = 5;

/**
 * Locks and reads ahead the neighbourhood of a run's subject-bearing records (their blocking keys
 * and source identities); linkSubject then works in memory for this transaction.
 */
export async function prepareSubjectRun(tx: Knex.Transaction, records: Array<{ keys: string[]; self: Where }>): Promise<void> {
  if (!records.length) return;
  const keys = [...new Set(records.flatMap((r) => r.keys))].sort();
  const selves = records.map((r) => r.self);
  await lockAll(tx, keys.map((k) => `subject-key:${k}`));
  const locked = new Set<string>();
  // the components earlier runs found through these keys and records, locked before the read: when
  // the read finds no others, it was made under all the locks it needs and need not be made again
  const predicted = predictedComponents(keys, selves);
  if (predicted.length) {
    await lockAll(tx, predicted.map((c) => `subject-component:${c}`));
    for (const c of predicted) locked.add(c);
  }
  let read = await readNeighbourhood(tx, keys, selves);
  for (let round = 0; ; round++) {
    const components = [...new Set(read.links.map((l) => l.component).filter((c): c is string => c !== null))].filter((c) => !locked.has(c));
    if (!components.length) break;
    if (round === LOCK_ROUNDS) return; // (others keep re-forming them: PostgreSQL, record by record)
    await lockAll(tx, components.map((c) => `subject-component:${c}`));
    for (const c of components) locked.add(c);
    // another transaction may have re-formed them between the read and the lock
    read = await readNeighbourhood(tx, keys, selves);
  }
  const governed = await governedSubjects(tx);
  runs.set(tx, new RunStore(read, locked, new Set(selves.map(identity)), governed));
}

/**
 * Where the last runs left things: the subjects of each blocking key and the component of each
 * subject (every subject a run held in memory, not only those of its own keys — another run's
 * record joining or merging a subject changes its component for every key it holds). Only a guess
 * for the next run, which locks those components before its read and checks what it reads: a
 * stale guess costs the second read (as without it) or a lock not needed, never a wrong link.
 * Bounded.
 */
const SUBJECTS_OF_KEY = new Map<string, readonly string[]>();
const COMPONENT_OF_SUBJECT = new Map<string, string>();
const REMEMBERED_MAX = 200_000;

function predictedComponents(keys: readonly string[], selves: readonly Where[]): string[] {
  const out = new Set<string>();
  for (const k of keys) {
    for (const sid of SUBJECTS_OF_KEY.get(k) ?? []) {
      const c = COMPONENT_OF_SUBJECT.get(sid);
      if (c) out.add(c);
    }
  }
  for (const w of selves) {
    const c = LINKS_READ.get(identity(w))?.link.component;
    if (c) out.add(c);
  }
  return [...out];
}

/** Kept in a map bounded at `max` entries (emptied when full: what is kept is only ever a guess or a copy). */
function remember<K, V>(map: Map<K, V>, k: K, v: V, max: number): void {
  if (map.size >= max && !map.has(k)) map.clear();
  map.set(k, v);
}

/** Subjects an operator merged or split (automatic linking never re-forms them): few, read once per run. */
async function governedSubjects(tx: Knex.Transaction): Promise<Set<string>> {
  const rows = (
    await tx.raw(
      `select distinct v from merge_audit, lateral (values (detail->>'into'), (detail->>'subject'), (detail->>'newSubject')) as x(v)
        where kind = 'subject' and v is not null`,
    )
  ).rows as Array<{ v: string }>;
  return new Set(rows.map((r) => r.v));
}

export function subjectRunOf(tx: Knex.Transaction): LinkStore | undefined {
  return runs.get(tx);
}

/** Writes what the run linked; linking in this transaction asks PostgreSQL from now on. */
export async function endSubjectRun(tx: Knex.Transaction): Promise<void> {
  const run = runs.get(tx);
  runs.delete(tx);
  run?.rememberComponents();
  await run?.flush(tx);
}
