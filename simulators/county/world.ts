/**
 * The world model of a made-up county (its frame from the county profile, COUNTY_PROFILE): towns, villages and communities with statistical codes, grids
 * with polygons, roads with door numbers, residential compounds, residents, grid workers, places and
 * the enterprises and individual businesses behind them. Built from a seed; the same seed gives the
 * same world. Everything here is synthetic.
 */
import { countyProfile } from '../../core/county-profile.js';
import { COUNTY, NAMED_TOWNS, VILLAGES as NAMED_VILLAGES } from '../shared/county.js';
import { distanceMetres, lerp, offsetMetres, pointInRing, rect, type Point, type Ring } from './geo.js';
import { makeMobile, makeResidentId, makeUscc } from './ids.js';
import {
  COMMUNITY_NAMES,
  COMPANY_INDUSTRIES,
  COMPOUND_NAMES,
  COMPOUND_SUFFIXES,
  COOPERATIVE_TRADES,
  CUN_NAMES,
  ENTERTAINMENT_INDUSTRIES,
  FACTORY_INDUSTRIES,
  GACHA_NAMES,
  GIVEN,
  MONGOLIAN_NAMES,
  RESTAURANT_INDUSTRIES,
  ROAD_PREFIXES,
  ROAD_SUFFIXES,
  SHOP_INDUSTRIES,
  SURNAMES,
  TRADE_NAMES,
  WORKSITE_PROJECTS,
  type IndustrySpec,
} from './names.js';
import { Rng } from './random.js';
import { registeredAddress as registeredAddressOf } from './wording.js';

export type TownKind = '街道' | '镇' | '乡' | '苏木';
export type VillageKind = '社区' | '村' | '嘎查';

export interface Town {
  code: string; // 9 digits
  name: string;
  /** Without 镇/街道/苏木/乡: 锡尼 */
  shortName: string;
  kind: TownKind;
  center: Point;
  polygon: Ring;
  villageCodes: string[];
}

export interface Road {
  id: string;
  name: string;
  villageCode: string;
  /** A named road (社区) or a villagers' group lane (村/嘎查: 3组, 2社). */
  kind: 'road' | 'group';
  a: Point;
  b: Point;
  maxNo: number;
}

export interface Compound {
  name: string;
  roadId: string;
  doorNo: number;
  buildings: number;
  location: Point;
}

export interface Village {
  code: string; // 12 digits
  name: string;
  kind: VillageKind;
  townCode: string;
  townName: string;
  polygon: Ring;
  center: Point;
  gridCodes: string[];
  roads: Road[];
  compounds: Compound[];
}

export interface GridWorker {
  id: string;
  residentId: string;
  name: string;
  mobile: string;
  gridCode: string;
  deviceId: string;
  deviceModel: string;
  /** This device's app writes latitude into the longitude field and vice versa. */
  swapsLatLng: boolean;
}

export interface Grid {
  code: string; // 15 digits: village code + 3-digit serial
  name: string;
  villageCode: string;
  townCode: string;
  polygon: Ring;
  workerIds: string[];
}

export interface Resident {
  id: string;
  name: string;
  idNumber: string;
  mobile: string;
  male: boolean;
  birth: string; // yyyy-MM-dd
  villageCode: string;
}

export interface Address {
  town: string;
  village: string;
  villageKind: VillageKind;
  road: string;
  roadKind: 'road' | 'group';
  doorNo: number;
  compound?: string;
  building?: number;
  unit?: number;
  room?: number;
}

export type PlaceKind = 'restaurant' | 'shop' | 'entertainment' | 'market' | 'factory' | 'worksite' | 'gas_station' | 'farmland' | 'residence';

export interface Place {
  id: string;
  kind: PlaceKind;
  /** What the place is called on its sign or by neighbours. */
  name: string;
  villageCode: string;
  townCode: string;
  gridCode: string;
  roadId: string;
  address: Address;
  location: Point;
  subjectId: string | null;
  /** Owner or contractor (residences, farmland plots). */
  residentId: string | null;
  industry: IndustrySpec | null;
  /** Farmland plots: area in mu and land type. */
  areaMu?: number;
  landType?: string;
}

export type SubjectKind = 'enterprise' | 'individual_business' | 'cooperative' | 'unregistered';

export interface Subject {
  id: string;
  kind: SubjectKind;
  uscc: string | null;
  /** Market-registry internal id (主体身份代码); null for unregistered operators. */
  pripid: string | null;
  /** Registered name (or, unregistered, what the sign says). */
  name: string;
  formerNames: string[];
  tradeName: string;
  /** 烧烤, 商贸 … */
  industryWord: string;
  /** 老王烧烤, 鑫源商贸: what people call it. */
  shortName: string;
  /** 王记烧烤(锡尼店): the shop sign, when it differs. */
  signName: string | null;
  legalForm: string;
  marketType: string;
  repResidentId: string;
  /** Registered address (住所/经营场所) as in the registry. */
  address: string;
  townCode: string;
  villageCode: string;
  placeIds: string[];
  established: string; // yyyy-MM-dd
  approved: string; // yyyy-MM-dd, last registry change
  status: string;
  capital: number; // 万元
  scope: string;
  phone: string;
}

