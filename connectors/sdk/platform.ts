/**
 * What every Chinese department platform needs from a mapping, so an adapter does not write it
 * again: a position given as one text ("lng,lat" or "lat,lng", some rows swapped), status-code
 * tables mapped to the canonical status (withdrawn and cancelled included), the category by code or
 * by name, and Chinese date-times (`2026年11月23日 09时30分`, `2026年11月23日 下午3时30分`).
 */
import type { Location, Report, ReportStatus } from '../../schemas/index.js';
import { countyProfile } from '../../core/county-profile.js';
import { ValidationError } from '../../core/errors.js';
import { parseTimestamp, toCanonical, type BBox, type CanonicalPoint, type Crs, type ParsedTime } from '../../core/normalise/index.js';
import { townKey } from './mapping-helpers.js';
import type { Emitted, MappingContext } from './types.js';

// ---------------------------------------------------------------------------------------------
// Coordinates

export interface PointTextOptions {
  /** The coordinate system the platform writes (BD-09 for Baidu maps, GCJ-02 for AMap/Tencent). */
  crs: Crs;
  field: string;
  /** The order the platform documents; rows the other way round are detected with the county box. Default lng,lat. */
  order?: 'lng,lat' | 'lat,lng';
  /** The county's box in WGS84; default the county profile's (core/county-profile.ts). */
  bbox?: BBox;
}

const SEPARATOR = /\s*[,，;；\s]\s*/u;

/**
 * A position written as one text ("108.73,40.21", "40.21, 108.73", "108.73 40.21") or a pair of
 * numbers, in WGS84 rounded to 7 decimals. Null when absent or 0,0 (platforms write 0,0 for "no
 * position"). A pair outside the county box both ways round, or not two numbers, is refused naming
 * the field; a swapped pair is swapped back (`swapped: true`).
 */
export function pointFromText(raw: unknown, opts: PointTextOptions): CanonicalPoint | null {
  if (raw === null || raw === undefined) return null;
  let parts: unknown[];
  if (Array.isArray(raw)) parts = raw;
  else if (typeof raw === 'string') {
    const text = raw.normalize('NFKC').trim();
    if (text === '') return null;
    parts = text.split(SEPARATOR);
  } else throw new ValidationError(opts.field, `坐标格式错误: expected "lng,lat" text or a pair of numbers, got ${typeof raw}`);
  const nums = parts.map((p) => (typeof p === 'number' ? p : typeof p === 'string' && /^[+-]?\d+(\.\d+)?$/.test(p.trim()) ? Number(p) : Number.NaN));
  if (nums.length !== 2 || nums.some((n) => !Number.isFinite(n))) {
    throw new ValidationError(opts.field, `坐标格式错误: expected two numbers such as "108.73,40.21", got ${JSON.stringify(raw).slice(0, 60)}`);
  }
  const [a, b] = nums as [number, number];
  if (a === 0 && b === 0) return null;
  const [lng, lat] = (opts.order ?? 'lng,lat') === 'lng,lat' ? [a, b] : [b, a];
  return toCanonical({ lng, lat, crs: opts.crs }, opts.bbox ?? countyProfile().bbox, opts.field);
}

/** pointFromText as the canonical records' Location; original* hold the pair exactly as the platform sent it (in its declared order, before any swap). */
export function locationFromText(raw: unknown, opts: PointTextOptions): Location | null {
  const p = pointFromText(raw, opts);
  if (!p) return null;
  return { lng: p.lng, lat: p.lat, originalLng: p.original.lng, originalLat: p.original.lat, originalCrs: p.original.crs };
}

// ---------------------------------------------------------------------------------------------
// Status codes

export interface MappedStatus<S extends string> {
  status: S;
  /** The status as the platform wrote it, for the record's sourceStatus. */
  sourceStatus: string | null;
}

export interface StatusTableOptions<S extends string> {
  /** What an empty status becomes; default: refused. */
  missing?: S;
  /** What a status the table does not know becomes; default: refused (dead-lettered, naming the value). */
  unknown?: S;
}

/**
 * A platform's status table → a function from the value a record holds to the canonical status.
 * Keys may be codes ("01"), labels ("已撤销") or both; a record may hold the code, the label, or
 * "06 已撤销" / "06-已撤销" / "已撤销(06)". Codes match whatever their zero padding (JSON numbers
 * lose it: 6 finds "06"); full-width digits and spaces are normalised.
 *
 *   const status = statusTable<ReportStatus>({ '01': 'RECEIVED', '02': 'DISPATCHED', '06': 'WITHDRAWN' }, 'zt');
 *   status('06') // → { status: 'WITHDRAWN', sourceStatus: '06' }
 */
