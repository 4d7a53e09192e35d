/**
 * Subject matching (one file per enterprise): does a department's record about an enterprise, individual business,
 * person or place belong to a golden subject the hub already has, or is it a new one?
 *
 * Rules, in order (the first that applies decides; the rule name is returned):
 *
 *   uscc-equal       the record's valid USCC equals a candidate's → match, whatever the names say
 *                    (names change, USCCs do not; GB 32100 codes are unique).
 *   id-hash-equal    the keyed hash of a person's resident ID equals a candidate's → match.
 *   (exclusions)     a candidate with a different valid USCC, a different ID hash, or of an
 *                    incompatible kind (person vs organisation) is never merged: two valid USCCs
 *                    are two legal subjects. A USCC failing the GB 32100 check is a typo, not a
 *                    conflict: it is ignored (feature `usccInvalid`).
 *   probabilistic    score = weighted mean over the features both sides have: name (0.5),
 *                    address (0.25), distance (0.15), division (0.10); ± operator USCC.
 *     match          score ≥ SUBJECT_MATCH_SCORE, name ≥ SUBJECT_NAME_MATCH, location evidence
 *                    (address ≥ SUBJECT_ADDRESS_MATCH or distance ≤ SUBJECT_NEAR_M), no conflict
 *                    (other town, farther than SUBJECT_FAR_M), and no runner-up within
 *                    SUBJECT_AMBIGUITY_MARGIN (then `ambiguous` → review).
 *     review         score ≥ SUBJECT_REVIEW_SCORE and name ≥ SUBJECT_NAME_REVIEW.
 *     new            otherwise.
 *   name-in-town     (only with `nameInTown`, for reports: a 12345 caller or a grid worker names a
 *                    shop but gives its address loosely or not at all) a record with no location
 *                    evidence joins a candidate when the names are the same (≥ SUBJECT_NAME_IN_TOWN),
 *                    both are in the same town, nothing says "another place" (addresses on different
 *                    roads, points farther than SUBJECT_FAR_M), and no other candidate in that town has
 *                    a similar name (≥ SUBJECT_NAME_REVIEW): the one shop of that name in the town.
 *
 * Pure and deterministic: candidates may come in any order; ties are broken by subject id.
 */
import { normaliseUscc } from '../../core/normalise/uscc.js';
import { validateUscc } from '../../core/normalise/uscc.js';
import type { Subject } from '../../schemas/types.js';
import { bestAddressSimilarity, parseAddress, type AddressOptions, type AddressSimilarity, type ParsedAddress } from './addresses.js';
import { distanceScore, isUsablePoint, minDistanceMetres, type GeoPoint } from './geo.js';
import { bestNameSimilarity, keyString, nameKey, type NameKey, type NameOptions, type NameSimilarity } from './names.js';
import { RegionIndex, townCodeOf, villageCodeOf } from './regions.js';
import { compareStrings, pinyinSyllables, round4 } from './strings.js';

export { survive, surviveAll, FIELD_RULES, REGISTRY_DEPARTMENTS, compareNewestFirst } from './survivorship.js';
export type { FieldValue, Provenance, Survived, SurvivorshipRule, SurviveOptions } from './survivorship.js';

// ── Thresholds ─────────────────────────────────────────────────────────────────────────────