export interface World {
  seed: number;
  scale: number;
  county: { code: string; name: string; bbox: readonly [number, number, number, number]; prefecture: string; prefectureCode: string; province: string; provinceShort: string; provinceCode: string };
  towns: Town[];
  villages: Village[];
  grids: Grid[];
  residents: Resident[];
  workers: GridWorker[];
  places: Place[];
  subjects: Subject[];
  townByCode: Map<string, Town>;
  villageByCode: Map<string, Village>;
  gridByCode: Map<string, Grid>;
  roadById: Map<string, Road>;
  placeById: Map<string, Place>;
  subjectById: Map<string, Subject>;
  residentById: Map<string, Resident>;
  workerById: Map<string, GridWorker>;
  placesByKind: Map<PlaceKind, Place[]>;
  /** Places of a kind per village, for picking neighbours. */
  placesByVillageKind: Map<string, Place[]>;
  usedUscc: Set<string>;
  usedIds: Set<string>;
  /** Registered and sign names in use (names are unique in the county). */
  usedNames: Set<string>;
}

interface TownPlan {
  code: string;
  name: string;
  kind: TownKind;
  lng: number;
  lat: number;
  cols: number;
  rows: number;
  /** How many villages of the lattice are 社区 (the rest are 村/嘎查). */
  communities: number;
  rural: '村' | '嘎查' | 'mixed';
  cellLat: number;
}

const CELL_LNG = 0.03;

/**
 * The county's towns, from its profile. The towns whose villages the profile names keep those
 * villages' codes (simulators/shared/county.ts); the lattice of each is laid out so that those
 * village centres fall in their own village.
 */
const TOWN_PLANS: TownPlan[] = countyProfile().towns.map((t) => ({ code: t.code, name: t.name, kind: t.kind, lng: t.centre[0], lat: t.centre[1], ...t.layout }));

const PLACE_COUNTS: Record<Exclude<PlaceKind, 'farmland' | 'residence'>, number> & { farmland: number; residence: number } = {
  restaurant: 2400,
  shop: 4200,
  entertainment: 300,
  market: 20,
  factory: 500,
  worksite: 300,
  gas_station: 40,
  farmland: 4000,
  residence: 6000,
};

const DEVICE_MODELS: Array<[string, boolean, number]> = [
  ['华为 MatePad 11 (网格通 v3.2)', false, 40],
  ['海信 政务通 F30 (网格通 v3.2)', false, 25],
  ['PDA-X3 三防终端 (网格通 v2.8)', false, 20],
  ['GW-200 (网格通 v1.0.3)', true, 6],
];

const shortTown = (name: string): string => name.replace(/(街道|苏木|镇|乡)$/, '');

function personName(rng: Rng): string {
  if (rng.chance(countyProfile().simulation.minorityNameShare)) return rng.pick(MONGOLIAN_NAMES);
  return rng.pick(SURNAMES) + rng.pick(GIVEN);
}

