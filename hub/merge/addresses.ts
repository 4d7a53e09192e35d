/**
 * Addresses for matching: normalise, strip the region prefix with the county's division table,
 * parse road + number (+ compound, building, unit, room; or villagers' group), and compare two
 * addresses into a similarity with an explanation.
 *
 *   锡尼镇团结路12号附近        → town 锡尼镇, road 团结路, number 12, approximate
 *   阳光小区3号楼2单元501室     → compound 阳光小区, building 3, unit 2, room 501
 *
 * Element names follow GA/T 2000.32 loosely (road, door number, building, unit, room).
 */
import { ADDRESS_PROFILE, compileAddressPatterns } from './address-profile.js';
import { EMPTY_REGIONS, RegionIndex, codeDepth, type RegionHit } from './regions.js';
import { arabiseAddressNumbers, chars, codePointCount, compareStrings, dice, jaroWinkler, jaroWinklerSeq, memoised, PairMemo, pinyinSyllables, round4, toSimplified } from './strings.js';

export interface ParsedAddress {
  readonly original: string;
  /** NFKC, simplified, numerals as digits, no spaces or punctuation (except '-' in numbers). */
  readonly normalised: string;
  /** Regions stripped from the front. */
  readonly regions: readonly RegionHit[];
  /** Deepest division code the regions name (town or village), when they agree. */
  readonly divisionCode: string | null;
  readonly road: string | null;
  /** Door number on the road; `numberSuffix` keeps "12-1" → 1. */
  readonly number: number | null;
  readonly numberSuffix: number | null;
  /** The two roads of an intersection (sorted). */
  readonly intersection: readonly [string, string] | null;
  /** Villagers' group in a village address. */
  readonly group: number | null;
  readonly compound: string | null;
  readonly building: number | null;
  readonly unit: number | null;
  readonly room: number | null;
  /** The address says "near", "opposite", "east side of" … rather than the place itself. */
  readonly approximate: boolean;
  /** Whatever was not recognised (shop names, landmarks), for a text comparison. */
  readonly rest: string;
}

export interface AddressSimilarity {
  /** 0..1. */
  readonly score: number;
  /** The rule that decided the score. */
  readonly rule: AddressRule;
  readonly explanation: string;
}

export type AddressRule =
  | 'different-town'
  | 'same-number'
  | 'adjacent-number'
  | 'same-road-other-number'
  | 'same-road'
  | 'different-road'
  | 'same-intersection'
  | 'intersection-road'
  | 'same-compound-unit'
  | 'same-compound-other-unit'
  | 'same-compound'
  | 'different-compound'
  | 'same-group-number'
  | 'same-group'
  | 'text'
  | 'empty';

// ── Thresholds ─────────────────────────────────────────────────────────────────────────────

/** Same road, door numbers this close (same side of the road: ±2) count as next door, not the same place. */
export const ADJACENT_NUMBER_DELTA = 2;
export const ADDRESS_SCORES = {
  sameNumber: 1,
  sameRoomDifferentUnit: 0.7,
  adjacentNumber: 0.55,
  sameRoadOtherNumber: 0.3,
  /** One side has the road only. */
  sameRoad: 0.6,
  sameIntersection: 0.9,
  intersectionRoad: 0.6,
  sameCompoundUnit: 1,
  sameCompoundOtherUnit: 0.5,
  sameCompound: 0.75,
  differentCompound: 0.1,
  differentRoad: 0.1,
  sameGroupNumber: 1,
  sameGroup: 0.6,
  /** Text fallback: Dice on the normalised rest, scaled by this. */
  textFactor: 0.8,
} as const;
/** Near, opposite (附近): never more than this. */
export const APPROXIMATE_CAP = 0.9;
/** Road names with Jaro-Winkler or pinyin at least this are the same road typed differently. */
export const ROAD_TYPO_SIMILARITY = 0.85;
export const ROAD_TYPO_FACTOR = 0.9;
/** Different villages of the same town: a road can cross communities, so this halves rather than vetoes. */
export const DIFFERENT_VILLAGE_FACTOR = 0.5;

