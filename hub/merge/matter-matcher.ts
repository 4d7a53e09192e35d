/**
 * Matter matching (一件事): does a new report describe an incident the hub already has an open
 * matter for? A grid worker's report, a 12345 call and a 12369 complaint about the same
 * restaurant's fumes within hours become one matter with three reports.
 *
 * A report joins a candidate matter when ALL of these hold (each is a named gate):
 *
 *   family        same category family (env, street …) as a report of the matter, or a related
 *                 one with a related code (RELATED_CATEGORIES: construction.noise ~ env.noise_social),
 *                 or an uncategorised side (other.*);
 *   open          the matter is open, or closed less than MATTER_CLOSED_GRACE_MS before the
 *                 report's event time (a late-arriving report of the same incident); a closed
 *                 matter is never reopened by a later report: that is a new matter, flagged
 *                 `recurrenceOf` (问题反弹) for the operators;
 *   same-source   no report of the matter comes from the same source system with another record
 *                 id — a department platform files one incident once, so two of its records are
 *                 two incidents. Exception: REPEAT_FILING_SOURCES (12345): every caller gets a
 *                 work order of their own, so ten neighbours calling about one fire give ten work
 *                 orders about one matter;
 *   time          within the family's time window of the nearest report of the matter, and
 *                 within MATTER_MAX_SPAN_MS of its first report (no endless chaining);
 *   place         within the family's distance D of a located report (canonical WGS-84), or —
 *                 when either side has no coordinates — the same address (≥ MATTER_ADDRESS_SAME)
 *                 or the same grid; different towns never, unless the points are within D;
 *   similar       descriptions similar (bigram Dice ≥ MATTER_TEXT_MIN after boilerplate removal);
 *                 or the same subject (USCC, golden subject id, or names ≥ MATTER_SUBJECT_NAME_MIN)
 *                 unless both carry different category codes (noise and fumes of one restaurant
 *                 are two problems); or the same category code at the same place (address ≥
 *                 MATTER_ADDRESS_SAME or ≤ MATTER_CLOSE_M apart) — one kind of problem at one door
 *                 within the family window is one incident however differently it is worded.
 *                 Descriptions are compared without their own address (a 12345 work order repeats
 *                 it). Beyond MATTER_CLOSE_M with neither the same address nor subject, text needs
 *                 MATTER_TEXT_STRONG (else review). One subject under another category code of
 *                 the family is another problem. A crossing (X路与Y路交叉口) is a door only with a
 *                 common subject; within MATTER_CLOSE_M the addresses must not name another door;
 *                 a grown matter takes no report from an address clearly different from one of its
 *                 reports (no chaining door to door).
 *                 Two codes of one family are two problems (fumes and noise at one door, a house
 *                 and a sand pit on one plot) unless they name one kind (RELATED_CATEGORIES, the
 *                 family's catch-all GENERAL_CATEGORIES) or one is broader (OVERLAPPING_CATEGORIES:
 *                 then text or subject must tie them); one kind at one door counts as the same category.
 *                 No chaining: a report joining a grown matter must not be another problem than any
 *                 of its reports, nor clearly unlike (Dice < MATTER_TEXT_UNLIKE, nothing else tying
 *                 them) as many of them as it is like (else review).
 *                 Never when both name different subjects (two USCCs, or clearly different names
 *                 given in subject fields; a name read from a description (mentions.ts, for 12345
 *                 work orders) counts for the same subject, never against).
 *
 * Near misses (place within 2·D, address partly similar, no category) give `review`. The score (0..1) ranks candidates and explains
 * them; it is a weighted mean of place, time, text and subject (+ MATTER_SAME_CATEGORY_BONUS).
 * Pure and deterministic: candidates and their reports may come in any order.
 */
import { normaliseUscc } from '../../connectors/sdk/normalise/uscc.js';
import type { Report } from '../../schemas/types.js';
import { addressSimilarity, parseAddress, type AddressOptions, type ParsedAddress } from './addresses.js';
import { boundingBox, distanceScore, haversineMetres, isUsablePoint, type GeoPoint } from './geo.js';
import { nameKey, nameSimilarity, type NameKey, type NameOptions } from './names.js';
import { RegionIndex, townCodeOf } from './regions.js';
import { subjectMentions } from './mentions.js';
import { chars, compareStrings, round4 } from './strings.js';
import { textFingerprint, textSimilarity, type TextFingerprint } from './text.js';

// ── Thresholds ─────────────────────────────────────────────────────────────────────────────

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface FamilyRule {
  /** Reports within this distance (metres) can be one incident. */
  readonly distanceM: number;
  /** …and within this time of the nearest report of the matter. */
  readonly timeWindowMs: number;
}

/** Used for families not listed in FAMILY_RULES. */
export const DEFAULT_FAMILY_RULE: FamilyRule = { distanceM: 150, timeWindowMs: 48 * HOUR };

/**
 * Per family: how far apart and how long apart reports of one incident can be.
 * Fumes and noise are sensed from around the source (200 m); an illegal building or a land case
 * stays where it is for weeks; an emergency is over within hours.
 */
