/**
 * Reading a spreadsheet row by its column names. A row from the file-drop source has its header
 * names normalised (NFKC: 乡镇（苏木） → 乡镇(苏木)); the same record replayed from a dataset or a
 * recorded fixture has them as the department wrote them. Looking columns up by the normalised
 * name makes both read alike.
 */
import type { Location } from '../../../schemas/index.js';
import { MappingError, ValidationError } from '../../../core/errors.js';
import { object, structuredText } from '../../sdk/mapping-helpers.js';
import { assertNotMisdecoded, normaliseName, toCanonical, type CleanTextOptions, type Crs } from '../../../core/normalise/index.js';

export interface Columns {
  /** The cell of a column; null when the column is missing or the cell is blank. */
  (name: string): unknown;
  /** Whether the row has the column at all. */
  has(name: string): boolean;
  /** The row's column names, for messages. */
  readonly names: string[];
}

function key(name: string): string {
  try {
    return normaliseName(name);
  } catch {
    return name; // a misdecoded header: kept as is, so the column is simply not found
  }
}

/** The payload as a column reader; throws MappingError for a payload that is not an object. */
export function columns(payload: unknown): Columns {
  const o = object(payload);
  const byName = new Map<string, unknown>();
  for (const [k, v] of Object.entries(o)) byName.set(key(k), v);
  const col = (name: string): unknown => {
    const v = byName.get(key(name));
    return typeof v === 'string' && v.trim() === '' ? null : v;
  };
  return Object.assign(col, { has: (name: string) => byName.has(key(name)), names: [...byName.keys()] });
}

/**
 * Throws a MappingError when the row lacks the column that identifies the export: a different file
 * dropped into the folder, or one whose header was read in the wrong encoding. Every row of such a
 * file is dead-lettered with this message instead of a "required field is empty" per row.
 */
export function requireExportColumn(col: Columns, name: string, what: string): void {
  if (col.has(name)) return;
  const shown = col.names.slice(0, 6).join(', ');
  throw new MappingError(
    `表头不符: the row has no column ${name} (its columns: ${shown}${col.names.length > 6 ? ', …' : ''}); this is not ${what}, or its header was read in the wrong encoding`,
    name,
  );
}

/** A number cell or numeric text; null when empty. */
export function numberCell(raw: unknown, field: string, what = '数值'): number | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw new ValidationError(field, `${what}无效 (not a usable number: ${String(raw)})`);
    return raw;
  }
  if (typeof raw !== 'string') throw new ValidationError(field, `${what}格式错误 (expected a number, got ${typeof raw})`);
  const text = raw.normalize('NFKC').trim().replace(/,/g, '');
  if (text === '') return null;
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) throw new ValidationError(field, `${what}不是数字 (expected a number, got "${raw.slice(0, 40)}")`);
  return Number(text);
}

/**
 * A point from two coordinate cells in the given CRS → the envelope's Location (WGS-84 with the
 * source's values kept); null when both are empty or both 0 (a GPS without a fix writes 0,0: the
 * record is kept without a location rather than lost); an error when only one is given.
 */
export function locationOf(lngRaw: unknown, latRaw: unknown, crs: Crs, fields: { lng: string; lat: string }): Location | null {
  const lng = numberCell(lngRaw, fields.lng, '坐标');
  const lat = numberCell(latRaw, fields.lat, '坐标');
  if (lng === null && lat === null) return null;
  if (lng === null) throw new ValidationError(fields.lng, '缺少经度 (the latitude is given but the longitude is missing)');
  if (lat === null) throw new ValidationError(fields.lat, '缺少纬度 (the longitude is given but the latitude is missing)');
  if (lng === 0 && lat === 0) return null;
  const p = toCanonical({ lng, lat, crs }, undefined, fields.lng);
  return { lng: p.lng, lat: p.lat, originalLng: p.original.lng, originalLat: p.original.lat, originalCrs: p.original.crs };
}

const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** Days since 1970-01-01 of the Shanghai calendar date of an instant (Avro `date`). */
export function shanghaiEpochDay(epochMs: number): number {
  return Math.floor((epochMs + SHANGHAI_OFFSET_MS) / 86_400_000);
}

/** 23:59:59 of the Shanghai calendar day an instant falls on (a date-only deadline means "by the end of that day"). */
export function endOfShanghaiDay(epochMs: number): number {
  return (shanghaiEpochDay(epochMs) + 1) * 86_400_000 - SHANGHAI_OFFSET_MS - 1000;
}

/**
 * A name (person, organisation, town, item): structured text that may never contain "?" — a "?"
 * in a name is a character lost to an export in the wrong encoding ("演示旗??餐饮有限公司").
 */
export function nameText(raw: unknown, opts: CleanTextOptions): string | null {
  const text = structuredText(raw, opts);
  if (text !== null) assertNotMisdecoded(text, opts.field, { strict: true });
  return text;
}
