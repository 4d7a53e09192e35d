/**
 * Matter matching (one matter per incident): does a new report describe an incident the hub already has an open
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
import { normaliseUscc } from '../../core/normalise/uscc.js';
import type { Report } from '../../schemas/types.js';
import { addressSimilarity, buildingAsDoor, parcelNumbers, parseAddress, type AddressOptions, type ParsedAddress } from './addresses.js';
import { boundingBox, distanceScore, haversineMetres, isUsablePoint, type GeoPoint } from './geo.js';
import { nameKey, nameSimilarity, type NameKey, type NameOptions } from './names.js';
import { RegionIndex, townCodeOf } from './regions.js';
import { kindMentions, subjectMentions } from './mentions.js';
import { chars, compareStrings, round4 } from './strings.js';
import { textFingerprint, textSimilarity, type TextFingerprint } from './text.js';
import { rareSharedEvidence, type TextWeights } from './text-weights.js';
import { measuredPosition, type PositionSpread } from './position-spread.js';
import type { Comparison, ComparisonVector } from './fellegi-sunter.js';
import { DEFAULT_MATTER_PROFILE, type FamilyRule, type MatterProfile, type MatterThresholds } from './matter-profile.js';

// ── Knowledge and thresholds: the county matching profile (data) ─────────────────────────

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Everything this module knows about the county — per-family distances and windows, category
 * relations (also across families), position uncertainties by origin, thresholds — comes from the
 * county matching profile (schemas/catalogues/matching/matters.json, matter-profile.ts). The
 * exported constants below are the default profile's values, for callers and explanations.
 */
const PROFILE: MatterProfile = DEFAULT_MATTER_PROFILE;
export type { FamilyRule } from './matter-profile.js';
export const DEFAULT_FAMILY_RULE: FamilyRule = PROFILE.defaultFamilyRule;
export const FAMILY_RULES: Readonly<Record<string, FamilyRule>> = PROFILE.familyRules;
export const RELATED_FAMILIES: Readonly<Record<string, readonly string[]>> = PROFILE.relatedFamilies;
export const RELATED_CATEGORIES: readonly (readonly [string, string])[] = PROFILE.relatedCategories;
export const GENERAL_CATEGORIES: readonly string[] = PROFILE.generalCategories;
export const OVERLAPPING_CATEGORIES: readonly (readonly [string, string])[] = PROFILE.overlappingCategories;

function categoriesRelated(a: string | null, b: string | null, profile: MatterProfile = PROFILE): boolean {
  if (a === null || b === null) return false;
  if (a.startsWith(`${UNCATEGORISED_FAMILY}.`) || b.startsWith(`${UNCATEGORISED_FAMILY}.`)) return true;
  if (a.slice(0, a.indexOf('.')) === b.slice(0, b.indexOf('.')) && (profile.generalCategories.includes(a) || profile.generalCategories.includes(b))) return true;
  return profile.relatedCategories.some(([x, y]) => (a === x && b === y) || (a === y && b === x));
}

/** Do two category codes name one kind of problem (the same code, a related pair, a catch-all)? */
export function sameKindOfProblem(a: string | null, b: string | null, profile: MatterProfile = PROFILE): boolean {
  // an uncategorised report names no kind: it may be any incident (categoriesCompatible), but its
  // code is no evidence that it is the one at this place — text or a subject must tie it
  if (a === null || b === null || isUncategorised(a) || isUncategorised(b)) return false;
  return a === b || categoriesRelated(a, b, profile);
}

function isUncategorised(code: string): boolean {
  return code.startsWith(`${UNCATEGORISED_FAMILY}.`);
}

/** Can reports under these two codes be one incident (one kind, or one code broader than the other)? */
function categoriesCompatible(a: string | null, b: string | null, profile: MatterProfile = PROFILE): boolean {
  return sameKindOfProblem(a, b, profile) || (a !== null && b !== null && (isUncategorised(a) || isUncategorised(b) || profile.overlappingCategories.some(([x, y]) => (a === x && b === y) || (a === y && b === x))));
}
/** The family of uncategorised reports. */
export const UNCATEGORISED_FAMILY = 'other';

/** Can reports of families a and b be about one incident? */
export function familiesCompatible(a: string, b: string, profile: MatterProfile = PROFILE): boolean {
  return a === b || a === UNCATEGORISED_FAMILY || b === UNCATEGORISED_FAMILY || (profile.relatedFamilies[a]?.includes(b) ?? false);
}

const T0 = PROFILE.thresholds;
export const MATTER_MAX_SPAN_MS = T0.maxSpanMs;
export const MATTER_CLOSED_GRACE_MS = T0.closedGraceMs;
export const MATTER_RECURRENCE_LOOKBACK_MS = T0.recurrenceLookbackMs;
/** '*' in the profile: no platform is assumed to file an incident only once. */
export const REPEAT_FILING_SOURCES: '*' | readonly string[] = PROFILE.repeatFilingSources;
export const MATTER_ADDRESS_SAME = T0.addressSame;
export const MATTER_ADDRESS_SAME_GROUP = T0.addressSameGroup;
export const MATTER_ADDRESS_DIFFERENT = T0.addressDifferent;
export const MATTER_TEXT_MIN = T0.textMin;
export const MATTER_TEXT_STRONG = T0.textStrong;
export const MATTER_TEXT_UNLIKE = T0.textUnlike;
export const MATTER_TEXT_FULL = T0.textFull;
export const MATTER_SUBJECT_NAME_MIN = T0.subjectNameMin;
export const MATTER_SUBJECT_NAME_DIFFERENT = T0.subjectNameDifferent;
export const MATTER_CLOSE_M = T0.closeM;
export const MATTER_DISTANCE_FULL_M = T0.distanceFullM;
export const MATTER_SAME_CATEGORY_BONUS = 0.05;
export const MATTER_WEIGHTS = { place: 0.35, time: 0.15, text: 0.3, subject: 0.2 } as const;
export const SAME_GRID_PLACE_SCORE = T0.sameGridPlaceScore;

/**
 * Judging a distance against both positions' uncertainties: the thresholds were set for two phone
 * GPS fixes (combined uncertainty `nominalPairM`); what the pair's combined uncertainty adds beyond
 * that is taken off the distance. Null when either side has no position, or when the positions are
 * too uncertain to say anything at this family's scale (a town centroid): then the addresses decide.
 */
export function effectiveDistance(distanceM: number, uncertaintyA: number, uncertaintyB: number, familyDistanceM: number, profile: MatterProfile = PROFILE): { effectiveM: number | null; combinedM: number } {
  const combinedM = Math.round(Math.hypot(uncertaintyA, uncertaintyB));
  if (combinedM > 2 * familyDistanceM + profile.nominalPairM) return { effectiveM: null, combinedM };
  return { effectiveM: Math.max(0, distanceM - Math.max(0, combinedM - profile.nominalPairM)), combinedM };
}

/**
 * A position's uncertainty in metres: as the record states it, else — for a position the platform
 * sent — its platform's (sourceUncertaintyM), else the profile's default for its origin.
 */