export const SUBJECT_MATCH_SCORE = 0.85;
export const SUBJECT_REVIEW_SCORE = 0.65;
/** Names at least this similar can match (老王烧烤 ~ 王记烧烤 = 1; 鑫源 ~ 鑫达 = 0.78 cannot). */
export const SUBJECT_NAME_MATCH = 0.85;
export const SUBJECT_NAME_REVIEW = 0.7;
/** Address similarity that counts as "the same premises" (same road and number; "near" = 0.9). */
export const SUBJECT_ADDRESS_MATCH = 0.8;
/** Points this close are the same premises as far as GPS can tell; next-door shops are closer still, so the name decides. */
export const SUBJECT_NEAR_M = 100;
/** Distance similarity: 1 up to SUBJECT_DISTANCE_FULL_M, 0 from SUBJECT_DISTANCE_ZERO_M. */
export const SUBJECT_DISTANCE_FULL_M = 50;
export const SUBJECT_DISTANCE_ZERO_M = 300;
/** Farther than this apart: not the same premises, whatever the name (chains have many branches). */
export const SUBJECT_FAR_M = 1000;
/** `name-in-town`: names at least this similar (a homophone typo of the trade name is 0.925), in the same town. */
export const SUBJECT_NAME_IN_TOWN = 0.92;
/** `same-door` (record pairs): trade names at least this similar (one character of two differs: 0.7 → 0.775 with the same trade) at the same road and number. */
export const SUBJECT_NAME_SAME_DOOR = 0.75;
/** `nameInTown`: addresses below this are on different roads: another shop of that name. */
export const SUBJECT_ADDRESS_DIFFERENT = 0.3;
/** Two candidates that both match within this margin: a person decides. */
export const SUBJECT_AMBIGUITY_MARGIN = 0.05;
export const SUBJECT_WEIGHTS = { name: 0.5, address: 0.25, distance: 0.15, division: 0.1 } as const;
/** Operator USCC of a place equal to the candidate's USCC: evidence for; different: evidence against. */
export const OPERATOR_SAME_BONUS = 0.05;
export const OPERATOR_DIFFERENT_PENALTY = 0.1;
/** Division similarity: same village, same town (village unknown on a side), same town but different villages. */
export const DIVISION_SCORES = { sameVillage: 1, sameTown: 0.8, sameTownOtherVillage: 0.4, differentTown: 0 } as const;

// ── Types ──────────────────────────────────────────────────────────────────────────────────

export type SubjectKind = 'ENTERPRISE' | 'INDIVIDUAL_BUSINESS' | 'FARMER_COOPERATIVE' | 'ORGANISATION' | 'PERSON' | 'PLACE' | 'OTHER';

/** A department's record about a subject, reduced to what matching needs. */
export interface SubjectRecord {
  readonly uscc?: string | null;
  /** Keyed hash of a PERSON subject's resident ID (never the legal representative's: one person runs several businesses). */
  readonly idHash?: string | null;
  readonly name?: string | null;
  readonly formerNames?: readonly string[];
  /** Business address (or the place's address). */
  readonly address?: string | null;
  /** Other addresses (registered address …). */
  readonly addresses?: readonly string[];
  readonly divisionCode?: string | null;
  readonly location?: GeoPoint | null;
  /** For places: USCC of the operating enterprise. */
  readonly operatorUscc?: string | null;
  readonly subjectType?: SubjectKind | null;
}

/** A golden subject as the store holds it, with every name and address its linked records gave. */
export interface SubjectCandidate {
  readonly subjectId: string;
  readonly uscc?: string | null;
  readonly idHash?: string | null;
  /** Current, former and other names seen for this subject. */
  readonly names: readonly string[];
  readonly addresses: readonly string[];
  readonly divisionCode?: string | null;
  readonly locations?: readonly GeoPoint[];
  readonly subjectType?: SubjectKind | null;
  /** For a place compared record to record: the USCC of its operating enterprise. */
  readonly operatorUscc?: string | null;
}

export type SubjectDecisionKind = 'match' | 'new' | 'review';

export type SubjectRule =
  | 'uscc-equal'
  | 'id-hash-equal'
  | 'probabilistic-match'
  | 'probabilistic-review'
  | 'ambiguous'
  | 'name-in-town'
  | 'site-name'
  | 'same-door'
  | 'registered-name'
  | 'name-on-road'
  | 'name-in-county'
  | 'below-threshold'
  | 'no-candidate'
  | 'all-excluded';

export type Exclusion = 'uscc-conflict' | 'id-hash-conflict' | 'type-conflict';

export interface SubjectFeatures {
  /** `industry`: the industry words' similarity (null when a side has none), as in NameSimilarity. */
  readonly name: { readonly score: number; readonly pair: readonly [string, string]; readonly explanation: string; readonly industry?: number | null } | null;
  readonly address: { readonly score: number; readonly rule: string; readonly pair: readonly [string, string]; readonly explanation: string } | null;
  readonly distanceM: number | null;
  readonly distanceScore: number | null;
  readonly division: { readonly relation: 'same-village' | 'same-town' | 'same-town-other-village' | 'different-town'; readonly score: number } | null;
  readonly operator: 'same' | 'different' | null;
  /** The record's USCC failed the GB 32100 check and was ignored. */
  readonly usccInvalid?: boolean;
  /** Gates that stopped an automatic match. */
  readonly blockers: readonly string[];
}

export interface SubjectEvaluation {
  readonly subjectId: string;
  readonly decision: SubjectDecisionKind | 'excluded';
  readonly score: number;
  readonly rule: SubjectRule | Exclusion;
  readonly features: SubjectFeatures;
}

