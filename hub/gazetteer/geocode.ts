/**
 * Geocoding an address through the county gazetteer, to a stated level, with the text it matched
 * and an uncertainty in metres; and the address keys (a door, a compound, a crossing, a group's
 * lane) by which reports about one place find each other without coordinates or a town code.
 *
 * Levels, most precise first:
 *   door          the door plate is in the gazetteer
 *   road-segment  the number is interpolated between the nearest plates (or the road's ends)
 *   compound      a compound's gate
 *   landmark      a named place (xx超市对面: near it)
 *   crossing      where two roads cross
 *   village-group a villagers' group's lane (三组) without a door
 *   road          a road without a number (its middle; uncertainty half its length)
 *   village, town the division's centre
 * Pure: no I/O (load.ts reads the files).
 */
import { parseAddress, type ParsedAddress } from '../merge/addresses.js';
import { haversineMetres, type GeoPoint } from '../merge/geo.js';
import { RegionIndex, townCodeOf, villageCodeOf } from '../merge/regions.js';
import type { GazetteerCompound, GazetteerDivision, GazetteerEntry, GazetteerLandmark, GazetteerRoad, LngLat } from './format.js';

export type GeocodeLevel = 'door' | 'road-segment' | 'compound' | 'landmark' | 'crossing' | 'village-group' | 'road' | 'village' | 'town';

/** Uncertainty (metres, about the radius holding the true place) per level; interpolation adds its gap. */
export interface GeocodeUncertainty {
  readonly door: number;
  readonly roadSegmentBase: number;
  /** Share of the distance between the bracketing plates added to an interpolated door. */
  readonly roadSegmentGapShare: number;
  readonly compound: number;
  readonly landmark: number;
  readonly crossing: number;
  /** Added when the address says near/opposite/beside (附近, 对面, 东侧). */
  readonly approximate: number;
  readonly village: number;
  readonly town: number;
}

export const DEFAULT_GEOCODE_UNCERTAINTY: GeocodeUncertainty = {
  door: 15,
  roadSegmentBase: 20,
  roadSegmentGapShare: 0.25,
  compound: 60,
  landmark: 30,
  crossing: 40,
  approximate: 25,
  village: 800,
  town: 3000,
};

/** A position this close to a division's centre is taken to be that centre (coordinate conversions move it by decimetres). */
export const CENTRE_TOLERANCE_M = 3;

export interface Geocode {
  readonly point: GeoPoint;
  readonly level: GeocodeLevel;
  readonly uncertaintyM: number;
  /** What of the gazetteer the address matched (road and number, compound name …). */
  readonly matched: string;
  readonly townCode: string | null;
  readonly villageCode: string | null;
  /** Address keys: reports sharing one are about one place (candidate search). */
  readonly keys: readonly string[];
}

export interface GeocodeOptions {
  /** The record's division code, when the platform gave one (the address's own region wins). */
  readonly divisionCode?: string | null;
  readonly regions?: RegionIndex;
  /** An already parsed address (the matcher has one). */
  readonly parsed?: ParsedAddress;
  readonly uncertainty?: GeocodeUncertainty;
}

const toPoint = (p: LngLat): GeoPoint => ({ lng: p[0], lat: p[1] });

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

function polylineLength(line: readonly LngLat[]): number {
  let s = 0;
  for (let i = 1; i < line.length; i++) s += haversineMetres(toPoint(line[i - 1]!), toPoint(line[i]!));
  return s;
}

/** The point at fraction t (0..1) of a polyline's length. */
function along(line: readonly LngLat[], t: number): GeoPoint {
  const total = polylineLength(line);
  let want = Math.min(1, Math.max(0, t)) * total;
  for (let i = 1; i < line.length; i++) {
    const a = toPoint(line[i - 1]!);
    const b = toPoint(line[i]!);
    const seg = haversineMetres(a, b);
    if (want <= seg || i === line.length - 1) {
      const f = seg === 0 ? 0 : Math.min(1, want / seg);
      return { lng: a.lng + (b.lng - a.lng) * f, lat: a.lat + (b.lat - a.lat) * f };
    }
    want -= seg;
  }
  return toPoint(line[0]!);
}

