/**
 * Subjects as components of record-to-record matches (一企一档 independent of arrival order).
 *
 * Matching a record against golden subjects as they stand when it arrives makes the result depend on
 * the order records arrive in (Kafka interleaves department topics differently on every run): a
 * golden record that already merged A and B matches C on A's name and B's address, while C alone
 * against A matches nothing. Here every decision is about two records:
 *
 *   blocking     two records are compared when they share a blocking key (`subjectBlockingKeys`);
 *                the relation is symmetric.
 *   edge         `matchRecordPair`: the subject matcher's rules on the pair, evaluated in identity
 *                order so that the decision is a function of the unordered pair: an equal valid
 *                USCC or ID hash; a probabilistic match (name, and address or distance); or — when
 *                either record is a report naming a shop (`loose`) — the same name in the same town
 *                with nothing saying "another place" (`name-in-town`, stated for the pair: the
 *                former "no other candidate like it" depended on which candidates had arrived).
 *   component    records joined by edges.
 *   subjects     within a component, edges are taken strongest first (USCC/ID hash, then score,
 *                then identities) and join two clusters unless that would put two different valid
 *                USCCs or two different ID hashes in one subject. Normally a subject is its
 *                component; a component bridging two registered enterprises is split between them.
 *   subject id   deterministicId('subject', smallest source identity of the subject) — the store's job.
 *
 * Everything is a function of the set of records given: permuting them changes nothing.
 */
import type { AddressOptions } from './addresses.js';
import { isUsablePoint } from './geo.js';
import type { NameOptions } from './names.js';
import { compareStrings } from './strings.js';
import {
  blockingKeysOf,
  evaluate,
  prepare,
  SUBJECT_ADDRESS_DIFFERENT,
  SUBJECT_FAR_M,
  SUBJECT_NAME_IN_TOWN,
  SUBJECT_NAME_SAME_DOOR,
  validOrNull,
  type PreparedRecord,
  type SubjectCandidate,
  type SubjectFeatures,
  type SubjectMatchOptions,
  type SubjectRecord,
  type SubjectRule,
} from './subject-matcher.js';

/** One source record about a subject. */
export interface SubjectMember {
  readonly sourceSystem: string;
  readonly sourceRecordId: string;
  readonly record: SubjectRecord;
  /** A report naming a shop (by a field or in its text): `name-in-town` applies to its pairs. */
  readonly loose?: boolean;
}

export interface SubjectEdge {
  /** Identities (`identityOf`) of the two records, smaller first. */
  readonly a: string;
  readonly b: string;
  readonly rule: SubjectRule;
  readonly score: number;
  readonly features: SubjectFeatures;
}

/** Why a record is in its subject: its strongest edge inside it (none for a subject of one record). */
export interface MemberDecision {
  readonly rule: SubjectRule;
  readonly score: number;
  /** The identity of the record that edge joins it to. */
  readonly with: string | null;
  readonly features: SubjectFeatures | null;
}

export interface SubjectCluster {
  /** The member of smallest identity: the subject's id derives from it. */
  readonly first: SubjectMember;
  readonly members: readonly SubjectMember[];
  /** Label of the component (identity of its smallest member). Subjects of one component share it. */
  readonly component: string;
}

export interface SubjectClustering {
  readonly clusters: readonly SubjectCluster[];
  readonly decisions: ReadonlyMap<string, MemberDecision>;
  readonly keys: ReadonlyMap<string, readonly string[]>;
  readonly edges: readonly SubjectEdge[];
}

/** Between source system and record id in an identity (never in either; jsonb refuses U+0000). */
const SEP = '\u001f';
export const identityOf = (m: { sourceSystem: string; sourceRecordId: string }): string => `${m.sourceSystem}${SEP}${m.sourceRecordId}`;
/** The source system and record id of an identity. */
export const identityParts = (id: string): [string, string] => {
  const i = id.indexOf(SEP);
  return [id.slice(0, i), id.slice(i + 1)];
};
export const compareMembers = (a: SubjectMember, b: SubjectMember): number => compareStrings(a.sourceSystem, b.sourceSystem) || compareStrings(a.sourceRecordId, b.sourceRecordId);

interface Prepared {
  readonly m: SubjectMember;
  readonly id: string;
  readonly rec: PreparedRecord;
  readonly cand: SubjectCandidate;
  readonly keys: readonly string[];
  /** Identity, looseness and prepared content: two Prepared of one tag give the same edges (null: not cached). */
  readonly tag: string | null;
}

