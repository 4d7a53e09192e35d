/**
 * The county a deployment serves, as data: its statistical code and names, its bounding box and its
 * towns (and, for the simulators and the county generator, the layout of a made-up county). One
 * folder per county (`counties/<name>/county.json`, docs/county-profile.md); the service reads the
 * folder named by COUNTY_PROFILE, the demo county's when unset. Nothing about a county is code: a
 * second county runs the same connectors, simulators and hub with another folder.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './errors.js';
import { asArray, asObject, asOptionalString, asString, describe, readJsonFile, type Json } from './data-files.js';

/** The demo county's profile folder, shipped with the project. */
export const DEMO_COUNTY_PROFILE_DIR = fileURLToPath(new URL('../counties/demo/', import.meta.url));

export type TownKind = '街道' | '镇' | '乡' | '苏木';
const TOWN_KINDS: readonly TownKind[] = ['街道', '镇', '乡', '苏木'];

/** How the generator lays a made-up town out (ignored by the services; a real county leaves it out). */
export interface TownLayout {
  cols: number;
  rows: number;
  /** How many cells of the lattice are 社区 (the rest are 村/嘎查). */
  communities: number;
  rural: '村' | '嘎查' | 'mixed';
  /** Height of a cell in degrees of latitude (its width is 0.03° of longitude). */
  cellLat: number;
}

export interface ProfileTown {
  /** 9-digit statistical code (county 6 + town 3). */
  code: string;
  name: string;
  kind: TownKind;
  /** WGS-84 [lng, lat] of the town centre. */
  centre: readonly [number, number];
  /** Villages and communities known by name, in code order (the simulators' fixed places). */
  villages: readonly string[];
  layout: TownLayout;
}

export interface Region {
  code: string;
  name: string;
  /** The name as people shorten it (内蒙古 for 内蒙古自治区). */
  shortName: string;
}

export interface CountyProfile {
  /** The folder it was read from. */
  dir: string;
  /** 6-digit statistical code of the county. */
  code: string;
  name: string;
  prefecture: Region;
  province: Region;
  /** WGS-84 [minLng, minLat, maxLng, maxLat]: a position outside it is wrong (or swapped). */
  bbox: readonly [number, number, number, number];
  towns: readonly ProfileTown[];
  simulation: {
    /** Where the residents' identity numbers were issued ([6-digit area code, weight]). */
    residentIdAreas: ReadonlyArray<readonly [string, number]>;
    /** Share of people with names of a minority language (the demo county's Mongolian names). */
    minorityNameShare: number;
  };
}

const DEFAULT_LAYOUT: TownLayout = { cols: 3, rows: 3, communities: 2, rural: '村', cellLat: 0.05 };

function asNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(field, `must be a number from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

function position(value: unknown, field: string): [number, number] {
  const a = asArray(value, field);
  if (a.length !== 2) throw new ConfigError(field, `must be [lng, lat], got ${describe(value)}`);
  return [asNumber(a[0], `${field}[0]`, 73, 136), asNumber(a[1], `${field}[1]`, 3, 54)];
}

function region(value: unknown, field: string, digits: RegExp): Region {
  const o = asObject(value, field);
  const name = asString(o.name, `${field}.name`);
  return { code: asString(o.code, `${field}.code`, { pattern: digits, hint: 'a 6-digit statistical code' }), name, shortName: asOptionalString(o.shortName, `${field}.shortName`) ?? name };
}

function layout(value: unknown, field: string): TownLayout {
  if (value === undefined) return DEFAULT_LAYOUT;
  const o = asObject(value, field);
  const rural = o.rural ?? DEFAULT_LAYOUT.rural;
  if (rural !== '村' && rural !== '嘎查' && rural !== 'mixed') throw new ConfigError(`${field}.rural`, `must be 村, 嘎查 or mixed, got ${describe(rural)}`);
  return {
    cols: asNumber(o.cols ?? DEFAULT_LAYOUT.cols, `${field}.cols`, 1, 20),
    rows: asNumber(o.rows ?? DEFAULT_LAYOUT.rows, `${field}.rows`, 1, 20),
    communities: asNumber(o.communities ?? DEFAULT_LAYOUT.communities, `${field}.communities`, 0, 400),
    rural,
    cellLat: asNumber(o.cellLat ?? DEFAULT_LAYOUT.cellLat, `${field}.cellLat`, 0.005, 0.5),
  };
}

/** Checks a parsed county.json; every error names the field. */
export function parseCountyProfile(json: unknown, dir: string): CountyProfile {
  const o: Json = asObject(json, 'county.json');
  const code = asString(o.code, 'code', { pattern: /^\d{6}$/, hint: 'the 6-digit statistical code of the county' });
  const bboxRaw = asArray(o.bbox, 'bbox');
  if (bboxRaw.length !== 4) throw new ConfigError('bbox', `must be [minLng, minLat, maxLng, maxLat], got ${describe(o.bbox)}`);
  const [x0, y0] = position(bboxRaw.slice(0, 2), 'bbox');
  const [x1, y1] = position(bboxRaw.slice(2, 4), 'bbox');
  if (x0 >= x1 || y0 >= y1) throw new ConfigError('bbox', 'min must be below max: [minLng, minLat, maxLng, maxLat]');
  const seen = new Set<string>();
  const towns = asArray(o.towns, 'towns').map((raw, i): ProfileTown => {
    const f = `towns[${i}]`;
    const t = asObject(raw, f);
    const townCode = asString(t.code, `${f}.code`, { pattern: new RegExp(`^${code}\\d{3}$`), hint: `9 digits starting with the county code ${code}` });
    if (seen.has(townCode)) throw new ConfigError(`${f}.code`, `${townCode} is listed twice`);
    seen.add(townCode);
    const kind = t.kind as TownKind;
    if (!TOWN_KINDS.includes(kind)) throw new ConfigError(`${f}.kind`, `must be one of ${TOWN_KINDS.join(', ')}, got ${describe(t.kind)}`);
    const centre = position(t.centre, `${f}.centre`);
    if (centre[0] < x0 || centre[0] > x1 || centre[1] < y0 || centre[1] > y1) throw new ConfigError(`${f}.centre`, 'lies outside the county bbox');
    const villages = t.villages === undefined ? [] : asArray(t.villages, `${f}.villages`).map((v, j) => asString(v, `${f}.villages[${j}]`));
    return { code: townCode, name: asString(t.name, `${f}.name`), kind, centre, villages, layout: layout(t.simulation, `${f}.simulation`) };
  });
  if (!towns.length) throw new ConfigError('towns', 'a county has at least one town');
  const sim = o.simulation === undefined ? {} : asObject(o.simulation, 'simulation');
  const areas = sim.residentIdAreas === undefined ? [[code, 1]] : asArray(sim.residentIdAreas, 'simulation.residentIdAreas');
  return {
    dir,
    code,
    name: asString(o.name, 'name'),
    prefecture: region(o.prefecture, 'prefecture', /^\d{6}$/),
    province: region(o.province, 'province', /^\d{6}$/),
    bbox: [x0, y0, x1, y1],
    towns,
    simulation: {
      residentIdAreas: areas.map((a, i) => {
        const pair = asArray(a, `simulation.residentIdAreas[${i}]`);
        return [asString(pair[0], `simulation.residentIdAreas[${i}][0]`, { pattern: /^\d{6}$/ }), asNumber(pair[1], `simulation.residentIdAreas[${i}][1]`, 0, 1000)] as const;
      }),
      minorityNameShare: sim.minorityNameShare === undefined ? 0 : asNumber(sim.minorityNameShare, 'simulation.minorityNameShare', 0, 1),
    },
  };
}

/** Reads a county profile folder (or its county.json). */
export function loadCountyProfile(path: string): CountyProfile {
  const dir = resolve(path);
  const file = existsSync(dir) && statSync(dir).isDirectory() ? join(dir, 'county.json') : dir;
  try {
    return parseCountyProfile(readJsonFile(file), dir);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError('COUNTY_PROFILE', `${file}: ${err.message}`);
    throw err;
  }
}

let current: CountyProfile | undefined;

/** The profile this process serves: the folder COUNTY_PROFILE names, else the demo county's; read once. */
export function countyProfile(): CountyProfile {
  current ??= loadCountyProfile(process.env.COUNTY_PROFILE?.trim() || DEMO_COUNTY_PROFILE_DIR);
  return current;
}