export const FAMILY_RULES: Readonly<Record<string, FamilyRule>> = {
  env: { distanceM: 200, timeWindowMs: 48 * HOUR },
  appearance: { distanceM: 100, timeWindowMs: 72 * HOUR },
  advert: { distanceM: 100, timeWindowMs: 7 * DAY },
  street: { distanceM: 100, timeWindowMs: 24 * HOUR },
  construction: { distanceM: 200, timeWindowMs: 7 * DAY },
  emergency: { distanceM: 300, timeWindowMs: 12 * HOUR },
  facility: { distanceM: 50, timeWindowMs: 7 * DAY },
  planning: { distanceM: 150, timeWindowMs: 30 * DAY },
  land: { distanceM: 300, timeWindowMs: 30 * DAY },
  safety: { distanceM: 150, timeWindowMs: 7 * DAY },
  food_drug: { distanceM: 100, timeWindowMs: 7 * DAY },
  market: { distanceM: 100, timeWindowMs: 7 * DAY },
  traffic: { distanceM: 150, timeWindowMs: 24 * HOUR },
  dispute: { distanceM: 100, timeWindowMs: 7 * DAY },
  agri: { distanceM: 300, timeWindowMs: 7 * DAY },
  public_order: { distanceM: 150, timeWindowMs: 24 * HOUR },
};

/**
 * Families whose reports can be about one incident although filed under different families:
 * departments file a building site's night noise or dust under the environment (env.noise_social,
 * env.air) or under construction (construction.noise, construction.dust). `other` (uncategorised)
 * says nothing about the family, so it can be any family's incident.
 */
export const RELATED_FAMILIES: Readonly<Record<string, readonly string[]>> = { env: ['construction'], construction: ['env'] };
/**
 * The category codes of related families that name one kind of problem (a site's night noise is
 * construction.noise to one department and env.noise_social to another). Across families only
 * these pairs (or an uncategorised side) can be one incident: a site's noise and its dust are two.
 */
export const RELATED_CATEGORIES: readonly (readonly [string, string])[] = [
  ['construction.noise', 'env.noise_social'],
  ['construction.dust', 'env.air'],
  // a livestock farm's manure is filed as water pollution by those who see where it runs
  ['env.livestock', 'env.water'],
];
/**
 * A family's catch-all code (公共设施损坏: the GB/T 30428 class 部件/公用设施 itself, not one
 * of its subclasses): a department that files a broken manhole cover or a dark streetlight under
 * it names the same kind of problem as one that files it under the specific code.
 */
export const GENERAL_CATEGORIES: readonly string[] = ['facility.public'];
/**
 * Pairs of which one is the broader code (restaurant fumes are air pollution to the environment
 * platform, 12369 files them as 大气): reports under them can be one incident, but the broader
 * code also covers a factory's smoke next door, so text or subject must tie them (the same door
 * alone does not).
 */
export const OVERLAPPING_CATEGORIES: readonly (readonly [string, string])[] = [['env.cooking_fume', 'env.air']];

function categoriesRelated(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return false;
  if (a.startsWith(`${UNCATEGORISED_FAMILY}.`) || b.startsWith(`${UNCATEGORISED_FAMILY}.`)) return true;
  if (a.slice(0, a.indexOf('.')) === b.slice(0, b.indexOf('.')) && (GENERAL_CATEGORIES.includes(a) || GENERAL_CATEGORIES.includes(b))) return true;
  return RELATED_CATEGORIES.some(([x, y]) => (a === x && b === y) || (a === y && b === x));
}

/** Do two category codes name one kind of problem (the same code, a related pair, a catch-all)? */
export function sameKindOfProblem(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && (a === b || categoriesRelated(a, b));
}

/** Can reports under these two codes be one incident (one kind, or one code broader than the other)? */
function categoriesCompatible(a: string | null, b: string | null): boolean {
  return sameKindOfProblem(a, b) || (a !== null && b !== null && OVERLAPPING_CATEGORIES.some(([x, y]) => (a === x && b === y) || (a === y && b === x)));
}
/** The family of uncategorised reports. */
export const UNCATEGORISED_FAMILY = 'other';

/** Can reports of families a and b be about one incident? */
export function familiesCompatible(a: string, b: string): boolean {
  return a === b || a === UNCATEGORISED_FAMILY || b === UNCATEGORISED_FAMILY || (RELATED_FAMILIES[a]?.includes(b) ?? false);
}

/** A matter accepts reports for at most this long after its first report (or the family window, if longer). */
export const MATTER_MAX_SPAN_MS = 30 * DAY;
/** A closed matter still accepts a report whose event time is at most this long after the closure (late delivery). */
export const MATTER_CLOSED_GRACE_MS = 2 * HOUR;
/** How far back a closed matter at the same place counts as the same problem come back (问题反弹). */
export const MATTER_RECURRENCE_LOOKBACK_MS = 60 * DAY;
/** Source systems whose records may be separate filings of one incident (one work order per caller). */
export const REPEAT_FILING_SOURCES: readonly string[] = ['hotline-12345'];
/** Address similarity meaning "the same place" (same road and number; "near" = 0.9). */
export const MATTER_ADDRESS_SAME = 0.85;
/** Address similarity of the same village group or road without a number: not another door. */
export const MATTER_ADDRESS_SAME_GROUP = 0.6;
/** Address similarity below which two addresses are different places (different road, other town). */
export const MATTER_ADDRESS_DIFFERENT = 0.3;
/** Bigram Dice of descriptions meaning "about the same thing" (same incident: 0.2–0.4; other incidents: < 0.1). */
export const MATTER_TEXT_MIN = 0.15;
/**
 * Dice meaning "clearly about the same thing": what two reports need beyond MATTER_CLOSE_M
 * when neither the address nor the subject ties them (a look-alike of the same kind a street
 * further on reads almost the same, so the middling band 0.15–0.3 is not enough there).
 */
export const MATTER_TEXT_STRONG = 0.3;
/**
 * Dice below which two descriptions are clearly about different things (no shared wording beyond
 * a word or two): what counts against a report joining a grown matter (no chaining).
 */
