/** Small planar geometry on WGS-84 degrees, enough for a county: rings, point-in-polygon, offsets in metres. */

export type Point = [lng: number, lat: number];
/** An open ring (the first point is not repeated at the end); GeoJSON output closes it. */
export type Ring = Point[];

/** Metres per degree at a latitude (spherical approximation, good to ~0.5% here). */
export function metresPerDegree(lat: number): { lng: number; lat: number } {
  return { lng: 111_320 * Math.cos((lat * Math.PI) / 180), lat: 110_574 };
}

/** Move a point by dx metres east and dy metres north. */
export function offsetMetres([lng, lat]: Point, dx: number, dy: number): Point {
  const m = metresPerDegree(lat);
  return [lng + dx / m.lng, lat + dy / m.lat];
}

/** Distance in metres between two nearby points (equirectangular). */
export function distanceMetres(a: Point, b: Point): number {
  const m = metresPerDegree((a[1] + b[1]) / 2);
  return Math.hypot((a[0] - b[0]) * m.lng, (a[1] - b[1]) * m.lat);
}

/** Ray casting; points exactly on an edge may go either way. */
export function pointInRing([x, y]: Point, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as Point;
    const [xj, yj] = ring[j] as Point;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Signed area (shoelace), in square degrees; positive for counter-clockwise rings. */
export function ringArea(ring: Ring): number {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as Point;
    const [xj, yj] = ring[j] as Point;
    a += (xj + xi) * (yj - yi);
  }
  return -a / 2;
}

export function rect(minLng: number, minLat: number, maxLng: number, maxLat: number): Ring {
  return [
    [minLng, minLat],
    [maxLng, minLat],
    [maxLng, maxLat],
    [minLng, maxLat],
  ];
}

export function bboxOf(ring: Ring): [number, number, number, number] {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of ring) {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  return [minX, minY, maxX, maxY];
}

/** Vertex average: inside for the mildly jittered convex-ish quads the generator makes. */
export function centroid(ring: Ring): Point {
  let x = 0;
  let y = 0;
  for (const [a, b] of ring) {
    x += a;
    y += b;
  }
  return [x / ring.length, y / ring.length];
}

/** A point inside an axis-aligned box, uniformly. */
export function lerp(a: Point, b: Point, t: number): Point {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
}

export function round(n: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(n * f) / f;
}

/** Closed GeoJSON polygon coordinates from an open ring. */
export function geoJsonPolygon(ring: Ring, decimals = 7): number[][][] {
  const pts = ring.map(([x, y]) => [round(x, decimals), round(y, decimals)]);
  return [[...pts, pts[0] as number[]]];
}