/** Where two polylines come closest (their crossing, for straight roads that cross). */
function closestApproach(a: readonly LngLat[], b: readonly LngLat[]): { point: GeoPoint; gapM: number } {
  let best = { point: toPoint(a[0]!), gapM: Infinity };
  const steps = 40;
  for (let i = 0; i <= steps; i++) {
    const p = along(a, i / steps);
    for (let j = 0; j <= steps; j++) {
      const q = along(b, j / steps);
      const d = haversineMetres(p, q);
      if (d < best.gapM) best = { point: { lng: (p.lng + q.lng) / 2, lat: (p.lat + q.lat) / 2 }, gapM: d };
    }
  }
  return best;
}

export class Gazetteer {
  private readonly roadsByName = new Map<string, GazetteerRoad[]>();
  private readonly roadById = new Map<string, GazetteerRoad>();
  private readonly groups = new Map<string, GazetteerRoad>();
  private readonly plates = new Map<string, GeoPoint>();
  private readonly platesByRoad = new Map<string, number[]>();
  private readonly compounds = new Map<string, GazetteerCompound[]>();
  private readonly landmarks = new Map<string, GazetteerLandmark[]>();
  private readonly centres = new Map<string, GeoPoint>();
  private landmarkMaxLen = 0;
  private landmarkMinLen = Infinity;

  constructor(entries: readonly GazetteerEntry[], divisions: readonly GazetteerDivision[] = []) {
    for (const e of entries) {
      switch (e.kind) {
        case 'road':
        case 'group':
          this.roadById.set(e.id, e);
          if (e.kind === 'group' && e.villageCode && e.group !== undefined) this.groups.set(`${e.villageCode}|${e.group}`, e);
          else push(this.roadsByName, e.name, e);
          break;
        case 'door':
          this.plates.set(`${e.road}#${e.door}`, toPoint(e.point));
          push(this.platesByRoad, e.road, e.door);
          break;
        case 'compound':
          push(this.compounds, e.name, e);
          break;
        case 'landmark': {
          push(this.landmarks, e.name, e);
          const n = [...e.name].length;
          this.landmarkMaxLen = Math.max(this.landmarkMaxLen, n);
          this.landmarkMinLen = Math.min(this.landmarkMinLen, n);
          break;
        }
        default:
          break;
      }
    }
    for (const l of this.platesByRoad.values()) l.sort((a, b) => a - b);
    for (const d of divisions) this.centres.set(d.code, toPoint(d.center));
  }

  get size(): { roads: number; plates: number; compounds: number; landmarks: number } {
    return { roads: this.roadById.size, plates: this.plates.size, compounds: [...this.compounds.values()].reduce((a, l) => a + l.length, 0), landmarks: [...this.landmarks.values()].reduce((a, l) => a + l.length, 0) };
  }

  /**
   * Names of the county's roads and compounds (not landmarks, which are mostly shops): the place
   * words that text evidence leaves out (hub/merge/text-weights.ts).
   */
  placeNames(): string[] {
    return [...this.roadsByName.keys(), ...this.compounds.keys()].sort();
  }

  /** Roads of that name, in the town when known; a name unique in the county needs no town. */
  private roads(name: string, town: string | null): GazetteerRoad[] {
    let all = this.roadsByName.get(name) ?? [];
    if (all.length === 0) {
      // a road name with a leading word the parser kept (烧烤团结路): the longest road name it ends with
      const chars = [...name];
      for (let i = 1; i <= chars.length - 2 && all.length === 0; i++) all = this.roadsByName.get(chars.slice(i).join('')) ?? [];
    }
    return town ? all.filter((r) => r.townCode === town) : all;
  }