export const MATTER_TEXT_UNLIKE = 0.1;
/** Dice at which the text part of the score is full. */
export const MATTER_TEXT_FULL = 0.4;
/** Subject names at least this similar are the same subject (names.ts). */
export const MATTER_SUBJECT_NAME_MIN = 0.85;
/** Subject names below this (both with a trade name) are different subjects. */
export const MATTER_SUBJECT_NAME_DIFFERENT = 0.5;
/** Within this distance, or at the same address, the same category code alone makes a review. */
export const MATTER_CLOSE_M = 30;
/** Distance similarity is 1 up to this. */
export const MATTER_DISTANCE_FULL_M = 30;
export const MATTER_SAME_CATEGORY_BONUS = 0.05;
export const MATTER_WEIGHTS = { place: 0.35, time: 0.15, text: 0.3, subject: 0.2 } as const;
/** Place score when only the grid agrees. */
export const SAME_GRID_PLACE_SCORE = 0.7;

// ── Types ──────────────────────────────────────────────────────────────────────────────────

/** What matching needs of a report (the new one, or one already linked to a matter). */
export interface ReportFeatures {
  readonly sourceSystem: string;
  readonly sourceRecordId: string;
  /** Category family; derived from categoryCode (`env.cooking_fume` → `env`) when absent. */
  readonly family?: string | null;
  readonly categoryCode: string | null;
  /** Epoch ms. */
  readonly eventTime: number;
  /** Canonical WGS-84. */
  readonly location?: GeoPoint | null;
  readonly divisionCode: string | null;
  readonly gridCode?: string | null;
  readonly description: string;
  readonly subjectUscc?: string | null;
  readonly subjectName?: string | null;
  /** Golden subject id, when subject matching already linked the report's subject. */
  readonly subjectId?: string | null;
  readonly address?: string | null;
}

export interface MatterCandidate {
  readonly matterId: string;
  /** Epoch ms of closure; null or absent while open. */
  readonly closedAt?: number | null;
  readonly reports: readonly ReportFeatures[];
}

export type MatterDecisionKind = 'match' | 'new' | 'review';

export type MatterRule =
  | 'same-incident'
  | 'same-record'
  | 'review-place'
  | 'review-similarity'
  | 'review-no-category'
  | 'no-candidate'
  | 'not-same-incident';

export type MatterGate = 'family' | 'open' | 'same-source' | 'time' | 'place' | 'similar';

export interface MatterFeatures {
  readonly family: { readonly report: string | null; readonly matter: readonly string[]; readonly same: boolean };
  readonly sameCategoryCode: boolean;
  /** Smallest time difference to a report of the matter (ms), and the window applied. */
  readonly timeDeltaMs: number;
  readonly timeWindowMs: number;
  readonly matterSpanMs: number;
  readonly distanceM: number | null;
  readonly distanceLimitM: number;
  readonly address: { readonly score: number; readonly rule: string; readonly explanation: string } | null;
  readonly sameGrid: boolean;
  readonly sameTown: boolean | null;
  readonly text: { readonly score: number; readonly explanation: string } | null;
  readonly subject: { readonly relation: 'same-uscc' | 'same-subject-id' | 'similar-name' | 'different-uscc' | 'different-name' | 'unknown'; readonly score: number | null; readonly explanation: string };
  readonly sameSourceConflict: string | null;
  readonly closedAt: number | null;
  /** The similar gate failed only because the texts differ (no subject, no same kind at the same place). */
  readonly textsDiffer: boolean;
  /** Gates that failed (hard) and gates that were only nearly met (soft). */
  readonly failed: readonly MatterGate[];
  readonly soft: readonly string[];
  readonly placeScore: number;
  readonly timeScore: number;
}

export interface MatterEvaluation {
  readonly matterId: string;
  readonly decision: MatterDecisionKind;
  readonly score: number;
  readonly rule: MatterRule;
  readonly features: MatterFeatures;
  readonly explanation: string;
}

export interface MatterDecision {
  readonly decision: MatterDecisionKind;
  readonly matterId?: string;
  readonly score: number;
  readonly rule: MatterRule;
  readonly features: MatterFeatures | null;
  /** Other candidates that also match (the matters may be one incident: a merge to propose). */
  readonly alsoMatching: readonly string[];
  /** For `new`: a closed matter this report would have joined but for its closure (问题反弹). */
  readonly recurrenceOf?: string;
  readonly evaluations: readonly MatterEvaluation[];
  readonly explanation: string;
}

export interface MatterMatchOptions {
  readonly regions?: RegionIndex;
  readonly familyRules?: Readonly<Record<string, FamilyRule>>;
  readonly repeatFilingSources?: readonly string[];
}

// ── Helpers ────────────────────────────────────────────────────────────────────────────────

/**
 * The matching features of a canonical Report. `family` comes from the catalogue
 * (`catalogue.category(code)?.family`); without it, it is read from the code's prefix.
 * `subjectId`: the golden subject the report's subject was matched to, if any.
 */
export function reportFeatures(r: Report, extra: { family?: string | null; subjectId?: string | null } = {}): ReportFeatures {
  const e = r.envelope;
  return {
    sourceSystem: e.sourceSystem,
    sourceRecordId: e.sourceRecordId,
    family: extra.family ?? null,
    categoryCode: r.categoryCode,
    eventTime: e.eventTime,
    location: e.location ? { lng: e.location.lng, lat: e.location.lat } : null,
    divisionCode: e.divisionCode,
    gridCode: e.gridCode,
    description: r.title && !r.description.includes(r.title) ? `${r.title} ${r.description}` : r.description,
    subjectUscc: r.subjectUscc,
    subjectName: r.subjectName,
    subjectId: extra.subjectId ?? null,
    address: r.address,
  };
}

/** The family of a county category code: `env.cooking_fume` → `env`. */
export function familyOf(r: Pick<ReportFeatures, 'family' | 'categoryCode'>): string | null {
  if (r.family) return r.family;
  if (r.categoryCode && r.categoryCode.includes('.')) return r.categoryCode.slice(0, r.categoryCode.indexOf('.'));
  return null;
}

