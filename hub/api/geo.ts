/**
 * GET /api/v1/divisions and /api/v1/grids — the county's towns, villages and grids as GeoJSON,
 * for the command center's map, cut to the caller's jurisdiction. The shapes come from the files
 * the county maintains (DIVISIONS_FILE in the dataset layout of docs/dataset-format.md, and
 * GRIDS_FILE, a GeoJSON FeatureCollection with gridCode / villageCode / townCode properties).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { principalOf } from './read-scope.js';

interface Feature {
  type: 'Feature';
  properties: Record<string, unknown>;
  geometry: unknown;
}

export interface GeoData {
  divisions: Feature[];
  grids: Feature[];
}

interface DivisionShape {
  code: string;
  name: string;
  kind?: string;
  townCode?: string;
  center?: number[];
  polygon?: unknown;
}

export function loadGeo(divisionsFile?: string, gridsFile?: string): GeoData {
  const geo: GeoData = { divisions: [], grids: [] };
  if (divisionsFile && existsSync(divisionsFile)) {
    const d = JSON.parse(readFileSync(divisionsFile, 'utf8')) as { towns?: DivisionShape[]; villages?: DivisionShape[] };
    const feature = (x: DivisionShape, level: 'town' | 'village'): Feature => ({
      type: 'Feature',
      properties: { code: x.code, name: x.name, level, kind: x.kind ?? null, townCode: level === 'town' ? x.code.slice(0, 9) : (x.townCode ?? x.code.slice(0, 9)), center: x.center ?? null },
      geometry: x.polygon ? { type: 'Polygon', coordinates: x.polygon } : x.center ? { type: 'Point', coordinates: x.center } : null,
    });
    geo.divisions = [...(d.towns ?? []).map((t) => feature(t, 'town')), ...(d.villages ?? []).map((v) => feature(v, 'village'))];
  }
  const grids = gridsFile ?? (divisionsFile ? join(dirname(divisionsFile), 'grids.geojson') : undefined);
  if (grids && existsSync(grids)) geo.grids = (JSON.parse(readFileSync(grids, 'utf8')) as { features?: Feature[] }).features ?? [];
  return geo;
}

/** The division code a feature lies in, for jurisdiction checks. */
function codeOf(f: Feature): string {
  const p = f.properties;
  return String(p.code ?? p.villageCode ?? p.townCode ?? '');
}

const levelQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    level: { type: 'string', enum: ['town', 'village'], description: '只返回乡镇或村（社区）' },
    within: { type: 'string', pattern: '^[0-9]{2,12}$', description: '区划代码前缀' },
  },
} as const;

export async function geoRoutes(app: FastifyInstance, opts: { geo: GeoData }): Promise<void> {
  const collection = (features: Feature[]) => ({ type: 'FeatureCollection' as const, features });
  const visible = (features: Feature[], jurisdiction: string, within?: string) => features.filter((f) => codeOf(f).startsWith(jurisdiction) && (!within || codeOf(f).startsWith(within)));

  app.get<{ Querystring: { level?: 'town' | 'village'; within?: string } }>(
    '/divisions',
    { schema: { querystring: levelQuery, tags: ['geo'], summary: '行政区划边界 GeoJSON (towns and villages in your jurisdiction)' } },
    async (req) => {
      const p = principalOf(req);
      return collection(visible(opts.geo.divisions, p.jurisdiction, req.query.within).filter((f) => !req.query.level || f.properties.level === req.query.level));
    },
  );
  app.get<{ Querystring: { within?: string } }>(
    '/grids',
    {
      schema: {
        querystring: { type: 'object', additionalProperties: false, properties: { within: levelQuery.properties.within } },
        tags: ['geo'],
        summary: '网格边界 GeoJSON (grids in your jurisdiction)',
      },
    },
    async (req) => collection(visible(opts.geo.grids, principalOf(req).jurisdiction, req.query.within)),
  );
}
