/**
 * How far apart each pair of platforms places one door: estimated from the county's own reports,
 * without labels, as the text weights are. Two reports within a day naming the same door (town,
 * road or villagers' group, number; not "near" it, not inside a building) with positions the
 * platforms measured give one distance; per pair of source systems the 90th percentile of those
 * distances is how far apart that pair's positions of one door spread. A county whose grid and
 * enforcement PDAs agree within ~30 m at a door learns that two of their positions 150 m apart are
 * two places; a county whose platforms scatter 150 m learns the opposite — the profile's fixed
 * uncertainties (20 m for a GPS fix) say neither.
 */
import { buildingAsDoor, parseAddress, type AddressOptions } from './addresses.js';
import { haversineMetres, isUsablePoint, type GeoPoint } from './geo.js';
import { townCodeOf } from './regions.js';
import { compareStrings } from './strings.js';
import { readFileSync } from 'node:fs';

const POSITION_SPREAD_FORMAT = 'countyhub-position-spread';

/** The file the hub loads (POSITION_SPREAD_FILE), written by scripts/position-spread.ts from the county's reports. */
export interface PositionSpreadFile {
  format: typeof POSITION_SPREAD_FORMAT;
  version: 1;
  minPairs: number;
  /** `<source system>~<source system>` (in code-unit order) → distances seen and their 90th percentile. */
  pairs: Record<string, PairSpread>;
}

export interface SpreadRow {
  readonly sourceSystem: string;
  readonly eventTime: number;
  readonly location?: GeoPoint | null;
  readonly locationOrigin?: string | null;
  readonly divisionCode: string | null;
  readonly address?: string | null;
}

export interface PairSpread {
  /** Distances measured (pairs of reports naming one door). */
  readonly n: number;
  /** 90th percentile of those distances, metres. */
  readonly p90M: number;
}

const DAY = 24 * 3_600_000;

/** A position the platform measured (not one the hub geocoded, not a dropped pin on a centre). */
export function measuredPosition(r: Pick<SpreadRow, 'location' | 'locationOrigin'>): boolean {
  const origin = r.locationOrigin ?? '';
  return isUsablePoint(r.location) && !origin.startsWith('geocoded:') && !origin.startsWith('centroid');
}

const pairKey = (a: string, b: string): string => (compareStrings(a, b) <= 0 ? `${a}~${b}` : `${b}~${a}`);

export class PositionSpread {
  constructor(
    private readonly pairs: ReadonlyMap<string, PairSpread>,
    /** Pairs with fewer distances than this say nothing. */
    readonly minPairs = 20,
  ) {}

  /** Estimate from a county's reports (any order). */
  static fromReports(rows: Iterable<SpreadRow>, opts: AddressOptions = {}, minPairs = 20): PositionSpread {
    const doors = new Map<string, SpreadRow[]>();
    for (const r of rows) {
      if (!measuredPosition(r) || !r.address) continue;
      const p = buildingAsDoor(parseAddress(r.address, opts));
      if (p.approximate || p.number === null || p.building !== null || p.compound !== null) continue;
      const way = p.road ?? (p.group !== null ? `组${p.group}` : null);
      if (way === null) continue;
      const area = p.group !== null ? (p.divisionCode ?? r.divisionCode ?? '') : (townCodeOf(p.divisionCode) ?? townCodeOf(r.divisionCode) ?? '');
      if (area === '') continue;
      const key = `${area}|${way}|${p.number}`;
      (doors.get(key) ?? doors.set(key, []).get(key)!).push(r);
    }
    const distances = new Map<string, number[]>();
    for (const list of doors.values()) {
      list.sort((a, b) => a.eventTime - b.eventTime);
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length && list[j]!.eventTime - list[i]!.eventTime <= DAY; j++) {
          const a = list[i]!;
          const b = list[j]!;
          const k = pairKey(a.sourceSystem, b.sourceSystem);
          (distances.get(k) ?? distances.set(k, []).get(k)!).push(haversineMetres(a.location!, b.location!));
        }
      }
    }
    const pairs = new Map<string, PairSpread>();
    for (const [k, d] of distances) {
      d.sort((x, y) => x - y);
      pairs.set(k, { n: d.length, p90M: Math.round(d[Math.floor(0.9 * (d.length - 1))]!) });
    }
    return new PositionSpread(pairs, minPairs);
  }

  static fromJSON(file: PositionSpreadFile): PositionSpread {
    if (file.format !== POSITION_SPREAD_FORMAT || file.version !== 1) throw new Error(`not a ${POSITION_SPREAD_FORMAT} v1 file`);
    const pairs = new Map<string, PairSpread>();
    for (const [k, v] of Object.entries(file.pairs)) {
      if (!/^[^~]+~[^~]+$/.test(k) || !(v.n >= 0) || !(v.p90M >= 0)) throw new Error(`position spread: bad pair ${k}`);
      const [a, b] = k.split('~') as [string, string];
      pairs.set(pairKey(a, b), { n: v.n, p90M: v.p90M });
    }
    return new PositionSpread(pairs, file.minPairs);
  }

  static load(path: string): PositionSpread {
    return PositionSpread.fromJSON(JSON.parse(readFileSync(path, 'utf8')) as PositionSpreadFile);
  }

  toJSON(): PositionSpreadFile {
    return { format: POSITION_SPREAD_FORMAT, version: 1, minPairs: this.minPairs, pairs: Object.fromEntries(this.entries()) };
  }

  /** The spread of two platforms' positions of one door (p90, metres), or null when too few were seen. */
  spreadM(a: string, b: string): number | null {
    const s = this.pairs.get(pairKey(a, b));
    return s !== undefined && s.n >= this.minPairs ? s.p90M : null;
  }

  /** The pairs as estimated (for explanations and reports). */
  entries(): Array<[string, PairSpread]> {
    return [...this.pairs].sort(([a], [b]) => compareStrings(a, b));
  }
}