export function familyRule(family: string | null, rules: Readonly<Record<string, FamilyRule>> = FAMILY_RULES): FamilyRule {
  return (family !== null ? rules[family] : undefined) ?? DEFAULT_FAMILY_RULE;
}

function usccOrNull(raw: string | null | undefined): string | null {
  if (!raw || raw.trim() === '') return null;
  const c = normaliseUscc(raw);
  return c.length === 18 ? c : null;
}

interface Prepared {
  r: ReportFeatures;
  family: string | null;
  location: GeoPoint | null;
  address: ParsedAddress | null;
  town: string | null;
  text: TextFingerprint;
  uscc: string | null;
  name: NameKey | null;
  /** The name was read from the description (no subject field): evidence for, never against. */
  nameFromText: boolean;
}

/**
 * Prepared features by report object: a caller that keeps its candidates' ReportFeatures between
 * calls (a cache, a replay) pays for parsing once. Options are part of the key by identity.
 */
const prepared = new WeakMap<ReportFeatures, { opts: unknown; p: Prepared }>();

function prepare(r: ReportFeatures, nameOpts: NameOptions, addrOpts: AddressOptions): Prepared {
  const hit = prepared.get(r);
  if (hit && hit.opts === (nameOpts.regions ?? null)) return hit.p;
  const p = prepareUncached(r, nameOpts, addrOpts);
  prepared.set(r, { opts: nameOpts.regions ?? null, p });
  return p;
}

function prepareUncached(r: ReportFeatures, nameOpts: NameOptions, addrOpts: AddressOptions): Prepared {
  const given = r.subjectName && r.subjectName.trim() !== '' ? r.subjectName : null;
  // no subject field (12345): the shop or enterprise its text names, if any
  const mention = given || usccOrNull(r.subjectUscc) ? null : (subjectMentions(r.description, nameOpts)[0] ?? null);
  return {
    r,
    family: familyOf(r),
    location: isUsablePoint(r.location) ? r.location : null,
    address: r.address && r.address.trim() !== '' ? parseAddress(r.address, addrOpts) : null,
    town: townCodeOf(r.divisionCode),
    text: textFingerprint(r.description, r.address),
    uscc: usccOrNull(r.subjectUscc),
    name: given ? nameKey(given, nameOpts) : (mention?.key ?? null),
    nameFromText: !given && mention !== null,
  };
}

function subjectRelation(a: Prepared, others: readonly Prepared[], nameOpts: NameOptions): MatterFeatures['subject'] {
  let best: MatterFeatures['subject'] = { relation: 'unknown', score: null, explanation: 'no subject on one side' };
  let differentUscc: string | null = null;
  let differentName: string | null = null;
  for (const b of others) {
    if (a.uscc && b.uscc) {
      if (a.uscc === b.uscc) return { relation: 'same-uscc', score: 1, explanation: `same subject USCC ${a.uscc}` };
      differentUscc = `${a.uscc} ≠ ${b.uscc}`;
      continue;
    }
    if (a.r.subjectId && b.r.subjectId) {
      if (a.r.subjectId === b.r.subjectId) return { relation: 'same-subject-id', score: 1, explanation: `same golden subject ${a.r.subjectId}` };
    }
    if (a.name && b.name) {
      const s = nameSimilarity(a.name, b.name, nameOpts);
      if (s.score >= MATTER_SUBJECT_NAME_MIN && (best.score === null || s.score > best.score)) {
        best = { relation: 'similar-name', score: s.score, explanation: `subject ${a.name.original} ~ ${b.name.original}: ${s.explanation}` };
      } else if (s.score < MATTER_SUBJECT_NAME_DIFFERENT && a.name.core !== '' && b.name.core !== '' && !a.nameFromText && !b.nameFromText) {
        differentName ??= `${a.name.original} vs ${b.name.original} (${s.score})`;
      }
    }
  }
  if (best.relation === 'similar-name') return best;
  if (differentUscc) return { relation: 'different-uscc', score: 0, explanation: `different subjects: USCC ${differentUscc}` };
  if (differentName) return { relation: 'different-name', score: 0, explanation: `different subjects: ${differentName}` };
  return best;
}

