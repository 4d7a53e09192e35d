/** A source point → the envelope's Location (WGS-84, with the point as the source sent it), or null when absent. */
import type { Location } from '../../../schemas/index.js';
import { ValidationError } from '../../../core/errors.js';
import { toCanonical, type Crs } from '../../../core/normalise/index.js';

function coordinate(raw: unknown, field: string): number | null {
  if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return null;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : Number.NaN;
  if (!Number.isFinite(n)) throw new ValidationError(field, `坐标不是数字 (a coordinate must be a number, got "${String(raw).slice(0, 30)}")`);
  return n;
}

/** Both coordinates absent → null (a complaint without a map pick is still a complaint); one of them alone is an error. */
export function locationOf(lngRaw: unknown, latRaw: unknown, crs: Crs, fields: { lng: string; lat: string }): Location | null {
  const lng = coordinate(lngRaw, fields.lng);
  const lat = coordinate(latRaw, fields.lat);
  if (lng === null && lat === null) return null;
  if (lng === null) throw new ValidationError(fields.lng, '缺少经度 (the latitude is given but the longitude is missing)');
  if (lat === null) throw new ValidationError(fields.lat, '缺少纬度 (the longitude is given but the latitude is missing)');
  const p = toCanonical({ lng, lat, crs }, undefined, fields.lng);
  return { lng: p.lng, lat: p.lat, originalLng: p.original.lng, originalLat: p.original.lat, originalCrs: p.original.crs };
}
