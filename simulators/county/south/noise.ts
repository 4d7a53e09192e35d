/**
 * The second test county's noise model: how its departments write an address, name a shop and place
 * a point. Proportions are per writer and documented in docs/test-county-south.md.
 */
import { chineseNumber, fullWidthBrackets, toFullWidth } from '../variants.js';
import { distanceMetres, offsetMetres, type Point } from '../geo.js';
import type { Rng } from '../random.js';
import type { Address, Place, Subject, Village, World } from '../world.js';
import { initials, traditional } from './world.js';
import { LANDMARK_WORDS, SHAPE_ALIKE, SOUND_ALIKE } from './vocabulary.js';

export type SouthWriter = 'hotline' | 'grid' | 'environment' | 'enforcement' | 'natural_resources' | 'emergency';

interface AddressHabit {
  town: number;
  village: number;
  /** 192号楼 / 192栋 / 192号院 instead of 192号 */
  doorVariant: number;
  landmark: number;
  crossing: number;
  compoundOnly: number;
  groupInWords: number;
  fullWidth: number;
}

const ADDRESS_HABITS: Record<SouthWriter, AddressHabit> = {
  hotline: { town: 0.35, village: 0.25, doorVariant: 0.3, landmark: 0.18, crossing: 0.12, compoundOnly: 0.6, groupInWords: 0.6, fullWidth: 0.06 },
  grid: { town: 0.1, village: 0.6, doorVariant: 0.25, landmark: 0.05, crossing: 0.05, compoundOnly: 0.4, groupInWords: 0.3, fullWidth: 0.02 },
  environment: { town: 0.7, village: 0.2, doorVariant: 0.25, landmark: 0.1, crossing: 0.08, compoundOnly: 0.3, groupInWords: 0.5, fullWidth: 0.04 },
  enforcement: { town: 0.8, village: 0.5, doorVariant: 0.15, landmark: 0.03, crossing: 0.05, compoundOnly: 0.2, groupInWords: 0.2, fullWidth: 0.01 },
  natural_resources: { town: 0.3, village: 1, doorVariant: 0.1, landmark: 0.2, crossing: 0, compoundOnly: 0, groupInWords: 0.5, fullWidth: 0 },
  emergency: { town: 0.7, village: 0.4, doorVariant: 0.2, landmark: 0.02, crossing: 0, compoundOnly: 0.2, groupInWords: 0.3, fullWidth: 0.03 },
};

const shopsByRoad = new WeakMap<World, Map<string, Place[]>>();

/** A named shop on the same road within 120 m of the point (for "xx超市对面"), if any. */
function neighbourShop(w: World, roadId: string, at: Point, self: Place | null): Place | null {
  let index = shopsByRoad.get(w);
  if (!index) {
    index = new Map();
    for (const p of w.places) if (p.kind === 'shop' || p.kind === 'restaurant' || p.kind === 'gas_station' || p.kind === 'market') (index.get(p.roadId) ?? index.set(p.roadId, []).get(p.roadId)!).push(p);
    shopsByRoad.set(w, index);
  }
  for (const p of index.get(roadId) ?? []) if (p !== self && distanceMetres(p.location, at) < 120) return p;
  return null;
}

function door(rng: Rng, n: number, h: AddressHabit): string {
  if (!rng.chance(h.doorVariant)) return rng.chance(0.04) ? `${n}號` : `${n}号`;
  return rng.pick([`${n}号楼`, `${n}栋`, `${n}号院`, `${n}号门面`, `${n}-1号`]);
}

function group(rng: Rng, road: string, h: AddressHabit): string {
  const n = Number.parseInt(road, 10);
  if (!rng.chance(h.groupInWords)) return road;
  return rng.weighted<string>([
    [`${chineseNumber(n)}组`, 5],
    [`第${chineseNumber(n)}村民小组`, 2],
    [`${n}小组`, 1],
  ]);
}

export interface AddressContext {
  w: World;
  village: Village;
  roadId: string;
  at: Point;
  place: Place | null;
}

