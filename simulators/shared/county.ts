/**
 * The county the simulators play: the county profile's (core/county-profile.ts, COUNTY_PROFILE; the
 * demo county, a 杭锦旗-like banner, when unset), with 12-digit statistical codes (county 6 + town 3 +
 * village 3). Towns 001–099 are 街道, 100–199 镇, 200–399 苏木/乡; villages 001–199 are 社区,
 * 200–399 嘎查/村. Coordinates are WGS-84 centres.
 */
import { countyProfile } from '../../core/county-profile.js';

const profile = countyProfile();

export const COUNTY = {
  code: profile.code,
  name: profile.name,
  bbox: profile.bbox,
  prefecture: profile.prefecture,
  province: profile.province,
};

export interface Village {
  code: string;
  name: string;
  town: string;
  townCode: string;
  lng: number;
  lat: number;
}

/**
 * The towns whose villages the profile names: [9-digit town code, name, centre lng, centre lat,
 * villages]. The department simulators place their records in these villages; the county generator
 * (simulators/county) builds its larger world around exactly these codes and names.
 */
export const NAMED_TOWNS: ReadonlyArray<readonly [string, string, number, number, readonly string[]]> = profile.towns
  .filter((t) => t.villages.length > 0)
  .map((t) => [t.code, t.name, t.centre[0], t.centre[1], t.villages] as const);

export const VILLAGES: Village[] = NAMED_TOWNS.flatMap(([townCode, town, lng, lat, villages]) =>
  villages.map((name, i) => ({
    code: `${townCode}${String(name.endsWith('社区') ? i + 1 : 200 + i + 1).padStart(3, '0')}`,
    name,
    town,
    townCode,
    lng: lng + (i - 1) * 0.03,
    lat: lat + ((i % 2) - 0.5) * 0.02,
  })),
);

/** A small seeded PRNG (mulberry32) so simulators produce the same data for the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

/** 'yyyy-MM-dd HH:mm:ss' in Shanghai wall time: how most department platforms write times. */
export function shanghaiDateTime(epochMs: number): string {
  return new Date(epochMs + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * What a statistical division code says about its level (国家统计局 rules): town part 001–099 街道,
 * 100–199 镇, 200–399 乡/苏木; village part 001–199 社区 (居委会), 200–399 村/嘎查 (村委会).
 * Returns null for codes outside those ranges.
 */
export function divisionLevel(code: string): 'county' | 'street' | 'town' | 'township' | 'community' | 'village' | null {
  if (/^\d{6}$/.test(code) || /^\d{6}0{6}$/.test(code)) return 'county';
  const m = /^\d{6}(\d{3})(\d{3})?$/.exec(code);
  if (!m) return null;
  const town = Number(m[1]);
  const village = m[2] === undefined ? 0 : Number(m[2]);
  if (village === 0) {
    if (town >= 1 && town <= 99) return 'street';
    if (town >= 100 && town <= 199) return 'town';
    if (town >= 200 && town <= 399) return 'township';
    return null;
  }
  if (town < 1 || town > 399) return null;
  if (village >= 1 && village <= 199) return 'community';
  if (village >= 200 && village <= 399) return 'village';
  return null;
}