export function uncertaintyOf(f: Pick<ReportFeatures, 'locationOrigin' | 'locationUncertaintyM'> & { sourceSystem?: string }, profile: MatterProfile = PROFILE): number {
  if (typeof f.locationUncertaintyM === 'number' && Number.isFinite(f.locationUncertaintyM) && f.locationUncertaintyM >= 0) return f.locationUncertaintyM;
  const bySource = f.locationOrigin == null && f.sourceSystem !== undefined ? profile.sourceUncertaintyM[f.sourceSystem] : undefined;
  if (bySource !== undefined) return bySource;
  const origin = (f.locationOrigin ?? 'unknown').split(':')[0]!;
  return profile.defaultUncertaintyM[origin] ?? profile.defaultUncertaintyM.unknown!;
}

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
  /**
   * Where the position came from: `device-gps`, `platform-geocoded`, `geocoded:<level>` (the hub's
   * gazetteer), `centroid`; null/absent: unknown (the profile's default uncertainty applies).
   */
  readonly locationOrigin?: string | null;
  /** Radius (metres) the true place is within, as the source or the geocoder states it. */
  readonly locationUncertaintyM?: number | null;
  /** Gazetteer address keys (door:…, compound:…, crossing:…): reports sharing one are at one place. */
  readonly addressKeys?: readonly string[] | null;
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
  /** Distance judged against the uncertainties (effectiveDistance); the raw great-circle distance; the pair's combined uncertainty. */
  readonly distanceM: number | null;
  readonly rawDistanceM: number | null;
  readonly combinedUncertaintyM: number | null;
  readonly distanceLimitM: number;
  readonly address: { readonly score: number; readonly rule: string; readonly explanation: string } | null;
  readonly sameGrid: boolean;
  readonly sameTown: boolean | null;
  readonly text: { readonly score: number; readonly explanation: string } | null;
  /** Rare shared text (only with `textWeights`, for reports of one category code): bits and the phrases. */
  readonly rareText?: { readonly bits: number; readonly explanation: string } | null;
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
  /** The county matching profile (default: the one shipped with the catalogues). */
  readonly profile?: MatterProfile;
  readonly familyRules?: Readonly<Record<string, FamilyRule>>;
  /** Overrides the profile's repeatFilingSources ('*': every platform may file an incident twice). */
  readonly repeatFilingSources?: '*' | readonly string[];
  /**
   * The county's text weights (text-weights.ts, estimated from its own records): a rare phrase two
   * reports of one category share (a shop's 字号, a site's name) ties a report that gives only the
   * villagers' group, the road or a crossing on it to the one at a door there.
   */
  readonly textWeights?: TextWeights;
  /**
   * How far apart each pair of platforms places one door (position-spread.ts, estimated from the
   * county's own reports): two measured positions much further apart are two places.
   */
  readonly positionSpread?: PositionSpread;
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
  /** The hub geocoded the position from an address (origin `geocoded:<level>`). */
  geocoded: boolean;
  address: ParsedAddress | null;
  town: string | null;
  text: TextFingerprint;
  uscc: string | null;
  name: NameKey | null;
  /** Land parcels the address or text names by number (7号地块). */
  parcels: readonly string[];
  /** The trade of the shop or firm the report is about: its name's, else a shop its text names only by kind (一家五金店). */
  trade: NameKey | null;
  /** The trade was read from a shop named only by its kind. */
  tradeByKind: boolean;
  /** Its gazetteer keys that name one place (door, compound, landmark). */
  placeKeys: readonly string[];
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
  const name = given ? nameKey(given, nameOpts) : (mention?.key ?? null);
  const named = name !== null && name.industry !== '' && !name.genericIndustry ? name : null;
  const kind = name === null && !usccOrNull(r.subjectUscc) ? (kindMentions(r.description, nameOpts)[0]?.key ?? null) : null;
  const trade = named ?? kind;
  return {
    r,
    family: familyOf(r),
    location: isUsablePoint(r.location) ? r.location : null,
    geocoded: (r.locationOrigin ?? '').startsWith('geocoded:'),
    address: r.address && r.address.trim() !== '' ? parseAddress(r.address, addrOpts) : addressInText(r.description, addrOpts),
    town: townCodeOf(r.divisionCode),
    text: textFingerprint(r.description, r.address),
    uscc: usccOrNull(r.subjectUscc),
    name,
    parcels: parcelNumbers(`${r.address ?? ''} ${r.description}`),
    trade,
    tradeByKind: kind !== null,
    placeKeys: (r.addressKeys ?? []).filter((k) => k.startsWith('door:') || k.startsWith('compound:') || k.startsWith('landmark:')),
  };
}

/**
 * A work order whose address field is empty often names the place in its text (新华路24栋：…):
 * the door, group or crossing the text names, when it names one, outside a
 * compound. Only those structured parts are kept (no leftover text: a text mentions other places
 * in passing, and its words are no address to compare by Dice).
 */
export function addressInText(description: string, addrOpts: AddressOptions = {}): ParsedAddress | null {
  if (!description) return null;
  const p = buildingAsDoor(parseAddress(description, addrOpts));
  // inside a compound the building matters and a text's building cannot be told from a passing mention
  if (p.compound !== null || p.building !== null) return null;
  const door = p.road !== null && p.number !== null;
  if (!door && p.group === null && p.intersection === null) return null;
  return { ...p, road: door || p.intersection === null ? p.road : null, unit: null, room: null, rest: '' };
}

/** Geocoding levels precise enough to stand for a door (hub/gazetteer: GeocodeLevel). */
const DOOR_SCALE_LEVELS = new Set(['door', 'road-segment', 'landmark', 'crossing']);

/**
 * Do the positions of the report and of one of the matter's reports put them at one place, judged
 * against their uncertainties? At least one side measured (a device or the platform; not geocoded
 * by the hub, not a dropped centroid pin), the other measured or geocoded at door scale; apart by
 * at most `positionAgreeFactor` × the combined uncertainty (never less than closeM) and never more
 * than `positionAgreeMaxM`. Used only where the addresses agree on the group or road and cannot
 * name the door themselves.
 */
export function positionAgreement(rep: Pick<Prepared, 'r' | 'location'>, linked: readonly Pick<Prepared, 'r' | 'location'>[], profile: MatterProfile = PROFILE, familyDistanceM = Infinity): { agree: boolean; distanceM: number | null; limitM: number | null; explanation: string } {
  const T = profile.thresholds;
  const kind = (p: Pick<Prepared, 'r' | 'location'>): 'measured' | 'door' | null => {
    if (!p.location) return null;
    const origin = p.r.locationOrigin ?? '';
    if (origin.startsWith('centroid')) return null;
    if (origin.startsWith('geocoded:')) return DOOR_SCALE_LEVELS.has(origin.slice('geocoded:'.length)) ? 'door' : null;
    return 'measured';
  };
  const own = kind(rep);
  let best: { d: number; limit: number; u: number } | null = null;
  if (own !== null) {
    for (const l of linked) {
      const other = kind(l);
      if (other === null || (own !== 'measured' && other !== 'measured')) continue;
      const d = haversineMetres(rep.location!, l.location!);
      const u = Math.hypot(uncertaintyOf(rep.r, profile), uncertaintyOf(l.r, profile));
      const limit = Math.min(T.positionAgreeMaxM, familyDistanceM, Math.max(T.closeM, T.positionAgreeFactor * u));
      if (best === null || d - limit < best.d - best.limit) best = { d, limit, u: Math.round(u) };
    }
  }
  if (best === null) return { agree: false, distanceM: null, limitM: null, explanation: 'no positions to compare at door scale' };
  const agree = best.d <= best.limit;
  return { agree, distanceM: Math.round(best.d), limitM: Math.round(best.limit), explanation: `positions ${Math.round(best.d)} m apart (±${best.u} m together, ${agree ? '≤' : '>'} ${Math.round(best.limit)} m)` };
}

/**
 * A numbered land parcel both sides name (3组4号地块 on both): a parcel is one piece of land, as
 * specific as a door. The number is read in the text too (a complaint about a farm's effluent names
 * the parcel, its address only the group); the caller checks that the addresses agree on the group
 * or road, so the same number of another village's parcel never counts.
 */
function sharedParcel(rep: Prepared, linked: readonly Prepared[]): string | null {
  for (const l of linked) for (const p of rep.parcels) if (l.parcels.includes(p)) return p;
  return null;
}

function parcelConflict(rep: Prepared, linked: readonly Prepared[]): string | null {
  if (rep.parcels.length === 0) return null;
  const named = linked.filter((l) => l.parcels.length > 0);
  if (named.length === 0 || named.some((l) => l.parcels.some((p) => rep.parcels.includes(p)))) return null;
  return `other land parcels: ${rep.parcels.join('/')} vs ${[...new Set(named.flatMap((l) => l.parcels))].sort().join('/')}`;
}