function options(opts: SubjectMatchOptions): { nameOpts: NameOptions; addrOpts: AddressOptions } {
  return {
    nameOpts: { ...(opts.regions ? { regions: opts.regions } : {}), ...(opts.industries ? { industries: opts.industries } : {}) },
    addrOpts: opts.regions ? { regions: opts.regions } : {},
  };
}

/**
 * Prepared records by content (name keys, parsed addresses, blocking keys are pure functions of
 * the record): the store re-forms a component from its records at every arrival, and parsing is
 * most of the cost. Per region table; bounded.
 */
const PREPARED = new WeakMap<object, Map<string, Omit<Prepared, 'm' | 'id' | 'tag'> & { serial: number }>>();
let serials = 0;
const PREPARED_MAX = 50_000;
const NO_REGIONS = {};

function prepareMember(m: SubjectMember, nameOpts: NameOptions, addrOpts: AddressOptions): Prepared {
  let cache = PREPARED.get(nameOpts.regions ?? NO_REGIONS);
  if (!cache) PREPARED.set(nameOpts.regions ?? NO_REGIONS, (cache = new Map()));
  const key = nameOpts.industries ? null : JSON.stringify(m.record);
  const hit = key === null ? undefined : cache.get(key);
  const tagOf = (id: string, serial: number) => `${id}\u0002${m.loose ? 1 : 0}\u0002${serial}`;
  if (hit) {
    const id = identityOf(m);
    return { rec: hit.rec, cand: hit.cand, keys: hit.keys, m, id, tag: tagOf(id, hit.serial) };
  }
  const p = prepareUncached(m, nameOpts, addrOpts);
  if (key !== null) {
    if (cache.size >= PREPARED_MAX) cache.clear();
    const serial = ++serials;
    cache.set(key, { rec: p.rec, cand: p.cand, keys: p.keys, serial });
    return { ...p, tag: tagOf(p.id, serial) };
  }
  return p;
}

function prepareUncached(m: SubjectMember, nameOpts: NameOptions, addrOpts: AddressOptions): Prepared {
  const r = m.record;
  const rec = prepare(r, nameOpts, addrOpts);
  const id = identityOf(m);
  return { m, id, rec, cand: candidateOf(id, r, rec), keys: blockingKeysOf(rec), tag: null };
}

/** A record as the other side of a pair (matchSubject's candidate), under the given id. */
export function candidateOf(subjectId: string, r: SubjectRecord, rec: PreparedRecord): SubjectCandidate {
  return {
    subjectId,
    uscc: rec.uscc,
    idHash: rec.idHash,
    names: [r.name, ...(r.formerNames ?? [])].filter((n): n is string => typeof n === 'string' && n.trim() !== ''),
    addresses: [r.address, ...(r.addresses ?? [])].filter((a): a is string => typeof a === 'string' && a.trim() !== ''),
    divisionCode: rec.divisionCode,
    locations: isUsablePoint(r.location) ? [r.location] : [],
    subjectType: r.subjectType ?? null,
    operatorUscc: validOrNull(r.operatorUscc).code,
  };
}

const SAME_TOWN = new Set(['same-village', 'same-town', 'same-town-other-village']);

/** `name-in-town` for a pair: the same name and trade, the same town, and nothing saying "another place". */
function nameInTownPair(f: SubjectFeatures): boolean {
  if (!f.division || !SAME_TOWN.has(f.division.relation)) return false;
  if ((f.name?.score ?? 0) < SUBJECT_NAME_IN_TOWN) return false;
  // the same trade: 旭日粮油 is not 演示旗旭日商贸有限公司 by the trade name alone (both may be in the town)
  if ((f.name?.industry ?? 1) < 1) return false;
  if (f.address !== null && f.address.score < SUBJECT_ADDRESS_DIFFERENT && ['different-road', 'different-compound', 'different-town'].includes(f.address.rule)) return false;
  if (f.distanceM !== null && f.distanceM > SUBJECT_FAR_M) return false;
  return f.operator !== 'different';
}

/**
 * `site-name` for a pair: a firm whose trade is worked on sites (建筑安装工程, 市政工程) is reported
 * where it builds, anywhere in the county, not at its office: the same name — trade name of two or
 * more characters and the site-work industry on both sides — is the same firm whatever the towns
 * and addresses say, unless another operator is named.
 */
function siteNamePair(p: Prepared, q: Prepared, f: SubjectFeatures): boolean {
  if ((f.name?.score ?? 0) < SUBJECT_NAME_IN_TOWN || f.operator === 'different') return false;
  const site = (r: PreparedRecord) => r.names.some((k) => k.siteWork && [...k.core].length >= 2);
  return site(p.rec) && site(q.rec);
}

