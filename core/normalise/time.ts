/**
 * Department timestamps → `{ iso, epochMs }` with `iso` in Asia/Shanghai wall time and a
 * +08:00 offset. China has used UTC+8 without daylight saving since 1991, so the offset is fixed
 * and nothing here depends on the machine's TZ. (Between 1986 and 1991 China observed summer time;
 * local times from those summers are read as UTC+8 too.)
 */
import { ValidationError } from '../errors.js';

export interface ParsedTime {
  /** e.g. 2026-03-01T08:30:00+08:00 (milliseconds appear only when non-zero: …:00.250+08:00) */
  iso: string;
  epochMs: number;
}

export interface ParseTimeOptions {
  /**
   * 'spreadsheet': numbers are Excel serial dates (days since 1899-12-30, wall time in Shanghai),
   * and Date objects are read the way exceljs builds them (UTC fields hold the wall time).
   */
  source?: 'spreadsheet';
  /** The workbook uses the 1904 date system (old Mac Excel). Only with source 'spreadsheet'. */
  date1904?: boolean;
  /** Reference time for the default upper bound; defaults to the current time. */
  now?: Date;
  /** Earliest accepted instant; default 1990-01-01T00:00:00+08:00. */
  notBefore?: Date;
  /** Latest accepted instant; default one year after `now`. */
  notAfter?: Date;
}

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
const SHANGHAI_OFFSET_MS = 8 * HOUR_MS;
const DEFAULT_NOT_BEFORE_MS = Date.UTC(1990, 0, 1) - SHANGHAI_OFFSET_MS;

/** Format an instant as Shanghai wall time with +08:00. */
export function formatShanghai(epochMs: number): string {
  const wall = new Date(epochMs + SHANGHAI_OFFSET_MS).toISOString(); // yyyy-MM-ddTHH:mm:ss.SSSZ
  const base = wall.slice(0, 19);
  const ms = wall.slice(20, 23);
  return `${base}${ms === '000' ? '' : `.${ms}`}+08:00`;
}

/** Parse a department timestamp; throws ValidationError for unreadable, impossible or implausible values. */
export function parseTimestamp(raw: unknown, field: string, opts: ParseTimeOptions = {}): ParsedTime {
  // Connectors read the same few update times thousands of times a page (bulk operations share one
  // second): text → instant is a pure function, so each text is read once. Spreadsheet numbers
  // depend on the workbook's date system and stay uncached; the bounds depend on the clock and are
  // checked every time.
  if (typeof raw === 'string' && opts.source === undefined) {
    const known = parsedTexts.get(raw);
    if (known) {
      assertWithinBounds(known.epochMs, field, opts);
      return { iso: known.iso, epochMs: known.epochMs };
    }
  }
  const epochMs = toEpochMs(raw, field, opts);
  assertWithinBounds(epochMs, field, opts);
  const parsed = { iso: formatShanghai(epochMs), epochMs };
  if (typeof raw === 'string' && opts.source === undefined) {
    if (parsedTexts.size >= PARSED_TEXTS_MAX) parsedTexts.clear();
    parsedTexts.set(raw, parsed);
  }
  return { iso: parsed.iso, epochMs };
}

/** Texts already read (a bounded memo; cleared whole when full — old times are rarely read again). */
const parsedTexts = new Map<string, ParsedTime>();
const PARSED_TEXTS_MAX = 20_000;

function toEpochMs(raw: unknown, field: string, opts: ParseTimeOptions): number {
  const spreadsheet = opts.source === 'spreadsheet';
  if (raw instanceof Date) {
    const t = raw.getTime();
    if (Number.isNaN(t)) throw new ValidationError(field, '时间无效 (the time is an invalid date object)');
    return spreadsheet ? t - SHANGHAI_OFFSET_MS : t;
  }
  if (typeof raw === 'number') return fromNumber(raw, String(raw), field, spreadsheet, opts);
  if (typeof raw !== 'string') {
    if (raw === null || raw === undefined) throw new ValidationError(field, '时间为空 (the time is missing)');
    throw new ValidationError(field, `时间格式无法识别 (expected a date/time text or number, got ${typeof raw})`);
  }

  const text = raw.normalize('NFKC').trim();
  if (text === '') throw new ValidationError(field, '时间为空 (the time is missing)');

  const dotNet = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(text);
  if (dotNet) return Number(dotNet[1]);

  if (/^[+-]?\d+(?:\.\d+)?$/.test(text)) return fromNumber(Number(text), text, field, spreadsheet, opts);

  return fromDateText(text, field);
}

function fromNumber(n: number, shown: string, field: string, spreadsheet: boolean, opts: ParseTimeOptions): number {
  if (!Number.isFinite(n)) throw new ValidationError(field, `时间格式无法识别 (not a usable number: ${shown})`);
  const digits = /^\d+$/.test(shown) ? shown : Number.isInteger(n) && n > 0 ? String(n) : '';
  if (digits.length === 14) {
    return fromWall(field, shown, digits.slice(0, 4), digits.slice(4, 6), digits.slice(6, 8), digits.slice(8, 10), digits.slice(10, 12), digits.slice(12, 14));
  }
  if (digits.length === 8) return fromWall(field, shown, digits.slice(0, 4), digits.slice(4, 6), digits.slice(6, 8));
  if (spreadsheet) return fromExcelSerial(n, shown, field, opts.date1904 ?? false);
  // Epoch seconds up to 1e11 (year 5138); larger values are milliseconds (1e11 ms is 1973).
  return Math.abs(n) >= 1e11 ? Math.round(n) : Math.round(n * 1000);
}

