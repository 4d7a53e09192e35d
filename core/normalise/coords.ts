/**
 * Coordinates: every location is stored in WGS84 (CGCS2000 differs by under a metre and is taken
 * as WGS84). GCJ-02 (AMap, Tencent) and BD-09 (Baidu) are converted with gcoord, whose inverse
 * transforms are iterative (≈0.1 m).
 */
import gcoordModule from 'gcoord';
import { ValidationError } from '../errors.js';

// gcoord is CommonJS (`module.exports = {...}`) but its typings say `export default`; under NodeNext
// TypeScript types the default import as the whole module. Take whichever object holds `transform`.
type Gcoord = (typeof gcoordModule)['default'];
const gcoord: Gcoord = ((gcoordModule as unknown as { default?: Gcoord }).default ?? gcoordModule) as Gcoord;

export type Crs = 'WGS84' | 'CGCS2000' | 'GCJ02' | 'BD09';
const CRS_LIST: readonly Crs[] = ['WGS84', 'CGCS2000', 'GCJ02', 'BD09'];

export interface SourcePoint {
  lng: number;
  lat: number;
  crs: Crs;
}

/** The county's bounding box in WGS84: [minLng, minLat, maxLng, maxLat]. */
export type BBox = readonly [minLng: number, minLat: number, maxLng: number, maxLat: number];

export interface CanonicalPoint {
  lng: number;
  lat: number;
  crs: 'WGS84';
  /** The point exactly as the source sent it (before any swap). */
  original: SourcePoint;
  /** True when the source had latitude and longitude the wrong way round and they were swapped. */
  swapped: boolean;
}

const DECIMALS = 1e7;
const round7 = (n: number): number => Math.round(n * DECIMALS) / DECIMALS;

/** Convert a point from its source CRS to WGS84, without validation or rounding. */
export function transformToWgs84(lng: number, lat: number, crs: Crs): [number, number] {
  if (crs === 'WGS84' || crs === 'CGCS2000') return [lng, lat];
  const [x, y] = gcoord.transform([lng, lat], gcoord[crs], gcoord.WGS84) as [number, number];
  return [x, y];
}

/** Convert a WGS84 point to another CRS (for display on AMap/Baidu maps, and for tests). */
export function transformFromWgs84(lng: number, lat: number, crs: Crs): [number, number] {
  if (crs === 'WGS84' || crs === 'CGCS2000') return [lng, lat];
  const [x, y] = gcoord.transform([lng, lat], gcoord.WGS84, gcoord[crs]) as [number, number];
  return [x, y];
}

const inRange = (lng: number, lat: number): boolean => lng >= -180 && lng <= 180 && lat >= -90 && lat <= 90;
const inBox = (lng: number, lat: number, [minLng, minLat, maxLng, maxLat]: BBox): boolean =>
  lng >= minLng && lng <= maxLng && lat >= minLat && lat <= maxLat;

/**
 * Convert a source point to canonical WGS84, rounded to 7 decimals (≈1 cm).
 * With the county's bbox: a point outside whose swapped version falls inside is swapped
 * (`swapped: true`); a point outside either way is rejected.
 */
export function toCanonical(point: SourcePoint, bbox?: BBox, field = 'location'): CanonicalPoint {
  const { lng, lat, crs } = point;
  const original: SourcePoint = { lng, lat, crs };
  if (!CRS_LIST.includes(crs)) {
    throw new ValidationError(field, `坐标系未知 (unknown coordinate system "${String(crs)}"; expected one of ${CRS_LIST.join(', ')})`);
  }
  if (typeof lng !== 'number' || typeof lat !== 'number' || !Number.isFinite(lng) || !Number.isFinite(lat)) {
    throw new ValidationError(field, `坐标不是数字 (longitude/latitude must be numbers, got ${String(lng)}, ${String(lat)})`);
  }
  if (lng === 0 && lat === 0) {
    throw new ValidationError(field, '坐标为 0,0 (the location is 0,0: the source sent an empty position)');
  }

  if (bbox === undefined) {
    if (!inRange(lng, lat)) {
      const hint = inRange(lat, lng) ? '; latitude and longitude look swapped' : '';
      throw new ValidationError(field, `坐标超出范围 (longitude must be −180..180 and latitude −90..90, got ${lng}, ${lat}${hint})`);
    }
    return finish(transformToWgs84(lng, lat, crs), original, false);
  }

  if (inRange(lng, lat)) {
    const canonical = transformToWgs84(lng, lat, crs);
    if (inBox(canonical[0], canonical[1], bbox)) return finish(canonical, original, false);
  }
  if (inRange(lat, lng)) {
    const swapped = transformToWgs84(lat, lng, crs);
    if (inBox(swapped[0], swapped[1], bbox)) return finish(swapped, original, true);
  }
  throw new ValidationError(
    field,
    `坐标不在本县范围内 (the point ${lng}, ${lat} (${crs}) is outside the county's area ` +
      `[${bbox.join(', ')}], even with latitude and longitude swapped)`,
  );
}

function finish([lng, lat]: [number, number], original: SourcePoint, swapped: boolean): CanonicalPoint {
  return { lng: round7(lng), lat: round7(lat), crs: 'WGS84', original, swapped };
}
