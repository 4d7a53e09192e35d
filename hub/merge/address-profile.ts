/**
 * How the county writes addresses, as data (schemas/catalogues/matching/addresses.json, versioned;
 * ADDRESS_PROFILE_FILE names another county's): the words for roads, compounds, villagers' groups,
 * buildings, units, rooms, "near/opposite", offsets. `compileAddressPatterns` builds the parser's
 * patterns from them, so hub/merge/addresses.ts holds the parsing algorithm and no word lists.
 */
import { readFileSync } from 'node:fs';

export interface AddressProfile {
  readonly profile: string;
  readonly version: number;
  readonly approximate: readonly string[];
  readonly nearWord: string;
  /** Words after a place's name that point from it (…对面): the name is a landmark, not the place. */
  readonly landmarkPointers: readonly string[];
  /** Words after a number that name a land parcel (7号地块): two parcels' numbers are two places. */
  readonly parcelWords: readonly string[];
  readonly roadSuffixes: readonly string[];
  readonly intersectionJoiners: readonly string[];
  readonly compoundSuffixes: readonly string[];
  readonly doorWord: string;
  readonly doorNotFollowedBy: string;
  readonly groupWords: readonly string[];
  readonly groupLongForms: readonly string[];
  readonly ordinalPrefix: string;
  readonly ordinalWords: readonly string[];
  readonly buildingWords: readonly string[];
  readonly unitWord: string;
  readonly roomPrefixes: readonly string[];
  readonly roomWords: readonly string[];
  readonly offset: { readonly towards: readonly string[]; readonly directions: readonly string[]; readonly directionSuffixes: readonly string[]; readonly about: readonly string[]; readonly metres: readonly string[] };
  readonly labels: { readonly group: string; readonly door: string; readonly building: string; readonly unit: string; readonly room: string };
}

export class AddressProfileError extends Error {}

const words = (o: Record<string, unknown>, k: string): string[] => {
  const v = o[k];
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && x !== '')) throw new AddressProfileError(`address profile: ${k} must be a non-empty list of words`);
  return v as string[];
};
const word = (o: Record<string, unknown>, k: string): string => {
  const v = o[k];
  if (typeof v !== 'string' || v === '') throw new AddressProfileError(`address profile: ${k} must be a word`);
  return v;
};

export function parseAddressProfile(json: unknown): AddressProfile {
  const o = json as Record<string, unknown>;
  const off = (o.offset ?? {}) as Record<string, unknown>;
  const lab = (o.labels ?? {}) as Record<string, unknown>;
  return {
    profile: word(o, 'profile'),
    version: typeof o.version === 'number' ? o.version : 0,
    approximate: words(o, 'approximate'),
    nearWord: word(o, 'nearWord'),
    landmarkPointers: Array.isArray(o.landmarkPointers) ? words(o, 'landmarkPointers') : [],
    parcelWords: Array.isArray(o.parcelWords) ? words(o, 'parcelWords') : [],
    roadSuffixes: words(o, 'roadSuffixes'),
    intersectionJoiners: words(o, 'intersectionJoiners'),
    compoundSuffixes: words(o, 'compoundSuffixes'),
    doorWord: word(o, 'doorWord'),
    doorNotFollowedBy: word(o, 'doorNotFollowedBy'),
    groupWords: words(o, 'groupWords'),
    groupLongForms: words(o, 'groupLongForms'),
    ordinalPrefix: word(o, 'ordinalPrefix'),
    ordinalWords: words(o, 'ordinalWords'),
    buildingWords: words(o, 'buildingWords'),
    unitWord: word(o, 'unitWord'),
    roomPrefixes: words(o, 'roomPrefixes'),
    roomWords: words(o, 'roomWords'),
    offset: { towards: words(off, 'towards'), directions: words(off, 'directions'), directionSuffixes: words(off, 'directionSuffixes'), about: words(off, 'about'), metres: words(off, 'metres') },
    labels: { group: word(lab, 'group'), door: word(lab, 'door'), building: word(lab, 'building'), unit: word(lab, 'unit'), room: word(lab, 'room') },
  };
}

