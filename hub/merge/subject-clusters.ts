/**
 * Subjects as components of record-to-record matches (one file per enterprise, independent of arrival order).
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
import { createHash } from 'node:crypto';
import type { AddressOptions } from './addresses.js';
import { isUsablePoint } from './geo.js';
import { bestNameSimilarity, INDUSTRY_GENERIC_SIMILARITY, type NameOptions } from './names.js';
import { compareStrings, PairMemo } from './strings.js';
import {
  blockingKeysOf,
  evaluate,
  prepare,
  SUBJECT_ADDRESS_DIFFERENT,
  SUBJECT_FAR_M,
  SUBJECT_NAME_IN_TOWN,
  SUBJECT_NAME_MATCH,
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
  /** The tag as a number (tagNumber), for the edge cache (null: not cached). */
  readonly tagNo: number | null;
  /** The prepared content alone (what matching reads of the record): equal serials evaluate alike (null: not cached). */
  readonly serial: number | null;
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
 *
 * The content is what `prepare` and `candidateOf` read (matchingContent): a report's time and
 * department do not change how it matches, so a popular shop's hundreds of reports that give the
 * same name and address share one prepared content, and their pairs with a new record are
 * evaluated once per content (EVALS) instead of once per record. Records read back from the run's
 * memory are the same objects each time, so their content key is remembered by object (BY_OBJECT).
 */
type Content = Omit<Prepared, 'm' | 'id' | 'tag' | 'tagNo' | 'serial'> & { serial: number };
const PREPARED = new WeakMap<object, Map<string, Content>>();
const BY_OBJECT = new WeakMap<object, WeakMap<object, Content>>();
let serials = 0;
const PREPARED_MAX = 50_000;
const NO_REGIONS = {};

/** The fields matching reads (prepare, candidateOf, blockingKeysOf), absent and null alike. */
function matchingContent(r: SubjectRecord): string {
  return JSON.stringify([r.uscc ?? null, r.idHash ?? null, r.name ?? null, r.formerNames ?? null, r.address ?? null, r.addresses ?? null, r.divisionCode ?? null, r.location ?? null, r.operatorUscc ?? null, r.subjectType ?? null]);
}

/**
 * Prepared members by member object: a record's member is compared with every record its keys find
 * (the hub links a record against each near one), and its identity and tag are the same each time.
 */
const BY_MEMBER = new WeakMap<object, WeakMap<SubjectMember, Prepared>>();

function prepareMember(m: SubjectMember, nameOpts: NameOptions, addrOpts: AddressOptions): Prepared {
  if (nameOpts.industries) return prepareUncached(m, nameOpts, addrOpts);
  const table = nameOpts.regions ?? NO_REGIONS;
  let members = BY_MEMBER.get(table);
  if (!members) BY_MEMBER.set(table, (members = new WeakMap()));
  const known = members.get(m);
  if (known) return known;
  const p = prepareMemberOf(m, table, nameOpts, addrOpts);
  members.set(m, p);
  return p;
}

function prepareMemberOf(m: SubjectMember, table: object, nameOpts: NameOptions, addrOpts: AddressOptions): Prepared {
  let cache = PREPARED.get(table);
  if (!cache) PREPARED.set(table, (cache = new Map()));
  let byObject = BY_OBJECT.get(table);
  if (!byObject) BY_OBJECT.set(table, (byObject = new WeakMap()));
  const id = identityOf(m);
  const tagOf = (serial: number) => `${id}\u0002${m.loose ? 1 : 0}\u0002${serial}`;
  let hit = byObject.get(m.record);
  if (!hit) {
    const key = matchingContent(m.record);
    hit = cache.get(key);
    if (!hit) {
      const p = prepareUncached(m, nameOpts, addrOpts);
      if (cache.size >= PREPARED_MAX) cache.clear();
      hit = { rec: p.rec, cand: p.cand, keys: p.keys, serial: ++serials };
      cache.set(key, hit);
    }
    byObject.set(m.record, hit);
  }
  const tag = tagOf(hit.serial);
  return { rec: hit.rec, cand: hit.cand, keys: hit.keys, m, id, tag, tagNo: tagNumber(tag), serial: hit.serial };
}