  private door(road: GazetteerRoad, n: number, u: GeocodeUncertainty): { point: GeoPoint; level: GeocodeLevel; uncertaintyM: number } {
    const plate = this.plates.get(`${road.id}#${n}`);
    if (plate) return { point: plate, level: 'door', uncertaintyM: u.door };
    const [d0, d1] = road.doors;
    const at = (k: number): GeoPoint => this.plates.get(`${road.id}#${k}`) ?? along(road.line, d1 === d0 ? 0.5 : (k - d0) / (d1 - d0));
    // bracket the number between the nearest plates below and above it (the road's ends otherwise)
    const listed = this.platesByRoad.get(road.id) ?? [];
    let lo = d0;
    let hi = d1;
    for (const k of listed) {
      if (k < n && k > lo) lo = k;
      if (k > n && k < hi) hi = k;
    }
    lo = Math.min(lo, n);
    hi = Math.max(hi, n);
    const a = at(lo);
    const b = at(hi);
    const f = hi === lo ? 0 : (n - lo) / (hi - lo);
    const point = { lng: a.lng + (b.lng - a.lng) * f, lat: a.lat + (b.lat - a.lat) * f };
    return { point, level: 'road-segment', uncertaintyM: Math.round(u.roadSegmentBase + u.roadSegmentGapShare * haversineMetres(a, b)) };
  }

  /** Landmark names the text contains (longest first). */
  private landmarksIn(text: string, town: string | null): GazetteerLandmark[] {
    if (this.landmarks.size === 0) return [];
    const chars = [...text];
    for (let len = Math.min(this.landmarkMaxLen, chars.length); len >= this.landmarkMinLen; len--) {
      for (let i = 0; i + len <= chars.length; i++) {
        const hit = this.landmarks.get(chars.slice(i, i + len).join(''));
        if (!hit) continue;
        const inTown = town ? hit.filter((l) => l.townCode === town) : hit;
        if (inTown.length === 1) return inTown;
      }
    }
    return [];
  }

  /**
   * The division whose centre a position sits on (within `toleranceM`), if any. Platforms that
   * cannot place a report drop its pin on the village's or town's centre; such a position says
   * "somewhere in the village", not "here", and must not be measured as a GPS fix would be.
   */
  centreAt(point: GeoPoint, toleranceM = CENTRE_TOLERANCE_M, uncertainty: GeocodeUncertainty = DEFAULT_GEOCODE_UNCERTAINTY): { code: string; level: 'village' | 'town'; uncertaintyM: number } | null {
    for (const [code, c] of this.centres) {
      if (Math.abs(c.lat - point.lat) > 1e-4 || Math.abs(c.lng - point.lng) > 2e-4) continue;
      if (haversineMetres(c, point) > toleranceM) continue;
      const level = code.length === 12 ? 'village' : 'town';
      return { code, level, uncertaintyM: level === 'village' ? uncertainty.village : uncertainty.town };
    }
    return null;
  }

  /**
   * The door keys of an address whose road name several towns have when no town tells which
   * (`door:<road>#<n>` for each, at most `maxRoads` roads; none if more): for candidate search only.
   */
  ambiguousDoorKeys(address: string, opts: GeocodeOptions = {}, maxRoads = 4): string[] {
    const p = opts.parsed ?? parseAddress(address, opts.regions ? { regions: opts.regions } : {});
    if (p.intersection || p.road === null) return [];
    const town = townCodeOf(p.divisionCode) ?? townCodeOf(opts.divisionCode ?? null);
    const doorNo = p.number ?? (p.compound === null && p.unit === null ? p.building : null);
    if (doorNo === null) return [];
    const rs = this.roads(p.road, town);
    if (rs.length < 2 || rs.length > maxRoads) return [];
    return rs.map((r) => `door:${r.id}#${doorNo}`).sort();
  }

