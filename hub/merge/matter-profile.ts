/**
 * The county's matter-matching profile: what one incident's reports look like in this county
 * (how far apart and how long apart per family, which category codes name one kind of problem,
 * across families too, how uncertain a position of each origin is, the thresholds). Data, not
 * code: schemas/catalogues/matching/matters.json, versioned; a county edits the file, not
 * matter-matcher.ts. `parseMatterProfile` checks a profile and says which field is wrong.
 */
import { readFileSync } from 'node:fs';

const HOUR = 3_600_000;

export interface FamilyRule {
  /** Reports within this distance (metres) can be one incident. */
  readonly distanceM: number;
  /** …and within this time of the nearest report of the matter. */
  readonly timeWindowMs: number;
}

export interface MatterThresholds {
  readonly closedGraceMs: number;
  readonly maxSpanMs: number;
  readonly recurrenceLookbackMs: number;
  readonly addressSame: number;
  readonly addressSameGroup: number;
  readonly addressDifferent: number;
  readonly textMin: number;
  readonly textStrong: number;
  readonly textUnlike: number;
  readonly textFull: number;
  readonly subjectNameMin: number;
  readonly subjectNameDifferent: number;
  readonly closeM: number;
  readonly distanceFullM: number;
  readonly sameGridPlaceScore: number;
  readonly gazetteerKeyAddressScore: number;
  /** A platform's second record of one incident (sameSourceRepeats) comes within this time of its first; later it is a recurrence. */
  readonly sameSourceWindowMs: number;
  /** Rare shared text (text-weights.ts): bits of shared bigrams at most textRareShare of the category's reports carry. */
  readonly textRareBits: number;
  readonly textRareShare: number;
  /** …and never fewer than this many reports (a small category's share would leave nothing rare). */
  readonly textRareMinDocs: number;
  /**
   * Positions that place one side at a door of the group or road the other side names: at least
   * one measured position (not geocoded by the hub, not a dropped centroid pin), the other measured
   * or geocoded at door/segment/landmark/crossing level, at most positionAgreeFactor × their
   * combined uncertainty apart (never under closeM) and at most positionAgreeMaxM.
   */
  readonly positionAgreeFactor: number;
  readonly positionAgreeMaxM: number;
  /**
   * Two positions the platforms measured are two places when further apart than this many times
   * the spread of those two platforms' positions of one door (position-spread.ts, estimated from the
   * county's reports), and than positionAgreeMaxM.
   */
  readonly positionSpreadFactor: number;
}

export interface MatterProfile {
  readonly profile: string;
  readonly version: number;
  readonly defaultFamilyRule: FamilyRule;
  readonly familyRules: Readonly<Record<string, FamilyRule>>;
  readonly relatedCategories: readonly (readonly [string, string])[];
  /** Families with at least one related pair across families (derived). */
  readonly relatedFamilies: Readonly<Record<string, readonly string[]>>;
  readonly generalCategories: readonly string[];
  readonly overlappingCategories: readonly (readonly [string, string])[];
  /** Source systems that may file one incident more than once; '*' = every platform. */
  readonly repeatFilingSources: '*' | readonly string[];
  /** Whether another platform's second record may join on strong evidence (else never). */
  readonly sameSourceRepeats: boolean;
  readonly defaultUncertaintyM: Readonly<Record<string, number>>;
  /**
   * Uncertainty (metres) of the positions a platform sends without stating one, by source system,
   * where the platform locates more loosely than a GPS fix (a 110 call's handset position).
   */
  readonly sourceUncertaintyM: Readonly<Record<string, number>>;
  readonly nominalPairM: number;
  readonly thresholds: MatterThresholds;
}

/** A profile file that cannot be used; fix the file (no retry helps). */
export class MatterProfileError extends Error {
  readonly retryable = false;
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`matter profile: ${field}: ${reason}`);
    this.name = 'MatterProfileError';
  }
}

const num = (v: unknown, field: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new MatterProfileError(field, `must be a number ≥ 0, got ${JSON.stringify(v)}`);
  return v;
};
const pairs = (v: unknown, field: string): [string, string][] => {
  if (!Array.isArray(v) || !v.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'string' && x.includes('.')))) throw new MatterProfileError(field, 'must be a list of [code, code] pairs');
  return v as [string, string][];
};