function prepareUncached(m: SubjectMember, nameOpts: NameOptions, addrOpts: AddressOptions): Prepared {
  const r = m.record;
  const rec = prepare(r, nameOpts, addrOpts);
  const id = identityOf(m);
  return { m, id, rec, cand: candidateOf(id, r, rec), keys: blockingKeysOf(rec), tag: null, tagNo: null, serial: null };
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
  // the same trade: one trade name with two trades is not one subject by the trade name alone (both may be in the town)
  if ((f.name?.industry ?? 1) < 1) return false;
  if (f.address !== null && f.address.score < SUBJECT_ADDRESS_DIFFERENT && ['different-road', 'different-compound', 'different-town'].includes(f.address.rule)) return false;
  if (f.distanceM !== null && f.distanceM > SUBJECT_FAR_M) return false;
  return f.operator !== 'different';
}

/**
 * `name-on-road` for a pair: the same name and trade on the same road or in one villagers' group (one side gives the door, the
 * other only the road, a crossing of it or a landmark on it — a caller's way of saying where), with
 * no town said to differ: a complaint that names a shop on a road means the shop at its door there.
 */
function nameOnRoadPair(p: Prepared, q: Prepared, f: SubjectFeatures): boolean {
  if (f.address === null || !['same-road', 'intersection-road', 'same-group'].includes(f.address.rule)) return false;
  // in a villagers' group one side must give only the group: two doors of one group are two places
  if (f.address.rule === 'same-group' && [p, q].every((x) => x.rec.addresses.some((a) => a.number !== null))) return false;
  // on one road a generic trade (餐饮) may say what the other says exactly (鱼头): the firm runs the shop
  if ((f.name?.score ?? 0) < SUBJECT_NAME_IN_TOWN || (f.name?.industry ?? 1) < INDUSTRY_GENERIC_SIMILARITY) return false;
  if (f.division?.relation === 'different-town') return false;
  if (f.distanceM !== null && f.distanceM > SUBJECT_FAR_M) return false;
  return f.operator !== 'different';
}

/**
 * `name-in-county` for a pair: one record says nothing of its town (a 12345 work order naming a
 * shop and no address), the names are the same key and trade, and nothing says "another place":
 * the county's one shop of that name is meant. Two registered firms that share the name make it ambiguous
 * (`ambiguousByName`): the record then joins neither by its name alone.
 */
function nameInCountyPair(p: Prepared, q: Prepared, f: SubjectFeatures): boolean {
  if (f.division !== null || (f.name?.score ?? 0) < 1 || (f.name?.industry ?? 1) < 1) return false;
  // initials are shared by many names: too weak to place a shop by name alone
  if (![p, q].every((x) => x.rec.names.some((k) => [...k.core].length >= 2 && !/^[A-Za-z]+$/u.test(k.core)))) return false;
  if (f.address !== null && f.address.score < SUBJECT_ADDRESS_DIFFERENT) return false;
  if (f.distanceM !== null && f.distanceM > SUBJECT_FAR_M) return false;
  return f.operator !== 'different';
}

/**
 * `site-name` for a pair: a firm whose trade is worked on sites (construction) is reported
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
 * trade, and trade names one slip apart (富民 ~ 富明, name ≥ SUBJECT_NAME_SAME_DOOR): two shops
 * of one trade with near-identical names do not share a door.
 */
function sameDoorPair(p: Prepared, q: Prepared, f: SubjectFeatures): boolean {
  // the door itself places both; a record that gives no town (a 12369 complaint) is not against it
  if (f.division && !SAME_TOWN.has(f.division.relation)) return false;
  if (!namelessSameTrade(p.rec, q.rec) && ((f.name?.score ?? 0) < SUBJECT_NAME_SAME_DOOR || (f.name?.industry ?? 0) < 1)) return false;
  if ((f.address?.score ?? 0) < 1) return false;
  if (f.distanceM !== null && f.distanceM > SUBJECT_FAR_M) return false;
  return f.operator !== 'different';
}