  /**
   * Geocodes an address. Null when nothing of it is in the gazetteer and no division is known.
   * A road name found in several towns with no town to choose gives keys for none and no point.
   */
  geocode(address: string | null | undefined, opts: GeocodeOptions = {}): Geocode | null {
    const u = opts.uncertainty ?? DEFAULT_GEOCODE_UNCERTAINTY;
    const p = opts.parsed ?? (address && address.trim() ? parseAddress(address, opts.regions ? { regions: opts.regions } : {}) : null);
    // the address's own region wins over the platform's division code (12345 often gives only the town)
    const own = p?.divisionCode ?? null;
    const given = opts.divisionCode ?? null;
    let town = townCodeOf(own) ?? townCodeOf(given);
    let village = villageCodeOf(own) ?? (townCodeOf(given) === town ? villageCodeOf(given) : null);
    const approx = p?.approximate ? u.approximate : 0;
    const result = (point: GeoPoint, level: GeocodeLevel, uncertaintyM: number, matched: string, keys: string[], t = town, v = village): Geocode => ({
      point: { lng: Math.round(point.lng * 1e7) / 1e7, lat: Math.round(point.lat * 1e7) / 1e7 },
      level,
      uncertaintyM: uncertaintyM + approx,
      matched,
      townCode: t,
      villageCode: v,
      keys,
    });

    if (p) {
      if (p.intersection) {
        const [x, y] = p.intersection;
        const rx = this.roads(x, town);
        const ry = this.roads(y, town);
        // the pair of roads (one of each name) that actually meet
        let best: { point: GeoPoint; gapM: number; a: GazetteerRoad; b: GazetteerRoad } | null = null;
        for (const a of rx.slice(0, 4)) for (const b of ry.slice(0, 4)) {
          const c = closestApproach(a.line, b.line);
          if (!best || c.gapM < best.gapM) best = { ...c, a, b };
        }
        if (best && best.gapM <= 100) {
          const ids = [best.a.id, best.b.id].sort();
          return result(best.point, 'crossing', u.crossing + Math.round(best.gapM / 2), `${x}与${y}交叉口`, [`crossing:${ids[0]}|${ids[1]}`], best.a.townCode, best.a.villageCode ?? village);
        }
      }
      // 团结路192号楼 / 192栋 on a road without a compound: the building number is the door
      const doorNo = p.number ?? (p.compound === null ? p.building : null);
      if (p.road && doorNo !== null) {
        const rs = this.roads(p.road, town);
        if (rs.length === 1) {
          const r = rs[0]!;
          const d = this.door(r, doorNo, u);
          return result(d.point, d.level, d.uncertaintyM, `${r.name}${doorNo}号`, [`door:${r.id}#${doorNo}`, `road:${r.id}`], r.townCode, r.villageCode ?? village);
        }
      }
      if (p.group !== null) {
        const v = village ?? null;
        const lane = v ? this.groups.get(`${v}|${p.group}`) : undefined;
        if (lane) {
          // 5组53栋 / 53号楼 in a village (no compound): the building number is the house's plate
          const houseNo = p.number ?? (p.compound === null ? p.building : null);
          if (houseNo !== null) {
            const d = this.door(lane, houseNo, u);
            return result(d.point, d.level, d.uncertaintyM, `${lane.name}${houseNo}号`, [`door:${lane.id}#${houseNo}`, `group:${lane.id}`], lane.townCode, v);
          }
          const half = polylineLength(lane.line) / 2;
          return result(along(lane.line, 0.5), 'village-group', Math.round(half), lane.name, [`group:${lane.id}`], lane.townCode, v);
        }
      }
      if (p.compound) {
        const cs = (this.compounds.get(p.compound) ?? []).filter((c) => !town || c.townCode === town);
        if (cs.length === 1) {
          const c = cs[0]!;
          const keys = [`compound:${c.id}`];
          if (c.road && c.door !== undefined) keys.push(`door:${c.road}#${c.door}`);
          return result(toPoint(c.point), 'compound', u.compound, c.name, keys, c.townCode, c.villageCode ?? village);
        }
      }
      const marks = this.landmarksIn(`${p.compound ?? ''}${p.rest}${p.road ?? ''}`, town);
      if (marks.length === 1) {
        const l = marks[0]!;
        const keys = [`landmark:${l.id}`];
        if (l.road && l.door !== undefined) keys.push(`door:${l.road}#${l.door}`);
        return result(toPoint(l.point), 'landmark', u.landmark, l.name, keys, l.townCode, l.villageCode ?? village);
      }
      if (p.road) {
        const rs = this.roads(p.road, town);
        if (rs.length === 1) {
          const r = rs[0]!;
          return result(along(r.line, 0.5), 'road', Math.round(polylineLength(r.line) / 2), r.name, [`road:${r.id}`], r.townCode, r.villageCode ?? village);
        }
      }
    }
    if (village && this.centres.has(village)) return result(this.centres.get(village)!, 'village', u.village, village, []);
    if (town && this.centres.has(town)) {
      village = null;
      return result(this.centres.get(town)!, 'town', u.town, town, [], town, null);
    }
    town = null;
    return null;
  }
}