function evaluate(
  rep: Prepared,
  candidate: MatterCandidate,
  linked: readonly Prepared[],
  nameOpts: NameOptions,
  addrOpts: AddressOptions,
  opts: MatterMatchOptions,
): MatterEvaluation {
  const rules = opts.familyRules ?? FAMILY_RULES;
  const repeat = new Set(opts.repeatFilingSources ?? REPEAT_FILING_SOURCES);
  const failed: MatterGate[] = [];
  const soft: string[] = [];
  const why: string[] = [];
  const r = rep.r;

  // Same record already linked: an update, not a merge decision.
  if (linked.some((l) => l.r.sourceSystem === r.sourceSystem && l.r.sourceRecordId === r.sourceRecordId)) {
    const features = emptyFeatures(rep, candidate, linked);
    return { matterId: candidate.matterId, decision: 'match', score: 1, rule: 'same-record', features, explanation: `report ${r.sourceSystem}/${r.sourceRecordId} is already linked to matter ${candidate.matterId}` };
  }

  // family
  const matterFamilies = [...new Set(linked.map((l) => l.family).filter((f): f is string => f !== null))].sort(compareStrings);
  const sameFamily = rep.family !== null && matterFamilies.includes(rep.family);
  // a related family (or an uncategorised side) can be the same incident filed elsewhere; it is
  // then judged like a report of another category code (text or subject must tie them)
  const relatedFamily =
    !sameFamily && rep.family !== null &&
    linked.some((l) => l.family !== null && familiesCompatible(rep.family as string, l.family) && (rep.family === UNCATEGORISED_FAMILY || l.family === UNCATEGORISED_FAMILY || categoriesRelated(r.categoryCode, l.r.categoryCode)));
  if (rep.family === null || matterFamilies.length === 0) soft.push('no category family on one side');
  else if (!sameFamily && !relatedFamily) {
    failed.push('family');
    why.push(`family ${rep.family} ∉ {${matterFamilies.join(', ')}}`);
  } else if (relatedFamily) why.push(`family ${rep.family} related to {${matterFamilies.join(', ')}}`);
  const sameCategoryCode = r.categoryCode !== null && linked.some((l) => l.r.categoryCode === r.categoryCode);
  // the same code, or a code naming the same kind of problem (a catch-all, a related pair)
  const sameKind = r.categoryCode !== null && linked.some((l) => sameKindOfProblem(r.categoryCode, l.r.categoryCode));
  const compatibleKind = r.categoryCode !== null && linked.some((l) => categoriesCompatible(r.categoryCode, l.r.categoryCode));
  const ruleFamily = rep.family !== null && rep.family !== UNCATEGORISED_FAMILY ? rep.family : (matterFamilies.find((f) => f !== UNCATEGORISED_FAMILY) ?? rep.family ?? null);
  const rule = familyRule(ruleFamily, rules);

  // open
  const closedAt = candidate.closedAt ?? null;
  if (closedAt !== null && r.eventTime > closedAt + MATTER_CLOSED_GRACE_MS) {
    failed.push('open');
    why.push(`matter closed ${formatDuration(r.eventTime - closedAt)} before the report`);
  }

  // same source
  let sameSourceConflict: string | null = null;
  if (!repeat.has(r.sourceSystem)) {
    const other = linked.find((l) => l.r.sourceSystem === r.sourceSystem && l.r.sourceRecordId !== r.sourceRecordId);
    if (other) {
      sameSourceConflict = `${r.sourceSystem} already filed ${other.r.sourceRecordId} for this matter`;
      failed.push('same-source');
      why.push(`${sameSourceConflict}; one platform files one incident once`);
    }
  }

  // time
  const times = linked.map((l) => l.r.eventTime);
  const timeDeltaMs = Math.min(...times.map((t) => Math.abs(t - r.eventTime)));
  const first = Math.min(...times);
  const matterSpanMs = Math.max(r.eventTime, ...times) - Math.min(r.eventTime, first);
  const maxSpan = Math.max(MATTER_MAX_SPAN_MS, rule.timeWindowMs);
  if (timeDeltaMs > rule.timeWindowMs) {
    failed.push('time');
    why.push(`${formatDuration(timeDeltaMs)} from the nearest report (window ${formatDuration(rule.timeWindowMs)})`);
  } else if (matterSpanMs > maxSpan) {
    failed.push('time');
    why.push(`the matter would span ${formatDuration(matterSpanMs)} (max ${formatDuration(maxSpan)})`);
  }
  const timeScore = round4(Math.max(0, 1 - timeDeltaMs / rule.timeWindowMs));

  // place
  let distanceM: number | null = null;
  for (const l of linked) {
    if (rep.location && l.location) {
      const d = haversineMetres(rep.location, l.location);
      if (distanceM === null || d < distanceM) distanceM = d;
    }
  }
  let address: MatterFeatures['address'] = null;
  // the address least like the report's among the matter's reports: a matter that has grown by
  // one report at a time must not take a report from a door none but one of its reports is at
  let worstAddress: number | null = null;
  if (rep.address) {
    for (const l of linked) {
      if (!l.address) continue;
      const s = addressSimilarity(rep.address, l.address, addrOpts);
      if (address === null || s.score > address.score) address = { score: s.score, rule: s.rule, explanation: s.explanation };
      if (s.rule !== 'text' && (worstAddress === null || s.score < worstAddress)) worstAddress = s.score;
    }
  }
  const sameGrid = !!r.gridCode && linked.some((l) => !!l.r.gridCode && l.r.gridCode === r.gridCode);
  const towns = linked.map((l) => l.town).filter((t): t is string => t !== null);
  const sameTown = rep.town === null || towns.length === 0 ? null : towns.includes(rep.town);
  const D = rule.distanceM;

  // subject (needed by the place gate when nothing else locates the report)
  const subject = subjectRelation(rep, linked, nameOpts);
  const sameSubject = subject.relation === 'same-uscc' || subject.relation === 'same-subject-id' || subject.relation === 'similar-name';
  const subjectIdentity = subject.relation === 'same-uscc' || subject.relation === 'same-subject-id';

  let placeScore = 0;
  if (distanceM !== null) {
    placeScore = distanceScore(distanceM, MATTER_DISTANCE_FULL_M, 2 * D);
    if (distanceM <= D) why.push(`${Math.round(distanceM)} m apart (≤ ${D} m)`);
    else if (distanceM <= 2 * D) {
      if (sameSubject && subjectIdentity) why.push(`${Math.round(distanceM)} m apart, but the same subject`);
      else soft.push(`${Math.round(distanceM)} m apart (between ${D} and ${2 * D} m)`);
    } else {
      failed.push('place');
      why.push(`${Math.round(distanceM)} m apart (> ${2 * D} m)`);
    }
  } else if (sameTown === false) {
    failed.push('place');
    why.push('different towns');
  } else if (address !== null && address.score >= MATTER_ADDRESS_SAME && (address.rule !== 'same-intersection' || sameSubject)) {
    placeScore = address.score;
    why.push(`same address (${address.score})`);
  } else if (address !== null && address.rule === 'same-intersection') {
    // a crossing is where a caller stands, not a door: two shops at one crossing are two places
    placeScore = address.score;
    soft.push(`the same crossing (${address.score}) but no common subject`);
  } else if (address !== null && address.rule === 'intersection-road' && sameSubject && sameCategoryCode) {
    // the caller names the nearest crossing of the road the named shop is on
    placeScore = address.score;
    why.push(`a crossing on the same road (${address.score}) and ${subject.explanation}`);
  } else if (address !== null && address.score < MATTER_ADDRESS_DIFFERENT && !sameGrid) {
    failed.push('place');
    why.push(`different addresses (${address.score}, ${address.rule})`);
  } else if (sameGrid) {
    placeScore = Math.max(SAME_GRID_PLACE_SCORE, address?.score ?? 0);
    why.push('same grid');
  } else if (address !== null) {
    placeScore = address.score;
    soft.push(`addresses only partly agree (${address.score}, ${address.rule})`);
  } else if (subjectIdentity && sameTown === true) {
    placeScore = 0.5;
    why.push('no location to compare, but the same subject in the same town');
  } else if (sameSubject && sameTown === true) {
    placeScore = 0.4;
    soft.push('no location to compare; a similar subject name in the same town');
  } else {
    failed.push('place');
    why.push('nothing to compare the places by (no coordinates, address or grid in common)');
  }

  // similar
  let text: MatterFeatures['text'] = null;
  for (const l of linked) {
    const s = textSimilarity(rep.text, l.text);
    if (text === null || s.score > text.score) text = { score: s.score, explanation: s.explanation };
  }
  const textOk = text !== null && text.score >= MATTER_TEXT_MIN;
  const bothCoded = r.categoryCode !== null && linked.every((l) => l.r.categoryCode !== null);
  const sameAddress = address !== null && address.score >= MATTER_ADDRESS_SAME && address.rule !== 'same-intersection';
  let textsDiffer = false;
  if (subject.relation === 'different-uscc' || subject.relation === 'different-name') {
    failed.push('similar');
    why.push(subject.explanation);
  } else if (sameSubject && bothCoded && !compatibleKind && sameFamily) {
    // noise and fumes of one restaurant are two problems, however alike the complaints read
    failed.push('similar');
    why.push(`${subject.explanation}, but another category: another problem of that subject`);
  } else if (bothCoded && !compatibleKind && sameFamily) {
    // fumes and noise at one door, a house and a sand pit on one plot: two problems, however
    // alike the complaints read (both name the shop, the plot)
    failed.push('similar');
    why.push(`category ${r.categoryCode} is another kind of problem than {${[...new Set(linked.map((l) => l.r.categoryCode ?? ''))].sort(compareStrings).join(', ')}}`);
  } else if (textOk && distanceM !== null && distanceM > MATTER_CLOSE_M && !sameSubject && !sameAddress && (text?.score ?? 0) < MATTER_TEXT_STRONG) {
    soft.push(`texts only partly similar (${text?.score}) ${Math.round(distanceM)} m apart, with no common address or subject`);
  } else if (textOk) {
    why.push(sameSubject ? `similar text (${text?.score}); ${subject.explanation}` : `similar text (${text?.score})`);
  } else {
    // within GPS error, unless the addresses name another door (another unit of the building,
    // another number of the road): neighbours are not one place
    const otherDoor = address !== null && address.rule !== 'text' && (address.score < MATTER_ADDRESS_SAME_GROUP || (address.rule === 'same-number' && address.score < MATTER_ADDRESS_SAME));
    const close = (distanceM !== null && distanceM <= MATTER_CLOSE_M && !otherDoor) || sameAddress;
    const otherCategory = r.categoryCode !== null && !compatibleKind && linked.every((l) => l.r.categoryCode !== null);
    if (sameSubject && !otherCategory) why.push(subject.explanation);
    // one kind of problem at one door (or within GPS error) within the family's window is one
    // incident however differently the departments word it
    else if (sameKind && close) why.push(`texts differ (${text?.score ?? 0}) but the same ${sameCategoryCode ? 'category' : 'kind of problem'} at the same place`);
    else {
      failed.push('similar');
      textsDiffer = true;
      why.push(
        sameSubject
          ? `${subject.explanation}, but another category and texts differ (${text?.score ?? 0} < ${MATTER_TEXT_MIN}): another problem of that subject`
          : `texts differ (${text?.score ?? 0} < ${MATTER_TEXT_MIN}) and no common subject`,
      );
    }
  }

  if (failed.length === 0 && worstAddress !== null && worstAddress < MATTER_ADDRESS_DIFFERENT && linked.length > 1) {
    soft.push(`another report of the matter is at a different address (${worstAddress})`);
  }
  // no chaining: a report that joins a grown matter by one of its reports must not be another
  // problem than any of them (another subject, another kind), nor unlike as many of them as it is like
  if (failed.length === 0 && soft.length === 0 && linked.length > 1) {
    const pair = linked.map((l) => evaluate(rep, { matterId: candidate.matterId, reports: [l.r] }, [l], nameOpts, addrOpts, opts));
    const like = pair.filter((e) => e.decision !== 'new').length;
    const otherProblem = pair.filter((e) => e.features.failed.includes('similar') && !e.features.textsDiffer).length;
    const unlike = pair.filter((e) => e.features.failed.includes('similar') && e.features.textsDiffer && (e.features.text?.score ?? 0) < MATTER_TEXT_UNLIKE).length;
    if (otherProblem > 0) soft.push(`another problem than ${otherProblem} of the matter's ${linked.length} reports (another subject or kind)`);
    else if (unlike >= like) soft.push(`like ${like} of the matter's ${linked.length} reports, unlike ${unlike} (texts differ, nothing else ties them)`);
  }


  // score
  const textScore = text === null ? 0 : Math.min(1, text.score / MATTER_TEXT_FULL);
  let num = MATTER_WEIGHTS.place * placeScore + MATTER_WEIGHTS.time * timeScore + MATTER_WEIGHTS.text * textScore;
  let den = MATTER_WEIGHTS.place + MATTER_WEIGHTS.time + MATTER_WEIGHTS.text;
  if (subject.score !== null) {
    num += MATTER_WEIGHTS.subject * subject.score;
    den += MATTER_WEIGHTS.subject;
  }
  let score = num / den + (sameCategoryCode ? MATTER_SAME_CATEGORY_BONUS : 0);
  score = round4(Math.min(1, Math.max(0, score)));
  if (failed.length > 0) score = round4(score * 0.5);

  const features: MatterFeatures = {
    family: { report: rep.family, matter: matterFamilies, same: sameFamily },
    sameCategoryCode,
    timeDeltaMs,
    timeWindowMs: rule.timeWindowMs,
    matterSpanMs,
    distanceM: distanceM === null ? null : Math.round(distanceM * 10) / 10,
    distanceLimitM: D,
    address,
    sameGrid,
    sameTown,
    text,
    subject,
    sameSourceConflict,
    closedAt,
    textsDiffer,
    failed,
    soft,
    placeScore: round4(placeScore),
    timeScore,
  };
  let decision: MatterDecisionKind;
  let ruleName: MatterRule;
  if (failed.length > 0) {
    decision = 'new';
    ruleName = 'not-same-incident';
  } else if (soft.length === 0) {
    decision = 'match';
    ruleName = 'same-incident';
  } else {
    decision = 'review';
    ruleName = soft.some((s) => s.startsWith('no category')) ? 'review-no-category' : soft.some((s) => s.startsWith('texts differ')) || soft.every((s) => s.startsWith('texts only')) ? 'review-similarity' : 'review-place';
  }
  const explanation =
    `${decision} [${ruleName}] matter ${candidate.matterId}, score ${score}: ` +
    [...why, ...soft.map((s) => `near miss: ${s}`), ...(sameCategoryCode ? ['same category code'] : [])].join('; ');
  return { matterId: candidate.matterId, decision, score, rule: ruleName, features, explanation };
}

