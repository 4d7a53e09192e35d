/**
 * The world of the second test county ("south" profile). The county frame — statistical codes, towns,
 * village and grid geometry, road lines, places and who owns what — is the deployment's (the adapters
 * are configured with these towns and this bounding box, as a real county's would be with its own).
 * Everything the merge engine has to see through is replaced with a southern vocabulary of its own:
 * village and community names, rural villages as 村 with villagers' groups (三组), road and compound
 * names, people, shop words, trades, shop signs (陈记烧腊, 陳記燒臘, CJ烧腊), company and cooperative
 * names, and the registered addresses that follow from them.
 */
import { pinyin } from 'pinyin-pro';
import { registeredAddress } from '../wording.js';
import type { IndustrySpec } from '../names.js';
import { Rng } from '../random.js';
import { buildWorld, type Place, type PlaceKind, type Road, type Subject, type Village, type World, type WorldOptions } from '../world.js';
import {
  SOUTH_COMMUNITIES,
  SOUTH_COMPANY_INDUSTRIES,
  SOUTH_COMPOUNDS,
  SOUTH_COOPERATIVES,
  SOUTH_ENTERTAINMENT,
  SOUTH_FACTORIES,
  SOUTH_GIVEN,
  SOUTH_PROJECTS,
  SOUTH_RESTAURANTS,
  SOUTH_ROAD_SUFFIXES,
  SOUTH_ROAD_WORDS,
  SOUTH_SHOPS,
  SOUTH_SURNAMES,
  SOUTH_TRADES,
  SOUTH_VILLAGES,
  TRADITIONAL,
} from './vocabulary.js';

const INDUSTRIES: Partial<Record<PlaceKind, IndustrySpec[]>> = {
  restaurant: SOUTH_RESTAURANTS,
  shop: SOUTH_SHOPS,
  entertainment: SOUTH_ENTERTAINMENT,
  factory: SOUTH_FACTORIES,
};

/** Pinyin initials, upper-case: 陈记 → CJ. */
export function initials(text: string): string {
  return pinyin(text, { pattern: 'first', toneType: 'none', type: 'array' }).join('').toUpperCase();
}

/** Traditional characters where the table has them: 陈记烧腊 → 陳記燒臘. */
export function traditional(text: string): string {
  return Array.from(text, (c) => TRADITIONAL[c] ?? c).join('');
}

export function buildSouthWorld(opts: WorldOptions): World {
  const w = buildWorld(opts);
  const rng = Rng.derive(opts.seed, 'south-vocabulary');
  renameDivisions(w, rng);
  renamePeople(w, rng);
  renamePlacesAndSubjects(w, rng);
  return w;
}

function unique(rng: Rng, used: Set<string>, make: () => string): string {
  let name = make();
  for (let i = 0; i < 60 && used.has(name); i++) name = make();
  for (let k = 2; used.has(name); k++) name = `${make()}${k}`;
  used.add(name);
  return name;
}

function renameDivisions(w: World, rng: Rng): void {
  const usedVillages = new Set<string>();
  for (const town of w.towns) {
    const usedRoads = new Set<string>();
    for (const code of town.villageCodes) {
      const v = w.villageByCode.get(code) as Village;
      if (v.kind === '社区') {
        v.name = `${unique(rng, usedVillages, () => rng.pick(SOUTH_COMMUNITIES) + (rng.chance(0.3) ? rng.pick(['东', '西', '新', '老']) : ''))}社区`;
      } else {
        v.kind = '村';
        v.name = `${unique(rng, usedVillages, () => rng.pick(SOUTH_VILLAGES) + (rng.chance(0.25) ? rng.pick(['上', '下', '新']) : ''))}村`;
      }
      v.townName = town.name;
      v.roads.forEach((r, k) => {
        r.name = r.kind === 'group' ? `${k + 1}组` : unique(rng, usedRoads, () => `${rng.pick(SOUTH_ROAD_WORDS)}${rng.pick(SOUTH_ROAD_SUFFIXES)}`);
      });
      const usedCompounds = new Set<string>();
      for (const c of v.compounds) c.name = unique(rng, usedCompounds, () => rng.pick(SOUTH_COMPOUNDS));
      v.gridCodes.forEach((g, i) => {
        const grid = w.gridByCode.get(g);
        if (grid) grid.name = `${v.name}第${i + 1}网格`;
      });
    }
  }
}