/**
 * The lowest name similarity any rule of pairEdgeUncached joins on: a probabilistic match needs
 * SUBJECT_NAME_MATCH, the loose rules SUBJECT_NAME_IN_TOWN or an equal key, same-door
 * SUBJECT_NAME_SAME_DOOR.
 */
const LOWEST_JOINING_NAME = Math.min(SUBJECT_NAME_MATCH, SUBJECT_NAME_IN_TOWN, SUBJECT_NAME_SAME_DOOR, 1);

/**
 * True when no rule of pairEdgeUncached can give the pair an edge, known without the full
 * evaluation (addresses, distances, explanations): no identifier pair for evaluate to decide on,
 * not two nameless stalls of one trade, no full registered name in common, and names less alike than
 * any rule joins on (the very similarity evaluate computes, remembered for it). A record arriving
 * on a common key (initials in a town) meets hundreds of records of other names; the full
 * evaluation of each was most of subject linking's time on a county day. Edges and explanations
 * are unchanged (subject-pretest.test.ts compares both paths on random pairs).
 */
function cannotLink(p: Prepared, q: Prepared, nameOpts: NameOptions): boolean {
  if (p.rec.uscc && q.cand.uscc) return false;
  if (p.rec.idHash && q.cand.idHash) return false;
  if (namelessSameTrade(p.rec, q.rec)) return false;
  if (shareRegisteredName(p.rec, q.rec)) return false;
  if (!p.rec.names.length || !q.cand.names.length) return true;
  return (bestNameSimilarity(p.rec.names, q.cand.names, nameOpts)?.score ?? 0) < LOWEST_JOINING_NAME;
}

/** For the equivalence test: the pre-test off gives the full evaluation of every pair; how many pairs it decided. */
export const PRETEST = { on: true, skipped: 0 };

/**
 * The trades of a record that names a stall or shop of a known trade and no name (路边米粉摊, 无名烧
 * 烤店: every name an empty trade name with an industry word), registered by nothing; else null.
 */
function namelessTrades(r: PreparedRecord): Set<string> | null {
  if (r.uscc || r.operatorUscc || r.idHash || r.names.length === 0) return null;
  if (!r.names.every((k) => k.core === '' && k.industry !== '')) return null;
  return new Set(r.names.map((k) => k.industry));
}

/**
 * Two nameless stalls of one trade (the trade as `nameKey` reads it, typos and homophones
 * included). At one door they are one operator, though neither has a name for the name gate of
 * `same-door`; a nameless stall never joins a named or registered record this way, and with no
 * door (no road and number) it has no blocking key and joins nothing.
 */
function namelessSameTrade(a: PreparedRecord, b: PreparedRecord): boolean {
  const ta = namelessTrades(a);
  const tb = namelessTrades(b);
  return ta !== null && tb !== null && [...ta].some((t) => tb.has(t));
}

/** Both records give one full registered name (trade name of two characters or more, with its legal form). */
function shareRegisteredName(a: PreparedRecord, b: PreparedRecord): boolean {
  const full = (r: PreparedRecord) => r.names.filter((k) => k.legalForm !== null && [...k.core].length >= 2).map((k) => k.cleaned);
  const inA = full(a);
  return inA.length > 0 && full(b).some((n) => inA.includes(n));
}

/**
 * `registered-name` for a pair: both give the same full registered name with its legal form
 * (region, trade name, industry, legal form). A registration authority registers a name once in its area, so the
 * same full name is one enterprise when nothing places the two in different towns — a complaint
 * often says nothing of where — unless another operator is named.
 */
function registeredNamePair(p: Prepared, q: Prepared, f: SubjectFeatures): boolean {
  // a name freed by a rename is registered again by another firm: two records placed in two towns
  // by their own words stay apart
  if (f.operator === 'different' || f.division?.relation === 'different-town' || f.address?.rule === 'different-town') return false;
  return shareRegisteredName(p.rec, q.rec);
}