function emptyFeatures(rep: Prepared, candidate: MatterCandidate, linked: readonly Prepared[]): MatterFeatures {
  return {
    family: { report: rep.family, matter: [...new Set(linked.map((l) => l.family).filter((f): f is string => f !== null))].sort(compareStrings), same: true },
    sameCategoryCode: true,
    timeDeltaMs: 0,
    timeWindowMs: 0,
    matterSpanMs: 0,
    distanceM: null,
    distanceLimitM: 0,
    address: null,
    sameGrid: false,
    sameTown: null,
    text: null,
    subject: { relation: 'unknown', score: null, explanation: 'same record' },
    sameSourceConflict: null,
    closedAt: candidate.closedAt ?? null,
    textsDiffer: false,
    failed: [],
    soft: [],
    placeScore: 1,
    timeScore: 1,
  };
}

function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs >= DAY) return `${round4(abs / DAY)} d`;
  if (abs >= HOUR) return `${round4(abs / HOUR)} h`;
  return `${Math.round(abs / 60_000)} min`;
}

/** Linked reports in a fixed order, so that ties in the features never depend on the order given. */
function sortReports(reports: readonly ReportFeatures[]): ReportFeatures[] {
  return [...reports].sort((a, b) => a.eventTime - b.eventTime || compareStrings(a.sourceSystem, b.sourceSystem) || compareStrings(a.sourceRecordId, b.sourceRecordId));
}