/**
 * `same-door` for a pair: the same road and number (address similarity 1) in the same town, the same
 * trade, and trade names one slip apart (富民烧烤 ~ 富明烧烤, name ≥ SUBJECT_NAME_SAME_DOOR): two shops
 * of one trade with near-identical names do not share a door.
 */
function sameDoorPair(f: SubjectFeatures): boolean {
  if (!f.division || !SAME_TOWN.has(f.division.relation)) return false;
  if ((f.name?.score ?? 0) < SUBJECT_NAME_SAME_DOOR || (f.name?.industry ?? 0) < 1) return false;
  if ((f.address?.score ?? 0) < 1) return false;
  if (f.distanceM !== null && f.distanceM > SUBJECT_FAR_M) return false;
  return f.operator !== 'different';
}

/**
 * Edges by the tags of their two records, per region table; bounded. The store re-forms a
 * component at every arrival of one of its records: without this, a popular restaurant's hundred
 * reports would be compared pairwise again for each new one (a pair's edge depends on the two
 * records only).
 */
const EDGES = new WeakMap<object, Map<string, SubjectEdge | null>>();
const EDGES_MAX = 1_000_000;

function pairEdge(x: Prepared, y: Prepared, nameOpts: NameOptions, addrOpts: AddressOptions): SubjectEdge | null {
  if (x.tag === null || y.tag === null) return pairEdgeUncached(x, y, nameOpts, addrOpts);
  let cache = EDGES.get(nameOpts.regions ?? NO_REGIONS);
  if (!cache) EDGES.set(nameOpts.regions ?? NO_REGIONS, (cache = new Map()));
  const key = x.tag < y.tag ? `${x.tag}\u0003${y.tag}` : `${y.tag}\u0003${x.tag}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const e = pairEdgeUncached(x, y, nameOpts, addrOpts);
  if (cache.size >= EDGES_MAX) cache.clear();
  cache.set(key, e);
  return e;
}

function pairEdgeUncached(x: Prepared, y: Prepared, nameOpts: NameOptions, addrOpts: AddressOptions): SubjectEdge | null {
  const [p, q] = compareStrings(x.id, y.id) <= 0 ? [x, y] : [y, x];
  const ev = evaluate(p.rec, q.cand, nameOpts, addrOpts);
  if (ev.decision === 'excluded') return null;
  if (ev.decision === 'match') return { a: p.id, b: q.id, rule: ev.rule as SubjectRule, score: ev.score, features: ev.features };
  if ((p.m.loose || q.m.loose) && nameInTownPair(ev.features)) return { a: p.id, b: q.id, rule: 'name-in-town', score: ev.score, features: ev.features };
  if ((p.m.loose || q.m.loose) && siteNamePair(p, q, ev.features)) return { a: p.id, b: q.id, rule: 'site-name', score: ev.score, features: ev.features };
  if (sameDoorPair(ev.features)) return { a: p.id, b: q.id, rule: 'same-door', score: ev.score, features: ev.features };
  return null;
}

/** Do two records match (see the header)? Symmetric: the same answer whichever is given first. */
export function matchRecordPair(x: SubjectMember, y: SubjectMember, opts: SubjectMatchOptions = {}): SubjectEdge | null {
  const { nameOpts, addrOpts } = options(opts);
  return pairEdge(prepareMember(x, nameOpts, addrOpts), prepareMember(y, nameOpts, addrOpts), nameOpts, addrOpts);
}

const RULE_RANK: Partial<Record<SubjectRule, number>> = { 'uscc-equal': 0, 'id-hash-equal': 0, 'probabilistic-match': 1, 'name-in-town': 2, 'site-name': 2, 'same-door': 2 };

/** Strongest first; a total order, so the result never depends on input order. */
export function compareEdges(e: SubjectEdge, f: SubjectEdge): number {
  return (RULE_RANK[e.rule] ?? 9) - (RULE_RANK[f.rule] ?? 9) || f.score - e.score || compareStrings(e.a, f.a) || compareStrings(e.b, f.b);
}

class UnionFind {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let r = x;
    while (this.parent.has(r) && this.parent.get(r) !== r) r = this.parent.get(r) as string;
    this.parent.set(x, r);
    return r;
  }
  /** Joins the sets of x and y; the root is the smaller identity. */
  union(x: string, y: string): string {
    const rx = this.find(x);
    const ry = this.find(y);
    if (rx === ry) return rx;
    const [root, child] = compareStrings(rx, ry) <= 0 ? [rx, ry] : [ry, rx];
    this.parent.set(child, root);
    return root;
  }
}

/**
 * Records whose `site-name` edges lead to records of two different valid USCCs: two registered firms
 * share the name (演示旗兴旺建筑安装工程 and 鄂尔多斯市兴旺建筑安装工程) and a report giving only the
 * name could be about either — it joins neither by its name alone.
 */
function ambiguousSiteNames(edges: readonly SubjectEdge[], hard: ReadonlyMap<string, { uscc: string | null }>): Set<string> {
  const usccs = new Map<string, Set<string>>();
  const note = (x: string, y: string) => {
    const u = hard.get(y)?.uscc;
    if (u) (usccs.get(x) ?? usccs.set(x, new Set()).get(x)!).add(u);
  };
  for (const e of edges) {
    if (e.rule !== 'site-name') continue;
    note(e.a, e.b);
    note(e.b, e.a);
  }
  return new Set([...usccs].filter(([, us]) => us.size > 1).map(([id]) => id));
}

/**
 * The subjects a set of records forms (see the header). Give it whole components (every record
 * that shares a blocking key with one of them and matches it, transitively), or the result is
 * only a function of what was given.
 */
export function clusterSubjects(members: readonly SubjectMember[], opts: SubjectMatchOptions = {}): SubjectClustering {
  const { nameOpts, addrOpts } = options(opts);
  const byId = new Map<string, Prepared>();
  for (const m of [...members].sort(compareMembers)) byId.set(identityOf(m), prepareMember(m, nameOpts, addrOpts));
  const prepared = [...byId.values()];

  // blocking: pairs that share a key
  const byKey = new Map<string, number[]>();
  prepared.forEach((p, i) => p.keys.forEach((k) => (byKey.get(k) ?? byKey.set(k, []).get(k)!).push(i)));
  const pairs = new Set<number>();
  const n = prepared.length;
  for (const idx of byKey.values()) for (let i = 0; i < idx.length; i++) for (let j = i + 1; j < idx.length; j++) pairs.add((idx[i] as number) * n + (idx[j] as number));
  const edges: SubjectEdge[] = [];
  for (const pq of [...pairs].sort((a, b) => a - b)) {
    const e = pairEdge(prepared[Math.floor(pq / n)] as Prepared, prepared[pq % n] as Prepared, nameOpts, addrOpts);
    if (e) edges.push(e);
  }
  edges.sort(compareEdges);

  // components: every edge
  const comp = new UnionFind();
  for (const e of edges) comp.union(e.a, e.b);
  // subjects: strongest edges first, never two USCCs or two ID hashes in one
  const clus = new UnionFind();
  const hard = new Map<string, { uscc: string | null; idHash: string | null }>(prepared.map((p) => [p.id, { uscc: p.rec.uscc, idHash: p.rec.idHash }]));
  const clash = (x: string | null, y: string | null) => x !== null && y !== null && x !== y;
  const ambiguous = ambiguousSiteNames(edges, hard);
  for (const e of edges) {
    if (e.rule === 'site-name' && (ambiguous.has(e.a) || ambiguous.has(e.b))) continue;
    const ra = clus.find(e.a);
    const rb = clus.find(e.b);
    if (ra === rb) continue;
    const ha = hard.get(ra) as { uscc: string | null; idHash: string | null };
    const hb = hard.get(rb) as { uscc: string | null; idHash: string | null };
    if (clash(ha.uscc, hb.uscc) || clash(ha.idHash, hb.idHash)) continue;
    const root = clus.union(ra, rb);
    hard.set(root, { uscc: ha.uscc ?? hb.uscc, idHash: ha.idHash ?? hb.idHash });
  }

  const groups = new Map<string, SubjectMember[]>();
  for (const p of prepared) {
    const r = clus.find(p.id);
    groups.set(r, [...(groups.get(r) ?? []), p.m]);
  }
  const clusters: SubjectCluster[] = [...groups.values()].map((ms) => ({ first: ms[0] as SubjectMember, members: ms, component: comp.find(identityOf(ms[0] as SubjectMember)) }));

  const decisions = new Map<string, MemberDecision>();
  for (const e of edges) {
    if (clus.find(e.a) !== clus.find(e.b)) continue;
    if (!decisions.has(e.a)) decisions.set(e.a, { rule: e.rule, score: e.score, with: e.b, features: e.features });
    if (!decisions.has(e.b)) decisions.set(e.b, { rule: e.rule, score: e.score, with: e.a, features: e.features });
  }
  for (const p of prepared) if (!decisions.has(p.id)) decisions.set(p.id, { rule: 'no-candidate', score: 0, with: null, features: null });
  return { clusters, decisions, keys: new Map(prepared.map((p) => [p.id, p.keys])), edges };
}

