/**
 * The demo county used by the simulators: 杭锦旗-like divisions with 12-digit statistical codes
 * (county 6 + town 3 + village 3). Towns 100–199 are 镇, 200–399 苏木/乡; villages 001–199 are
 * 社区, 200–399 嘎查/村. Coordinates are WGS-84 centres.
 */
export const COUNTY = { code: '150625', name: '演示旗', bbox: [106.5, 39.2, 109.0, 40.9] as const };

export interface Village {
  code: string;
  name: string;
  town: string;
  townCode: string;
  lng: number;
  lat: number;
}

/**
 * The demo county's original towns: [9-digit town code, name, centre lng, centre lat, villages]. The
 * county generator (simulators/county) builds its larger world around exactly these codes and names.
 */
export const DEMO_TOWNS: ReadonlyArray<readonly [string, string, number, number, readonly string[]]> = [
  ['150625100', '锡尼镇', 108.73, 39.86, ['锡尼社区', '阿斯尔社区', '巴音乌素社区', '塔拉沟嘎查']],
  ['150625101', '巴拉贡镇', 106.98, 40.25, ['巴拉贡社区', '巴音恩格尔嘎查', '新建村']],
  ['150625102', '吉日嘎朗图镇', 108.17, 40.43, ['吉日嘎朗图社区', '红旗村', '沙日召嘎查']],
  ['150625103', '独贵塔拉镇', 107.95, 40.57, ['独贵塔拉社区', '杭锦淖村', '乌兰淖嘎查']],
  ['150625200', '伊和乌素苏木', 108.37, 39.58, ['伊和乌素社区', '阿日勒嘎查']],
];

export const VILLAGES: Village[] = DEMO_TOWNS.flatMap(([townCode, town, lng, lat, villages]) =>
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