export interface SubjectDecision {
  readonly decision: SubjectDecisionKind;
  /** The matched (or, for review, the proposed) subject. */
  readonly subjectId?: string;
  readonly score: number;
  readonly rule: SubjectRule;
  /** Features of the chosen candidate (or of the best candidate for `new`). */
  readonly features: SubjectFeatures | null;
  /** Other candidates considered, best first, with their own decision and rule. */
  readonly others: readonly SubjectEvaluation[];
  readonly explanation: string;
}

export interface SubjectMatchOptions {
  /** The county's division table (for stripping region names from names and addresses). */
  readonly regions?: RegionIndex;
  readonly industries?: NameOptions['industries'];
  /**
   * The record is a report that names a subject (a name field or a name found in its text): a same
   * name in the same town is enough when unambiguous (rule `name-in-town`). Registry and approval
   * records keep the stricter rules.
   */
  readonly nameInTown?: boolean;
}

/**
 * The matching features of a canonical Subject: the business address first (where the subject
 * is; envelope.divisionCode and location are of that address), the registered address as another.
 * Only a PERSON subject's own ID hash identifies it; a legal representative's never does.
 */
export function subjectRecord(s: Subject): SubjectRecord {
  const e = s.envelope;
  const addresses = [s.businessAddress, s.registeredAddress].filter((a): a is string => !!a && a.trim() !== '');
  return {
    uscc: s.uscc,
    idHash: s.subjectType === 'PERSON' ? (s.person?.idHash ?? null) : null,
    name: s.name,
    formerNames: s.formerNames,
    address: addresses[0] ?? null,
    addresses: addresses.slice(1),
    divisionCode: e.divisionCode ?? s.registeredDivisionCode,
    location: e.location ? { lng: e.location.lng, lat: e.location.lat } : null,
    operatorUscc: s.operatorUscc,
    subjectType: s.subjectType,
  };
}

// ── Helpers ────────────────────────────────────────────────────────────────────────────────

export function validOrNull(raw: string | null | undefined): { code: string | null; invalid: boolean } {
  if (raw === null || raw === undefined || raw.trim() === '') return { code: null, invalid: false };
  try {
    return { code: validateUscc(raw, 'uscc'), invalid: false };
  } catch {
    return { code: null, invalid: true };
  }
}

function typesCompatible(a: SubjectKind | null | undefined, b: SubjectKind | null | undefined): boolean {
  if (!a || !b || a === 'OTHER' || b === 'OTHER') return true;
  return (a === 'PERSON') === (b === 'PERSON');
}

function divisionRelation(a: string | null | undefined, b: string | null | undefined): SubjectFeatures['division'] {
  const ta = townCodeOf(a);
  const tb = townCodeOf(b);
  if (!ta || !tb) return null;
  if (ta !== tb) return { relation: 'different-town', score: DIVISION_SCORES.differentTown };
  const va = villageCodeOf(a);
  const vb = villageCodeOf(b);
  if (va && vb) return va === vb ? { relation: 'same-village', score: DIVISION_SCORES.sameVillage } : { relation: 'same-town-other-village', score: DIVISION_SCORES.sameTownOtherVillage };
  return { relation: 'same-town', score: DIVISION_SCORES.sameTown };
}

export interface PreparedRecord {
  uscc: string | null;
  usccInvalid: boolean;
  operatorUscc: string | null;
  idHash: string | null;
  names: NameKey[];
  addresses: ParsedAddress[];
  divisionCode: string | null;
  location: GeoPoint | null;
  subjectType: SubjectKind | null;
}

/**
 * The record's division, or — when it names only the county (a registry row gives 150625) — the
 * town its address names: where the subject is, for the division feature and the town-scoped keys.
 */
function divisionOf(code: string | null, addresses: readonly ParsedAddress[], names: readonly NameKey[]): string | null {
  if (townCodeOf(code)) return code;
  const fromAddress = addresses.map((a) => a.divisionCode).find((c) => townCodeOf(c) !== null);
  // …else the town a shop's own name places it in (a location note, a town's name in front)
  const fromName = names.flatMap((k) => k.regions.map((h) => h.code)).find((c) => townCodeOf(c) !== null);
  return fromAddress ?? fromName ?? code;
}