export interface AddressOptions {
  /** The county's division table (preferred) or plain region names. */
  regions?: RegionIndex | readonly string[];
}

// The patterns are built from the county's address words (address-profile.ts, data).
const W = ADDRESS_PROFILE;
const P = compileAddressPatterns(W);
const APPROXIMATE = P.approximate;
const ROAD = P.road;
const ROAD_NUMBER = P.roadNumber;
const INTERSECTION = P.intersection;
const COMPOUND = P.compound;
const GROUP = P.group;
const BUILDING = P.building;
const UNIT = P.unit;
/** A position relative to the place named (往北50米), i.e. near it (the metres are no door number). */
const OFFSET = P.offset;
/** 10-2-704 after a compound: building 10, unit 2, room 704. */
const BUILDING_UNIT_ROOM = /(\d+)-(\d+)-(\d{3,4})(?!\d)/u;
const ROOM = P.room;

function regionIndexOf(opts: AddressOptions): RegionIndex {
  const r = opts.regions;
  if (r === undefined) return EMPTY_REGIONS;
  if (r instanceof RegionIndex) return r;
  return new RegionIndex([], r);
}

/** NFKC, simplified, numerals as digits, no whitespace; '#' and '-' kept for numbers. */
export function normaliseAddressText(raw: string): string {
  let s = toSimplified(raw.normalize('NFKC')).toUpperCase();
  s = s.replace(/[\s\u200B\uFEFF]+/gu, '').replace(/[—–－~～]/gu, '-');
  s = arabiseAddressNumbers(s);
  // 12号-1 → 12-1号; the ordinal prefix dropped
  s = s.replace(P.ordinal, '$1$2');
  // a villagers' group is written short or long (3组, 第三村民小组)
  s = s.replace(P.groupLong, `$1${W.groupWords[0]}`);
  return s;
}

/**
 * The land parcels a text names by number (7号地块), sorted: a patrol's or a complaint's
 * parcel is a place of its own, so two texts naming only other parcels are about other land.
 */
export function parcelNumbers(text: string): readonly string[] {
  const s = normaliseAddressText(text);
  return [...new Set([...s.matchAll(P.parcel)].map((m) => String(Number(m[1]))))].sort();
}

/** Parse an address. Pure; unknown parts go to `rest`. */
export function parseAddress(raw: string, opts: AddressOptions = {}): ParsedAddress {
  // candidates' addresses are given as strings and parsed again at every comparison: remember them
  return memoised(PARSED, opts.regions, raw, () => parseAddressUncached(raw, opts));
}

const PARSED = new WeakMap<object, Map<string, ParsedAddress>>();

