/**
 * The working-day calendar of the county (Asia/Shanghai), from data: the State Council's yearly
 * holiday arrangement (statutory holidays and make-up working days, 调休上班) in
 * `schemas/catalogues/holidays/<year>.json`, plus a local override table for county closures
 * and extra working days (`holidays/local-overrides.json`).
 *
 * Time zone: China has kept UTC+08:00 without daylight saving since 1991, so Asia/Shanghai is a
 * fixed offset for every date the hub handles; the calendar computes with that offset and never
 * looks at the machine's time zone.
 *
 * A year with no data is an error, never a guess: every query on such a day throws a ConfigError
 * that names the file to add.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { DEFAULT_CATALOGUE_DIR, asArray, asBoolean, asObject, asString, readJsonFile } from '../../core/data-files.js';

export const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date `YYYY-MM-DD` (Asia/Shanghai). */
export type DateKey = string;

export interface HolidayYear {
  readonly year: number;
  /** True when the State Council has not yet published the year (dates derived, to be replaced). */
  readonly provisional: boolean;
  readonly source: string;
  readonly holidays: readonly { readonly name: string; readonly from: DateKey; readonly to: DateKey }[];
  /** Make-up working days (调休上班) that fall on weekends. */
  readonly workdays: readonly { readonly date: DateKey; readonly name: string }[];
}

export interface CalendarOverrides {
  /** Days off decided by the county (typhoon, flood emergency …). */
  readonly closures: readonly { readonly date: DateKey; readonly reason: string }[];
  /** Extra working days decided by the county. */
  readonly workdays: readonly { readonly date: DateKey; readonly reason: string }[];
}

export type DayKind = 'weekday' | 'weekend' | 'holiday' | 'makeup_workday' | 'county_closure' | 'county_workday';

export interface DayInfo {
  readonly date: DateKey;
  readonly working: boolean;
  readonly kind: DayKind;
  /** Holiday name, make-up day name or override reason. */
  readonly name?: string;
  readonly provisional: boolean;
}