export function prepare(r: SubjectRecord, nameOpts: NameOptions, addrOpts: AddressOptions): PreparedRecord {
  const { code, invalid } = validOrNull(r.uscc);
  const names = [r.name, ...(r.formerNames ?? [])].filter((n): n is string => typeof n === 'string' && n.trim() !== '');
  const addresses = [r.address, ...(r.addresses ?? [])].filter((a): a is string => typeof a === 'string' && a.trim() !== '');
  const parsed = [...new Set(addresses)].map((a) => parseAddress(a, addrOpts));
  const keys = [...new Set(names)].map((n) => nameKey(n, nameOpts));
  return {
    uscc: code,
    usccInvalid: invalid,
    operatorUscc: validOrNull(r.operatorUscc).code,
    idHash: r.idHash?.trim() || null,
    names: keys,
    addresses: parsed,
    divisionCode: divisionOf(r.divisionCode ?? null, parsed, keys),
    location: isUsablePoint(r.location) ? r.location : null,
    subjectType: r.subjectType ?? null,
  };
}

function candidateUscc(c: SubjectCandidate): string | null {
  return c.uscc ? normaliseUscc(c.uscc) : null;
}

const emptyFeatures = (extra: Partial<SubjectFeatures> = {}): SubjectFeatures => ({
  name: null,
  address: null,
  distanceM: null,
  distanceScore: null,
  division: null,
  operator: null,
  blockers: [],
  ...extra,
});

export function evaluate(rec: PreparedRecord, c: SubjectCandidate, nameOpts: NameOptions, addrOpts: AddressOptions): SubjectEvaluation {
  const cUscc = candidateUscc(c);
  const invalidNote = rec.usccInvalid ? { usccInvalid: true } : {};

  // Deterministic rules and exclusions.
  if (rec.uscc && cUscc) {
    if (rec.uscc === cUscc) return { subjectId: c.subjectId, decision: 'match', score: 1, rule: 'uscc-equal', features: emptyFeatures(invalidNote) };
    return { subjectId: c.subjectId, decision: 'excluded', score: 0, rule: 'uscc-conflict', features: emptyFeatures({ ...invalidNote, blockers: [`USCC ${rec.uscc} ≠ ${cUscc}`] }) };
  }
  if (rec.idHash && c.idHash) {
    if (rec.idHash === c.idHash) return { subjectId: c.subjectId, decision: 'match', score: 1, rule: 'id-hash-equal', features: emptyFeatures(invalidNote) };
    return { subjectId: c.subjectId, decision: 'excluded', score: 0, rule: 'id-hash-conflict', features: emptyFeatures({ ...invalidNote, blockers: ['resident ID hashes differ'] }) };
  }
  if (!typesCompatible(rec.subjectType, c.subjectType ?? null)) {
    return { subjectId: c.subjectId, decision: 'excluded', score: 0, rule: 'type-conflict', features: emptyFeatures({ ...invalidNote, blockers: [`${rec.subjectType} vs ${c.subjectType}`] }) };
  }

  // Probabilistic features.
  const blockers: string[] = [];
  const name: NameSimilarity & { pair: readonly [string, string] } | null = rec.names.length && c.names.length ? bestNameSimilarity(rec.names, c.names, nameOpts) : null;
  const address: AddressSimilarity & { pair: readonly [string, string] } | null =
    rec.addresses.length && c.addresses.length ? bestAddressSimilarity(rec.addresses, c.addresses, addrOpts) : null;
  const distanceM = rec.location ? minDistanceMetres([rec.location], c.locations ?? []) : null;
  const dScore = distanceM === null ? null : distanceScore(distanceM, SUBJECT_DISTANCE_FULL_M, SUBJECT_DISTANCE_ZERO_M);
  const division = divisionRelation(rec.divisionCode, c.divisionCode);
  const cOperator = c.operatorUscc ? validOrNull(c.operatorUscc).code : null;
  const operator =
    rec.operatorUscc && cUscc ? (rec.operatorUscc === cUscc ? 'same' : 'different') : cOperator && rec.uscc ? (cOperator === rec.uscc ? 'same' : 'different') : null;

  let num = 0;
  let den = 0;
  if (name) {
    num += SUBJECT_WEIGHTS.name * name.score;
    den += SUBJECT_WEIGHTS.name;
  }
  if (address) {
    num += SUBJECT_WEIGHTS.address * address.score;
    den += SUBJECT_WEIGHTS.address;
  }
  if (dScore !== null) {
    num += SUBJECT_WEIGHTS.distance * dScore;
    den += SUBJECT_WEIGHTS.distance;
  }
  if (division) {
    num += SUBJECT_WEIGHTS.division * division.score;
    den += SUBJECT_WEIGHTS.division;
  }
  let score = den === 0 ? 0 : num / den;
  if (operator === 'same') score = Math.min(1, score + OPERATOR_SAME_BONUS);
  if (operator === 'different') score = Math.max(0, score - OPERATOR_DIFFERENT_PENALTY);
  score = round4(score);

  if (!name) blockers.push('no name to compare');
  else if (name.score < SUBJECT_NAME_MATCH) blockers.push(`name ${name.score} < ${SUBJECT_NAME_MATCH}`);
  const addressOk = address !== null && address.score >= SUBJECT_ADDRESS_MATCH;
  const nearOk = distanceM !== null && distanceM <= SUBJECT_NEAR_M;
  if (!addressOk && !nearOk) blockers.push(`no location evidence (address ≥ ${SUBJECT_ADDRESS_MATCH} or within ${SUBJECT_NEAR_M} m)`);
  if (distanceM !== null && distanceM > SUBJECT_FAR_M) blockers.push(`${Math.round(distanceM)} m apart (> ${SUBJECT_FAR_M} m)`);
  if (division?.relation === 'different-town') blockers.push('different towns');
  if (address?.rule === 'different-town') blockers.push('addresses in different towns');
  if (score < SUBJECT_MATCH_SCORE) blockers.push(`score ${score} < ${SUBJECT_MATCH_SCORE}`);

  const features: SubjectFeatures = {
    name: name ? { score: name.score, pair: name.pair, explanation: name.explanation, industry: name.industry } : null,
    address: address ? { score: address.score, rule: address.rule, pair: address.pair, explanation: address.explanation } : null,
    distanceM: distanceM === null ? null : Math.round(distanceM * 10) / 10,
    distanceScore: dScore,
    division,
    operator,
    ...invalidNote,
    blockers,
  };
  if (blockers.length === 0) return { subjectId: c.subjectId, decision: 'match', score, rule: 'probabilistic-match', features };
  const hardConflict = blockers.some((b) => b.includes('different towns') || b.includes('m apart'));
  if (!hardConflict && score >= SUBJECT_REVIEW_SCORE && name !== null && name.score >= SUBJECT_NAME_REVIEW) {
    return { subjectId: c.subjectId, decision: 'review', score, rule: 'probabilistic-review', features };
  }
  return { subjectId: c.subjectId, decision: 'new', score, rule: 'below-threshold', features };
}