export function statusTable<S extends string = ReportStatus>(table: Readonly<Record<string, S>>, field: string, opts: StatusTableOptions<S> = {}): (raw: unknown) => MappedStatus<S> {
  const norm = (k: string) => k.normalize('NFKC').replace(/\s+/gu, '');
  const exact = new Map<string, S>();
  const numeric = new Map<number, S>();
  for (const [k, v] of Object.entries(table)) {
    const key = norm(k);
    exact.set(key, v);
    if (/^\d+$/.test(key)) numeric.set(Number(key), v);
  }
  const lookup = (key: string): S | undefined => exact.get(key) ?? (/^\d+$/.test(key) ? numeric.get(Number(key)) : undefined);
  return (raw) => {
    if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) {
      if (opts.missing !== undefined) return { status: opts.missing, sourceStatus: null };
      throw new ValidationError(field, '状态为空: the record has no status');
    }
    if (typeof raw !== 'string' && typeof raw !== 'number') throw new ValidationError(field, `状态格式错误: expected a code or a label, got ${typeof raw}`);
    const shown = String(raw).trim();
    const key = norm(shown);
    let hit = lookup(key);
    if (hit === undefined) {
      // "06 已撤销", "06-已撤销", "已撤销(06)": try each part
      for (const part of key.split(/[-:：_/()（）【】[\]]+/u).filter(Boolean)) {
        hit = lookup(part) ?? lookup(part.replace(/^(\d+)(\D.*)$/u, '$1')) ?? lookup(part.replace(/^\d+/u, ''));
        if (hit !== undefined) break;
      }
    }
    if (hit !== undefined) return { status: hit, sourceStatus: shown };
    if (opts.unknown !== undefined) return { status: opts.unknown, sourceStatus: shown };
    throw new ValidationError(field, `状态未知: "${shown}" is not in the adapter's status table (known: ${Object.keys(table).join(', ')}); add it to the table and replay the dead letter`);
  };
}

// ---------------------------------------------------------------------------------------------
// Categories

/** The county category for a department category given by code, by name, or both (the code first). */
export function categoryOf(ctx: MappingContext, code: string | null | undefined, name?: string | null): string | null {
  return (code ? ctx.mapCategory(code) : null) ?? (name ? ctx.mapCategory(name) : null);
}

// ---------------------------------------------------------------------------------------------
// Chinese date-times

const HALF_DAY = /^(.*?日)\s*(凌晨|早上|上午|中午|下午|傍晚|晚上)\s*(\d{1,2})(.*)$/u;

/**
 * A date-time as Chinese platforms write it — `2026年11月23日 09时30分`, `2026年11月23日09:30`,
 * `2026年1月3日 9点5分3秒`, `2026年11月23日 下午3时30分`, full-width digits — or any form
 * parseTimestamp reads (2026-11-23 09:30:00, 20261123093000, ISO), in Shanghai time.
 */
export function chineseDateTime(raw: unknown, field: string): ParsedTime {
  if (typeof raw === 'string') {
    const text = raw.normalize('NFKC').trim();
    const m = HALF_DAY.exec(text);
    if (m) {
      const [, day, half, hour, rest] = m as unknown as [string, string, string, string, string];
      let h = Number(hour);
      if (h > 12) throw new ValidationError(field, `时间不存在 ("${raw}": ${half}${hour}点)`);
      if (['下午', '傍晚', '晚上'].includes(half) && h < 12) h += 12;
      if (['凌晨', '早上', '上午'].includes(half) && h === 12) h = 0;
      return parseTimestamp(`${day} ${h}${rest.startsWith(':') || /^[时點点]/u.test(rest) ? rest : `时${rest}`}`, field);
    }
    return parseTimestamp(text, field);
  }
  return parseTimestamp(raw, field);
}

// ---------------------------------------------------------------------------------------------
// A report with the envelope filled in

export interface ReportEnvelopeFields {
  /** The platform's id of the record (sourceRecordId). */
  id: string;
  /** The record's version: its update time on the platform (epoch ms). */
  version: number;
  /** When it happened or was reported (epoch ms). */
  eventTime: number;
  divisionCode?: string | null;
  gridCode?: string | null;
  location?: Location | null;
}

export type ReportFields = Partial<Omit<Report, 'envelope' | 'description' | 'status'>> & Pick<Report, 'description' | 'status'>;

/**
 * One Report ready to emit: the envelope from the context and `e`, every optional field null (or
 * empty) unless given, keyed by town (townKey) so reports of one town meet in one partition.
 */
export function reportRecord(ctx: MappingContext, e: ReportEnvelopeFields, r: ReportFields): Emitted {
  const divisionCode = e.divisionCode ?? null;
  const value: Report = {
    envelope: {
      sourceSystem: ctx.sourceSystem,
      department: ctx.department,
      sourceRecordId: e.id,
      sourceVersion: e.version,
      eventTime: e.eventTime,
      ingestTime: ctx.ingestTime,
      divisionCode,
      gridCode: e.gridCode ?? null,
      location: e.location ?? null,
      connector: ctx.connectorId,
    },
    channel: 'OTHER',
    title: null,
    sourceCategoryCode: null,
    categoryCode: null,
    sourceStatus: null,
    urgency: null,
    address: null,
    reporterNameMasked: null,
    reporterPhoneHash: null,
    reporterPhoneMasked: null,
    subjectUscc: null,
    subjectName: null,
    attachmentUrls: [],
    deadline: null,
    reporterIdHash: null,
    reporterIdMasked: null,
    ...r,
  };
  return { kind: 'report', key: townKey(divisionCode, e.id), value };
}
