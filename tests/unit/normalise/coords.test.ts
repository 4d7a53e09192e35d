import { describe, it, expect } from 'vitest';
import { toCanonical, transformFromWgs84, transformToWgs84, type BBox } from '../../../core/normalise/coords.js';
import { ValidationError } from '../../../core/errors.js';

/** Great-circle distance in metres. */
function metres(a: [number, number], b: [number, number]): number {
  const R = 6_371_008.8;
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLng = (b[0] - a[0]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(h));
}

// Roughly Hangzhou's Xihu district.
const XIHU: BBox = [119.9, 30.05, 120.2, 30.35];
const POINTS: Array<[number, number]> = [
  [120.1551, 30.2741], // Hangzhou
  [116.3975, 39.9087], // Beijing
  [121.4737, 31.2304], // Shanghai
  [87.6168, 43.8256], // Urumqi
  [113.2644, 23.1291], // Guangzhou
  [91.1409, 29.6456], // Lhasa
];

describe('toCanonical', () => {
  it('keeps WGS84 and treats CGCS2000 as WGS84', () => {
    expect(toCanonical({ lng: 120.1551, lat: 30.2741, crs: 'WGS84' })).toEqual({
      lng: 120.1551,
      lat: 30.2741,
      crs: 'WGS84',
      original: { lng: 120.1551, lat: 30.2741, crs: 'WGS84' },
      swapped: false,
    });
    const c = toCanonical({ lng: 120.1551, lat: 30.2741, crs: 'CGCS2000' });
    expect([c.lng, c.lat]).toEqual([120.1551, 30.2741]);
    expect(c.crs).toBe('WGS84');
    expect(c.original.crs).toBe('CGCS2000');
  });

  it.each(POINTS)('round-trips WGS84 → GCJ02 → WGS84 within 0.5 m at %f, %f', (lng, lat) => {
    const gcj = transformFromWgs84(lng, lat, 'GCJ02');
    const offset = metres([lng, lat], gcj);
    expect(offset).toBeGreaterThan(20); // GCJ-02 really moves the point (tens to hundreds of metres)
    expect(offset).toBeLessThan(1000);
    const back = toCanonical({ lng: gcj[0], lat: gcj[1], crs: 'GCJ02' });
    expect(metres([lng, lat], [back.lng, back.lat])).toBeLessThan(0.5);
  });

  it.each(POINTS)('round-trips WGS84 → BD09 → WGS84 within 0.5 m at %f, %f', (lng, lat) => {
    const bd = transformFromWgs84(lng, lat, 'BD09');
    const back = toCanonical({ lng: bd[0], lat: bd[1], crs: 'BD09' });
    expect(metres([lng, lat], [back.lng, back.lat])).toBeLessThan(0.5);
  });

  it('rounds to 7 decimals', () => {
    const c = toCanonical({ lng: 120.123456789, lat: 30.987654321, crs: 'WGS84' });
    expect(c.lng).toBe(120.1234568);
    expect(c.lat).toBe(30.9876543);
    const g = toCanonical({ lng: 120.1551, lat: 30.2741, crs: 'GCJ02' });
    expect(Math.round(g.lng * 1e7) / 1e7).toBe(g.lng);
    expect(g.original).toEqual({ lng: 120.1551, lat: 30.2741, crs: 'GCJ02' });
  });

  it('accepts a point inside the county bbox without swapping', () => {
    const c = toCanonical({ lng: 120.1551, lat: 30.2741, crs: 'GCJ02' }, XIHU);
    expect(c.swapped).toBe(false);
  });

  it('swaps latitude and longitude when only the swapped point is inside the bbox', () => {
    const c = toCanonical({ lng: 30.2741, lat: 120.1551, crs: 'WGS84' }, XIHU);
    expect(c.swapped).toBe(true);
    expect([c.lng, c.lat]).toEqual([120.1551, 30.2741]);
    expect(c.original).toEqual({ lng: 30.2741, lat: 120.1551, crs: 'WGS84' });

    const gcj = transformFromWgs84(120.1551, 30.2741, 'GCJ02');
    const s = toCanonical({ lng: gcj[1], lat: gcj[0], crs: 'GCJ02' }, XIHU);
    expect(s.swapped).toBe(true);
    expect(metres([120.1551, 30.2741], [s.lng, s.lat])).toBeLessThan(0.5);
  });

  it('rejects a point outside the bbox either way', () => {
    expect(() => toCanonical({ lng: 116.3975, lat: 39.9087, crs: 'WGS84' }, XIHU)).toThrow(/outside the county/);
    expect(() => toCanonical({ lng: 39.9087, lat: 116.3975, crs: 'WGS84' }, XIHU)).toThrow(ValidationError);
  });

  it('rejects out-of-range, non-numeric, 0,0 and unknown CRS', () => {
    expect(() => toCanonical({ lng: 181, lat: 30, crs: 'WGS84' })).toThrow(/−180..180/);
    expect(() => toCanonical({ lng: 30.27, lat: 120.15, crs: 'WGS84' })).toThrow(/look swapped/);
    expect(() => toCanonical({ lng: 120, lat: -90.0001, crs: 'WGS84' })).toThrow(ValidationError);
    expect(() => toCanonical({ lng: Number.NaN, lat: 30, crs: 'WGS84' })).toThrow(/must be numbers/);
    expect(() => toCanonical({ lng: '120.1' as unknown as number, lat: 30, crs: 'WGS84' })).toThrow(/must be numbers/);
    expect(() => toCanonical({ lng: 0, lat: 0, crs: 'GCJ02' })).toThrow(/0,0/);
    expect(() => toCanonical({ lng: 120, lat: 30, crs: 'BD09MC' as never })).toThrow(/unknown coordinate system/);
  });

  it('accepts boundary values of the ranges and the bbox', () => {
    expect(toCanonical({ lng: 180, lat: 90, crs: 'WGS84' }).lng).toBe(180);
    expect(toCanonical({ lng: -180, lat: -90, crs: 'WGS84' }).lat).toBe(-90);
    expect(toCanonical({ lng: 119.9, lat: 30.05, crs: 'WGS84' }, XIHU).swapped).toBe(false);
  });

  it('names the field in errors', () => {
    try {
      toCanonical({ lng: 0, lat: 0, crs: 'WGS84' }, undefined, 'event.location');
      throw new Error('expected a ValidationError');
    } catch (err) {
      expect((err as ValidationError).field).toBe('event.location');
    }
  });

  it('transformToWgs84 inverts transformFromWgs84', () => {
    const [x, y] = transformFromWgs84(120.1551, 30.2741, 'BD09');
    const [lng, lat] = transformToWgs84(x, y, 'BD09');
    expect(metres([120.1551, 30.2741], [lng, lat])).toBeLessThan(0.5);
  });
});