// (syntax characters only: a unicode-mode pattern rejects any other escaped character, e.g. \-)
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** Alternatives, longest first (大街 before 街), escaped. */
const alt = (ws: readonly string[]) => `(?:${[...ws].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).map(escape).join('|')})`;

export interface AddressPatterns {
  readonly approximate: RegExp;
  readonly road: RegExp;
  readonly roadNumber: RegExp;
  readonly intersection: RegExp;
  readonly compound: RegExp;
  readonly group: RegExp;
  readonly building: RegExp;
  readonly unit: RegExp;
  readonly offset: RegExp;
  readonly room: RegExp;
  /** 第3组 → 3组 (the ordinal prefix dropped). */
  readonly ordinal: RegExp;
  /** The long forms of a group → its short form. */
  readonly groupLong: RegExp;
  readonly unitWordAll: RegExp;
  /** 7号地块: the parcel's number (global; never matches when the profile names no parcel words). */
  readonly parcel: RegExp;
  /** 城北街185号楼桃源居4幢: road, door, the compound named between, its building. */
  readonly compoundAfterDoor: RegExp;
}

export function compileAddressPatterns(p: AddressProfile): AddressPatterns {
  const road = alt(p.roadSuffixes);
  const door = escape(p.doorWord);
  const o = p.offset;
  return {
    approximate: new RegExp(alt(p.approximate), 'gu'),
    road: new RegExp(`(\\p{Script=Han}{1,6}?${road})`, 'u'),
    roadNumber: new RegExp(`(\\p{Script=Han}{1,8}?${road})(\\d+)(?:-(\\d+))?${door}(?!${escape(p.doorNotFollowedBy)})`, 'u'),
    intersection: new RegExp(`(\\p{Script=Han}{1,6}?${road})${alt(p.intersectionJoiners)}(\\p{Script=Han}{1,6}?${road})`, 'u'),
    compound: new RegExp(`(\\p{Script=Han}{2,8}?${alt(p.compoundSuffixes)})`, 'u'),
    group: new RegExp(`(\\d+)${alt(p.groupWords)}(?:(\\d+)${door})?`, 'u'),
    building: new RegExp(`(\\d+)${alt(p.buildingWords)}`, 'u'),
    unit: new RegExp(`(\\d+)${escape(p.unitWord)}`, 'u'),
    offset: new RegExp(`${alt(o.towards)}?${alt(o.directions)}{1,2}${alt(o.directionSuffixes)}?${alt(o.about)}?(\\d+)${alt(o.metres)}`, 'gu'),
    room: new RegExp(`${alt(p.roomPrefixes)}?(\\d{3,4})${alt(p.roomWords)}?$`, 'u'),
    ordinal: new RegExp(`${escape(p.ordinalPrefix)}(\\d+)(${p.ordinalWords.map(escape).join('|')})`, 'gu'),
    groupLong: new RegExp(`${escape(p.ordinalPrefix)}?(\\d+)${alt(p.groupLongForms)}`, 'gu'),
    unitWordAll: new RegExp(escape(p.unitWord), 'gu'),
    parcel: p.parcelWords.length ? new RegExp(`(\\d+)${alt(p.parcelWords)}`, 'gu') : /(?!)/gu,
    compoundAfterDoor: new RegExp(`(\\p{Script=Han}{1,8}?${road})(\\d+)(?:-(\\d+))?(?:${alt(p.buildingWords)}|${door})(\\p{Script=Han}[\\p{Script=Han}\\d]{1,9}?)(\\d+)${alt(p.buildingWords)}`, 'u'),
  };
}

/** The profile shipped with the catalogues (ADDRESS_PROFILE_FILE names another county's). */
export const ADDRESS_PROFILE: AddressProfile = parseAddressProfile(
  JSON.parse(readFileSync(process.env.ADDRESS_PROFILE_FILE ?? new URL('../../schemas/catalogues/matching/addresses.json', import.meta.url).pathname, 'utf8')),
);