export function parseMatterProfile(raw: unknown): MatterProfile {
  if (!raw || typeof raw !== 'object') throw new MatterProfileError('(root)', 'not a JSON object');
  const o = raw as Record<string, unknown>;
  const fr = o.familyRules as Record<string, { distanceM: unknown; timeWindowH: unknown }> | undefined;
  if (!fr || typeof fr !== 'object' || !fr.default) throw new MatterProfileError('familyRules', 'must be an object with a "default" rule');
  const rule = (k: string): FamilyRule => ({ distanceM: num(fr[k]!.distanceM, `familyRules.${k}.distanceM`), timeWindowMs: num(fr[k]!.timeWindowH, `familyRules.${k}.timeWindowH`) * HOUR });
  const familyRules: Record<string, FamilyRule> = {};
  for (const k of Object.keys(fr)) if (k !== 'default') familyRules[k] = rule(k);
  const relatedCategories = pairs(o.relatedCategories ?? [], 'relatedCategories');
  const relatedFamilies: Record<string, string[]> = {};
  const fam = (c: string) => c.slice(0, c.indexOf('.'));
  for (const [a, b] of relatedCategories) {
    if (fam(a) === fam(b)) continue;
    (relatedFamilies[fam(a)] ??= []).includes(fam(b)) || relatedFamilies[fam(a)]!.push(fam(b));
    (relatedFamilies[fam(b)] ??= []).includes(fam(a)) || relatedFamilies[fam(b)]!.push(fam(a));
  }
  const t = (o.thresholds ?? {}) as Record<string, unknown>;
  const loc = (o.location ?? {}) as { defaultUncertaintyM?: Record<string, unknown>; sourceUncertaintyM?: Record<string, unknown>; nominalPairM?: unknown };
  const unc: Record<string, number> = {};
  for (const [k, v] of Object.entries(loc.defaultUncertaintyM ?? {})) unc[k] = num(v, `location.defaultUncertaintyM.${k}`);
  const bySource: Record<string, number> = {};
  for (const [k, v] of Object.entries(loc.sourceUncertaintyM ?? {})) bySource[k] = num(v, `location.sourceUncertaintyM.${k}`);
  if (unc.unknown === undefined) throw new MatterProfileError('location.defaultUncertaintyM.unknown', 'missing');
  const rfs = o.repeatFilingSources;
  if (!(rfs === '*' || (Array.isArray(rfs) && rfs.every((x) => typeof x === 'string')))) throw new MatterProfileError('repeatFilingSources', 'must be "*" or a list of source systems');
  const gen = o.generalCategories ?? [];
  if (!Array.isArray(gen) || !gen.every((x) => typeof x === 'string')) throw new MatterProfileError('generalCategories', 'must be a list of codes');
  return {
    profile: String(o.profile ?? 'unnamed'),
    version: num(o.version, 'version'),
    defaultFamilyRule: rule('default'),
    familyRules,
    relatedCategories,
    relatedFamilies,
    generalCategories: gen as string[],
    overlappingCategories: pairs(o.overlappingCategories ?? [], 'overlappingCategories'),
    repeatFilingSources: rfs as '*' | string[],
    sameSourceRepeats: o.sameSourceRepeats === true,
    defaultUncertaintyM: unc,
    sourceUncertaintyM: bySource,
    nominalPairM: num(loc.nominalPairM ?? 30, 'location.nominalPairM'),
    thresholds: {
      closedGraceMs: num(t.closedGraceH, 'thresholds.closedGraceH') * HOUR,
      maxSpanMs: num(t.maxSpanH, 'thresholds.maxSpanH') * HOUR,
      recurrenceLookbackMs: num(t.recurrenceLookbackH, 'thresholds.recurrenceLookbackH') * HOUR,
      addressSame: num(t.addressSame, 'thresholds.addressSame'),
      addressSameGroup: num(t.addressSameGroup, 'thresholds.addressSameGroup'),
      addressDifferent: num(t.addressDifferent, 'thresholds.addressDifferent'),
      textMin: num(t.textMin, 'thresholds.textMin'),
      textStrong: num(t.textStrong, 'thresholds.textStrong'),
      textUnlike: num(t.textUnlike, 'thresholds.textUnlike'),
      textFull: num(t.textFull, 'thresholds.textFull'),
      subjectNameMin: num(t.subjectNameMin, 'thresholds.subjectNameMin'),
      subjectNameDifferent: num(t.subjectNameDifferent, 'thresholds.subjectNameDifferent'),
      closeM: num(t.closeM, 'thresholds.closeM'),
      distanceFullM: num(t.distanceFullM, 'thresholds.distanceFullM'),
      sameGridPlaceScore: num(t.sameGridPlaceScore, 'thresholds.sameGridPlaceScore'),
      gazetteerKeyAddressScore: num(t.gazetteerKeyAddressScore ?? 0.9, 'thresholds.gazetteerKeyAddressScore'),
      sameSourceWindowMs: num(t.sameSourceWindowH ?? 24, 'thresholds.sameSourceWindowH') * HOUR,
      textRareBits: num(t.textRareBits ?? 8, 'thresholds.textRareBits'),
      textRareShare: num(t.textRareShare ?? 0.01, 'thresholds.textRareShare'),
      textRareMinDocs: num(t.textRareMinDocs ?? 0, 'thresholds.textRareMinDocs'),
      positionAgreeFactor: num(t.positionAgreeFactor ?? 1.5, 'thresholds.positionAgreeFactor'),
      positionAgreeMaxM: num(t.positionAgreeMaxM ?? 60, 'thresholds.positionAgreeMaxM'),
      positionSpreadFactor: num(t.positionSpreadFactor ?? 1.5, 'thresholds.positionSpreadFactor'),
    },
  };
}

export function loadMatterProfile(file: string): MatterProfile {
  return parseMatterProfile(JSON.parse(readFileSync(file, 'utf8')));
}

/** The profile shipped with the catalogues (MATTER_PROFILE_FILE names another county's). */
export const DEFAULT_MATTER_PROFILE: MatterProfile = loadMatterProfile(
  process.env.MATTER_PROFILE_FILE ?? new URL('../../schemas/catalogues/matching/matters.json', import.meta.url).pathname,
);
