/** Shared test data for the merge engine: the demo county's divisions and a few places in 锡尼镇. */
import { toCanonical, transformFromWgs84, type Crs } from '../../../core/normalise/coords.js';
import { usccCheckChar } from '../../../core/normalise/uscc.js';
import { RegionIndex, type Division } from '../../../hub/merge/regions.js';
import type { GeoPoint } from '../../../hub/merge/geo.js';

export const DIVISIONS: Division[] = [
  { code: '150000', name: '内蒙古自治区' },
  { code: '150600', name: '鄂尔多斯市' },
  { code: '150625', name: '演示旗' },
  { code: '150625100', name: '锡尼镇' },
  { code: '150625101', name: '巴拉贡镇' },
  { code: '150625200', name: '伊和乌素苏木' },
  { code: '150625100001', name: '锡尼社区' },
  { code: '150625100002', name: '阿斯尔社区' },
  { code: '150625100204', name: '塔拉沟嘎查' },
  { code: '150625101001', name: '巴拉贡社区' },
];

export const REGIONS = new RegionIndex(DIVISIONS);

/** A valid USCC from its first 17 characters (GB 32100 check character appended). */
export function uscc(first17: string): string {
  return `${first17}${usccCheckChar(first17)}`;
}

/** The restaurant 老王烧烤 on 团结路12号, 锡尼镇 (WGS-84). */
export const LAOWANG: GeoPoint = { lng: 108.7312, lat: 39.8615 };
/** 老李烧烤 next door, 团结路14号: about 15 m east. */
export const LAOLI: GeoPoint = { lng: 108.73138, lat: 39.8615 };

/** Move a point by metres east/north (small distances). */
export function offset(p: GeoPoint, eastM: number, northM: number): GeoPoint {
  const dLat = northM / 111_195;
  const dLng = eastM / (111_195 * Math.cos((p.lat * Math.PI) / 180));
  return { lng: p.lng + dLng, lat: p.lat + dLat };
}

/**
 * What a connector does with a point a platform sends in GCJ-02 or BD-09: the platform had the
 * WGS-84 point `p` (plus GPS noise), sent it in its own CRS, and the connector converted it back.
 */
export function viaPlatform(p: GeoPoint, crs: Crs): { sent: GeoPoint; canonical: GeoPoint } {
  const [lng, lat] = transformFromWgs84(p.lng, p.lat, crs);
  const c = toCanonical({ lng, lat, crs }, [106.5, 39.2, 109.0, 40.9]);
  return { sent: { lng, lat }, canonical: { lng: c.lng, lat: c.lat } };
}

/** Epoch ms of a Shanghai wall time 'yyyy-MM-dd HH:mm'. */
export function at(local: string): number {
  return Date.parse(`${local.replace(' ', 'T')}:00+08:00`);
}

/** A deterministic shuffle (for order-independence tests). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let a = seed >>> 0;
  const rand = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