function renamePeople(w: World, rng: Rng): void {
  for (const r of w.residents) r.name = rng.pick(SOUTH_SURNAMES) + rng.pick(SOUTH_GIVEN);
  for (const g of w.workers) g.name = w.residentById.get(g.residentId)?.name ?? g.name;
}

/** A place's address follows its village, road and compound (renamed above). */
function readdress(w: World, p: Place): void {
  const v = w.villageByCode.get(p.villageCode) as Village;
  const road = w.roadById.get(p.roadId) as Road;
  p.address.town = v.townName;
  p.address.village = v.name;
  p.address.villageKind = v.kind;
  p.address.road = road.name;
  if (p.address.compound) {
    const c = v.compounds.find((x) => x.roadId === road.id && x.doorNo === p.address.doorNo) ?? v.compounds[0];
    if (c) p.address.compound = c.name;
  }
}

function surnameOf(name: string): string {
  return name.startsWith('欧阳') ? '欧阳' : (Array.from(name)[0] as string);
}

/** What a southern owner calls a shop: 阿强米粉, 陈记烧腊, 老表大排档, or a trade word. */
function shopTrade(rng: Rng, owner: string): { trade: string; surname: string | null } {
  const surname = surnameOf(owner);
  const given = Array.from(owner.slice(surname.length));
  if (rng.chance(0.6)) {
    return {
      trade: rng.weighted<string>([
        [`${surname}记`, 4],
        [`阿${given[given.length - 1] ?? '明'}`, 3],
        [`${surname}氏`, 1],
        ['老表', 1],
        [`${surname}嫂`, 1],
      ]),
      surname,
    };
  }
  return { trade: rng.pick(SOUTH_TRADES), surname: null };
}