/**
 * The report is about a shop of one trade and the matter's reports about one of another (industry
 * groups differ: 五金 and 超市), none of them of its trade, where at least one of the two is a shop
 * the text names only by its kind (一家五金店): two shops. Two names are left to the subject rules
 * (a 网吧 is registered as a 网络科技有限公司; a typo reads as another trade).
 */
function tradeConflict(rep: Prepared, linked: readonly Prepared[]): string | null {
  const own = rep.trade;
  if (own === null || !own.industryGroup) return null;
  let other: NameKey | null = null;
  for (const l of linked) {
    const t = l.trade;
    if (t === null || !t.industryGroup) continue;
    if (t.industryGroup === own.industryGroup) return null;
    if (rep.tradeByKind || l.tradeByKind) other ??= t;
  }
  return other === null ? null : `another trade: ${own.original} (${own.industryGroup}) vs ${other.original} (${other.industryGroup})`;
}

function subjectRelation(a: Prepared, others: readonly Prepared[], nameOpts: NameOptions, T: MatterThresholds = PROFILE.thresholds): MatterFeatures['subject'] {
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
      if (s.score >= T.subjectNameMin && (best.score === null || s.score > best.score)) {
        best = { relation: 'similar-name', score: s.score, explanation: `subject ${a.name.original} ~ ${b.name.original}: ${s.explanation}` };
      } else if (s.score < T.subjectNameDifferent && a.name.core !== '' && b.name.core !== '') {
        // a name read from a complaint counts against as well: shops share doors (two shops at one
        // number), and what text names but is no operator (a landmark, a project under
        // construction) is not read as a name (mentions.ts)
        differentName ??= `${a.name.original} vs ${b.name.original} (${s.score})`;
      }
    }
  }
  if (best.relation === 'similar-name') return best;
  if (differentUscc) return { relation: 'different-uscc', score: 0, explanation: `different subjects: USCC ${differentUscc}` };
  if (differentName) return { relation: 'different-name', score: 0, explanation: `different subjects: ${differentName}` };
  return best;
}

/** The family rule a pair is judged by: the report's family, else the matter's (an uncategorised report looks as far as its matter's family). */
function pairRule(rep: Prepared, linked: readonly Prepared[], rules: Readonly<Record<string, FamilyRule>>): FamilyRule {
  if (rep.family !== null && rep.family !== UNCATEGORISED_FAMILY) return familyRule(rep.family, rules);
  let first: string | null = null;
  for (const l of linked) if (l.family !== null && l.family !== UNCATEGORISED_FAMILY && (first === null || compareStrings(l.family, first) < 0)) first = l.family;
  return familyRule(first ?? rep.family ?? null, rules);
}

/** Smallest time difference (ms) between the report and one of the matter's. */
function nearestTimeMs(rep: Prepared, linked: readonly Prepared[]): number {
  let best = Infinity;
  for (const l of linked) best = Math.min(best, Math.abs(l.r.eventTime - rep.r.eventTime));
  return best;
}

function timeScoreOf(timeDeltaMs: number, rule: FamilyRule): number {
  return round4(Math.max(0, 1 - timeDeltaMs / rule.timeWindowMs));
}

/**
 * The distance gate's figures: distances judged against both positions' uncertainties
 * (effectiveDistance); the pair whose effective distance is smallest speaks for the matter.
 */
function nearestPosition(rep: Prepared, linked: readonly Prepared[], rule: FamilyRule, profile: MatterProfile): { distanceM: number | null; rawDistanceM: number | null; combinedUncertaintyM: number | null } {
  let distanceM: number | null = null;
  let rawDistanceM: number | null = null;
  let combinedUncertaintyM: number | null = null;
  if (!rep.location) return { distanceM, rawDistanceM, combinedUncertaintyM };
  const ownUncertainty = uncertaintyOf(rep.r, profile);
  for (const l of linked) {
    if (!l.location) continue;
    // a position the hub geocoded from an address says no more than the address: it finds the
    // candidates (matterBlocking), and the addresses are compared instead (192号 and 196号 are
    // two doors even if interpolation puts them 40 m apart; the replays lost precision when
    // geocoded points entered the distance gate)
    if ((rep.geocoded || l.geocoded) && (rep.address || l.address)) continue;
    const d = haversineMetres(rep.location, l.location);
    const e = effectiveDistance(d, ownUncertainty, uncertaintyOf(l.r, profile), rule.distanceM, profile);
    if (e.effectiveM !== null && (distanceM === null || e.effectiveM < distanceM)) {
      distanceM = e.effectiveM;
      rawDistanceM = d;
      combinedUncertaintyM = e.combinedM;
    }
  }
  return { distanceM, rawDistanceM, combinedUncertaintyM };
}

/** In the town of one of the matter's reports (null: a side without a town). */
function townRelation(rep: Prepared, linked: readonly Prepared[]): boolean | null {
  if (rep.town === null) return null;
  let other = false;
  for (const l of linked) {
    if (l.town === rep.town) return true;
    if (l.town !== null) other = true;
  }
  return other ? false : null;
}

/**
 * The address most like the report's among the matter's reports (`linked` in evaluate's order:
 * the first of equals explains), and the score of the one least like it: a matter that has grown
 * by one report at a time must not take a report from a door none but one of its reports is at.
 */
function addressRelation(rep: Prepared, linked: readonly Prepared[], addrOpts: AddressOptions, T: MatterThresholds): { address: MatterFeatures['address']; worstAddress: number | null; otherDoorOf: string | null } {
  let address: MatterFeatures['address'] = null;
  let worstAddress: number | null = null;
  let otherDoorOf: string | null = null;
  if (rep.address) {
    for (const l of linked) {
      if (!l.address) continue;
      const s = addressSimilarity(rep.address, l.address, addrOpts);
      if (address === null || s.score > address.score) address = { score: s.score, rule: s.rule, explanation: s.explanation };
      if (s.rule !== 'text' && (worstAddress === null || s.score < worstAddress)) worstAddress = s.score;
      if (otherDoorOf === null && namesAnotherDoor(s, T)) otherDoorOf = s.explanation;
    }
  }
  // the gazetteer placed both at one door (192号 ~ 192号院 ~ the compound at 192号 ~ the shop there)
  const sharedKey = sharedPlaceKey(rep, linked);
  // only where the texts cannot be compared: two buildings of one compound share its key
  if (sharedKey && (address === null || address.rule === 'text')) {
    address = { score: T.gazetteerKeyAddressScore, rule: 'gazetteer-key', explanation: `the gazetteer places both at ${sharedKey}` };
  }
  return { address, worstAddress, otherDoorOf };
}

/** The first key of the matter's reports (in `linked` order) that is one of the report's place keys. */
function sharedPlaceKey(rep: Prepared, linked: readonly Prepared[]): string | null {
  if (rep.placeKeys.length === 0) return null;
  for (const l of linked) for (const k of l.r.addressKeys ?? []) if (rep.placeKeys.includes(k)) return k;
  return null;
}

/** Every address given, the report's and the matter's, names its place as it is (not beside or near it). */
function exactAddresses(rep: Prepared, linked: readonly Prepared[]): boolean {
  return rep.address !== null && !rep.address.approximate && linked.every((l) => l.address === null || !l.address.approximate);
}

/** One address names a flat (a room) and the other, without one, says only beside or near a place. */
function flatAndBesideIt(a: ParsedAddress, b: ParsedAddress): boolean {
  const flat = (x: ParsedAddress) => x.room !== null && !x.approximate;
  const beside = (x: ParsedAddress) => x.room === null && x.approximate;
  return (flat(a) && beside(b)) || (flat(b) && beside(a));
}

/** The two addresses name two doors: another number next door, another building, unit or flat of the same number or compound. */
function namesAnotherDoor(s: { score: number; rule: string }, T: MatterThresholds): boolean {
  return s.rule !== 'text' && (s.score < T.addressSameGroup || (s.rule === 'same-number' && s.score < T.addressSame));
}