/**
 * Edges by the tags of their two records, per region table; bounded. The store re-forms a
 * component at every arrival of one of its records: without this, a popular restaurant's hundred
 * reports would be compared pairwise again for each new one (a pair's edge depends on the two
 * records only).
 */
const EDGES = new WeakMap<object, PairMemo<object, object, SubjectEdge | null>>();
// a component of 1,000 records re-formed at each arrival has ~500,000 pairs (hot-subject.test.ts);
// an edge is small (its features are the evaluation's), so this bound is about 150 MB at most
const EDGES_MAX = 600_000;

/** Tags by number: a number is never given to another tag (the table is bounded; the count goes on). */
const TAG_NUMBERS = new Map<string, number>();
let lastTagNumber = 0;

function tagNumber(tag: string): number {
  let n = TAG_NUMBERS.get(tag);
  if (n === undefined) {
    if (TAG_NUMBERS.size >= 200_000) TAG_NUMBERS.clear();
    TAG_NUMBERS.set(tag, (n = ++lastTagNumber));
  }
  return n;
}

function pairEdge(x: Prepared, y: Prepared, nameOpts: NameOptions, addrOpts: AddressOptions): SubjectEdge | null {
  if (x.tagNo === null || y.tagNo === null) return pairEdgeUncached(x, y, nameOpts, addrOpts);
  let cache = EDGES.get(nameOpts.regions ?? NO_REGIONS);
  if (!cache) EDGES.set(nameOpts.regions ?? NO_REGIONS, (cache = new PairMemo(EDGES_MAX)));
  // (symmetric: pairEdgeUncached orders the pair by identity)
  return cache.getByNumbers(Math.min(x.tagNo, y.tagNo), Math.max(x.tagNo, y.tagNo), () => pairEdgeUncached(x, y, nameOpts, addrOpts));
}

/** The matcher's evaluation of two prepared contents, in the pair's identity order; per region table, bounded. */
const EVALS = new WeakMap<object, Map<string, ReturnType<typeof evaluate>>>();
// evaluations are per pair of contents (a popular shop's reports share one), and each carries its
// explanations: at a million they held gigabytes on a county day
const EVALS_MAX = 100_000;

