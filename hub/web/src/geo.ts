/** The county's shapes from /divisions and /grids (already cut to the caller's jurisdiction), fetched once. */
import { api } from './api.js';
import { learnTown } from './labels.js';

export interface Feature {
  type: 'Feature';
  properties: Record<string, unknown>;
  geometry: { type: string; coordinates: unknown } | null;
}
interface Collection {
  type: 'FeatureCollection';
  features: Feature[];
}
export interface Shapes {
  towns: Feature[];
  villages: Feature[];
  grids: Feature[];
}

let cached: Promise<Shapes> | null = null;

export function shapes(): Promise<Shapes> {
  cached ??= Promise.all([api<Collection>('/divisions'), api<Collection>('/grids')]).then(([d, g]) => {
    const towns = d.features.filter((f) => f.properties.level === 'town');
    for (const t of towns) learnTown(String(t.properties.code), String(t.properties.name));
    return { towns, villages: d.features.filter((f) => f.properties.level === 'village'), grids: g.features };
  });
  return cached;
}

export function forgetShapes(): void {
  cached = null;
}

/** Outer rings of a feature's polygons, as polylines for a `lines` series. */
export function rings(f: Feature): number[][][] {
  const g = f.geometry;
  if (!g) return [];
  if (g.type === 'Polygon') return [(g.coordinates as number[][][])[0]!];
  if (g.type === 'MultiPolygon') return (g.coordinates as number[][][][]).map((p) => p[0]!);
  return [];
}