/** The Asia/Shanghai calendar date of an instant. */
export function shanghaiDate(instant: Date): DateKey {
  const t = instant.getTime();
  if (Number.isNaN(t)) throw new RangeError('invalid Date');
  return new Date(t + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant of 00:00 Asia/Shanghai on a calendar date. */
export function shanghaiMidnight(date: DateKey): Date {
  return new Date(dateKeyToUtcMs(date) - SHANGHAI_OFFSET_MS);
}

function dateKeyToUtcMs(date: DateKey): number {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`not a calendar date (YYYY-MM-DD): "${date}"`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(ms).toISOString().slice(0, 10) !== date) throw new RangeError(`no such date: "${date}"`);
  return ms;
}

function addDays(date: DateKey, n: number): DateKey {
  return new Date(dateKeyToUtcMs(date) + n * DAY_MS).toISOString().slice(0, 10);
}

function isWeekend(date: DateKey): boolean {
  const dow = new Date(dateKeyToUtcMs(date)).getUTCDay();
  return dow === 0 || dow === 6;
}

function toKey(date: Date | DateKey): DateKey {
  if (typeof date === 'string') {
    if (DATE_RE.test(date)) {
      dateKeyToUtcMs(date);
      return date;
    }
    return shanghaiDate(new Date(date));
  }
  return shanghaiDate(date);
}

export class WorkingCalendar {
  readonly #years = new Map<number, HolidayYear>();
  readonly #special = new Map<DateKey, { kind: DayKind; name: string }>();
  readonly #overrides: CalendarOverrides;

  constructor(years: readonly HolidayYear[], overrides: CalendarOverrides = { closures: [], workdays: [] }) {
    for (const y of years) {
      const file = `holidays/${y.year}.json`;
      if (this.#years.has(y.year)) throw new ConfigError(file, `year ${y.year} given twice`);
      this.#years.set(y.year, y);
      y.holidays.forEach((h, i) => {
        const field = `${file}.holidays[${i}]`;
        checkInYear(h.from, y.year, `${field}.from`);
        checkInYear(h.to, y.year, `${field}.to`);
        if (h.to < h.from) throw new ConfigError(`${field}.to`, `"${h.to}" is before "${h.from}"`);
        for (let d = h.from; d <= h.to; d = addDays(d, 1)) {
          if (this.#special.has(d)) throw new ConfigError(field, `${d} is listed twice`);
          this.#special.set(d, { kind: 'holiday', name: h.name });
        }
      });
      y.workdays.forEach((w, i) => {
        const field = `${file}.workdays[${i}]`;
        checkInYear(w.date, y.year, `${field}.date`);
        if (this.#special.has(w.date)) throw new ConfigError(field, `${w.date} is both a holiday and a make-up working day`);
        if (!isWeekend(w.date)) throw new ConfigError(field, `${w.date} is a weekday; a make-up working day (调休上班) falls on a weekend`);
        this.#special.set(w.date, { kind: 'makeup_workday', name: w.name });
      });
    }
    const seen = new Set<DateKey>();
    for (const [list, kind] of [
      [overrides.closures, 'county_closure'],
      [overrides.workdays, 'county_workday'],
    ] as const) {
      list.forEach((o, i) => {
        const field = `holidays/local-overrides.json.${kind === 'county_closure' ? 'closures' : 'workdays'}[${i}].date`;
        try {
          dateKeyToUtcMs(o.date);
        } catch (err) {
          throw new ConfigError(field, (err as Error).message);
        }
        if (seen.has(o.date)) throw new ConfigError(field, `${o.date} is listed more than once in the overrides`);
        seen.add(o.date);
        this.#special.set(o.date, { kind, name: o.reason });
      });
    }
    this.#overrides = overrides;
  }

  /** Years with data, ascending. */
  get years(): number[] {
    return [...this.#years.keys()].sort((a, b) => a - b);
  }

  /** Whether a year's data is provisional (not yet published). Throws for a year with no data. */
  isProvisional(yearOrDate: number | Date | DateKey): boolean {
    const year = typeof yearOrDate === 'number' ? yearOrDate : Number(toKey(yearOrDate).slice(0, 4));
    return this.#requireYear(year).provisional;
  }

  /** A copy of this calendar with more county closures or working days. */
  withOverrides(extra: Partial<CalendarOverrides>): WorkingCalendar {
    return new WorkingCalendar([...this.#years.values()], {
      closures: [...this.#overrides.closures, ...(extra.closures ?? [])],
      workdays: [...this.#overrides.workdays, ...(extra.workdays ?? [])],
    });
  }

  /** What a day is. A `Date` is read as the instant's Asia/Shanghai date; a string as `YYYY-MM-DD` or an ISO timestamp. */
  dayInfo(date: Date | DateKey): DayInfo {
    const key = toKey(date);
    const year = this.#requireYear(Number(key.slice(0, 4)));
    const special = this.#special.get(key);
    const provisional = year.provisional;
    if (special) {
      const working = special.kind === 'makeup_workday' || special.kind === 'county_workday';
      return { date: key, working, kind: special.kind, name: special.name, provisional };
    }
    return isWeekend(key)
      ? { date: key, working: false, kind: 'weekend', provisional }
      : { date: key, working: true, kind: 'weekday', provisional };
  }

  isWorkingDay(date: Date | DateKey): boolean {
    return this.dayInfo(date).working;
  }

  /** The first working day strictly after `date`. */
  nextWorkingDay(date: Date | DateKey): DateKey {
    let key = toKey(date);
    do key = addDays(key, 1);
    while (!this.isWorkingDay(key));
    return key;
  }

  /**
   * The instant `n` working days after `start`, at the same Asia/Shanghai wall-clock time:
   * the days after start's date are counted one by one, skipping days that are not working days.
   * Friday 10:00 + 1 → Monday 10:00; a start on a holiday counts from the following days.
   */
  addWorkingDays(start: Date, n: number): Date {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a whole number ≥ 0, got ${n}`);
    const startKey = shanghaiDate(start);
    this.#requireYear(Number(startKey.slice(0, 4)));
    let key = startKey;
    for (let counted = 0; counted < n; ) {
      key = addDays(key, 1);
      if (this.isWorkingDay(key)) counted++;
    }
    return new Date(start.getTime() + (dateKeyToUtcMs(key) - dateKeyToUtcMs(startKey)));
  }

  /**
   * Minutes between two instants that fall on working days (whole calendar days; office hours
   * are not modelled). Negative when `to` is before `from`.
   */
  workingMinutesBetween(from: Date, to: Date): number {
    if (to.getTime() < from.getTime()) return -this.workingMinutesBetween(to, from);
    let ms = 0;
    let cursor = from.getTime();
    const end = to.getTime();
    while (cursor < end) {
      const key = shanghaiDate(new Date(cursor));
      const dayEnd = shanghaiMidnight(addDays(key, 1)).getTime();
      const sliceEnd = Math.min(dayEnd, end);
      if (this.isWorkingDay(key)) ms += sliceEnd - cursor;
      cursor = sliceEnd;
    }
    return Math.floor(ms / 60_000);
  }

  #requireYear(year: number): HolidayYear {
    const data = this.#years.get(year);
    if (!data) {
      const have = this.years;
      throw new ConfigError(
        `holidays/${year}.json`,
        `no working-day calendar data for ${year} (have ${have.length ? have.join(', ') : 'none'}); add the State Council's holiday arrangement for ${year} before computing dates in it`,
      );
    }
    return data;
  }
}

function checkInYear(date: DateKey, year: number, field: string): void {
  try {
    dateKeyToUtcMs(date);
  } catch (err) {
    throw new ConfigError(field, (err as Error).message);
  }
  if (!date.startsWith(`${year}-`)) throw new ConfigError(field, `${date} is not in ${year}`);
}

/** Load every `holidays/<year>.json` and `holidays/local-overrides.json` (optional) under `dir`. */
export function loadCalendar(dir: string = DEFAULT_CATALOGUE_DIR): WorkingCalendar {
  const holidayDir = join(dir, 'holidays');
  let files: string[];
  try {
    files = readdirSync(holidayDir);
  } catch (err) {
    throw new ConfigError('holidays', `cannot list ${holidayDir}: ${(err as Error).message}`);
  }
  const years = files
    .filter((f) => /^\d{4}\.json$/.test(f))
    .sort()
    .map((f) => parseHolidayYear(readJsonFile(join(holidayDir, f)), f));
  if (years.length === 0) throw new ConfigError('holidays', `no <year>.json files in ${holidayDir}`);
  const overrides = files.includes('local-overrides.json')
    ? parseOverrides(readJsonFile(join(holidayDir, 'local-overrides.json')))
    : undefined;
  return new WorkingCalendar(years, overrides);
}

export function parseHolidayYear(raw: unknown, file: string): HolidayYear {
  const field = `holidays/${file}`;
  const o = asObject(raw, field);
  const year = o.year;
  if (typeof year !== 'number' || !Number.isInteger(year)) throw new ConfigError(`${field}.year`, 'must be a whole number');
  if (file !== `${year}.json`) throw new ConfigError(`${field}.year`, `${year} does not match the file name`);
  return {
    year,
    provisional: asBoolean(o.provisional, `${field}.provisional`, false),
    source: asString(o.source, `${field}.source`),
    holidays: asArray(o.holidays, `${field}.holidays`).map((item, i) => {
      const h = asObject(item, `${field}.holidays[${i}]`);
      return {
        name: asString(h.name, `${field}.holidays[${i}].name`),
        from: asString(h.from, `${field}.holidays[${i}].from`, { pattern: DATE_RE, hint: 'use YYYY-MM-DD' }),
        to: asString(h.to, `${field}.holidays[${i}].to`, { pattern: DATE_RE, hint: 'use YYYY-MM-DD' }),
      };
    }),
    workdays: asArray(o.workdays ?? [], `${field}.workdays`).map((item, i) => {
      const w = asObject(item, `${field}.workdays[${i}]`);
      return {
        date: asString(w.date, `${field}.workdays[${i}].date`, { pattern: DATE_RE, hint: 'use YYYY-MM-DD' }),
        name: asString(w.name, `${field}.workdays[${i}].name`),
      };
    }),
  };
}

function parseOverrides(raw: unknown): CalendarOverrides {
  const field = 'holidays/local-overrides.json';
  const o = asObject(raw, field);
  const list = (key: 'closures' | 'workdays') =>
    asArray(o[key] ?? [], `${field}.${key}`).map((item, i) => {
      const e = asObject(item, `${field}.${key}[${i}]`);
      return {
        date: asString(e.date, `${field}.${key}[${i}].date`, { pattern: DATE_RE, hint: 'use YYYY-MM-DD' }),
        reason: asString(e.reason, `${field}.${key}[${i}].reason`),
      };
    });
  return { closures: list('closures'), workdays: list('workdays') };
}