const RANK: Record<MatterDecisionKind, number> = { match: 0, review: 1, new: 2 };

// ── Public API ─────────────────────────────────────────────────────────────────────────────

/**
 * Decide which matter (if any) a new report belongs to, among the candidates found with
 * `matterBlocking`. Returns the best match (score, then matter id), other matching matters
 * (`alsoMatching`: probably one incident, propose merging them), or review/new.
 */
export function matchMatter(report: ReportFeatures, candidates: readonly MatterCandidate[], opts: MatterMatchOptions = {}): MatterDecision {
  const nameOpts: NameOptions = opts.regions ? { regions: opts.regions } : {};
  const addrOpts: AddressOptions = opts.regions ? { regions: opts.regions } : {};
  const rep = prepare(report, nameOpts, addrOpts);
  const usable = candidates.filter((c) => c.reports.length > 0);
  if (usable.length === 0) {
    return { decision: 'new', score: 0, rule: 'no-candidate', features: null, alsoMatching: [], evaluations: [], explanation: 'no candidate matter' };
  }
  const evals = usable
    .map((c) => evaluate(rep, c, sortReports(c.reports).map((r) => prepare(r, nameOpts, addrOpts)), nameOpts, addrOpts, opts))
    .sort((a, b) => RANK[a.decision] - RANK[b.decision] || b.score - a.score || compareStrings(a.matterId, b.matterId));
  const best = evals[0] as MatterEvaluation;

  if (best.decision === 'match') {
    const also = evals.filter((e) => e.decision === 'match' && e.matterId !== best.matterId).map((e) => e.matterId);
    return {
      decision: 'match',
      matterId: best.matterId,
      score: best.score,
      rule: best.rule,
      features: best.features,
      alsoMatching: also,
      evaluations: evals,
      explanation: best.explanation + (also.length ? `; also matches ${also.join(', ')} (propose merging)` : ''),
    };
  }
  if (best.decision === 'review') {
    return { decision: 'review', matterId: best.matterId, score: best.score, rule: best.rule, features: best.features, alsoMatching: [], evaluations: evals, explanation: best.explanation };
  }
  // New. Would a closed matter have matched but for its closure? Then this is a recurrence.
  // (Closed weeks ago also fails the time gate; every other gate must hold.)
  const recurrence = evals.find(
    (e) =>
      e.features.failed.includes('open') && e.features.failed.every((g) => g === 'open' || g === 'time') &&
      e.features.soft.length === 0 &&
      (e.features.closedAt ?? 0) >= report.eventTime - MATTER_RECURRENCE_LOOKBACK_MS,
  );
  return {
    decision: 'new',
    score: best.score,
    rule: 'not-same-incident',
    features: best.features,
    alsoMatching: [],
    ...(recurrence ? { recurrenceOf: recurrence.matterId } : {}),
    evaluations: evals,
    explanation: `new matter${recurrence ? `, recurrence of closed matter ${recurrence.matterId}` : ''} (best candidate: ${best.explanation})`,
  };
}