function renamePlacesAndSubjects(w: World, rng: Rng): void {
  for (const p of w.places) {
    readdress(w, p);
    const pool = INDUSTRIES[p.kind];
    if (pool && p.industry) {
      const livestock = p.industry.core === '养殖场';
      p.industry = livestock ? (pool.find((i) => i.core === '养殖场') as IndustrySpec) : rng.pick(pool.filter((i) => i.core !== '养殖场'));
    }
  }
  const used = new Set<string>();
  const uniqueName = (make: () => string): string => {
    let name = make();
    for (let i = 0; i < 40 && used.has(name); i++) name = make();
    if (used.has(name)) {
      const base = name;
      for (let k = 2; used.has(name); k++) name = `${base}(${k}店)`;
    }
    used.add(name);
    return name;
  };
  const county = w.county.name;
  for (const s of w.subjects) {
    const place = s.placeIds.length ? w.placeById.get(s.placeIds[0] as string) : undefined;
    const town = w.townByCode.get(s.townCode);
    const townShort = town?.shortName ?? '';
    const owner = w.residentById.get(s.repResidentId)?.name ?? '陈志辉';
    const industry = place?.industry ?? null;
    const oldRegion = s.name.startsWith(county) ? county : s.name.startsWith(w.county.prefecture) ? w.county.prefecture : s.name.startsWith(w.county.provinceShort) ? w.county.provinceShort : county;
    if (s.kind === 'individual_business' && industry) {
      const { trade, surname } = shopTrade(rng, owner);
      s.tradeName = trade;
      s.industryWord = industry.core;
      s.name = uniqueName(() => `${town?.name ?? ''}${trade}${industry.full}`);
      s.shortName = `${trade}${industry.core}`;
      s.signName = rng.weighted<string | null>([
        [null, 4],
        [`${trade}${industry.core}(${townShort}店)`, 2],
        [traditional(`${trade}${industry.core}`), surname ? 1.5 : 0.5],
        [`${initials(trade)}${industry.core}`, 1],
      ]);
      if (s.signName === s.shortName) s.signName = null;
      s.formerNames = s.formerNames.length ? [`${town?.name ?? ''}${rng.pick(SOUTH_TRADES)}${industry.full}`] : [];
      s.scope = industry.scope;
    } else if (s.kind === 'unregistered' && industry) {
      const { trade } = shopTrade(rng, owner);
      s.tradeName = trade;
      s.industryWord = industry.core;
      s.name = rng.chance(0.6) ? `${trade}${industry.core}` : `路边${industry.core}${p(place)}`;
      s.shortName = s.name;
    } else if (s.kind === 'cooperative') {
      const v = w.villageByCode.get(s.villageCode);
      const what = rng.pick(SOUTH_COOPERATIVES);
      const trade = rng.pick(SOUTH_TRADES);
      s.tradeName = trade;
      s.industryWord = what;
      s.name = uniqueName(() => `${county}${rng.chance(0.5) && v ? v.name.replace(/村$/, '') : trade}${what}专业合作社`);
      s.shortName = s.name.replace(county, '').replace('专业合作社', '合作社');
      s.scope = `${what}；农产品销售`;
    } else if (s.kind === 'enterprise') {
      const trade = rng.pick(SOUTH_TRADES);
      const keep = /建筑|建设|市政|市场管理|石油销售/.test(s.industryWord);
      const word = industry ? industry.enterprise : keep ? s.industryWord : rng.pick(SOUTH_COMPANY_INDUSTRIES);
      const region = oldRegion === county ? county : rng.chance(0.6) ? w.county.prefecture : oldRegion;
      s.tradeName = trade;
      s.industryWord = word;
      s.name = uniqueName(() => `${region}${rng.chance(0.5) ? trade : rng.pick(SOUTH_TRADES)}${word}${s.legalForm}`);
      s.tradeName = s.name.slice(region.length, region.length + 2);
      s.shortName = `${s.tradeName}${word}`;
      s.formerNames = s.formerNames.length ? [`${region}${rng.pick(SOUTH_TRADES)}${word}${s.legalForm}`] : [];
      if (place) {
        s.signName =
          place.kind === 'market'
            ? `${s.tradeName}农贸市场`
            : place.kind === 'gas_station'
              ? `${s.tradeName}加油站`
              : place.kind === 'factory' && industry
                ? `${s.tradeName}${industry.core}`
                : industry
                  ? `${s.tradeName}${industry.core}(${townShort}店)`
                  : null;
      } else {
        s.signName = null;
      }
    }
    if (place) s.address = registeredAddress(w, place.address);
    else s.address = renameAddressText(w, s);
    for (const id of s.placeIds) {
      const pl = w.placeById.get(id);
      if (!pl) continue;
      if (pl.kind === 'worksite') pl.name = `${rng.pick(SOUTH_TRADES)}${rng.pick(SOUTH_PROJECTS)}项目工地`;
      else if (pl.kind !== 'farmland') pl.name = s.signName ?? s.shortName;
    }
  }
  for (const pl of w.places) {
    if (pl.kind === 'farmland') {
      const serial = /(\d+)号地块$/.exec(pl.name)?.[1] ?? '1';
      pl.name = `${pl.address.village}${pl.address.road}${serial}号地块`;
    } else if (pl.kind === 'residence') {
      pl.name = pl.address.compound ? `${pl.address.compound}${pl.address.building}号楼` : `${w.residentById.get(pl.residentId ?? '')?.name ?? ''}家`;
    } else if (pl.kind === 'worksite' && !pl.subjectId) {
      pl.name = `${rng.pick(SOUTH_TRADES)}${rng.pick(SOUTH_PROJECTS)}项目工地`;
    }
  }
  w.usedNames.clear();
  for (const n of used) w.usedNames.add(n);
}

const p = (place: Place | undefined): string => (place?.kind === 'restaurant' ? '摊' : '店');

/**
 * A registered address of a subject without premises of its own: the old text with its village's
 * road names replaced (the registry row only holds the text). Falls back to a road of the village.
 */
function renameAddressText(w: World, s: Subject): string {
  const v = w.villageByCode.get(s.villageCode);
  if (!v || !v.roads.length) return s.address;
  const door = /(\d+)号/.exec(s.address)?.[1];
  const road = v.roads[Number(door ?? 1) % v.roads.length] as Road;
  return registeredAddress(w, { town: v.townName, village: v.name, villageKind: v.kind, road: road.name, roadKind: road.kind, doorNo: Math.min(road.maxNo, Number(door ?? 1)) });
}