function fromExcelSerial(serial: number, shown: string, field: string, date1904: boolean): number {
  if (serial < 1) {
    throw new ValidationError(field, `时间缺少日期 (spreadsheet value ${shown} is a time of day without a date)`);
  }
  let wallMs: number;
  if (date1904) {
    wallMs = Date.UTC(1904, 0, 1) + Math.round(serial * DAY_MS);
  } else if (serial >= 61) {
    wallMs = Date.UTC(1899, 11, 30) + Math.round(serial * DAY_MS);
  } else if (serial >= 60) {
    throw new ValidationError(field, `日期不存在 (spreadsheet serial ${shown} is 1900-02-29, a day Excel invents but that never existed)`);
  } else {
    wallMs = Date.UTC(1899, 11, 31) + Math.round(serial * DAY_MS);
  }
  return wallMs - SHANGHAI_OFFSET_MS;
}

const DATE_TIME =
  /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:(?:T|\s+)(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function fromDateText(text: string, field: string): number {
  // 2026年3月1日 8时30分5秒 / 2026年3月1日 08:30 → 2026-3-1 8:30:5
  const unified = text.includes('年')
    ? text
        .replace(/年|月/g, '-')
        .replace(/日/, ' ')
        .replace(/[时點点]/g, ':')
        .replace(/分/g, ':')
        .replace(/秒/g, '')
        .replace(/:\s*$/, '')
        .replace(/\s+/g, ' ')
        .trim()
        .replace(/ (\d{1,2})$/, ' $1:00') // "8时" alone
    : text;
  const m = DATE_TIME.exec(unified);
  if (!m) {
    throw new ValidationError(
      field,
      `时间格式无法识别 (cannot read "${text}" as a date/time; expected e.g. 2026-03-01 08:30:00, 2026/3/1 8:30, 20260301083000 or ISO 8601)`,
    );
  }
  const [, y, , mo, d, h, mi, s, frac, offset] = m;
  if (offset !== undefined && h === undefined) {
    throw new ValidationError(field, `时间格式无法识别 ("${text}" has a time-zone offset but no time of day)`);
  }
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  const wall = wallMs(field, text, y as string, mo as string, d as string, h, mi, s, ms);
  if (offset === undefined) return wall - SHANGHAI_OFFSET_MS;
  return wall - offsetMs(offset, field, text);
}

function offsetMs(offset: string, field: string, text: string): number {
  if (offset.toUpperCase() === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 14 || minutes > 59) throw new ValidationError(field, `时区无效 ("${text}" has an impossible offset ${offset})`);
  return sign * (hours * HOUR_MS + minutes * 60_000);
}

/** Shanghai wall time → epoch ms. */
function fromWall(field: string, text: string, y: string, mo: string, d: string, h?: string, mi?: string, s?: string): number {
  return wallMs(field, text, y, mo, d, h, mi, s, 0) - SHANGHAI_OFFSET_MS;
}

/** Validated wall-clock components → milliseconds as if the wall time were UTC. */
function wallMs(field: string, text: string, y: string, mo: string, d: string, h: string | undefined, mi: string | undefined, s: string | undefined, ms: number): number {
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  const dayExists = month >= 1 && month <= 12 && day >= 1 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  if (!dayExists) {
    throw new ValidationError(field, `日期不存在 ("${text}": ${y}-${mo}-${d} is not a real date)`);
  }
  if (hour > 23 || minute > 59 || second > 59) {
    throw new ValidationError(field, `时间不存在 ("${text}": hours must be 0–23, minutes and seconds 0–59)`);
  }
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

function assertWithinBounds(epochMs: number, field: string, opts: ParseTimeOptions): void {
  const notBefore = opts.notBefore?.getTime() ?? DEFAULT_NOT_BEFORE_MS;
  let notAfter = opts.notAfter?.getTime();
  if (notAfter === undefined) {
    const later = new Date(opts.now ?? new Date());
    later.setUTCFullYear(later.getUTCFullYear() + 1);
    notAfter = later.getTime();
  }
  if (Number.isNaN(epochMs) || epochMs < notBefore || epochMs > notAfter) {
    const formatted = Number.isFinite(epochMs) && Math.abs(epochMs) < 8.64e15 ? formatShanghai(epochMs) : '';
    const shown = /^\d{4}-/.test(formatted) ? formatted : `epoch ${String(epochMs)} ms`;
    throw new ValidationError(
      field,
      `时间超出合理范围 (${shown} is outside the accepted range ${formatShanghai(notBefore)} … ${formatShanghai(notAfter)}; ` +
        'check the source clock or the date format)',
    );
  }
}