export function writeSouthAddress(rng: Rng, c: AddressContext, a: Address, writer: SouthWriter): string {
  const h = ADDRESS_HABITS[writer];
  const head = rng.chance(h.town) ? a.town : '';
  let body: string;
  if (a.roadKind === 'group') {
    body = `${a.village}${group(rng, a.road, h)}${rng.chance(0.5) ? door(rng, a.doorNo, h) : ''}`;
  } else {
    const village = rng.chance(h.village) ? a.village : '';
    if (a.compound) {
      const unit = rng.weighted<string>([
        [`${a.building}栋${a.unit}单元`, 4],
        [`${a.building}号楼`, 3],
        [`${a.building}幢${a.unit}单元${a.room}`, 1],
        [`${a.building}栋${a.room}`, 2],
      ]);
      body = rng.chance(h.compoundOnly) ? `${village}${a.compound}${unit}` : `${village}${a.road}${door(rng, a.doorNo, h)}${a.compound}${unit}`;
    } else {
      const r = rng.next();
      const shop = r < h.landmark ? neighbourShop(c.w, c.roadId, c.at, c.place) : null;
      const other = r >= h.landmark && r < h.landmark + h.crossing ? c.village.roads.find((x) => x.kind === 'road' && x.id !== c.roadId) : undefined;
      if (r < h.landmark) body = `${village}${a.road}${shop ? shop.name.replace(/\(.*\)$/, '') : ''}${rng.pick(LANDMARK_WORDS.filter((x) => (shop ? /对面|旁|隔壁/.test(x) : true)))}`;
      else if (other) body = `${village}${a.road}${rng.chance(0.5) ? '与' : ''}${other.name}${rng.pick(['交叉口', '路口', '十字路口'])}`;
      else body = `${village}${a.road}${door(rng, a.doorNo, h)}`;
    }
  }
  let text = head + body;
  if (rng.chance(h.fullWidth)) text = toFullWidth(text);
  return text;
}

interface NameHabit {
  official: number;
  short: number;
  sign: number;
  shape: number;
  sound: number;
  initials: number;
  traditional: number;
}

const NAME_HABITS: Record<SouthWriter, NameHabit> = {
  hotline: { official: 0.05, short: 0.55, sign: 0.4, shape: 0.04, sound: 0.2, initials: 0.05, traditional: 0.02 },
  grid: { official: 0.25, short: 0.4, sign: 0.35, shape: 0.08, sound: 0.08, initials: 0.04, traditional: 0.05 },
  environment: { official: 0.15, short: 0.5, sign: 0.35, shape: 0.05, sound: 0.12, initials: 0.03, traditional: 0.02 },
  enforcement: { official: 0.65, short: 0.15, sign: 0.2, shape: 0.06, sound: 0.03, initials: 0.01, traditional: 0.01 },
  natural_resources: { official: 0.8, short: 0.2, sign: 0, shape: 0.06, sound: 0.03, initials: 0, traditional: 0 },
  emergency: { official: 0.7, short: 0.15, sign: 0.15, shape: 0.1, sound: 0.03, initials: 0.02, traditional: 0.02 },
};

function swapOne(rng: Rng, text: string, table: Record<string, string[]>): string {
  const chars = Array.from(text);
  const at = chars.map((c, i) => (table[c] ? i : -1)).filter((i) => i >= 0);
  if (!at.length) return text;
  const i = rng.pick(at);
  chars[i] = rng.pick(table[chars[i] as string] as string[]);
  return chars.join('');
}

/** The shop or enterprise as this department writes it, with its typing habits. */
export function writeSouthName(rng: Rng, s: Subject, writer: SouthWriter): string {
  const h = NAME_HABITS[writer];
  const choices: Array<[string, number]> = [
    [s.name, h.official],
    [s.shortName, h.short + (s.signName ? 0 : h.sign)],
  ];
  if (s.signName) choices.push([s.signName, h.sign]);
  if (s.formerNames.length) choices.push([s.formerNames[0] as string, 0.03]);
  if (s.kind === 'individual_business') choices.push([s.name.replace(/^.+?(街道|苏木|镇|乡)/, ''), 0.08]);
  if (s.kind === 'enterprise' && s.legalForm) choices.push([s.name.replace(s.legalForm, s.legalForm === '有限公司' ? '有限责任公司' : '有限公司'), 0.04]);
  let name = rng.weighted(choices.filter(([, x]) => x > 0));
  if (rng.chance(h.initials) && s.tradeName && name.includes(s.tradeName)) name = name.replace(s.tradeName, initials(s.tradeName));
  if (rng.chance(h.shape)) name = swapOne(rng, name, SHAPE_ALIKE);
  if (rng.chance(h.sound)) name = swapOne(rng, name, SOUND_ALIKE);
  if (rng.chance(h.traditional)) name = traditional(name);
  if (name.includes('(') && rng.chance(0.5)) name = fullWidthBrackets(name);
  if (/[A-Z]/.test(name) && rng.chance(0.2)) name = rng.chance(0.5) ? name.toLowerCase() : toFullWidth(name);
  return name;
}

export type PositionOrigin = 'gps' | 'geocoded' | 'centroid';

/**
 * Where a record puts the incident: phone/PDA GPS (metres to tens of metres), an address geocoded by
 * the platform (60–150 m off, mostly along the road), or the village centroid (hundreds of metres).
 */
export function position(rng: Rng, truth: Point, village: Village, origin: PositionOrigin, gpsSigma = 15): Point {
  switch (origin) {
    case 'gps':
      return offsetMetres(truth, rng.normal() * gpsSigma, rng.normal() * gpsSigma);
    case 'geocoded': {
      const d = rng.float(60, 150);
      const angle = rng.float(0, 2 * Math.PI);
      return offsetMetres(truth, d * Math.cos(angle), d * Math.sin(angle));
    }
    case 'centroid':
      return village.center;
  }
}