function onSameGrid(rep: Prepared, linked: readonly Prepared[]): boolean {
  const grid = rep.r.gridCode;
  return !!grid && linked.some((l) => l.r.gridCode === grid);
}

function bestText(rep: Prepared, linked: readonly Prepared[]): MatterFeatures['text'] {
  let text: MatterFeatures['text'] = null;
  for (const l of linked) {
    const s = textSimilarity(rep.text, l.text);
    if (text === null || s.score > text.score) text = { score: s.score, explanation: s.explanation };
  }
  return text;
}

/** A weighted mean of place, time, text and subject, halved for a pair that failed a gate. */
function pairScore(placeScore: number, timeScore: number, text: MatterFeatures['text'], subjectScore: number | null, sameCategoryCode: boolean, failed: boolean, T: MatterThresholds): number {
  const textScore = text === null ? 0 : Math.min(1, text.score / T.textFull);
  let num = MATTER_WEIGHTS.place * placeScore + MATTER_WEIGHTS.time * timeScore + MATTER_WEIGHTS.text * textScore;
  let den = MATTER_WEIGHTS.place + MATTER_WEIGHTS.time + MATTER_WEIGHTS.text;
  if (subjectScore !== null) {
    num += MATTER_WEIGHTS.subject * subjectScore;
    den += MATTER_WEIGHTS.subject;
  }
  let score = num / den + (sameCategoryCode ? MATTER_SAME_CATEGORY_BONUS : 0);
  score = round4(Math.min(1, Math.max(0, score)));
  return failed ? round4(score * 0.5) : score;
}

/** Address rules by which the place gate may still pass a pair whose addresses differ (by a subject, a rare phrase or positions). */
const ADDRESS_RULES_SAVED_BY_EVIDENCE = new Set(['same-intersection', 'intersection-road', 'same-group', 'same-road']);

/**
 * A pair the place gate rejects whatever else holds: positions too far apart (beyond twice the
 * family's distance); without positions to compare, different towns, or different addresses
 * (by a rule no subject, rare phrase or position can save) off the report's grid, or no address
 * or grid in common outside one town. Such a pair is `new` and no recurrence. Measured on the
 * demo county, 85 % of candidate pairs fail the place gate; this asks only positions, towns,
 * addresses and grids (`linked` in report order, as evaluate reads the addresses), not the subjects, texts, rare
 * phrases and explanations evaluate builds first. Null: the pair may pass (or is the report
 * itself): evaluate it.
 */
function placeFailsEarly(rep: Prepared, linked: readonly Prepared[], addrOpts: AddressOptions, opts: Pick<MatterMatchOptions, 'profile' | 'familyRules'>): { rule: FamilyRule; distanceM: number | null } | null {
  const profile = opts.profile ?? PROFILE;
  const T = profile.thresholds;
  for (const l of linked) if (l.r.sourceSystem === rep.r.sourceSystem && l.r.sourceRecordId === rep.r.sourceRecordId) return null;
  const rule = pairRule(rep, linked, opts.familyRules ?? profile.familyRules);
  const { distanceM } = nearestPosition(rep, linked, rule, profile);
  // (the cases of evaluate's place gate that no subject, rare phrase or position agreement changes)
  if (distanceM !== null) return distanceM > 2 * rule.distanceM ? { rule, distanceM } : null;
  const sameTown = townRelation(rep, linked);
  if (sameTown === false) return { rule, distanceM };
  if (onSameGrid(rep, linked)) return null;
  const { address } = addressRelation(rep, linked, addrOpts, T);
  if (address === null) return sameTown === true ? null : { rule, distanceM };
  return address.score < T.addressDifferent && address.score < T.addressSame && !ADDRESS_RULES_SAVED_BY_EVIDENCE.has(address.rule) ? { rule, distanceM } : null;
}

/** Does the place gate reject the report against these reports of a matter whatever else holds (the test matchMatter applies before evaluating a pair in full)? */
export function cannotPassPlaceGate(report: ReportFeatures, matterReports: readonly ReportFeatures[], opts: MatterMatchOptions = {}): boolean {
  const nameOpts: NameOptions = opts.regions ? { regions: opts.regions } : {};
  const addrOpts: AddressOptions = opts.regions ? { regions: opts.regions } : {};
  return placeFailsEarly(prepare(report, nameOpts, addrOpts), inReportOrder(matterReports.map((r) => prepare(r, nameOpts, addrOpts))), addrOpts, opts) !== null;
}

/**
 * The score evaluate gives a pair placeFailsEarly rejected (`linked` in evaluate's order); without
 * `nameOpts`, a bound of it in any order, as if the texts were alike and the subject one: the
 * score grows with both, so a pair whose bound is below the best so far need not compare them.
 */
function placeFailedScore(rep: Prepared, linked: readonly Prepared[], early: { rule: FamilyRule; distanceM: number | null }, T: MatterThresholds, nameOpts?: NameOptions): number {
  const placeScore = early.distanceM === null ? 0 : distanceScore(early.distanceM, T.distanceFullM, 2 * early.rule.distanceM);
  const sameCategoryCode = rep.r.categoryCode !== null && linked.some((l) => l.r.categoryCode === rep.r.categoryCode);
  const timeScore = timeScoreOf(nearestTimeMs(rep, linked), early.rule);
  if (!nameOpts) {
    const alike = { score: T.textFull, explanation: '' };
    return Math.max(pairScore(placeScore, timeScore, alike, 1, sameCategoryCode, true, T), pairScore(placeScore, timeScore, alike, null, sameCategoryCode, true, T));
  }
  return pairScore(placeScore, timeScore, bestText(rep, linked), subjectRelation(rep, linked, nameOpts, T).score, sameCategoryCode, true, T);
}

