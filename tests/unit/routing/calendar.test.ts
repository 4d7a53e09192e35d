import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors.js';
import { loadCalendar, shanghaiDate } from '../../../hub/routing/index.js';

const calendar = loadCalendar();
const at = (iso: string) => new Date(iso);

describe('working-day calendar', () => {
  it('knows Spring Festival 2026 (2/15–2/23) and its make-up Saturdays', () => {
    for (let d = 15; d <= 23; d++) {
      const key = `2026-02-${d}`;
      expect(calendar.isWorkingDay(key), key).toBe(false);
      expect(calendar.dayInfo(key).kind).toBe('holiday');
    }
    expect(calendar.dayInfo('2026-02-17').name).toBe('春节');
    expect(calendar.isWorkingDay('2026-02-13')).toBe(true); // Friday before
    expect(calendar.isWorkingDay('2026-02-24')).toBe(true); // Tuesday after
    // make-up Saturdays
    expect(calendar.dayInfo('2026-02-14')).toMatchObject({ working: true, kind: 'makeup_workday' });
    expect(calendar.dayInfo('2026-02-28')).toMatchObject({ working: true, kind: 'makeup_workday' });
    expect(calendar.isWorkingDay('2026-02-07')).toBe(false); // an ordinary Saturday
  });

  it('has every 2026 make-up working day (1/4, 2/14, 2/28, 5/9, 9/20, 10/10)', () => {
    for (const d of ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']) {
      expect(calendar.isWorkingDay(d), d).toBe(true);
    }
    expect(calendar.isWorkingDay('2026-10-05')).toBe(false);
    expect(calendar.isWorkingDay('2025-10-08')).toBe(false);
    expect(calendar.isWorkingDay('2025-09-28')).toBe(true);
  });

  it('reads an instant as its Asia/Shanghai date, whatever the machine time zone', () => {
    // 2026-02-14 23:30 in Shanghai is still the make-up Saturday; 16:30 UTC.
    expect(shanghaiDate(at('2026-02-14T15:30:00Z'))).toBe('2026-02-14');
    expect(shanghaiDate(at('2026-02-14T16:30:00Z'))).toBe('2026-02-15');
    expect(calendar.isWorkingDay(at('2026-02-14T15:30:00Z'))).toBe(true);
    expect(calendar.isWorkingDay(at('2026-02-14T16:30:00Z'))).toBe(false);
  });

  it('adds working days across the Spring Festival at the same wall-clock time', () => {
    // Thursday 2026-02-12 09:15 +08:00; +1 → Fri 2/13, +2 → Sat 2/14 (make-up), +3 → Tue 2/24
    const start = at('2026-02-12T09:15:00+08:00');
    expect(calendar.addWorkingDays(start, 1)).toEqual(at('2026-02-13T09:15:00+08:00'));
    expect(calendar.addWorkingDays(start, 2)).toEqual(at('2026-02-14T09:15:00+08:00'));
    expect(calendar.addWorkingDays(start, 3)).toEqual(at('2026-02-24T09:15:00+08:00'));
    expect(calendar.addWorkingDays(start, 5)).toEqual(at('2026-02-26T09:15:00+08:00'));
    expect(calendar.addWorkingDays(start, 0)).toEqual(start);
  });

  it('adds working days across a weekend and from inside a holiday', () => {
    expect(calendar.addWorkingDays(at('2026-03-06T17:00:00+08:00'), 1)).toEqual(at('2026-03-09T17:00:00+08:00'));
    // reported on National Day: counting starts after the holiday; 10/10 is a make-up Saturday
    expect(calendar.addWorkingDays(at('2026-10-03T22:40:00+08:00'), 1)).toEqual(at('2026-10-08T22:40:00+08:00'));
    expect(calendar.addWorkingDays(at('2026-10-03T22:40:00+08:00'), 3)).toEqual(at('2026-10-10T22:40:00+08:00'));
    // late evening in Shanghai is the previous UTC day: the result keeps the Shanghai wall clock
    expect(calendar.addWorkingDays(at('2026-02-13T23:50:00+08:00'), 2)).toEqual(at('2026-02-24T23:50:00+08:00'));
    expect(() => calendar.addWorkingDays(at('2026-03-06T17:00:00+08:00'), -1)).toThrow(RangeError);
  });

  it('crosses the year boundary into the next year’s data', () => {
    // 2026-01-01..03 New Year holiday, Sunday 2026-01-04 is a make-up working day
    expect(calendar.addWorkingDays(at('2025-12-31T10:00:00+08:00'), 1)).toEqual(at('2026-01-04T10:00:00+08:00'));
    expect(calendar.addWorkingDays(at('2025-12-31T10:00:00+08:00'), 2)).toEqual(at('2026-01-05T10:00:00+08:00'));
  });

  it('marks 2027 as provisional and fails loudly for a year with no data', () => {
    expect(calendar.isProvisional(2026)).toBe(false);
    expect(calendar.isProvisional(2027)).toBe(true);
    expect(calendar.dayInfo('2027-02-08').provisional).toBe(true);
    let err: unknown;
    try {
      calendar.isWorkingDay('2030-03-01');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe('holidays/2030.json');
    expect((err as Error).message).toMatch(/no working-day calendar data for 2030/);
    expect(() => calendar.addWorkingDays(at('2027-12-30T10:00:00+08:00'), 3)).toThrow(/2028/);
  });

  it('applies county closures and extra working days over the national data', () => {
    const local = calendar.withOverrides({
      closures: [{ date: '2026-07-15', reason: '台风停工' }],
      workdays: [{ date: '2026-07-18', reason: '防汛补班' }],
    });
    expect(local.dayInfo('2026-07-15')).toMatchObject({ working: false, kind: 'county_closure', name: '台风停工' });
    expect(local.isWorkingDay('2026-07-18')).toBe(true);
    expect(calendar.isWorkingDay('2026-07-15')).toBe(true); // the original is unchanged
    expect(local.addWorkingDays(at('2026-07-14T08:00:00+08:00'), 1)).toEqual(at('2026-07-16T08:00:00+08:00'));
    expect(() => calendar.withOverrides({ closures: [{ date: '2026-02-30', reason: 'x' }] })).toThrow(ConfigError);
  });

  it('counts working minutes, skipping holidays and weekends', () => {
    // Fri 2026-02-13 23:00 → Tue 2026-02-24 01:00: 60 min Fri + 1440 Sat (make-up) + 60 min Tue
    expect(calendar.workingMinutesBetween(at('2026-02-13T23:00:00+08:00'), at('2026-02-24T01:00:00+08:00'))).toBe(1560);
    expect(calendar.workingMinutesBetween(at('2026-02-24T01:00:00+08:00'), at('2026-02-13T23:00:00+08:00'))).toBe(-1560);
  });
});