function parseAddressUncached(raw: string, opts: AddressOptions): ParsedAddress {
  const regions = regionIndexOf(opts);
  const normalised = normaliseAddressText(raw);
  let s = normalised.replace(/[(（][^)）]*[)）]/gu, '').replace(/[^\p{L}\p{N}\-#/&+]+/gu, '');
  const stripped = regions.stripLeading(s, { keepAtLeast: 1 });
  s = stripped.rest;
  s = s.replace(OFFSET, W.nearWord);
  const approximate = APPROXIMATE.test(s);
  APPROXIMATE.lastIndex = 0;
  s = s.replace(APPROXIMATE, '');

  let road: string | null = null;
  let number: number | null = null;
  let numberSuffix: number | null = null;
  let intersection: [string, string] | null = null;
  let group: number | null = null;
  let compound: string | null = null;
  let building: number | null = null;
  let unit: number | null = null;
  let room: number | null = null;
  let rest = s;
  const take = (m: RegExpExecArray): void => {
    rest = rest.slice(0, m.index) + ' ' + rest.slice(m.index + m[0].length);
  };

  // the words between a door number and a building number name a compound whatever their suffix
  // (城北街185号楼桃源居4幢): the first number is the door, not a building
  const cad = COMPOUND.test(rest) ? null : P.compoundAfterDoor.exec(rest);
  if (cad) {
    road = cad[1] as string;
    number = Number(cad[2]);
    numberSuffix = cad[3] === undefined ? null : Number(cad[3]);
    compound = cad[4] as string;
    building = Number(cad[5]);
    take(cad);
  }
  const inter = road === null ? INTERSECTION.exec(rest) : null;
  if (road !== null) {
    // taken with its compound above
  } else if (inter) {
    const pair = [inter[1] as string, inter[2] as string].sort(compareStrings) as [string, string];
    intersection = pair;
    take(inter);
  } else {
    const rn = ROAD_NUMBER.exec(rest);
    if (rn) {
      road = rn[1] as string;
      number = Number(rn[2]);
      numberSuffix = rn[3] === undefined ? null : Number(rn[3]);
      take(rn);
    }
  }
  const gm = GROUP.exec(rest);
  if (gm) {
    group = Number(gm[1]);
    if (gm[2] !== undefined && number === null) number = Number(gm[2]);
    take(gm);
  }
  const cm = compound === null ? COMPOUND.exec(rest) : null;
  if (cm) {
    compound = cm[1] as string;
    take(cm);
    // a road then a compound
    const inner = road === null && intersection === null ? ROAD.exec(compound) : null;
    if (inner && chars(compound.slice(inner.index + inner[0].length)).length >= 2) {
      road = inner[1] as string;
      compound = compound.slice(inner.index + inner[0].length);
    }
  }
  const bur = compound !== null ? BUILDING_UNIT_ROOM.exec(rest) : null;
  if (bur) {
    building = Number(bur[1]);
    unit = Number(bur[2]);
    room = Number(bur[3]);
    take(bur);
  }
  const bm = bur || building !== null ? null : BUILDING.exec(rest);
  if (bm) {
    building = Number(bm[1]);
    take(bm);
  }
  const um = UNIT.exec(rest);
  if (um) {
    unit = Number(um[1]);
    rest = rest.slice(0, um.index) + rest.slice(um.index + um[0].length - W.unitWord.length);
  }
  if (!bur && (building !== null || unit !== null || compound !== null)) {
    const rm = ROOM.exec(rest.replace(/\s+/g, ''));
    if (rm) {
      room = Number(rm[1]);
      rest = rest.replace(/\s+/g, '').slice(0, rm.index);
    }
  }
  if (road === null && intersection === null) {
    const r = ROAD.exec(rest);
    if (r) {
      road = r[1] as string;
      take(r);
    }
  }
  rest = rest.replace(P.unitWordAll, '').replace(/[\s\-#/&+]+/gu, '');

  const divisionCode = RegionIndex.deepest(stripped.hits);
  return {
    original: raw,
    normalised,
    regions: stripped.hits,
    divisionCode: divisionCode === null ? null : codeDepth(divisionCode),
    road,
    number,
    numberSuffix,
    intersection,
    group,
    compound,
    building,
    unit,
    room,
    approximate,
    rest,
  };
}

/** Whether two road names name the same road: equal, or one ends with the other. */
function sameRoad(a: string, b: string): boolean {
  if (a === b) return true;
  const [la, lb] = [codePointCount(a), codePointCount(b)];
  const [short, long, ls] = la <= lb ? [a, b, la] : [b, a, lb];
  return ls >= 3 && long.endsWith(short);
}

/** A county has a few hundred road names, compared again for every pair of addresses on them. */
const ROAD_PAIRS = new Map<string, number>();

function roadSimilarity(a: string, b: string): number {
  const key = `${a}\u0000${b}`;
  const hit = ROAD_PAIRS.get(key);
  if (hit !== undefined) return hit;
  let v = 1;
  if (!sameRoad(a, b)) {
    const py = jaroWinklerSeq(pinyinSyllables(a), pinyinSyllables(b));
    v = Math.max(jaroWinkler(a, b), py === 1 ? 0.95 : 0);
  }
  if (ROAD_PAIRS.size >= 50_000) ROAD_PAIRS.clear();
  ROAD_PAIRS.set(key, v);
  return v;
}

function townOf(code: string | null): string | null {
  return code !== null && code.length >= 9 ? code.slice(0, 9) : null;
}

/** The door an address names, as text (road, number and the door word), or null below a door. */
export function doorText(p: ParsedAddress): string | null {
  if (p.road === null || p.number === null) return null;
  return `${p.road}${p.number}${p.numberSuffix !== null ? `-${p.numberSuffix}` : ''}${W.labels.door}`;
}

function describe(p: ParsedAddress): string {
  const parts: string[] = [];
  if (p.intersection) parts.push(`${p.intersection[0]}×${p.intersection[1]}`);
  if (p.road) parts.push(p.road);
  const L = W.labels;
  if (p.group !== null) parts.push(`${p.group}${L.group}`);
  if (p.number !== null) parts.push(`${p.number}${p.numberSuffix !== null ? `-${p.numberSuffix}` : ''}${L.door}`);
  if (p.compound) parts.push(p.compound);
  if (p.building !== null) parts.push(`${p.building}${L.building}`);
  if (p.unit !== null) parts.push(`${p.unit}${L.unit}`);
  if (p.room !== null) parts.push(`${p.room}${L.room}`);
  if (parts.length === 0) parts.push(p.rest || '∅');
  return parts.join('');
}

/**
 * Similarity of two addresses (strings or parsed). Symmetric. Road + number decide when both
 * have them; else intersection, compound, village group; else a Dice comparison of the text.
 * Different towns (from the region prefixes) give 0; "near/opposite" caps at APPROXIMATE_CAP.
 */
/**
 * On a road or in a villagers' group without a compound, a building number is the door plate: a
 * shop's door is written 134栋 as often as 134号 (the plate of a street-front building), so the
 * comparison reads it as the number. Inside a compound it stays a building.
 */
export function buildingAsDoor(p: ParsedAddress): ParsedAddress {
  // the same in a villagers' group: a village has no compounds
  if (p.number !== null || p.compound !== null || (p.road === null && p.group === null) || p.building === null) return p;
  return { ...p, number: p.building, building: null };
}

export function addressSimilarity(a: ParsedAddress | string, b: ParsedAddress | string, opts: AddressOptions = {}): AddressSimilarity {
  // parsed addresses are shared by their text (parseAddress remembers them) and many reports give
  // the same few doors: remember each ordered pair's answer, a function of the two parsed addresses
  if (typeof a === 'string' || typeof b === 'string') return addressSimilarityUncached(a, b, opts);
  return PAIRS.get(a, b, () => addressSimilarityUncached(a, b, opts));
}

const PAIRS = new PairMemo<ParsedAddress, ParsedAddress, AddressSimilarity>(50_000);

function addressSimilarityUncached(a: ParsedAddress | string, b: ParsedAddress | string, opts: AddressOptions): AddressSimilarity {
  const pa = buildingAsDoor(typeof a === 'string' ? parseAddress(a, opts) : a);
  const pb = buildingAsDoor(typeof b === 'string' ? parseAddress(b, opts) : b);
  // Work on a fixed order so that the result does not depend on argument order.
  const [x, y] = compareStrings(pa.normalised, pb.normalised) <= 0 ? [pa, pb] : [pb, pa];
  const head = `${describe(x)} ~ ${describe(y)}`;
  const result = (score: number, rule: AddressRule, why: string): AddressSimilarity => {
    let s = score;
    const notes = [why];
    if (s > APPROXIMATE_CAP && (x.approximate || y.approximate)) {
      s = APPROXIMATE_CAP;
      notes.push(`approximate ("near/opposite") capped at ${APPROXIMATE_CAP}`);
    }
    if (x.divisionCode && y.divisionCode && x.divisionCode.length === 12 && y.divisionCode.length === 12 && x.divisionCode !== y.divisionCode && rule !== 'different-town') {
      s *= DIFFERENT_VILLAGE_FACTOR;
      notes.push(`different villages ${x.divisionCode} / ${y.divisionCode} ×${DIFFERENT_VILLAGE_FACTOR}`);
    }
    s = round4(s);
    return { score: s, rule, explanation: `address ${s} [${rule}]: ${head}; ${notes.join('; ')}` };
  };

  if (x.normalised === '' || y.normalised === '') return { score: 0, rule: 'empty', explanation: 'address: one side is empty' };
  const tx = townOf(x.divisionCode);
  const ty = townOf(y.divisionCode);
  if (tx && ty && tx !== ty) return result(0, 'different-town', `towns differ (${tx} vs ${ty})`);

  // Road + number on both sides.
  if (x.road && y.road && x.number !== null && y.number !== null) {
    const rs = roadSimilarity(x.road, y.road);
    if (rs < ROAD_TYPO_SIMILARITY) return result(ADDRESS_SCORES.differentRoad, 'different-road', `roads differ (${x.road} / ${y.road})`);
    const f = rs === 1 ? 1 : ROAD_TYPO_FACTOR;
    const roadNote = rs === 1 ? 'same road' : `road spelled differently (${x.road} / ${y.road}) ×${ROAD_TYPO_FACTOR}`;
    if (x.number === y.number) {
      const subDiffers =
        (x.numberSuffix !== null && y.numberSuffix !== null && x.numberSuffix !== y.numberSuffix) ||
        (x.building !== null && y.building !== null && x.building !== y.building) ||
        (x.unit !== null && y.unit !== null && x.unit !== y.unit) ||
        (x.room !== null && y.room !== null && x.room !== y.room);
      if (subDiffers) return result(ADDRESS_SCORES.sameRoomDifferentUnit * f, 'same-number', `${roadNote}, same number, different sub-unit`);
      return result(ADDRESS_SCORES.sameNumber * f, 'same-number', `${roadNote}, same number`);
    }
    if (Math.abs(x.number - y.number) <= ADJACENT_NUMBER_DELTA) {
      return result(ADDRESS_SCORES.adjacentNumber * f, 'adjacent-number', `${roadNote}, numbers ${x.number} and ${y.number} are next door`);
    }
    return result(ADDRESS_SCORES.sameRoadOtherNumber * f, 'same-road-other-number', `${roadNote}, numbers ${x.number} and ${y.number}`);
  }

  // Intersections.
  if (x.intersection && y.intersection) {
    const same = x.intersection.every((r, i) => sameRoad(r, (y.intersection as readonly [string, string])[i] as string));
    if (same) return result(ADDRESS_SCORES.sameIntersection, 'same-intersection', 'same intersection');
    // two crossings: on no common road they are two places; on one common road, two points of it
    const common = x.intersection.filter((r) => (y.intersection as readonly string[]).some((q) => sameRoad(r, q)));
    if (common.length === 0) return result(ADDRESS_SCORES.differentRoad, 'different-road', `crossings of other roads (${x.intersection.join('×')} / ${y.intersection.join('×')})`);
    return result(ADDRESS_SCORES.sameRoadOtherNumber, 'same-road-other-number', `two crossings of ${common[0]}`);
  }
  const xi = x.intersection;
  const yi = y.intersection;
  if ((xi && y.road && xi.some((r) => sameRoad(r, y.road as string))) || (yi && x.road && yi.some((r) => sameRoad(r, x.road as string)))) {
    return result(ADDRESS_SCORES.intersectionRoad, 'intersection-road', 'one side is an intersection on the other side\'s road');
  }

  // Compounds.
  if (x.compound && y.compound) {
    const cs = Math.max(jaroWinkler(x.compound, y.compound), dice(x.compound, y.compound));
    if (cs >= 0.85) {
      const known = (k: 'building' | 'unit' | 'room'): boolean => x[k] !== null && y[k] !== null;
      const differs = (['building', 'unit', 'room'] as const).some((k) => known(k) && x[k] !== y[k]);
      const allSame = (['building', 'unit', 'room'] as const).every((k) => !known(k) || x[k] === y[k]) && known('building');
      if (differs) return result(ADDRESS_SCORES.sameCompoundOtherUnit, 'same-compound-other-unit', `same compound ${x.compound}, different building/unit/room`);
      if (allSame) return result(ADDRESS_SCORES.sameCompoundUnit, 'same-compound-unit', `same compound ${x.compound}, same building`);
      return result(ADDRESS_SCORES.sameCompound, 'same-compound', `same compound ${x.compound}`);
    }
    if (!(x.road && y.road)) return result(ADDRESS_SCORES.differentCompound, 'different-compound', `compounds differ (${x.compound} / ${y.compound})`);
  }

  // Village groups. A group belongs to its village: group 4 of two villages are two places.
  const vx = x.divisionCode !== null && x.divisionCode.length === 12 ? x.divisionCode : null;
  const vy = y.divisionCode !== null && y.divisionCode.length === 12 ? y.divisionCode : null;
  if (x.group !== null && y.group !== null && vx !== null && vy !== null && vx !== vy) {
    return result(ADDRESS_SCORES.differentRoad, 'different-road', `groups of different villages (${vx} / ${vy})`);
  }
  if (x.group !== null && y.group !== null && x.group === y.group) {
    if (x.number !== null && x.number === y.number) return result(ADDRESS_SCORES.sameGroupNumber, 'same-group-number', `same group ${x.group}, same number`);
    return result(ADDRESS_SCORES.sameGroup, 'same-group', `same group ${x.group}`);
  }

  // Road on both, number on at most one side.
  if (x.road && y.road) {
    const rs = roadSimilarity(x.road, y.road);
    if (rs >= ROAD_TYPO_SIMILARITY) return result(ADDRESS_SCORES.sameRoad * (rs === 1 ? 1 : ROAD_TYPO_FACTOR), 'same-road', 'same road, number on one side only');
    return result(ADDRESS_SCORES.differentRoad, 'different-road', `roads differ (${x.road} / ${y.road})`);
  }

  // Text fallback.
  const tA = `${x.road ?? ''}${x.compound ?? ''}${x.rest}`;
  const tB = `${y.road ?? ''}${y.compound ?? ''}${y.rest}`;
  const d = dice(tA, tB);
  return result(d * ADDRESS_SCORES.textFactor, 'text', `no common structure; text Dice ${d} ×${ADDRESS_SCORES.textFactor}`);
}

/** The best similarity between any address of one side and any of the other. */
export function bestAddressSimilarity(
  as: readonly (ParsedAddress | string)[],
  bs: readonly (ParsedAddress | string)[],
  opts: AddressOptions = {},
): (AddressSimilarity & { readonly pair: readonly [string, string] }) | null {
  let best: (AddressSimilarity & { pair: readonly [string, string] }) | null = null;
  const pa = as.map((x) => (typeof x === 'string' ? parseAddress(x, opts) : x));
  const pb = bs.map((x) => (typeof x === 'string' ? parseAddress(x, opts) : x));
  for (const x of pa) {
    for (const y of pb) {
      const s = addressSimilarity(x, y, opts);
      const pair = [x.original, y.original] as const;
      const key = `${pair[0]}\u0000${pair[1]}`;
      if (best === null || s.score > best.score || (s.score === best.score && compareStrings(key, `${best.pair[0]}\u0000${best.pair[1]}`) < 0)) {
        best = { ...s, pair };
      }
    }
  }
  return best;
}