function evaluate(
  rep: Prepared,
  candidate: MatterCandidate,
  linked: readonly Prepared[],
  nameOpts: NameOptions,
  addrOpts: AddressOptions,
  opts: MatterMatchOptions,
): MatterEvaluation {
  const profile = opts.profile ?? PROFILE;
  const T = profile.thresholds;
  const rules = opts.familyRules ?? profile.familyRules;
  const repeatSetting = opts.repeatFilingSources ?? profile.repeatFilingSources;
  const repeatAll = repeatSetting === '*';
  const repeat = new Set(repeatSetting === '*' ? [] : repeatSetting);
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
    linked.some((l) => l.family !== null && familiesCompatible(rep.family as string, l.family, profile) && (rep.family === UNCATEGORISED_FAMILY || l.family === UNCATEGORISED_FAMILY || categoriesRelated(r.categoryCode, l.r.categoryCode, profile)));
  if (rep.family === null || matterFamilies.length === 0) soft.push('no category family on one side');
  else if (!sameFamily && !relatedFamily) {
    failed.push('family');
    why.push(`family ${rep.family} ∉ {${matterFamilies.join(', ')}}`);
  } else if (relatedFamily) why.push(`family ${rep.family} related to {${matterFamilies.join(', ')}}`);
  const sameCategoryCode = r.categoryCode !== null && linked.some((l) => l.r.categoryCode === r.categoryCode);
  // the same code, or a code naming the same kind of problem (a catch-all, a related pair)
  const sameKind = r.categoryCode !== null && linked.some((l) => sameKindOfProblem(r.categoryCode, l.r.categoryCode, profile));
  const compatibleKind = r.categoryCode !== null && linked.some((l) => categoriesCompatible(r.categoryCode, l.r.categoryCode, profile));
  const rule = pairRule(rep, linked, rules);

  // open
  const closedAt = candidate.closedAt ?? null;
  if (closedAt !== null && r.eventTime > closedAt + T.closedGraceMs) {
    failed.push('open');
    why.push(`matter closed ${formatDuration(r.eventTime - closedAt)} before the report`);
  }

  // same source
  // No platform is assumed to file an incident once (a grid worker re-reports a door, two 12369
  // complaints): a platform listed in repeatFilingSources files freely (one work order per
  // caller); any other platform's second record joins only on strong evidence (decided below,
  // after the similar gate: clearly the same text and the same door or subject).
  let sameSourceConflict: string | null = null;
  if (!repeatAll && !repeat.has(r.sourceSystem)) {
    const other = linked.find((l) => l.r.sourceSystem === r.sourceSystem && l.r.sourceRecordId !== r.sourceRecordId);
    if (other) sameSourceConflict = `${r.sourceSystem} already filed ${other.r.sourceRecordId} for this matter`;
  }

  // time
  const times = linked.map((l) => l.r.eventTime);
  const timeDeltaMs = nearestTimeMs(rep, linked);
  const first = Math.min(...times);
  const matterSpanMs = Math.max(r.eventTime, ...times) - Math.min(r.eventTime, first);
  const maxSpan = Math.max(T.maxSpanMs, rule.timeWindowMs);
  if (timeDeltaMs > rule.timeWindowMs) {
    failed.push('time');
    why.push(`${formatDuration(timeDeltaMs)} from the nearest report (window ${formatDuration(rule.timeWindowMs)})`);
  } else if (matterSpanMs > maxSpan) {
    failed.push('time');
    why.push(`the matter would span ${formatDuration(matterSpanMs)} (max ${formatDuration(maxSpan)})`);
  }
  const timeScore = timeScoreOf(timeDeltaMs, rule);

  // place
  // distance judged against both positions' uncertainties (effectiveDistance); the pair whose
  // effective distance is smallest speaks for the matter
  const { distanceM, rawDistanceM, combinedUncertaintyM } = nearestPosition(rep, linked, rule, profile);
  // where the addresses agree only on the group or the road, positions can still say "that door":
  // a measured position within the pair's combined uncertainty of the other's (measured, or the
  // door, segment, landmark or crossing the hub geocoded its address to)
  const positions = positionAgreement(rep, linked, profile, rule.distanceM);
  const { address, worstAddress, otherDoorOf } = addressRelation(rep, linked, addrOpts, T);
  // one numbered land parcel named on both, where the addresses agree on its group or road
  const parcelPlace = address !== null && (address.rule === 'same-group' || address.rule === 'same-road') ? sharedParcel(rep, linked) : null;
  const sameGrid = onSameGrid(rep, linked);
  const sameTown = townRelation(rep, linked);
  const D = rule.distanceM;

  // subject (needed by the place gate when nothing else locates the report)
  const subject = subjectRelation(rep, linked, nameOpts, T);
  const sameSubject = subject.relation === 'same-uscc' || subject.relation === 'same-subject-id' || subject.relation === 'similar-name';
  const subjectIdentity = subject.relation === 'same-uscc' || subject.relation === 'same-subject-id';
  // a rare phrase both texts share beyond the county's wording of that category and its place names
  let rareText: { bits: number; explanation: string } | null = null;
  if (opts.textWeights && r.categoryCode !== null && sameCategoryCode) {
    for (const l of linked) {
      if (l.r.categoryCode !== r.categoryCode) continue;
      const e = rareSharedEvidence(r.description, l.r.description, opts.textWeights, { places: [r.address || rep.address?.original, l.r.address || l.address?.original], scope: r.categoryCode, maxShare: T.textRareShare, minDocs: T.textRareMinDocs });
      if (rareText === null || e.bits > rareText.bits) rareText = { bits: e.bits, explanation: e.explanation };
    }
  }
  const sharedRare = rareText !== null && rareText.bits >= T.textRareBits;

  // the addresses name another door (another unit of the building, another number of the road)
  const otherDoor = address !== null && namesAnotherDoor(address, T);
  // "the same door" needs positions precise enough to tell doors apart: no more uncertain
  // together than two GPS fixes
  const precise = combinedUncertaintyM !== null && combinedUncertaintyM <= 1.5 * profile.nominalPairM;

  let placeScore = 0;
  if (distanceM !== null) {
    placeScore = distanceScore(distanceM, T.distanceFullM, 2 * D);
    const judged = rawDistanceM !== null && Math.round(rawDistanceM) !== Math.round(distanceM) ? ` (${Math.round(rawDistanceM)} m, positions ±${combinedUncertaintyM} m together)` : '';
    // positions too loose to tell doors apart (a caller's handset, ±100 m) are near within their
    // uncertainty of almost every door around; two addresses naming different doors say more
    if (distanceM <= D && otherDoor && !precise) soft.push(`${Math.round(distanceM)} m apart${judged}, but positions this loose cannot tell doors apart and the addresses name another door (${address!.rule})`);
    // doors of two different roads, each named as it is (not beside or near it), further apart than
    // GPS error: a car parked, a pile of rubbish on one road is not on the other; a corner shop
    // named by either road is tied by its subject
    else if (distanceM <= D && address !== null && address.rule === 'different-road' && (rawDistanceM ?? 0) > T.closeM && !sameSubject && exactAddresses(rep, linked)) soft.push(`${Math.round(distanceM)} m apart${judged}, but the addresses name doors of two different roads (${address.explanation})`);
    else if (distanceM <= D) why.push(`${Math.round(distanceM)} m apart${judged} (≤ ${D} m)`);
    else if (distanceM <= 2 * D) {
      if (sameSubject && subjectIdentity) why.push(`${Math.round(distanceM)} m apart, but the same subject`);
      // two platforms' positions of one door are often 60-150 m apart: within twice the family's
      // distance, both addresses naming that door (the same number, not only the building) say so
      else if (address !== null && address.score >= T.addressSame && (address.rule === 'same-number' || address.rule === 'same-group-number')) why.push(`${Math.round(distanceM)} m apart, but the same door (${address.explanation})`);
      else if (parcelPlace !== null && sameKind) why.push(`${Math.round(distanceM)} m apart, but the same land parcel (${parcelPlace}号)`);
      else soft.push(`${Math.round(distanceM)} m apart (between ${D} and ${2 * D} m)`);
    } else {
      failed.push('place');
      why.push(`${Math.round(distanceM)} m apart (> ${2 * D} m)`);
    }
  } else if (sameTown === false) {
    failed.push('place');
    why.push('different towns');
  } else if (address !== null && address.score >= T.addressSame && (address.rule !== 'same-intersection' || sameSubject)) {
    placeScore = address.score;
    why.push(`same address (${address.score})`);
  } else if (parcelPlace !== null && sameKind) {
    // the group (or road) on both and one numbered parcel of it: that parcel, as a door would be
    placeScore = address!.score;
    why.push(`the same ${address!.rule === 'same-group' ? "villagers' group" : 'road'} (${address!.score}) and the same land parcel (${parcelPlace}号)`);
  } else if (address !== null && address.rule === 'same-intersection') {
    // a crossing is where a caller stands, not a door: two shops at one crossing are two places
    placeScore = address.score;
    soft.push(`the same crossing (${address.score}) but no common subject`);
  } else if (address !== null && address.rule === 'intersection-road' && (sameSubject || sharedRare || positions.agree) && sameCategoryCode) {
    // the caller names the nearest crossing of the road the named shop is on
    placeScore = address.score;
    why.push(`a crossing on the same road (${address.score}) and ${sameSubject ? subject.explanation : sharedRare ? rareText!.explanation : positions.explanation}`);
  } else if (address !== null && (address.rule === 'same-group' || address.rule === 'same-road') && (sameSubject || sharedRare || positions.agree) && sameKind) {
    // one side names only the villagers' group or the road, the other a door of it: the same shop
    // or firm named on both (or a rare phrase both texts share, or positions within their
    // uncertainty of each other), with one kind of problem, says the report means that door
    placeScore = address.score;
    why.push(`the same ${address.rule === 'same-group' ? "villagers' group" : 'road'} (${address.score}) and ${sameSubject ? subject.explanation : sharedRare ? rareText!.explanation : positions.explanation}`);
  } else if (address !== null && address.score < T.addressDifferent && !sameGrid) {
    failed.push('place');
    why.push(`different addresses (${address.score}, ${address.rule})`);
  } else if (sameGrid) {
    placeScore = Math.max(T.sameGridPlaceScore, address?.score ?? 0);
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

  // numbered land parcels: a report naming parcels none of the matter's reports names is about other land
  const parcels = parcelConflict(rep, linked);
  if (parcels !== null) {
    failed.push('place');
    why.push(parcels);
  }

  // similar
  const text = bestText(rep, linked);
  const textOk = text !== null && text.score >= T.textMin;
  const bothCoded = r.categoryCode !== null && linked.every((l) => l.r.categoryCode !== null);
  const sameAddress = (address !== null && address.score >= T.addressSame && address.rule !== 'same-intersection') || (parcelPlace !== null && sameKind);
  let textsDiffer = false;
  const trades = sameSubject ? null : tradeConflict(rep, linked);
  if (subject.relation === 'different-uscc' || subject.relation === 'different-name') {
    failed.push('similar');
    why.push(subject.explanation);
  } else if (trades !== null) {
    // a hardware shop and a supermarket at one door are two shops, named or not (一家五金店)
    failed.push('similar');
    why.push(trades);
  } else if (sameSubject && bothCoded && !compatibleKind && sameFamily) {
    // noise and fumes of one restaurant are two problems, however alike the complaints read
    failed.push('similar');
    why.push(`${subject.explanation}, but another category: another problem of that subject`);
  } else if (bothCoded && !compatibleKind && sameFamily) {
    // fumes and noise at one door, a house and a sand pit on one plot: two problems, however
    // alike the complaints read (both name the shop, the plot)
    failed.push('similar');
    why.push(`category ${r.categoryCode} is another kind of problem than {${[...new Set(linked.map((l) => l.r.categoryCode ?? ''))].sort(compareStrings).join(', ')}}`);
  } else if (textOk && rawDistanceM !== null && rawDistanceM > T.closeM && !sameSubject && !sameAddress && (text?.score ?? 0) < T.textStrong) {
    soft.push(`texts only partly similar (${text?.score}) ${Math.round(rawDistanceM)} m apart, with no common address or subject`);
  } else if (textOk) {
    why.push(sameSubject ? `similar text (${text?.score}); ${subject.explanation}` : `similar text (${text?.score})`);
  } else {
    // within GPS error (closeM as measured, precise positions), unless the addresses name another
    // door: neighbours are not one place
    const partialAddress = address !== null && (address.rule === 'same-group' || address.rule === 'same-road' || (address.rule === 'intersection-road' && sameCategoryCode));
    const close = (rawDistanceM !== null && rawDistanceM <= T.closeM && precise && !otherDoor) || sameAddress;
    const otherCategory = r.categoryCode !== null && !compatibleKind && linked.every((l) => l.r.categoryCode !== null);
    if (sameSubject && !otherCategory) why.push(subject.explanation);
    else if (sharedRare && sameKind) why.push(`texts differ (${text?.score ?? 0}) but share rare phrases: ${rareText!.explanation}`);
    // the addresses name one group or road and the positions one door of it
    else if (positions.agree && sameKind && partialAddress && !otherDoor) why.push(`texts differ (${text?.score ?? 0}) but the same ${sameCategoryCode ? 'category' : 'kind of problem'} where ${positions.explanation}`);
    // one kind of problem at one door (or within GPS error) within the family's window is one
    // incident however differently the departments word it
    else if (sameKind && close) why.push(`texts differ (${text?.score ?? 0}) but the same ${sameCategoryCode ? 'category' : 'kind of problem'} at the same place`);
    else {
      failed.push('similar');
      textsDiffer = true;
      why.push(
        sameSubject
          ? `${subject.explanation}, but another category and texts differ (${text?.score ?? 0} < ${T.textMin}): another problem of that subject`
          : `texts differ (${text?.score ?? 0} < ${T.textMin}) and no common subject`,
      );
    }
  }

  if (sameSourceConflict !== null && !profile.sameSourceRepeats) {
    failed.push('same-source');
    why.push(`${sameSourceConflict}; this profile has platforms other than repeatFilingSources file an incident once`);
  } else if (sameSourceConflict !== null && failed.length === 0) {
    const strongText = (text?.score ?? 0) >= T.textStrong;
    // where both give an address it decides (two buildings of a compound, shops at 174 and 178 are
    // within GPS error of each other); positions say "the same door" only where addresses cannot
    const addressesCompared = address !== null && address.rule !== 'text';
    // A platform files its own incident again at its own door. Its own earlier record must not name
    // another door (another flat of the building, another number): a caller naming only the building
    // unit agrees with both flats and would otherwise carry the second flat's record into the
    // first's matter as the same door. Nor is a door named when both of its records say only beside or near a place
    // (`3号楼南侧` twice: two records beside one building are no more one door than two flats of it).
    const own = linked.filter((l) => l.r.sourceSystem === r.sourceSystem && l.r.sourceRecordId !== r.sourceRecordId);
    const ownOtherDoor = rep.address !== null && own.some((l) => l.address !== null && namesAnotherDoor(addressSimilarity(rep.address!, l.address, addrOpts), T));
    const onlyBeside = rep.address !== null && rep.address.approximate && own.every((l) => l.address === null || l.address.approximate);
    // Nor when one of its two records names a flat and the other only beside or near the building
    // (`3号楼1单元502室` and then `3号楼西侧`): the platform knew the flat, and beside a building is
    // outside it; another platform's report of the building unit agreeing with both says nothing.
    const flatAndBeside = rep.address !== null && own.some((l) => l.address !== null && flatAndBesideIt(rep.address!, l.address));
    const sameDoor =
      !ownOtherDoor && !onlyBeside && !flatAndBeside &&
      (sameAddress || (!addressesCompared && rawDistanceM !== null && rawDistanceM <= T.closeM && (combinedUncertaintyM ?? Infinity) <= 1.5 * profile.nominalPairM));
    // a platform files its own incident again soon (a second caller, a re-report on the round);
    // the same platform at the same door days later is more likely the problem come back
    const soon = timeDeltaMs <= T.sameSourceWindowMs;
    // or the same business named (a trade name and its trade) on its own earlier record in the
    // group or on the road both name (a grid worker re-reporting the shop on the next round)
    const partOfPlace = address !== null && (address.rule === 'same-group' || address.rule === 'same-road' || address.rule === 'intersection-road');
    const sameBusiness =
      partOfPlace && rep.name !== null && rep.name.core !== '' && rep.name.industry !== '' &&
      own.some((l) => l.name !== null && l.name.core !== '' && l.name.industry !== '' && nameSimilarity(rep.name!, l.name, nameOpts).score >= T.subjectNameMin);
    // or a rare phrase of both texts (the firm's name) where the place gate found one group or road
    if (!(soon && ((strongText && (sameDoor || subjectIdentity || sameBusiness)) || sharedRare))) {
      failed.push('same-source');
      why.push(
        `${sameSourceConflict}; a platform's second record needs clearly the same text (≥ ${T.textStrong}) at the same door or subject within ${formatDuration(T.sameSourceWindowMs)}` +
          (ownOtherDoor ? ' (its own earlier record names another door)' : onlyBeside ? ' (both its records say only beside or near a place)' : flatAndBeside ? ' (one of its records names a flat, the other only beside or near the building)' : ''),
      );
    } else why.push(`${sameSourceConflict}, filed again: ${strongText ? `the same text at the same ${sameDoor ? 'door' : subjectIdentity || !sameBusiness ? 'subject' : `business in the ${address!.rule === 'same-group' ? 'group' : 'road'}`}` : `a rare phrase in common (${rareText!.explanation})`}`);
  }
  if (failed.length === 0 && worstAddress !== null && worstAddress < T.addressDifferent && linked.length > 1) {
    soft.push(`another report of the matter is at a different address (${worstAddress})`);
  } else if (failed.length === 0 && otherDoorOf !== null && linked.length > 1 && !subjectIdentity) {
    // no chaining door to door: a report naming one flat (one number) does not join a matter one of
    // whose reports names another flat of the building (another number), by a third report that
    // named only the building unit (the road) and so agreed with both
    soft.push(`another report of the matter names another door (${otherDoorOf})`);
  }
  // no chaining: a report that joins a grown matter by one of its reports must not be another
  // problem than any of them (another subject, another kind), nor unlike as many of them as it is like
  if (failed.length === 0 && soft.length === 0 && linked.length > 1) {
    const pair = linked.map((l) => evaluate(rep, { matterId: candidate.matterId, reports: [l.r] }, [l], nameOpts, addrOpts, opts));
    const like = pair.filter((e) => e.decision !== 'new').length;
    const otherProblem = pair.filter((e) => e.features.failed.includes('similar') && !e.features.textsDiffer).length;
    const unlike = pair.filter((e) => e.features.failed.includes('similar') && e.features.textsDiffer && (e.features.text?.score ?? 0) < T.textUnlike).length;
    if (otherProblem > 0) soft.push(`another problem than ${otherProblem} of the matter's ${linked.length} reports (another subject or kind)`);
    else if (unlike >= like) soft.push(`like ${like} of the matter's ${linked.length} reports, unlike ${unlike} (texts differ, nothing else ties them)`);
  }
  // two positions the platforms measured, further apart than those platforms' positions of one door
  // spread in this county, are two places — whatever the addresses say (two fields named by their
  // nearest house, two flats' patrols) — unless the same registered subject ties them
  if (failed.length === 0 && soft.length === 0 && opts.positionSpread && rep.location !== null && measuredPosition(r) && !subjectIdentity) {
    for (const l of linked) {
      if (l.location === null || !measuredPosition(l.r)) continue;
      const spread = opts.positionSpread.spreadM(r.sourceSystem, l.r.sourceSystem);
      if (spread === null) continue;
      const limit = Math.max(T.positionAgreeMaxM, T.positionSpreadFactor * spread);
      const d = haversineMetres(rep.location, l.location);
      if (d > limit) {
        soft.push(`positions ${Math.round(d)} m apart, beyond where ${r.sourceSystem} and ${l.r.sourceSystem} place one door (${Math.round(limit)} m: ${T.positionSpreadFactor} × their spread ${spread} m, at least ${T.positionAgreeMaxM} m)`);
        break;
      }
    }
  }


  // score
  const score = pairScore(placeScore, timeScore, text, subject.score, sameCategoryCode, failed.length > 0, T);

  const features: MatterFeatures = {
    family: { report: rep.family, matter: matterFamilies, same: sameFamily },
    sameCategoryCode,
    timeDeltaMs,
    timeWindowMs: rule.timeWindowMs,
    matterSpanMs,
    distanceM: distanceM === null ? null : Math.round(distanceM * 10) / 10,
    rawDistanceM: rawDistanceM === null ? null : Math.round(rawDistanceM * 10) / 10,
    combinedUncertaintyM,
    distanceLimitM: D,
    address,
    sameGrid,
    sameTown,
    text,
    rareText,
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
    rawDistanceM: null,
    combinedUncertaintyM: null,
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
function inReportOrder(reports: readonly Prepared[]): Prepared[] {
  return [...reports].sort(({ r: a }, { r: b }) => a.eventTime - b.eventTime || compareStrings(a.sourceSystem, b.sourceSystem) || compareStrings(a.sourceRecordId, b.sourceRecordId));
}

/**
 * A candidate's reports prepared and in report order, remembered per reports array while it holds
 * the same report objects: every report of a busy block meets the same candidates, and the hub's
 * candidate cache grows a matter's array in place when a report joins it (then it is made again).
 */
const orderedOf = new WeakMap<readonly ReportFeatures[], { source: readonly ReportFeatures[]; opts: unknown; ordered: readonly Prepared[] }>();

function preparedInReportOrder(reports: readonly ReportFeatures[], nameOpts: NameOptions, addrOpts: AddressOptions): readonly Prepared[] {
  const hit = orderedOf.get(reports);
  if (hit && hit.opts === (nameOpts.regions ?? null) && sameObjects(hit.source, reports)) return hit.ordered;
  const ordered = inReportOrder(reports.map((r) => prepare(r, nameOpts, addrOpts)));
  orderedOf.set(reports, { source: [...reports], opts: nameOpts.regions ?? null, ordered });
  return ordered;
}

function sameObjects<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const RANK: Record<MatterDecisionKind, number> = { match: 0, review: 1, new: 2 };
const byRank = (a: MatterEvaluation, b: MatterEvaluation): number => RANK[a.decision] - RANK[b.decision] || b.score - a.score || compareStrings(a.matterId, b.matterId);

// ── Public API ─────────────────────────────────────────────────────────────────────────────

/**
 * Decide which matter (if any) a new report belongs to, among the candidates found with
 * `matterBlocking`. Returns the best match (score, then matter id), other matching matters
 * (`alsoMatching`: probably one incident, propose merging them), or review/new.
 */
/**
 * What matchMatter derives from a report alone (parsed address, name keys, text fingerprint),
 * computed now and remembered for the report: the run engine does it for a run's later reports
 * while it waits on PostgreSQL for the earlier ones.
 */
export function prepareForMatching(report: ReportFeatures, opts: Pick<MatterMatchOptions, 'regions'> = {}): void {
  prepare(report, opts.regions ? { regions: opts.regions } : {}, opts.regions ? { regions: opts.regions } : {});
}

export function matchMatter(report: ReportFeatures, candidates: readonly MatterCandidate[], opts: MatterMatchOptions = {}): MatterDecision {
  const nameOpts: NameOptions = opts.regions ? { regions: opts.regions } : {};
  const addrOpts: AddressOptions = opts.regions ? { regions: opts.regions } : {};
  const T = (opts.profile ?? PROFILE).thresholds;
  const rep = prepare(report, nameOpts, addrOpts);
  const usable = candidates.filter((c) => c.reports.length > 0);
  if (usable.length === 0) {
    return { decision: 'new', score: 0, rule: 'no-candidate', features: null, alsoMatching: [], evaluations: [], explanation: 'no candidate matter' };
  }
  // Pairs the place gate rejects early are `new` and no recurrence: they decide nothing unless
  // every candidate is new, and then only by their score. Each is evaluated in full only when it
  // is the best of them or when the caller reads `evaluations` (the same list as evaluating all).
  const pairs = usable.map((c, index) => {
    // (in report order: evaluate's order, and any order suits placeFailsEarly)
    const reports = preparedInReportOrder(c.reports, nameOpts, addrOpts);
    const early = placeFailsEarly(rep, reports, addrOpts, opts);
    const pair: { index: number; c: MatterCandidate; reports: readonly Prepared[]; early: typeof early; evaluation: MatterEvaluation | null } = { index, c, reports, early, evaluation: null };
    if (!early) pair.evaluation = evaluate(rep, c, reports, nameOpts, addrOpts, opts);
    return pair;
  });
  const evaluated = (p: (typeof pairs)[number]): MatterEvaluation => (p.evaluation ??= evaluate(rep, p.c, p.reports, nameOpts, addrOpts, opts));
  let all: MatterEvaluation[] | null = null;
  const evaluations = (): MatterEvaluation[] => (all ??= pairs.map(evaluated).sort(byRank));
  // (a subset keeps its order in the sorted whole: the order is total, ties by candidate order)
  const evals = pairs.flatMap((p) => (p.evaluation ? [p.evaluation] : [])).sort(byRank);
  let best = evals[0];
  if (best === undefined || best.decision === 'new') {
    let top = best ? pairs.find((p) => p.evaluation === best)! : null;
    let topScore = best?.score ?? -Infinity;
    for (const p of pairs) {
      if (!p.early || (top !== null && placeFailedScore(rep, p.reports, p.early, T) < topScore)) continue;
      const score = placeFailedScore(rep, p.reports, p.early, T, nameOpts);
      if (top === null || score > topScore || (score === topScore && (compareStrings(p.c.matterId, top.c.matterId) || p.index - top.index) < 0)) {
        top = p;
        topScore = score;
      }
    }
    best = evaluated(top!);
  }

  return decisionAmong(report, best, evals, evaluations, T);
}

/**
 * The decision given the best evaluation and the evaluations of the candidates that can match,
 * be reviewed or be a recurrence (matchMatter leaves out only pairs that can be none of these;
 * `evaluations` gives them all, sorted, when asked).
 */
export function decisionAmong(report: ReportFeatures, best: MatterEvaluation, evals: readonly MatterEvaluation[], evaluations: () => readonly MatterEvaluation[], T: MatterThresholds = PROFILE.thresholds): MatterDecision {
  if (best.decision === 'match') {
    const also = evals.filter((e) => e.decision === 'match' && e.matterId !== best.matterId).map((e) => e.matterId);
    return {
      decision: 'match',
      matterId: best.matterId,
      score: best.score,
      rule: best.rule,
      features: best.features,
      alsoMatching: also,
      get evaluations() {
        return evaluations();
      },
      explanation: best.explanation + (also.length ? `; also matches ${also.join(', ')} (propose merging)` : ''),
    };
  }
  if (best.decision === 'review') {
    return {
      decision: 'review',
      matterId: best.matterId,
      score: best.score,
      rule: best.rule,
      features: best.features,
      alsoMatching: [],
      get evaluations() {
        return evaluations();
      },
      explanation: best.explanation,
    };
  }
  // New. Would a closed matter have matched but for its closure? Then this is a recurrence.
  // (Closed weeks ago also fails the time gate; every other gate must hold.)
  const recurrence = evals.find(
    (e) =>
      e.features.failed.includes('open') && e.features.failed.every((g) => g === 'open' || g === 'time') &&
      e.features.soft.length === 0 &&
      (e.features.closedAt ?? 0) >= report.eventTime - T.recurrenceLookbackMs,
  );
  return {
    decision: 'new',
    score: best.score,
    rule: 'not-same-incident',
    features: best.features,
    alsoMatching: [],
    ...(recurrence ? { recurrenceOf: recurrence.matterId } : {}),
    get evaluations() {
      return evaluations();
    },
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
   * the profile's recurrence lookback back): they never take the report, but `recurrenceOf` names them.
   */
  readonly recurrenceSince: number;
  /** Asia/Shanghai calendar days covering [from, to] (yyyy-MM-dd). */
  readonly days: readonly string[];
  /** Discrete keys `<town or county>|<family>|<day>`, for a key table or a cache. */
  readonly keys: readonly string[];
  /** When the report is located: WGS-84 box of 2·D around it, to also find matters across a town boundary. */
  readonly bbox: readonly [number, number, number, number] | null;
  /**
   * Gazetteer address keys of the report (door:<road>#<n>, compound:…, crossing:…): also load
   * matters having a report with one of them, so a report without coordinates or a town code
   * meets the reports about the same door (reports.address_keys, migration 013).
   */
  readonly addressKeys: readonly string[];
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
export function matterBlocking(report: ReportFeatures, opts: Pick<MatterMatchOptions, 'familyRules' | 'profile'> = {}): MatterBlocking {
  const profile = opts.profile ?? PROFILE;
  const T = profile.thresholds;
  const family = familyOf(report);
  // an uncategorised report looks as far as the widest family would (its matter's family decides)
  const rules = opts.familyRules ?? profile.familyRules;
  const rule = family === UNCATEGORISED_FAMILY ? widestRule(rules) : familyRule(family, rules);
  const townCode = townCodeOf(report.divisionCode);
  const countyCode = report.divisionCode && /^\d{6}/.test(report.divisionCode) ? report.divisionCode.slice(0, 6) : null;
  const from = report.eventTime - rule.timeWindowMs;
  const to = report.eventTime + rule.timeWindowMs;
  const days: string[] = [];
  for (let t = Date.parse(`${shanghaiDay(from)}T00:00:00+08:00`); t <= to; t += DAY) days.push(shanghaiDay(t));
  const area = townCode ?? countyCode ?? '*';
  const keys = days.map((d) => `${area}|${family ?? '*'}|${d}`);
  // the search radius grows with the position's uncertainty (beyond the GPS pair the thresholds
  // assume), as the distance gate does; a position too uncertain to say anything gives no box
  const u = uncertaintyOf(report, profile);
  const radius = 2 * rule.distanceM + Math.max(0, Math.hypot(u, profile.defaultUncertaintyM['device-gps'] ?? u) - profile.nominalPairM);
  const bbox = isUsablePoint(report.location) && u <= 2 * rule.distanceM + profile.nominalPairM ? boundingBox(report.location, radius) : null;
  const families = family === null || family === UNCATEGORISED_FAMILY ? null : [...new Set([family, ...(profile.relatedFamilies[family] ?? []), UNCATEGORISED_FAMILY])].sort(compareStrings);
  const addressKeys = [...new Set(report.addressKeys ?? [])].sort(compareStrings);
  return {
    family,
    families,
    townCode,
    countyCode,
    from,
    to,
    closedSince: report.eventTime - T.closedGraceMs,
    recurrenceSince: report.eventTime - T.recurrenceLookbackMs,
    days,
    keys,
    bbox,
    addressKeys,
    explanation:
      `family ${family ?? 'any'}, ${townCode ? `town ${townCode}` : countyCode ? `county ${countyCode} (no town code)` : 'anywhere (no division code)'}` +
      `, reports between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}` +
      (bbox ? `, or within ${Math.round(radius)} m` : '') +
      (addressKeys.length ? `, or at ${addressKeys.join(' / ')}` : '') +
      `, open or closed since ${new Date(report.eventTime - T.closedGraceMs).toISOString()}`,
  };
}

// ── Comparison vectors for weights estimated from the county's own pairs (fellegi-sunter.ts) ──


/** The comparisons of a report–matter pair, each with levels from disagreement to agreement. */
export const MATTER_COMPARISONS: readonly Comparison[] = [
  { name: 'place', levels: ['beyond 2·D', 'D..2·D', 'within D', 'same door'] },
  { name: 'time', levels: ['outside window', 'second half of window', 'first half of window'] },
  { name: 'text', levels: ['unlike', 'weak', 'similar', 'strong'] },
  { name: 'subject', levels: ['different', 'same name', 'same identity'] },
  { name: 'category', levels: ['other kind', 'compatible', 'same kind', 'same code'] },
];

/**
 * A pair's comparison vector from its features (null: cannot be compared). Feed many candidate
 * pairs to `estimateWeights(MATTER_COMPARISONS, …)`, then `matchWeight` explains a pair by each
 * comparison's log2(m/u).
 */
export function matterComparisonVector(f: MatterFeatures, profile: MatterProfile = PROFILE): ComparisonVector {
  const T = profile.thresholds;
  const d = f.distanceM;
  const sameDoor = (f.rawDistanceM !== null && f.rawDistanceM <= T.closeM) || (f.address !== null && f.address.score >= T.addressSame);
  const place = sameDoor ? 3 : d !== null ? (d <= f.distanceLimitM ? 2 : d <= 2 * f.distanceLimitM ? 1 : 0) : f.address !== null ? (f.address.score < T.addressDifferent ? 0 : 1) : null;
  const time = f.timeWindowMs === 0 ? null : f.timeDeltaMs > f.timeWindowMs ? 0 : f.timeDeltaMs > f.timeWindowMs / 2 ? 1 : 2;
  const t = f.text?.score;
  const text = t === undefined ? null : t < T.textUnlike ? 0 : t < T.textMin ? 1 : t < T.textStrong ? 2 : 3;
  const rel = f.subject.relation;
  const subject = rel === 'unknown' ? null : rel === 'different-uscc' || rel === 'different-name' ? 0 : rel === 'similar-name' ? 1 : 2;
  const category = f.sameCategoryCode ? 3 : f.failed.includes('family') ? 0 : null;
  return [place, time, text, subject, category];
}