const RANK: Record<SubjectEvaluation['decision'], number> = { match: 0, review: 1, new: 2, excluded: 3 };
const DETERMINISTIC: ReadonlySet<string> = new Set(['uscc-equal', 'id-hash-equal']);

function byBest(a: SubjectEvaluation, b: SubjectEvaluation): number {
  const da = DETERMINISTIC.has(a.rule) ? 0 : 1;
  const db = DETERMINISTIC.has(b.rule) ? 0 : 1;
  return da - db || RANK[a.decision] - RANK[b.decision] || b.score - a.score || compareStrings(a.subjectId, b.subjectId);
}

function describeFeatures(f: SubjectFeatures | null): string {
  if (!f) return '';
  const parts: string[] = [];
  if (f.name) parts.push(f.name.explanation);
  if (f.address) parts.push(f.address.explanation);
  if (f.distanceM !== null) parts.push(`distance ${f.distanceM} m (score ${f.distanceScore})`);
  if (f.division) parts.push(`division ${f.division.relation}`);
  if (f.operator) parts.push(`operator USCC ${f.operator}`);
  if (f.usccInvalid) parts.push('record USCC fails the GB 32100 check: ignored');
  if (f.blockers.length) parts.push(`blocked by: ${f.blockers.join(', ')}`);
  return parts.join(' | ');
}

// ── Public API ─────────────────────────────────────────────────────────────────────────────

/**
 * Decide whether `record` is one of `candidates` (golden subjects found by the blocking keys).
 * Never merges two different valid USCCs or ID hashes; an equal USCC or ID hash always merges.
 */
