/**
 * Distances on canonical WGS-84 points (records carry WGS-84 after the connectors convert GCJ-02
 * and BD-09; CGCS2000 is taken as WGS-84). Never feed GCJ-02 or BD-09 here: their offsets are
 * 40–700 m, far more than the merge distances.
 */

export interface GeoPoint {
  readonly lng: number;
  readonly lat: number;
}

/** Mean Earth radius (IUGG), metres. */
export const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** Great-circle distance in metres (haversine). */
export function haversineMetres(a: GeoPoint, b: GeoPoint): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLng = (b.lng - a.lng) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Whether a value is a usable point (finite, in range, not the 0,0 that empty GPS fields give). */
export function isUsablePoint(p: GeoPoint | null | undefined): p is GeoPoint {
  return (
    p !== null &&
    p !== undefined &&
    Number.isFinite(p.lng) &&
    Number.isFinite(p.lat) &&
    Math.abs(p.lng) <= 180 &&
    Math.abs(p.lat) <= 90 &&
    !(p.lng === 0 && p.lat === 0)
  );
}

/** Smallest distance between any point of one list and any of the other; null when either has none. */
export function minDistanceMetres(as: readonly (GeoPoint | null | undefined)[], bs: readonly (GeoPoint | null | undefined)[]): number | null {
  let best: number | null = null;
  for (const a of as) {
    if (!isUsablePoint(a)) continue;
    for (const b of bs) {
      if (!isUsablePoint(b)) continue;
      const d = haversineMetres(a, b);
      if (best === null || d < best) best = d;
    }
  }
  return best;
}

/**
 * A WGS-84 bounding box [minLng, minLat, maxLng, maxLat] containing every point within `radiusM`
 * of `p`: for an index-friendly SQL prefilter (lng BETWEEN … AND lat BETWEEN …) before the exact
 * distance. Not for use near the poles or the antimeridian (no Chinese county is there).
 */
export function boundingBox(p: GeoPoint, radiusM: number): [number, number, number, number] {
  const dLat = radiusM / (EARTH_RADIUS_M * RAD);
  const dLng = dLat / Math.max(Math.cos(p.lat * RAD), 1e-6);
  const r = (x: number): number => Math.round(x * 1e7) / 1e7;
  return [r(p.lng - dLng), r(p.lat - dLat), r(p.lng + dLng), r(p.lat + dLat)];
}

/**
 * Distance → 0..1 similarity: 1 up to `full` metres, falling linearly to 0 at `zero` metres.
 */
export function distanceScore(metres: number, full: number, zero: number): number {
  if (metres <= full) return 1;
  if (metres >= zero) return 0;
  return Math.round(((zero - metres) / (zero - full)) * 10_000) / 10_000;
}
