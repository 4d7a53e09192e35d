/**
 * Which town a report is about, from what the record itself says — for the Kafka key of reports
 * whose platform gave no division code (the 110 handover, 数字化城管, a 12345 work order that left
 * 行政区划 empty). The hub applies a partition's records in order and the same state must come out
 * of any interleaving of partitions, so reports that may be about the same matter must share a
 * partition: keyed by town, not by record id (docs/decisions/002, decision 3).
 *
 * In order: the division code; a town named in the address, then in the text (one town only);
 * the position, inside a town's polygon (geo/divisions.json) or else nearest a town's or village's
 * centre; a road, compound or village name that only one town has. A report none of these place
 * is keyed by its county: all such reports share one partition rather than one each.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CountyProfile } from './county-profile.js';

type LngLat = readonly [number, number];

interface PlacedArea {
  /** 9-digit town code. */
  town: string;
  centre: LngLat;
  /** Outer rings (WGS-84); empty when only the centre is known. */
  rings: ReadonlyArray<readonly LngLat[]>;
}

export interface PlaceHints {
  divisionCode: string | null;
  address: string | null;
  description: string | null;
  location: { lng: number; lat: number } | null;
}

/** The town of a report, or why none: `county` when nothing in the record names or locates one. */
export type Placement = { town: string; by: 'division' | 'address' | 'text' | 'polygon' | 'centre' | 'place-name' } | { town: null; by: 'county' };

export class CountyPlaces {
  private readonly townNames: NameIndex;
  private readonly placeNames: NameIndex;

  /** `places`: names of roads, compounds and villages with their town (a name several towns have, once per town). */
  constructor(
    readonly countyCode: string,
    towns: ReadonlyArray<{ code: string; name: string }>,
    private readonly areas: readonly PlacedArea[],
    private readonly bbox: readonly [number, number, number, number] | null,
    places: ReadonlyArray<readonly [string, string]> = [],
  ) {
    // longest names first: 新城街道 must not be taken for a shorter name it contains
    this.townNames = nameIndex(towns.map((t) => [t.code, t.name] as const));
    this.placeNames = nameIndex(places);
  }

  /**
   * The county profile's towns, and — when the county has one (`geo/divisions.json` in its folder,
   * or the file given) — the towns' and villages' polygons and centres.
   */
  static of(profile: CountyProfile, divisionsFile?: string): CountyPlaces {
    const file = divisionsFile ?? join(profile.dir, 'geo/divisions.json');
    const divisions = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DivisionsFile) : null;
    const towns = divisions?.towns?.length ? divisions.towns.filter((t) => /^\d{9}$/.test(t.code)) : profile.towns;
    const areas = divisions ? areasOf(divisions) : [];
    if (!areas.length) for (const t of profile.towns) areas.push({ town: t.code, centre: t.centre, rings: [] });
    // a dataset's divisions file describes its own county, which need not be the profile's
    return new CountyPlaces(divisions?.county?.code ?? profile.code, towns, areas, divisions?.county?.bbox ?? profile.bbox, divisions ? placeNamesOf(divisions) : []);
  }

  place(h: PlaceHints): Placement {
    if (h.divisionCode) return { town: h.divisionCode.slice(0, 9), by: 'division' };
    const inAddress = namedIn(h.address, this.townNames);
    if (inAddress) return { town: inAddress, by: 'address' };
    const inText = namedIn(h.description, this.townNames);
    if (inText) return { town: inText, by: 'text' };
    const p = h.location;
    if (p && Number.isFinite(p.lng) && Number.isFinite(p.lat) && this.inCounty(p)) {
      const inside = this.areas.find((a) => a.rings.some((r) => insideRing(p, r)));
      if (inside) return { town: inside.town, by: 'polygon' };
      let best: PlacedArea | undefined;
      let bestD = Infinity;
      for (const a of this.areas) {
        const d = squaredDegrees(p, a.centre);
        if (d < bestD) [best, bestD] = [a, d];
      }
      if (best) return { town: best.town, by: 'centre' };
    }
    // a road, compound or village only one town has (中山一路134栋 from a caller who named no town)
    const named = namedIn(h.address, this.placeNames) ?? namedIn(h.description, this.placeNames);
    if (named) return { town: named, by: 'place-name' };
    return { town: null, by: 'county' };
  }

  /** The Kafka key of a report: its town, else its county. */
  keyOf(h: PlaceHints): string {
    return this.place(h).town ?? `county:${this.countyCode}`;
  }

  private inCounty(p: { lng: number; lat: number }): boolean {
    if (!this.bbox) return true;
    const [w, s, e, n] = this.bbox;
    return p.lng >= w && p.lng <= e && p.lat >= s && p.lat <= n;
  }
}

interface DivisionsFile {
  county?: { code: string; bbox?: readonly [number, number, number, number] };
  towns?: Array<{ code: string; name: string; center?: LngLat; polygon?: LngLat[][] }>;
  villages?: Array<{ code: string; townCode?: string; name?: string; center?: LngLat; roads?: Array<{ name: string }>; compounds?: Array<{ name: string }> }>;
}

function areasOf(d: DivisionsFile): PlacedArea[] {
  const towns = (d.towns ?? []).filter((t) => /^\d{9}$/.test(t.code));
  const out: PlacedArea[] = towns.flatMap((t) => (t.center ? [{ town: t.code, centre: t.center, rings: (t.polygon ?? []).slice(0, 1) }] : []));
  // villages' centres place a position near a town's edge better than the town's centre does
  for (const v of d.villages ?? []) if (v.center) out.push({ town: v.townCode ?? v.code.slice(0, 9), centre: v.center, rings: [] });
  return out;
}

/**
 * The one town the names found in the text belong to (longest first; a longer name found hides the
 * shorter ones inside it); null when none is found, or they — or one name — belong to several.
 */
function namedIn(text: string | null, names: NameIndex): string | null {
  if (!text) return null;
  let found: string | null = null;
  let rest = text;
  for (const [name, town] of names) {
    if (!rest.includes(name)) continue;
    if (town === null || (found !== null && found !== town)) return null;
    found = town;
    rest = rest.split(name).join(' ');
  }
  return found;
}

/** [name, its town or null when several towns have it], longest first. */
type NameIndex = ReadonlyArray<readonly [string, string | null]>;

function nameIndex(pairs: Iterable<readonly [string, string]>): NameIndex {
  const towns = new Map<string, string | null>();
  for (const [town, name] of pairs) {
    if (Array.from(name).length < 2) continue;
    const had = towns.get(name);
    towns.set(name, had === undefined || had === town ? town : null);
  }
  return [...towns].sort((a, b) => b[0].length - a[0].length);
}

function placeNamesOf(d: DivisionsFile): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  for (const v of d.villages ?? []) {
    const town = v.townCode ?? v.code.slice(0, 9);
    for (const n of [v.name, ...(v.roads ?? []).map((r) => r.name), ...(v.compounds ?? []).map((c) => c.name)]) if (n) out.push([town, n]);
  }
  return out;
}

function squaredDegrees(p: { lng: number; lat: number }, c: LngLat): number {
  const dx = (p.lng - c[0]) * Math.cos((p.lat * Math.PI) / 180);
  const dy = p.lat - c[1];
  return dx * dx + dy * dy;
}

/** Even-odd rule. */
function insideRing(p: { lng: number; lat: number }, ring: readonly LngLat[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > p.lat !== yj > p.lat && p.lng < ((xj - xi) * (p.lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