export function matchSubject(record: SubjectRecord, candidates: readonly SubjectCandidate[], opts: SubjectMatchOptions = {}): SubjectDecision {
  const nameOpts: NameOptions = { ...(opts.regions ? { regions: opts.regions } : {}), ...(opts.industries ? { industries: opts.industries } : {}) };
  const addrOpts: AddressOptions = opts.regions ? { regions: opts.regions } : {};
  const rec = prepare(record, nameOpts, addrOpts);
  if (candidates.length === 0) {
    return { decision: 'new', score: 0, rule: 'no-candidate', features: null, others: [], explanation: 'no candidate subject' };
  }
  const evals = candidates.map((c) => evaluate(rec, c, nameOpts, addrOpts)).sort(byBest);
  const best = evals[0] as SubjectEvaluation;
  const others = evals.slice(1);

  if (best.decision === 'match' && DETERMINISTIC.has(best.rule)) {
    const dupes = evals.filter((e) => e.rule === best.rule && e.subjectId !== best.subjectId).map((e) => e.subjectId);
    const note = dupes.length ? `; golden subjects ${dupes.join(', ')} share it and should be merged` : '';
    return {
      decision: 'match',
      subjectId: best.subjectId,
      score: 1,
      rule: best.rule as SubjectRule,
      features: best.features,
      others,
      explanation: `${best.rule === 'uscc-equal' ? `same USCC ${rec.uscc}` : 'same resident ID hash'} → subject ${best.subjectId}${note}`,
    };
  }
  if (best.decision === 'excluded') {
    return {
      decision: 'new',
      score: 0,
      rule: 'all-excluded',
      features: best.features,
      others: evals,
      explanation: `every candidate is excluded (${[...new Set(evals.map((e) => e.rule))].join(', ')})`,
    };
  }
  if (best.decision === 'match') {
    const rival = others.find((o) => o.decision === 'match' && best.score - o.score < SUBJECT_AMBIGUITY_MARGIN);
    if (rival) {
      return {
        decision: 'review',
        subjectId: best.subjectId,
        score: best.score,
        rule: 'ambiguous',
        features: best.features,
        others,
        explanation: `subjects ${best.subjectId} (${best.score}) and ${rival.subjectId} (${rival.score}) both match within ${SUBJECT_AMBIGUITY_MARGIN}: a person decides. ${describeFeatures(best.features)}`,
      };
    }
    return {
      decision: 'match',
      subjectId: best.subjectId,
      score: best.score,
      rule: 'probabilistic-match',
      features: best.features,
      others,
      explanation: `match subject ${best.subjectId}, score ${best.score}: ${describeFeatures(best.features)}`,
    };
  }
  if (opts.nameInTown) {
    const inTown = nameInTown(evals);
    if (inTown) return inTown;
  }
  if (best.decision === 'review') {
    return {
      decision: 'review',
      subjectId: best.subjectId,
      score: best.score,
      rule: 'probabilistic-review',
      features: best.features,
      others,
      explanation: `possible match with subject ${best.subjectId}, score ${best.score}: ${describeFeatures(best.features)}`,
    };
  }
  return {
    decision: 'new',
    score: best.score,
    rule: 'below-threshold',
    features: best.features,
    others: evals,
    explanation: `new subject; best candidate ${best.subjectId} scored ${best.score}: ${describeFeatures(best.features)}`,
  };
}

/** The `name-in-town` rule over evaluations sorted best first (see the header). */
function nameInTown(evals: readonly SubjectEvaluation[]): SubjectDecision | null {
  const live = evals.filter((e) => e.decision !== 'excluded');
  const sameTown = (e: SubjectEvaluation) => {
    const d = e.features.division?.relation;
    return d === 'same-village' || d === 'same-town' || d === 'same-town-other-village';
  };
  const strong = live.filter((e) => sameTown(e) && (e.features.name?.score ?? 0) >= SUBJECT_NAME_IN_TOWN);
  if (strong.length === 0) return null;
  const best = [...strong].sort((a, b) => (b.features.name?.score ?? 0) - (a.features.name?.score ?? 0) || b.score - a.score || compareStrings(a.subjectId, b.subjectId))[0] as SubjectEvaluation;
  const f = best.features;
  const conflict =
    (f.address !== null && f.address.score < SUBJECT_ADDRESS_DIFFERENT && ['different-road', 'different-compound', 'different-town'].includes(f.address.rule)) ||
    (f.distanceM !== null && f.distanceM > SUBJECT_FAR_M) ||
    f.operator === 'different';
  if (conflict) return null;
  const rivals = live.filter((e) => e.subjectId !== best.subjectId && sameTown(e) && (e.features.name?.score ?? 0) >= SUBJECT_NAME_REVIEW);
  if (rivals.length > 0) {
    return {
      decision: 'review',
      subjectId: best.subjectId,
      score: best.score,
      rule: 'ambiguous',
      features: f,
      others: evals.filter((e) => e !== best),
      explanation: `the name fits several subjects in the town (${[best, ...rivals].map((e) => `${e.subjectId} ${e.features.name?.score}`).join(', ')}): a person decides. ${describeFeatures(f)}`,
    };
  }
  return {
    decision: 'match',
    subjectId: best.subjectId,
    score: best.score,
    rule: 'name-in-town',
    features: f,
    others: evals.filter((e) => e !== best),
    explanation: `match subject ${best.subjectId}: the same name in the same town and no other like it (${f.name?.explanation}; division ${f.division?.relation}${f.address ? `; ${f.address.explanation}` : ''})`,
  };
}