// ── Candidate blocking ─────────────────────────────────────────────────────────────────────

export interface MatterBlocking {
  /** Category family to look in (null: the report has no category; look in every family, review only). */
  readonly family: string | null;
  /** The families whose matters can take the report (RELATED_FAMILIES, uncategorised); null: any. */
  readonly families: readonly string[] | null;
  /** 9-digit town code (statistical) of the report, when known. */
  readonly townCode: string | null;
  /** 6-digit county code, when known: the fallback block when the town is not. */
  readonly countyCode: string | null;
  /** Candidate matters have a report with event time in [from, to] (epoch ms). */
  readonly from: number;
  readonly to: number;
  /** Candidate matters are open, or closed at or after this (epoch ms). */
  readonly closedSince: number;
  /**
   * To flag recurrences (问题反弹), also load matters of the block closed since this (epoch ms,
   * MATTER_RECURRENCE_LOOKBACK_MS back): they never take the report, but `recurrenceOf` names them.
   */
  readonly recurrenceSince: number;
  /** Asia/Shanghai calendar days covering [from, to] (yyyy-MM-dd). */
  readonly days: readonly string[];
  /** Discrete keys `<town or county>|<family>|<day>`, for a key table or a cache. */
  readonly keys: readonly string[];
  /** When the report is located: WGS-84 box of 2·D around it, to also find matters across a town boundary. */
  readonly bbox: readonly [number, number, number, number] | null;
  readonly explanation: string;
}

function widestRule(rules: Readonly<Record<string, FamilyRule>>): FamilyRule {
  const all = [DEFAULT_FAMILY_RULE, ...Object.values(rules)];
  return { distanceM: Math.max(...all.map((r) => r.distanceM)), timeWindowMs: Math.max(...all.map((r) => r.timeWindowMs)) };
}

function shanghaiDay(ms: number): string {
  return new Date(ms + 8 * HOUR).toISOString().slice(0, 10);
}

/**
 * Which candidate matters to load for a report. Recommended query (matters with a family, town
 * code, last/first report time and closed_at column, indexed on (town_code, family, last_report_at)):
 *
 *   SELECT … FROM matters
 *    WHERE family = :family
 *      AND (town_code = :townCode                                   -- or county_code when no town
 *           OR (lng BETWEEN :bbox[0] AND :bbox[2] AND lat BETWEEN :bbox[1] AND :bbox[3]))
 *      AND last_report_at >= :from AND first_reported_at <= :to
 *      AND (closed_at IS NULL OR closed_at >= :closedSince)
 *
 * then load each candidate's linked reports' features and call matchMatter.
 */
export function matterBlocking(report: ReportFeatures, opts: Pick<MatterMatchOptions, 'familyRules'> = {}): MatterBlocking {
  const family = familyOf(report);
  // an uncategorised report looks as far as the widest family would (its matter's family decides)
  const rule = family === UNCATEGORISED_FAMILY ? widestRule(opts.familyRules ?? FAMILY_RULES) : familyRule(family, opts.familyRules ?? FAMILY_RULES);
  const townCode = townCodeOf(report.divisionCode);
  const countyCode = report.divisionCode && /^\d{6}/.test(report.divisionCode) ? report.divisionCode.slice(0, 6) : null;
  const from = report.eventTime - rule.timeWindowMs;
  const to = report.eventTime + rule.timeWindowMs;
  const days: string[] = [];
  for (let t = Date.parse(`${shanghaiDay(from)}T00:00:00+08:00`); t <= to; t += DAY) days.push(shanghaiDay(t));
  const area = townCode ?? countyCode ?? '*';
  const keys = days.map((d) => `${area}|${family ?? '*'}|${d}`);
  const bbox = isUsablePoint(report.location) ? boundingBox(report.location, 2 * rule.distanceM) : null;
  const families = family === null || family === UNCATEGORISED_FAMILY ? null : [...new Set([family, ...(RELATED_FAMILIES[family] ?? []), UNCATEGORISED_FAMILY])].sort(compareStrings);
  return {
    family,
    families,
    townCode,
    countyCode,
    from,
    to,
    closedSince: report.eventTime - MATTER_CLOSED_GRACE_MS,
    recurrenceSince: report.eventTime - MATTER_RECURRENCE_LOOKBACK_MS,
    days,
    keys,
    bbox,
    explanation:
      `family ${family ?? 'any'}, ${townCode ? `town ${townCode}` : countyCode ? `county ${countyCode} (no town code)` : 'anywhere (no division code)'}` +
      `, reports between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}` +
      (bbox ? `, or within ${2 * rule.distanceM} m` : '') +
      `, open or closed since ${new Date(report.eventTime - MATTER_CLOSED_GRACE_MS).toISOString()}`,
  };
}