function evaluatePair(p: Prepared, q: Prepared, nameOpts: NameOptions, addrOpts: AddressOptions): ReturnType<typeof evaluate> {
  if (p.serial === null || q.serial === null) return evaluate(p.rec, q.cand, nameOpts, addrOpts);
  let cache = EVALS.get(nameOpts.regions ?? NO_REGIONS);
  if (!cache) EVALS.set(nameOpts.regions ?? NO_REGIONS, (cache = new Map()));
  const key = `${p.serial}\u0003${q.serial}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const ev = evaluate(p.rec, q.cand, nameOpts, addrOpts);
  if (cache.size >= EVALS_MAX) cache.clear();
  cache.set(key, ev);
  return ev;
}

function pairEdgeUncached(x: Prepared, y: Prepared, nameOpts: NameOptions, addrOpts: AddressOptions): SubjectEdge | null {
  const [p, q] = compareStrings(x.id, y.id) <= 0 ? [x, y] : [y, x];
  if (PRETEST.on && cannotLink(p, q, nameOpts)) {
    PRETEST.skipped++;
    return null;
  }
  const ev = evaluatePair(p, q, nameOpts, addrOpts);
  if (ev.decision === 'excluded') return null;
  if (ev.decision === 'match') return { a: p.id, b: q.id, rule: ev.rule as SubjectRule, score: ev.score, features: ev.features };
  if (registeredNamePair(p, q, ev.features)) return { a: p.id, b: q.id, rule: 'registered-name', score: ev.score, features: ev.features };
  if ((p.m.loose || q.m.loose) && nameInTownPair(ev.features)) return { a: p.id, b: q.id, rule: 'name-in-town', score: ev.score, features: ev.features };
  if ((p.m.loose || q.m.loose) && nameOnRoadPair(p, q, ev.features)) return { a: p.id, b: q.id, rule: 'name-on-road', score: ev.score, features: ev.features };
  if ((p.m.loose || q.m.loose) && nameInCountyPair(p, q, ev.features)) return { a: p.id, b: q.id, rule: 'name-in-county', score: ev.score, features: ev.features };
  if ((p.m.loose || q.m.loose) && siteNamePair(p, q, ev.features)) return { a: p.id, b: q.id, rule: 'site-name', score: ev.score, features: ev.features };
  if (sameDoorPair(p, q, ev.features)) return { a: p.id, b: q.id, rule: 'same-door', score: ev.score, features: ev.features };
  return null;
}

/** Do two records match (see the header)? Symmetric: the same answer whichever is given first. */
export function matchRecordPair(x: SubjectMember, y: SubjectMember, opts: SubjectMatchOptions = {}): SubjectEdge | null {
  const { nameOpts, addrOpts } = options(opts);
  return pairEdge(prepareMember(x, nameOpts, addrOpts), prepareMember(y, nameOpts, addrOpts), nameOpts, addrOpts);
}

const RULE_RANK: Partial<Record<SubjectRule, number>> = { 'uscc-equal': 0, 'id-hash-equal': 0, 'probabilistic-match': 1, 'name-in-town': 2, 'site-name': 2, 'same-door': 2, 'registered-name': 2, 'name-on-road': 2, 'name-in-county': 3 };

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

/** Edges that join by a name alone, wherever the two records are (see ambiguousByName). */
const BY_NAME_ALONE: ReadonlySet<SubjectRule> = new Set(['site-name', 'name-in-county']);

/**
 * Records whose `site-name` or `name-in-county` edges lead to records of two different valid USCCs:
 * two registered firms share the name (registered in the county and in the prefecture) and a
 * report giving only the name could be about either — it joins neither by its name alone.
 */
function ambiguousByName(edges: readonly SubjectEdge[], hard: ReadonlyMap<string, { uscc: string | null }>): Set<string> {
  const usccs = new Map<string, Set<string>>();
  const note = (x: string, y: string) => {
    const u = hard.get(y)?.uscc;
    if (u) (usccs.get(x) ?? usccs.set(x, new Set()).get(x)!).add(u);
  };
  for (const e of edges) {
    if (!BY_NAME_ALONE.has(e.rule)) continue;
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
  if (byId.size === members.length && members.length >= INCREMENTAL_MIN) {
    const grown = clusterIncrementally(prepared, prepareMember(members[0] as SubjectMember, nameOpts, addrOpts), nameOpts, addrOpts);
    if (grown) return grown;
  }
  return clusterPrepared(prepared, nameOpts, addrOpts);
}

/** clusterSubjects without the incremental path (the reference its tests compare with). */
export function clusterSubjectsFromScratch(members: readonly SubjectMember[], opts: SubjectMatchOptions = {}): SubjectClustering {
  const { nameOpts, addrOpts } = options(opts);
  const byId = new Map<string, Prepared>();
  for (const m of [...members].sort(compareMembers)) byId.set(identityOf(m), prepareMember(m, nameOpts, addrOpts));
  return clusterPrepared([...byId.values()], nameOpts, addrOpts);
}

function clusterPrepared(prepared: readonly Prepared[], nameOpts: NameOptions, addrOpts: AddressOptions): SubjectClustering {

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
  const ambiguous = ambiguousByName(edges, hard);
  for (const e of edges) {
    if (BY_NAME_ALONE.has(e.rule) && (ambiguous.has(e.a) || ambiguous.has(e.b))) continue;
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


// ── Growing a component by one record ──────────────────────────────────────────────────────
//
// The store re-forms a component at every arrival of one of its records (link-subject.ts), so a
// popular enterprise's N records were clustered from scratch for each new report: every pair
// sharing a key (N²/2 — all of them, for reports naming one shop), their edges sorted, then
// union-find over them; a run of 200 such reports cost seconds and the runs after it more
// (issue 19, finding 6). The result is the same with far less work when no two different valid
// USCCs and no two different ID hashes are among the records — by far the common case, a
// registry row and the reports naming it:
//   - no union is ever refused (nothing clashes) and no by-name-alone edge (site-name, name-in-county) is ambiguous (that needs
//     two USCCs), so the subjects are exactly the components of the edges;
//   - every edge then lies inside one subject, so a record's decision — its first edge in the
//     total order compareEdges, among those inside its subject — is its strongest edge overall.
// So a component's clustering is kept (by the tags of its records: identity, looseness, prepared
// content) with each record's strongest edge and the union-find of its edges; adding one record
// compares it with the records sharing a key with it (N pair comparisons, each remembered) and
// updates those — O(N) instead of O(N²) per arrival. Anything else (a clash, a record gone or
// changed, a set never seen) is clustered from scratch as before; `clusterSubjectsFromScratch` is
// the reference the unit tests compare with.

/** Below this many records a component is clustered from scratch (cheap, and not worth keeping). */
const INCREMENTAL_MIN = 24;
/** Components kept per region table (the oldest go first). */
const GROWN_MAX = 256;

interface Grown {
  /** Sorted as clusterSubjects sorts (compareMembers). */
  readonly prepared: readonly Prepared[];
  readonly byKey: ReadonlyMap<string, readonly Prepared[]>;
  /** Each record's strongest edge (first in compareEdges order). */
  readonly best: ReadonlyMap<string, SubjectEdge>;
  /** Union-find parents (identity → parent; roots absent or themselves). */
  readonly parent: ReadonlyMap<string, string>;
  readonly uscc: string | null;
  readonly idHash: string | null;
  readonly result: SubjectClustering;
}

const GROWN = new WeakMap<object, Map<string, Grown>>();

function signature(tags: readonly string[]): string {
  return createHash('sha1').update([...tags].sort().join('\u0004')).digest('base64');
}

/**
 * The clustering of `prepared` from the kept clustering of the same records without `added`, or
 * of the very same records; null when neither is kept or the records clash (then from scratch).
 */
function clusterIncrementally(prepared: readonly Prepared[], added: Prepared, nameOpts: NameOptions, addrOpts: AddressOptions): SubjectClustering | null {
  if (prepared.some((p) => p.tag === null)) return null;
  let kept = GROWN.get(nameOpts.regions ?? NO_REGIONS);
  if (!kept) GROWN.set(nameOpts.regions ?? NO_REGIONS, (kept = new Map()));
  const tags = prepared.map((p) => p.tag as string);
  const whole = signature(tags);
  const same = kept.get(whole);
  if (same) return same.result;
  const base = kept.get(signature(tags.filter((t) => t !== added.tag)));
  if (!base) {
    // from scratch, and kept for the next arrival when nothing clashes
    const fresh = growFromScratch(prepared, nameOpts, addrOpts);
    if (fresh) keep(kept, whole, fresh);
    return fresh?.result ?? null;
  }
  const uscc = base.uscc ?? added.rec.uscc;
  const idHash = base.idHash ?? added.rec.idHash;
  if ((added.rec.uscc !== null && added.rec.uscc !== uscc) || (added.rec.idHash !== null && added.rec.idHash !== idHash)) return null;
  const best = new Map(base.best);
  const parent = new Map(base.parent);
  const byKey = new Map(base.byKey);
  const seen = new Set<string>();
  for (const k of added.keys) {
    for (const q of base.byKey.get(k) ?? []) {
      if (seen.has(q.id)) continue;
      seen.add(q.id);
      // (a new record's pairs are all new: not remembered one by one — EVALS holds what they cost)
      const e = pairEdgeUncached(added, q, nameOpts, addrOpts);
      if (!e) continue;
      strongest(best, added.id, e);
      strongest(best, q.id, e);
      union(parent, added.id, q.id);
    }
    byKey.set(k, [...(base.byKey.get(k) ?? []), added]);
  }
  const grown = assemble(prepared, byKey, best, parent, uscc, idHash, nameOpts, addrOpts);
  keep(kept, whole, grown);
  return grown.result;
}

function keep(kept: Map<string, Grown>, sig: string, g: Grown): void {
  kept.delete(sig);
  kept.set(sig, g);
  while (kept.size > GROWN_MAX) kept.delete(kept.keys().next().value as string);
}

function strongest(best: Map<string, SubjectEdge>, id: string, e: SubjectEdge): void {
  const b = best.get(id);
  if (!b || compareEdges(e, b) < 0) best.set(id, e);
}

/** UnionFind.find/union on a plain map (the root of a set is its smallest identity, as there). */
function root(parent: Map<string, string>, x: string): string {
  let r = x;
  while (parent.has(r) && parent.get(r) !== r) r = parent.get(r) as string;
  if (r !== x) parent.set(x, r);
  return r;
}

function union(parent: Map<string, string>, x: string, y: string): void {
  const rx = root(parent, x);
  const ry = root(parent, y);
  if (rx === ry) return;
  if (compareStrings(rx, ry) <= 0) parent.set(ry, rx);
  else parent.set(rx, ry);
}

function growFromScratch(prepared: readonly Prepared[], nameOpts: NameOptions, addrOpts: AddressOptions): Grown | null {
  const usccs = new Set(prepared.map((p) => p.rec.uscc).filter((u): u is string => u !== null));
  const ids = new Set(prepared.map((p) => p.rec.idHash).filter((u): u is string => u !== null));
  if (usccs.size > 1 || ids.size > 1) return null;
  const byKey = new Map<string, Prepared[]>();
  for (const p of prepared) for (const k of p.keys) (byKey.get(k) ?? byKey.set(k, []).get(k)!).push(p);
  const best = new Map<string, SubjectEdge>();
  const parent = new Map<string, string>();
  const index = new Map(prepared.map((p, i) => [p.id, i]));
  const done = new Set<number>();
  const n = prepared.length;
  for (const list of byKey.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = index.get((list[i] as Prepared).id) as number;
        const b = index.get((list[j] as Prepared).id) as number;
        const pq = Math.min(a, b) * n + Math.max(a, b);
        if (done.has(pq)) continue;
        done.add(pq);
        const e = pairEdge(prepared[Math.min(a, b)] as Prepared, prepared[Math.max(a, b)] as Prepared, nameOpts, addrOpts);
        if (!e) continue;
        strongest(best, e.a, e);
        strongest(best, e.b, e);
        union(parent, e.a, e.b);
      }
    }
  }
  return assemble(prepared, byKey, best, parent, [...usccs][0] ?? null, [...ids][0] ?? null, nameOpts, addrOpts);
}

/** The clustering clusterPrepared gives when nothing clashes: subjects are components; decisions are strongest edges. */
function assemble(
  prepared: readonly Prepared[],
  byKey: ReadonlyMap<string, readonly Prepared[]>,
  best: ReadonlyMap<string, SubjectEdge>,
  parentIn: ReadonlyMap<string, string>,
  uscc: string | null,
  idHash: string | null,
  nameOpts: NameOptions,
  addrOpts: AddressOptions,
): Grown {
  const parent = new Map(parentIn);
  const groups = new Map<string, SubjectMember[]>();
  for (const p of prepared) {
    const r = root(parent, p.id);
    const g = groups.get(r);
    if (g) g.push(p.m);
    else groups.set(r, [p.m]);
  }
  const clusters: SubjectCluster[] = [...groups].map(([r, ms]) => ({ first: ms[0] as SubjectMember, members: ms, component: r }));
  const decisions = new Map<string, MemberDecision>();
  for (const p of prepared) {
    const e = best.get(p.id);
    decisions.set(p.id, e ? { rule: e.rule, score: e.score, with: e.a === p.id ? e.b : e.a, features: e.features } : { rule: 'no-candidate', score: 0, with: null, features: null });
  }
  const keys = new Map(prepared.map((p) => [p.id, p.keys]));
  let edges: readonly SubjectEdge[] | null = null;
  const result: SubjectClustering = {
    clusters,
    decisions,
    keys,
    // every edge, sorted, only when asked for (nothing on the linking path reads them)
    get edges() {
      return (edges ??= clusterPrepared(prepared, nameOpts, addrOpts).edges);
    },
  };
  return { prepared, byKey, best, parent, uscc, idHash, result };
}