/**
 * Keys to look candidate subjects up by (store them per golden subject in a key table, e.g.
 * subject_keys(key text, subject_id), and query with key = ANY($1)):
 *
 *   uscc:<code>             the valid USCC (and op:<code> for a place's operator)
 *   id:<hash>               a person's keyed ID hash
 *   name:<core>|<industry>  each name's key; catches the same shop in any town
 *   core:<town>|<core>      trade name within a town (catches it when the two name the trade differently)
 *   py:<town>|<pinyin>      the trade name's toneless pinyin within a town (catches homophone typos)
 *   addr:<town>|<road>|<n>  road + number within a town (catches a renamed shop at the same door)
 *
 * Location: add a bounding-box query (geo.boundingBox(location, SUBJECT_NEAR_M)) when the record has a point.
 */
export function subjectBlockingKeys(record: SubjectRecord, opts: SubjectMatchOptions = {}): string[] {
  const nameOpts: NameOptions = { ...(opts.regions ? { regions: opts.regions } : {}), ...(opts.industries ? { industries: opts.industries } : {}) };
  const addrOpts: AddressOptions = opts.regions ? { regions: opts.regions } : {};
  return blockingKeysOf(prepare(record, nameOpts, addrOpts));
}

/** The pinyin initials a trade name may be written as (2–4 Han characters), or is written in (2–4 letters). */
function initialsKeys(k: NameKey): string[] {
  const out = new Set<string>();
  for (const w of [k.core, ...(k.surname?.written ? [k.surname.written] : [])]) {
    if (/^[A-Za-z]{2,4}$/u.test(w)) out.add(w.toLowerCase());
    else if (/^\p{Script=Han}{2,4}$/u.test(w)) out.add(pinyinSyllables(w).map((x) => x[0]).join(''));
  }
  return [...out];
}

/** `subjectBlockingKeys` of a prepared record. */
export function blockingKeysOf(rec: PreparedRecord): string[] {
  const keys = new Set<string>();
  if (rec.uscc) keys.add(`uscc:${rec.uscc}`);
  if (rec.operatorUscc) keys.add(`uscc:${rec.operatorUscc}`);
  if (rec.idHash) keys.add(`id:${rec.idHash}`);
  const town = townCodeOf(rec.divisionCode) ?? rec.addresses.map((a) => townCodeOf(a.divisionCode)).find((t) => t !== null) ?? '*';
  for (const k of rec.names) {
    if (k.core !== '') {
      keys.add(`name:${keyString(k)}`);
      keys.add(`core:${town}|${k.core}`);
      keys.add(`py:${town}|${pinyinSyllables(k.core).join('')}`);
      // a trade name written as pinyin initials meets the one it abbreviates
      for (const ini of initialsKeys(k)) {
        keys.add(`ini:${town}|${ini}`);
        // a complaint that gives no town meets the registered shop (in its town) by initials and
        // trade county-wide
        if (k.industry !== '') keys.add(`ini:*|${ini}|${k.industry}`);
      }
    }
  }
  for (const a of rec.addresses) {
    const t = townCodeOf(a.divisionCode) ?? town;
    if (a.road && a.number !== null) {
      keys.add(`addr:${t}|${a.road}|${a.number}`);
      // …and by its door county-wide, for the same reason
      keys.add(`addr:*|${a.road}|${a.number}`);
    }
  }
  return [...keys].sort(compareStrings);
}