/** Births 1950–2004 as yyyy-MM-dd. */
function birthDate(rng: Rng): string {
  const y = rng.int(1950, 2004);
  const m = rng.int(1, 12);
  const d = rng.int(1, 28);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Where residents' identity numbers were issued (an ID keeps a retired code for life). */
const ID_ADDRESS_CODES: Array<[string, number]> = countyProfile().simulation.residentIdAreas.map(([code, weight]) => [code, weight]);

function dateStr(y: number, m: number, d: number): string {
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export interface WorldOptions {
  seed: number;
  /** Multiplies places, subjects and residents (divisions and grids stay as they are). */
  scale?: number;
  /** Registry dates fall before this day (yyyy-MM-dd). */
  before?: string;
}

export function buildWorld(opts: WorldOptions): World {
  const seed = opts.seed;
  const scale = opts.scale ?? 1;
  const before = opts.before ?? '2026-03-01';
  const beforeYear = Number(before.slice(0, 4));
  const w: World = {
    seed,
    scale,
    county: {
      code: COUNTY.code,
      name: COUNTY.name,
      bbox: COUNTY.bbox,
      prefecture: COUNTY.prefecture.name,
      prefectureCode: COUNTY.prefecture.code,
      province: COUNTY.province.name,
      provinceShort: COUNTY.province.shortName,
      provinceCode: COUNTY.province.code,
    },
    towns: [],
    villages: [],
    grids: [],
    residents: [],
    workers: [],
    places: [],
    subjects: [],
    townByCode: new Map(),
    villageByCode: new Map(),
    gridByCode: new Map(),
    roadById: new Map(),
    placeById: new Map(),
    subjectById: new Map(),
    residentById: new Map(),
    workerById: new Map(),
    placesByKind: new Map(),
    placesByVillageKind: new Map(),
    usedUscc: new Set(),
    usedIds: new Set(),
    usedNames: new Set(),
  };

  buildDivisions(w, Rng.derive(seed, 'divisions'));
  buildResidents(w, Rng.derive(seed, 'residents'), Math.max(400, Math.round(20_000 * scale)));
  buildWorkers(w, Rng.derive(seed, 'workers'));
  buildPlacesAndSubjects(w, Rng.derive(seed, 'places'), scale, beforeYear, before);
  return w;
}

// ---------------------------------------------------------------------------------------------
// Divisions, grids, roads

function buildDivisions(w: World, rng: Rng): void {
  const usedVillageNames = new Set(NAMED_VILLAGES.map((v) => v.name));
  const usedRoadNames = new Map<string, Set<string>>();
  for (const plan of TOWN_PLANS) {
    const legacy = NAMED_TOWNS.find(([code]) => code === plan.code);
    const legacyVillages = NAMED_VILLAGES.filter((v) => v.townCode === plan.code);
    const minLng = plan.lng - 1.5 * CELL_LNG;
    const minLat = plan.lat - plan.cellLat / 2;
    const town: Town = {
      code: plan.code,
      name: legacy ? legacy[1] : plan.name,
      shortName: shortTown(plan.name),
      kind: plan.kind,
      center: [plan.lng, plan.lat],
      polygon: rect(minLng, minLat, minLng + plan.cols * CELL_LNG, minLat + plan.rows * plan.cellLat),
      villageCodes: [],
    };
    w.towns.push(town);
    w.townByCode.set(town.code, town);
    usedRoadNames.set(town.code, new Set());

    const total = plan.cols * plan.rows;
    let nextCommunity = Math.max(0, ...legacyVillages.filter((v) => v.name.endsWith('社区')).map((v) => Number(v.code.slice(9)))) + 1;
    let nextRural = Math.max(200, ...legacyVillages.filter((v) => !v.name.endsWith('社区')).map((v) => Number(v.code.slice(9)))) + 1;
    const legacyCommunities = legacyVillages.filter((v) => v.name.endsWith('社区')).length;
    let communitiesLeft = plan.communities - legacyCommunities;
    for (let i = 0; i < total; i++) {
      const col = i % plan.cols;
      const row = Math.floor(i / plan.cols);
      const cell = rect(minLng + col * CELL_LNG, minLat + row * plan.cellLat, minLng + (col + 1) * CELL_LNG, minLat + (row + 1) * plan.cellLat);
      const old = row === 0 ? legacyVillages[col] : undefined;
      let code: string;
      let name: string;
      let kind: VillageKind;
      if (old) {
        code = old.code;
        name = old.name;
        kind = name.endsWith('社区') ? '社区' : name.endsWith('嘎查') ? '嘎查' : '村';
      } else {
        // communities first (nearest the town centre), then villages
        const community = communitiesLeft > 0;
        if (community) {
          communitiesLeft -= 1;
          kind = '社区';
          code = `${plan.code}${String(nextCommunity++).padStart(3, '0')}`;
          name = uniqueName(rng, usedVillageNames, COMMUNITY_NAMES, '社区', town.shortName);
        } else {
          kind = plan.rural === 'mixed' ? (rng.chance(0.5) ? '嘎查' : '村') : plan.rural;
          code = `${plan.code}${String(nextRural++).padStart(3, '0')}`;
          name = uniqueName(rng, usedVillageNames, kind === '嘎查' ? GACHA_NAMES : CUN_NAMES, kind, town.shortName);
        }
      }
      const [x0, y0] = cell[0] as Point;
      const [x1, y1] = cell[2] as Point;
      const village: Village = {
        code,
        name,
        kind,
        townCode: town.code,
        townName: town.name,
        polygon: cell,
        center: [(x0 + x1) / 2, (y0 + y1) / 2],
        gridCodes: [],
        roads: [],
        compounds: [],
      };
      town.villageCodes.push(code);
      w.villages.push(village);
      w.villageByCode.set(code, village);
      buildGrids(w, rng, village, [x0, y0, x1, y1]);
      buildRoads(w, rng, village, [x0, y0, x1, y1], usedRoadNames.get(town.code) as Set<string>);
    }
  }
}

function uniqueName(rng: Rng, used: Set<string>, pool: string[], suffix: string, townShort: string): string {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = attempt < 60 ? rng.pick(pool) : `${rng.pick(pool)}${rng.pick(['东', '西', '南', '北', '新', '前', '后'])}`;
    const name = `${base}${suffix}`;
    if (!used.has(name)) {
      used.add(name);
      return name;
    }
  }
  const name = `${townShort}${rng.pick(pool)}${rng.int(2, 9)}${suffix}`;
  used.add(name);
  return name;
}

const COMMUNITY_LATTICES: Array<[[number, number], number]> = [
  [[2, 2], 3],
  [[3, 2], 4],
  [[2, 3], 3],
  [[4, 2], 2],
  [[3, 3], 1],
];
const RURAL_LATTICES: Array<[[number, number], number]> = [
  [[1, 1], 3],
  [[2, 1], 4],
  [[1, 2], 3],
  [[3, 1], 1],
  [[2, 2], 1],
];

/**
 * Grids tile the village: a gx × gy lattice whose inner nodes are jittered (boundary nodes only
 * along their edge), so grids are simple quads that share edges, never overlap and stay inside.
 */
function buildGrids(w: World, rng: Rng, v: Village, [x0, y0, x1, y1]: [number, number, number, number]): void {
  const [gx, gy] = rng.weighted(v.kind === '社区' ? COMMUNITY_LATTICES : RURAL_LATTICES);
  const dx = (x1 - x0) / gx;
  const dy = (y1 - y0) / gy;
  const nodes: Point[][] = [];
  for (let i = 0; i <= gx; i++) {
    const column: Point[] = [];
    for (let j = 0; j <= gy; j++) {
      let x = x0 + i * dx;
      let y = y0 + j * dy;
      const innerX = i > 0 && i < gx;
      const innerY = j > 0 && j < gy;
      if (innerX) x += rng.float(-0.25, 0.25) * dx;
      if (innerY) y += rng.float(-0.25, 0.25) * dy;
      if (i === 0) x = x0;
      if (i === gx) x = x1;
      if (j === 0) y = y0;
      if (j === gy) y = y1;
      column.push([x, y]);
    }
    nodes.push(column);
  }
  let serial = 0;
  for (let j = 0; j < gy; j++) {
    for (let i = 0; i < gx; i++) {
      serial += 1;
      const code = `${v.code}${String(serial).padStart(3, '0')}`;
      const n = (a: number, b: number): Point => (nodes[a] as Point[])[b] as Point;
      const grid: Grid = {
        code,
        name: `${v.name}第${serial}网格`,
        villageCode: v.code,
        townCode: v.townCode,
        polygon: [n(i, j), n(i + 1, j), n(i + 1, j + 1), n(i, j + 1)],
        workerIds: [],
      };
      v.gridCodes.push(code);
      w.grids.push(grid);
      w.gridByCode.set(code, grid);
    }
  }
}

function buildRoads(w: World, rng: Rng, v: Village, [x0, y0, x1, y1]: [number, number, number, number], usedNames: Set<string>): void {
  const community = v.kind === '社区';
  const count = community ? rng.int(4, 6) : rng.int(3, 6);
  const inset = 0.03;
  for (let k = 0; k < count; k++) {
    const horizontal = community ? k % 2 === 0 : true;
    const t = (k + 1) / (count + 1) + rng.float(-0.04, 0.04);
    let a: Point;
    let b: Point;
    if (horizontal) {
      const y = y0 + (y1 - y0) * (community ? (Math.floor(k / 2) + 1) / (Math.ceil(count / 2) + 1) : t);
      a = [x0 + (x1 - x0) * inset, y];
      b = [x1 - (x1 - x0) * inset, y];
    } else {
      const x = x0 + (x1 - x0) * ((Math.floor(k / 2) + 1) / (Math.floor(count / 2) + 1));
      a = [x, y0 + (y1 - y0) * inset];
      b = [x, y1 - (y1 - y0) * inset];
    }
    let name: string;
    if (community) {
      do name = `${rng.pick(ROAD_PREFIXES)}${rng.pick(ROAD_SUFFIXES)}`;
      while (usedNames.has(name));
      usedNames.add(name);
    } else {
      name = `${k + 1}${v.kind === '嘎查' ? '社' : '组'}`;
    }
    const road: Road = {
      id: `${v.code}-R${k + 1}`,
      name,
      villageCode: v.code,
      kind: community ? 'road' : 'group',
      a,
      b,
      maxNo: community ? rng.int(120, 360) : rng.int(40, 120),
    };
    v.roads.push(road);
    w.roadById.set(road.id, road);
  }
  if (community) {
    const n = rng.int(2, 4);
    const usedCompounds = new Set<string>();
    for (let k = 0; k < n; k++) {
      let name: string;
      do name = `${rng.pick(COMPOUND_NAMES)}${rng.pick(COMPOUND_SUFFIXES)}`;
      while (usedCompounds.has(name));
      usedCompounds.add(name);
      const road = rng.pick(v.roads);
      const doorNo = rng.int(1, road.maxNo);
      v.compounds.push({ name, roadId: road.id, doorNo, buildings: rng.int(4, 20), location: roadPoint(road, doorNo) });
    }
  }
}

/** Where door number n of a road is: along the road, odd numbers on one side, even on the other. */
export function roadPoint(road: Road, doorNo: number): Point {
  const t = doorNo / (road.maxNo + 1);
  const p = lerp(road.a, road.b, t);
  const side = doorNo % 2 === 1 ? 1 : -1;
  const horizontal = Math.abs(road.a[1] - road.b[1]) < 1e-12;
  return horizontal ? offsetMetres(p, 0, 15 * side) : offsetMetres(p, 15 * side, 0);
}

/** The grid containing a point of a village (the nearest grid centre as a fallback on edges). */
export function gridAt(w: World, villageCode: string, p: Point): string {
  const v = w.villageByCode.get(villageCode);
  if (!v) throw new Error(`no village ${villageCode}`);
  for (const code of v.gridCodes) {
    if (pointInRing(p, (w.gridByCode.get(code) as Grid).polygon)) return code;
  }
  let best = v.gridCodes[0] as string;
  let bestD = Infinity;
  for (const code of v.gridCodes) {
    const g = w.gridByCode.get(code) as Grid;
    const c = g.polygon.reduce<Point>((acc, [x, y]) => [acc[0] + x / 4, acc[1] + y / 4], [0, 0]);
    const d = distanceMetres(c, p);
    if (d < bestD) {
      bestD = d;
      best = code;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// People

function buildResidents(w: World, rng: Rng, count: number): void {
  const villages = w.villages;
  for (let i = 0; i < count; i++) {
    const male = rng.chance(0.5);
    const birth = birthDate(rng);
    const v = rng.pick(villages);
    const r: Resident = {
      id: `RES${String(i + 1).padStart(6, '0')}`,
      name: personName(rng),
      idNumber: makeResidentId(rng, rng.weighted(ID_ADDRESS_CODES), birth, male, w.usedIds),
      mobile: makeMobile(rng),
      male,
      birth,
      villageCode: v.code,
    };
    w.residents.push(r);
    w.residentById.set(r.id, r);
  }
}

function buildWorkers(w: World, rng: Rng): void {
  let n = 0;
  for (const g of w.grids) {
    const count = rng.chance(0.35) ? 2 : 1;
    for (let k = 0; k < count; k++) {
      n += 1;
      const resident = rng.pick(w.residents);
      const [model, swaps] = (() => {
        const m = rng.weighted(DEVICE_MODELS.map(([name, s, weight]) => [[name, s] as const, weight] as const));
        return m;
      })();
      const worker: GridWorker = {
        id: `WGY${g.code.slice(6)}${k + 1}`,
        residentId: resident.id,
        name: resident.name,
        mobile: resident.mobile,
        gridCode: g.code,
        deviceId: `DEV${String(n).padStart(5, '0')}${rng.hex(4).toUpperCase()}`,
        deviceModel: model,
        swapsLatLng: swaps,
      };
      g.workerIds.push(worker.id);
      w.workers.push(worker);
      w.workerById.set(worker.id, worker);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Places and subjects

interface NameParts {
  tradeName: string;
  signName: string | null;
  fromSurname: string | null;
}

function shopTradeName(rng: Rng, owner: Resident): NameParts {
  const surname = MONGOLIAN_NAMES.includes(owner.name) ? null : Array.from(owner.name)[0] ?? null;
  if (surname && rng.chance(0.55)) {
    const trade = rng.weighted<string>([
      [`老${surname}`, 4],
      [`${surname}记`, 3],
      [`${surname}姐`, 1],
      [`小${surname}`, 1],
      [`${surname}家`, 1],
    ]);
    return { tradeName: trade, signName: null, fromSurname: surname };
  }
  return { tradeName: rng.pick(TRADE_NAMES), signName: null, fromSurname: null };
}

const villagePickers = new WeakMap<World, Map<string, { villages: Village[]; cumulative: number[] }>>();

/** A village weighted by kind (communities vs villages); cumulative weights are cached per world. */
function pickVillage(rng: Rng, w: World, urbanWeight: number, ruralWeight: number): Village {
  let cache = villagePickers.get(w);
  if (!cache) villagePickers.set(w, (cache = new Map()));
  const key = `${urbanWeight}|${ruralWeight}`;
  let picker = cache.get(key);
  if (!picker) {
    const cumulative: number[] = [];
    let total = 0;
    for (const v of w.villages) cumulative.push((total += v.kind === '社区' ? urbanWeight : ruralWeight));
    picker = { villages: w.villages, cumulative };
    cache.set(key, picker);
  }
  const r = rng.next() * (picker.cumulative[picker.cumulative.length - 1] as number);
  let lo = 0;
  let hi = picker.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((picker.cumulative[mid] as number) > r) hi = mid;
    else lo = mid + 1;
  }
  return picker.villages[lo] as Village;
}

function registryDates(rng: Rng, beforeYear: number, before: string): { established: string; approved: string } {
  const y = rng.int(2000, beforeYear - 1);
  const established = dateStr(y, rng.int(1, 12), rng.int(1, 28));
  const ay = rng.int(y, beforeYear - 1);
  let approved = dateStr(ay, rng.int(1, 12), rng.int(1, 28));
  if (approved < established) approved = established;
  if (approved >= before) approved = established;
  return { established, approved };
}

function buildPlacesAndSubjects(w: World, rng: Rng, scale: number, beforeYear: number, before: string): void {
  const n = (k: keyof typeof PLACE_COUNTS): number => Math.max(k === 'market' || k === 'gas_station' ? 2 : 5, Math.round(PLACE_COUNTS[k] * scale));
  const usedNames = w.usedNames;
  let placeSeq = 0;
  let subjectSeq = 0;
  const constructionCos: Subject[] = [];

  const addPlace = (p: Omit<Place, 'id' | 'gridCode' | 'townCode'>): Place => {
    placeSeq += 1;
    const v = w.villageByCode.get(p.villageCode) as Village;
    const place: Place = { ...p, id: `PL${String(placeSeq).padStart(6, '0')}`, townCode: v.townCode, gridCode: gridAt(w, v.code, p.location) };
    w.places.push(place);
    w.placeById.set(place.id, place);
    const list = w.placesByKind.get(place.kind) ?? [];
    list.push(place);
    w.placesByKind.set(place.kind, list);
    const key = `${place.villageCode}|${place.kind}`;
    const vl = w.placesByVillageKind.get(key) ?? [];
    vl.push(place);
    w.placesByVillageKind.set(key, vl);
    return place;
  };

  const addSubject = (s: Omit<Subject, 'id' | 'pripid'>): Subject => {
    subjectSeq += 1;
    const subject: Subject = { ...s, id: `SUB${String(subjectSeq).padStart(6, '0')}`, pripid: s.kind === 'unregistered' ? null : `${w.county.code}${rng.hex(20).toUpperCase()}` };
    w.subjects.push(subject);
    w.subjectById.set(subject.id, subject);
    return subject;
  };

  const uniqueOfficial = (make: () => string): string => {
    let name = make();
    for (let i = 0; i < 50 && usedNames.has(name); i++) name = make();
    if (usedNames.has(name)) {
      const base = name;
      for (let k = 2; usedNames.has(name); k++) name = `${base}(${k}店)`;
    }
    usedNames.add(name);
    return name;
  };

  const street = (v: Village): { road: Road; doorNo: number } => {
    const road = rng.pick(v.roads);
    return { road, doorNo: rng.int(1, road.maxNo) };
  };

  const addressOf = (v: Village, road: Road, doorNo: number, extra: Partial<Address> = {}): Address => ({
    town: v.townName,
    village: v.name,
    villageKind: v.kind,
    road: road.name,
    roadKind: road.kind,
    doorNo,
    ...extra,
  });

  const registeredAddress = (a: Address): string => registeredAddressOf(w, a);

  const companyName = (region: string, trade: string, industry: string): { name: string; legalForm: string; marketType: string } => {
    const legalForm = rng.weighted<string>([
      ['有限公司', 80],
      ['有限责任公司', 15],
      ['股份有限公司', 5],
    ]);
    const marketType = legalForm === '股份有限公司' ? '股份有限公司(非上市、自然人投资或控股)' : rng.chance(0.6) ? '有限责任公司(自然人投资或控股)' : '有限责任公司(自然人独资)';
    return { name: `${region}${trade}${industry}${legalForm}`, legalForm, marketType };
  };

  const regionFor = (): { region: string; area: string } =>
    rng.weighted<{ region: string; area: string }>([
      [{ region: w.county.name, area: w.county.code }, 75],
      [{ region: w.county.prefecture, area: w.county.prefectureCode }, 15],
      [{ region: w.county.provinceShort, area: w.county.provinceCode }, 10],
    ]);

  // --- operator subjects for shops, restaurants and entertainment ---------------------------------
  const operatorSubject = (kind: 'restaurant' | 'shop' | 'entertainment', v: Village, industry: IndustrySpec, addr: Address): Subject => {
    const owner = rng.pick(w.residents);
    const town = w.townByCode.get(v.townCode) as Town;
    const roll = rng.next();
    const [pInd, pEnt] = kind === 'entertainment' ? [0.45, 0.5] : kind === 'shop' ? [0.85, 0.1] : [0.8, 0.15];
    const dates = registryDates(rng, beforeYear, before);
    const base = {
      repResidentId: owner.id,
      address: registeredAddress(addr),
      townCode: v.townCode,
      villageCode: v.code,
      placeIds: [] as string[],
      ...dates,
      status: '存续（在营、开业、在册）',
      phone: rng.chance(0.3) ? `0477-${rng.int(6, 8)}${rng.digits(6)}` : owner.mobile,
    };
    if (roll < pInd) {
      const parts = shopTradeName(rng, owner);
      const official = uniqueOfficial(() => `${town.name}${parts.tradeName}${industry.full}`);
      const short = `${parts.tradeName}${industry.core}`;
      const sign = parts.fromSurname && rng.chance(0.5) ? `${parts.fromSurname}记${industry.core}(${town.shortName}店)` : null;
      const former = rng.chance(0.05) ? [`${town.name}${rng.pick(TRADE_NAMES)}${industry.full}`] : [];
      return addSubject({
        ...base,
        kind: 'individual_business',
        uscc: makeUscc(rng, '92', w.county.code, w.usedUscc),
        name: official,
        formerNames: former,
        tradeName: parts.tradeName,
        industryWord: industry.core,
        shortName: short,
        signName: sign,
        legalForm: '',
        marketType: '个体工商户',
        capital: rng.int(1, 50),
        scope: industry.scope,
      });
    }
    if (roll < pInd + pEnt) {
      const trade = rng.pick(TRADE_NAMES);
      const { region, area } = regionFor();
      let legalForm = '';
      let marketType = '';
      const official = uniqueOfficial(() => {
        const c = companyName(region, trade, industry.enterprise);
        legalForm = c.legalForm;
        marketType = c.marketType;
        return c.name;
      });
      const former = rng.chance(0.15) ? [`${region}${rng.pick(TRADE_NAMES)}${industry.enterprise}${legalForm}`] : [];
      return addSubject({
        ...base,
        kind: 'enterprise',
        uscc: makeUscc(rng, '91', area, w.usedUscc, rng.chance(0.15)),
        name: official,
        formerNames: former,
        tradeName: trade,
        industryWord: industry.enterprise,
        shortName: `${trade}${industry.enterprise}`,
        signName: `${trade}${industry.core}(${town.shortName}店)`,
        legalForm,
        marketType,
        capital: rng.pick([10, 30, 50, 100, 200, 500]),
        scope: industry.scope,
      });
    }
    const parts = shopTradeName(rng, owner);
    const signName = rng.chance(0.5) ? `${parts.tradeName}${industry.core}` : `无名${industry.core}${kind === 'restaurant' ? '摊' : '店'}`;
    return addSubject({
      ...base,
      kind: 'unregistered',
      uscc: null,
      name: signName,
      formerNames: [],
      tradeName: parts.tradeName,
      industryWord: industry.core,
      shortName: signName,
      signName: null,
      legalForm: '',
      marketType: '',
      capital: 0,
      scope: '',
      status: '未登记',
    });
  };

  const shopLike = (kind: 'restaurant' | 'shop' | 'entertainment', industries: IndustrySpec[], count: number, urban: number, rural: number): void => {
    for (let i = 0; i < count; i++) {
      const v = pickVillage(rng, w, urban, rural);
      const { road, doorNo } = street(v);
      const industry = rng.pick(industries);
      const address = addressOf(v, road, doorNo);
      const subject = operatorSubject(kind, v, industry, address);
      const place = addPlace({
        kind,
        name: subject.signName ?? subject.shortName,
        villageCode: v.code,
        roadId: road.id,
        address,
        location: roadPoint(road, doorNo),
        subjectId: subject.id,
        residentId: subject.repResidentId,
        industry,
      });
      subject.placeIds.push(place.id);
    }
  };

  shopLike('restaurant', RESTAURANT_INDUSTRIES, n('restaurant'), 4, 1);
  shopLike('shop', SHOP_INDUSTRIES, n('shop'), 4, 1);
  shopLike('entertainment', ENTERTAINMENT_INDUSTRIES, n('entertainment'), 5, 0.3);

  // --- enterprises with premises ---------------------------------------------------------------
  const enterprise = (industry: string, v: Village, addr: Address, extra: Partial<Subject> = {}): Subject => {
    const { region, area } = regionFor();
    const trade = rng.pick(TRADE_NAMES);
    let legalForm = '';
    let marketType = '';
    const official = uniqueOfficial(() => {
      const c = companyName(region, trade, industry);
      legalForm = c.legalForm;
      marketType = c.marketType;
      return c.name;
    });
    const rep = rng.pick(w.residents);
    return addSubject({
      kind: 'enterprise',
      uscc: makeUscc(rng, '91', area, w.usedUscc, rng.chance(0.25)),
      name: official,
      formerNames: rng.chance(0.15) ? [`${region}${rng.pick(TRADE_NAMES)}${industry}${legalForm}`] : [],
      tradeName: trade,
      industryWord: industry,
      shortName: `${trade}${industry}`,
      signName: null,
      legalForm,
      marketType,
      repResidentId: rep.id,
      address: registeredAddress(addr),
      townCode: v.townCode,
      villageCode: v.code,
      placeIds: [],
      ...registryDates(rng, beforeYear, before),
      status: '存续（在营、开业、在册）',
      capital: rng.pick([100, 200, 500, 1000, 2000, 5000]),
      scope: industry,
      phone: rng.chance(0.5) ? `0477-${rng.int(6, 8)}${rng.digits(6)}` : rep.mobile,
      ...extra,
    });
  };

  for (let i = 0; i < n('market'); i++) {
    const v = pickVillage(rng, w, 1, 0);
    const { road, doorNo } = street(v);
    const address = addressOf(v, road, doorNo);
    const s = enterprise('市场管理', v, address);
    s.signName = `${s.tradeName}农贸市场`;
    s.scope = '市场管理服务；农产品批发零售场地出租';
    const place = addPlace({ kind: 'market', name: s.signName, villageCode: v.code, roadId: road.id, address, location: roadPoint(road, doorNo), subjectId: s.id, residentId: s.repResidentId, industry: null });
    s.placeIds.push(place.id);
  }

  for (let i = 0; i < n('factory'); i++) {
    const v = pickVillage(rng, w, 0.2, 1);
    const { road, doorNo } = street(v);
    const industry = rng.pick(FACTORY_INDUSTRIES);
    const address = addressOf(v, road, doorNo);
    const s = enterprise(industry.enterprise, v, address, { scope: industry.scope });
    s.signName = `${s.tradeName}${industry.core}`;
    const place = addPlace({ kind: 'factory', name: s.signName, villageCode: v.code, roadId: road.id, address, location: roadPoint(road, doorNo), subjectId: s.id, residentId: s.repResidentId, industry });
    s.placeIds.push(place.id);
  }

  for (let i = 0; i < Math.max(3, Math.round(150 * scale)); i++) {
    const v = pickVillage(rng, w, 1, 0.2);
    const { road, doorNo } = street(v);
    const s = enterprise(rng.pick(['建筑工程', '建设工程', '建筑安装工程', '市政工程']), v, addressOf(v, road, doorNo), { scope: '房屋建筑工程、市政公用工程施工' });
    constructionCos.push(s);
  }
  for (let i = 0; i < n('worksite'); i++) {
    const v = pickVillage(rng, w, 3, 1);
    const { road, doorNo } = street(v);
    const co = rng.pick(constructionCos);
    const project = `${rng.pick(TRADE_NAMES)}${rng.pick(WORKSITE_PROJECTS)}项目`;
    const place = addPlace({
      kind: 'worksite',
      name: `${project}工地`,
      villageCode: v.code,
      roadId: road.id,
      address: addressOf(v, road, doorNo),
      location: roadPoint(road, doorNo),
      subjectId: co.id,
      residentId: co.repResidentId,
      industry: null,
    });
    co.placeIds.push(place.id);
  }

  for (let i = 0; i < n('gas_station'); i++) {
    const v = pickVillage(rng, w, 1, 1);
    const { road, doorNo } = street(v);
    const address = addressOf(v, road, doorNo);
    const s = enterprise('石油销售', v, address, { scope: '成品油零售；便利店经营' });
    s.signName = `${s.tradeName}加油站`;
    const place = addPlace({ kind: 'gas_station', name: s.signName, villageCode: v.code, roadId: road.id, address, location: roadPoint(road, doorNo), subjectId: s.id, residentId: s.repResidentId, industry: null });
    s.placeIds.push(place.id);
  }

  // --- farmland plots: contracted by households, some by cooperatives ---------------------------
  const cooperatives: Subject[] = [];
  for (let i = 0; i < Math.max(3, Math.round(250 * scale)); i++) {
    const v = pickVillage(rng, w, 0, 1);
    const { road, doorNo } = street(v);
    const rep = rng.pick(w.residents);
    const trade = rng.pick(TRADE_NAMES);
    const what = rng.pick(COOPERATIVE_TRADES);
    const official = uniqueOfficial(() => `${w.county.name}${rng.chance(0.5) ? v.name.replace(/(嘎查|村|社区)$/, '') : trade}${what}专业合作社`);
    const s = addSubject({
      kind: 'cooperative',
      uscc: makeUscc(rng, '93', w.county.code, w.usedUscc),
      name: official,
      formerNames: [],
      tradeName: trade,
      industryWord: what,
      shortName: official.replace(w.county.name, '').replace('专业合作社', '合作社'),
      signName: null,
      legalForm: '专业合作社',
      marketType: '农民专业合作社',
      repResidentId: rep.id,
      address: registeredAddress(addressOf(v, road, doorNo)),
      townCode: v.townCode,
      villageCode: v.code,
      placeIds: [],
      ...registryDates(rng, beforeYear, before),
      status: '存续（在营、开业、在册）',
      capital: rng.pick([10, 50, 100, 300]),
      scope: `${what}；农产品销售`,
      phone: rep.mobile,
    });
    cooperatives.push(s);
  }
  const plotSerial = new Map<string, number>();
  for (let i = 0; i < n('farmland'); i++) {
    const v = pickVillage(rng, w, 0, 1);
    const road = rng.pick(v.roads);
    const doorNo = rng.int(1, road.maxNo);
    // plots lie off the lane, up to ~400 m away
    const [x0, y0] = v.polygon[0] as Point;
    const [x1, y1] = v.polygon[2] as Point;
    const base = roadPoint(road, doorNo);
    let loc = offsetMetres(base, rng.float(-300, 300), rng.float(-400, 400));
    loc = [Math.min(x1 - 1e-4, Math.max(x0 + 1e-4, loc[0])), Math.min(y1 - 1e-4, Math.max(y0 + 1e-4, loc[1]))];
    const serial = (plotSerial.get(road.id) ?? 0) + 1;
    plotSerial.set(road.id, serial);
    const local = cooperatives.filter((c) => c.villageCode === v.code);
    const holder = local.length > 0 && rng.chance(0.3) ? rng.pick(local) : null;
    const resident = rng.pick(w.residents);
    const place = addPlace({
      kind: 'farmland',
      name: `${v.name}${road.name}${serial}号地块`,
      villageCode: v.code,
      roadId: road.id,
      address: addressOf(v, road, doorNo),
      location: loc,
      subjectId: holder?.id ?? null,
      residentId: holder ? holder.repResidentId : resident.id,
      industry: null,
      areaMu: Math.round(rng.float(2, 80) * 10) / 10,
      landType: rng.weighted<string>([
        ['耕地', 55],
        ['永久基本农田', 25],
        ['草地', 15],
        ['林地', 5],
      ]),
    });
    if (holder) holder.placeIds.push(place.id);
  }

  // --- residences: flats in compounds, houses in villages ----------------------------------------
  for (let i = 0; i < n('residence'); i++) {
    const v = pickVillage(rng, w, 2, 1);
    const owner = rng.pick(w.residents);
    if (v.kind === '社区' && v.compounds.length) {
      const c = rng.pick(v.compounds);
      const road = w.roadById.get(c.roadId) as Road;
      const building = rng.int(1, c.buildings);
      const unit = rng.int(1, 4);
      const room = rng.int(1, 18) * 100 + rng.int(1, 4);
      const loc = offsetMetres(c.location, rng.float(-80, 80), rng.float(-80, 80));
      addPlace({
        kind: 'residence',
        name: `${c.name}${building}号楼`,
        villageCode: v.code,
        roadId: road.id,
        address: addressOf(v, road, c.doorNo, { compound: c.name, building, unit, room }),
        location: clampToVillage(loc, v),
        subjectId: null,
        residentId: owner.id,
        industry: null,
      });
    } else {
      const { road, doorNo } = street(v);
      addPlace({
        kind: 'residence',
        name: `${owner.name}家`,
        villageCode: v.code,
        roadId: road.id,
        address: addressOf(v, road, doorNo),
        location: roadPoint(road, doorNo),
        subjectId: null,
        residentId: owner.id,
        industry: null,
      });
    }
  }

  // --- registered companies without premises of their own (registry volume, approvals) -----------
  for (let i = 0; i < Math.round(2000 * scale); i++) {
    const v = pickVillage(rng, w, 3, 1);
    const { road, doorNo } = street(v);
    const s = enterprise(rng.pick(COMPANY_INDUSTRIES), v, addressOf(v, road, doorNo));
    const r = rng.next();
    if (r < 0.04) s.status = '注销';
    else if (r < 0.06) s.status = '吊销，未注销';
  }
}

function clampToVillage(p: Point, v: Village): Point {
  const [x0, y0] = v.polygon[0] as Point;
  const [x1, y1] = v.polygon[2] as Point;
  return [Math.min(x1 - 1e-5, Math.max(x0 + 1e-5, p[0])), Math.min(y1 - 1e-5, Math.max(y0 + 1e-5, p[1]))];
}
