import { describe, it, expect } from 'vitest';
import { parseTimestamp, formatShanghai } from '../../../core/normalise/time.js';
import { ValidationError } from '../../../core/errors.js';

const NOW = new Date('2026-03-01T12:00:00+08:00');
const opts = { now: NOW };
const at = (iso: string): number => new Date(iso).getTime();

describe('parseTimestamp', () => {
  it.each([
    ['2026-03-01 08:30:00', '2026-03-01T08:30:00+08:00'],
    ['2026-03-01T08:30:00', '2026-03-01T08:30:00+08:00'],
    ['2026-03-01 08:30', '2026-03-01T08:30:00+08:00'],
    ['2026/3/1 8:30', '2026-03-01T08:30:00+08:00'],
    ['2026/03/01 8:30:05', '2026-03-01T08:30:05+08:00'],
    ['2026.3.1', '2026-03-01T00:00:00+08:00'],
    ['20260301083005', '2026-03-01T08:30:05+08:00'],
    ['20260301', '2026-03-01T00:00:00+08:00'],
    ['2026-03-01', '2026-03-01T00:00:00+08:00'],
    ['2026年3月1日', '2026-03-01T00:00:00+08:00'],
    ['2026年3月1日 8时30分5秒', '2026-03-01T08:30:05+08:00'],
    ['2026年03月01日 08:30', '2026-03-01T08:30:00+08:00'],
    ['2026年3月1日8时', '2026-03-01T08:00:00+08:00'],
    ['2026年3月1日 14点5分', '2026-03-01T14:05:00+08:00'],
    ['２０２６－０３－０１　０８:３０:００', '2026-03-01T08:30:00+08:00'],
    ['2026-03-01 08:30:00.250', '2026-03-01T08:30:00.250+08:00'],
    ['2026-03-01T08:30:00.123456', '2026-03-01T08:30:00.123+08:00'],
  ])('reads local time %s as Shanghai time', (raw, iso) => {
    const parsed = parseTimestamp(raw, 'e.time', opts);
    expect(parsed.iso).toBe(iso);
    expect(parsed.epochMs).toBe(at(iso));
  });

  it.each([
    ['2026-03-01T00:30:00Z', '2026-03-01T08:30:00+08:00'],
    ['2026-02-28T20:30:00-04:00', '2026-03-01T08:30:00+08:00'],
    ['2026-03-01T08:30:00+08:00', '2026-03-01T08:30:00+08:00'],
    ['2026-03-01T09:30:00+0900', '2026-03-01T08:30:00+08:00'],
    ['2026-03-01T06:00:00+05:30', '2026-03-01T08:30:00+08:00'],
    ['2026-03-01 00:30:00 +00', '2026-03-01T08:30:00+08:00'],
    ['2026-02-28T16:30:00.5Z', '2026-03-01T00:30:00.500+08:00'],
  ])('converts offset time %s to Shanghai wall time', (raw, iso) => {
    expect(parseTimestamp(raw, 'e.time', opts).iso).toBe(iso);
  });

  it('handles the date change when converting from UTC', () => {
    expect(parseTimestamp('2026-02-28T23:59:59Z', 'f', opts).iso).toBe('2026-03-01T07:59:59+08:00');
    expect(parseTimestamp('2026-02-28T16:00:00Z', 'f', opts).iso).toBe('2026-03-01T00:00:00+08:00');
  });

  it('reads epoch seconds and milliseconds, as numbers or digit strings', () => {
    const ms = at('2026-03-01T08:30:00+08:00');
    expect(parseTimestamp(ms, 'f', opts)).toEqual({ iso: '2026-03-01T08:30:00+08:00', epochMs: ms });
    expect(parseTimestamp(ms / 1000, 'f', opts).epochMs).toBe(ms);
    expect(parseTimestamp(String(ms), 'f', opts).epochMs).toBe(ms);
    expect(parseTimestamp(String(ms / 1000), 'f', opts).epochMs).toBe(ms);
    expect(parseTimestamp(ms / 1000 + 0.25, 'f', opts).epochMs).toBe(ms + 250);
  });

  it('reads 14- and 8-digit numbers as compact dates', () => {
    expect(parseTimestamp(20260301083005, 'f', opts).iso).toBe('2026-03-01T08:30:05+08:00');
    expect(parseTimestamp(20260301, 'f', opts).iso).toBe('2026-03-01T00:00:00+08:00');
  });

  it('reads .NET JSON dates', () => {
    const ms = at('2026-03-01T08:30:00+08:00');
    expect(parseTimestamp(`/Date(${ms})/`, 'f', opts).epochMs).toBe(ms);
    expect(parseTimestamp(`/Date(${ms}+0800)/`, 'f', opts).epochMs).toBe(ms);
  });

  it('treats Date objects as instants', () => {
    expect(parseTimestamp(new Date('2026-03-01T00:30:00Z'), 'f', opts).iso).toBe('2026-03-01T08:30:00+08:00');
  });

  describe('spreadsheet source', () => {
    const sheet = { ...opts, source: 'spreadsheet' as const };

    it('reads Excel serial dates as Shanghai wall time', () => {
      // 46082 = 2026-03-01 in the 1900 date system
      expect(parseTimestamp(46082, 'f', sheet).iso).toBe('2026-03-01T00:00:00+08:00');
      expect(parseTimestamp(46082.5, 'f', sheet).iso).toBe('2026-03-01T12:00:00+08:00');
      expect(parseTimestamp(46082 + (8 * 3600 + 30 * 60) / 86400, 'f', sheet).iso).toBe('2026-03-01T08:30:00+08:00');
      expect(parseTimestamp('46082.5', 'f', sheet).iso).toBe('2026-03-01T12:00:00+08:00');
      expect(parseTimestamp(32874, 'f', { ...sheet, notBefore: new Date('1980-01-01') }).iso).toBe('1990-01-01T00:00:00+08:00');
    });

    it('supports the 1904 date system', () => {
      expect(parseTimestamp(46082 - 1462, 'f', { ...sheet, date1904: true }).iso).toBe('2026-03-01T00:00:00+08:00');
    });

    it('handles the serials around Excel’s invented 1900-02-29', () => {
      const wide = { ...sheet, notBefore: new Date('1899-01-01T00:00:00Z') };
      expect(parseTimestamp(59, 'f', wide).iso).toBe('1900-02-28T00:00:00+08:00');
      expect(parseTimestamp(61, 'f', wide).iso).toBe('1900-03-01T00:00:00+08:00');
      expect(() => parseTimestamp(60, 'f', wide)).toThrow(/never existed/);
      expect(parseTimestamp(1, 'f', wide).iso).toBe('1900-01-01T00:00:00+08:00');
    });

    it('rejects a time of day without a date', () => {
      expect(() => parseTimestamp(0.5, 'f', sheet)).toThrow(/without a date/);
    });

    it('reads exceljs Date cells (UTC fields hold the wall time)', () => {
      expect(parseTimestamp(new Date(Date.UTC(2026, 2, 1, 8, 30)), 'f', sheet).iso).toBe('2026-03-01T08:30:00+08:00');
    });

    it('still reads text cells as text', () => {
      expect(parseTimestamp('2026/3/1 8:30', 'f', sheet).iso).toBe('2026-03-01T08:30:00+08:00');
    });
  });

  it.each([
    ['2026-02-30', /not a real date/],
    ['2025-02-29', /not a real date/],
    ['2026-13-01', /not a real date/],
    ['2026-00-10', /not a real date/],
    ['2026-04-31 10:00', /not a real date/],
    ['2026-03-01 25:00', /hours must be 0–23/],
    ['2026-03-01 24:00:00', /hours must be 0–23/],
    ['2026-03-01 12:60', /minutes and seconds/],
    ['2026-03-01 12:30:60', /minutes and seconds/],
    ['20260230120000', /not a real date/],
    ['2026-03-01T08:30:00+15:00', /impossible offset/],
    ['2026-03-01+08:00', /no time of day/],
    ['yesterday', /cannot read/],
    ['2026-03/01', /cannot read/],
    ['01/03/2026', /cannot read/],
    ['', /missing/],
  ])('rejects %s', (raw, message) => {
    expect(() => parseTimestamp(raw, 'e.time', opts)).toThrow(message);
    expect(() => parseTimestamp(raw, 'e.time', opts)).toThrow(ValidationError);
  });

  it('accepts a leap day', () => {
    expect(parseTimestamp('2024-02-29 23:59:59', 'f', opts).iso).toBe('2024-02-29T23:59:59+08:00');
  });

  it('rejects null, undefined and other types', () => {
    expect(() => parseTimestamp(null, 'f', opts)).toThrow(/missing/);
    expect(() => parseTimestamp(undefined, 'f', opts)).toThrow(/missing/);
    expect(() => parseTimestamp({}, 'f', opts)).toThrow(ValidationError);
    expect(() => parseTimestamp(new Date('nope'), 'f', opts)).toThrow(/invalid date/);
    expect(() => parseTimestamp(Number.NaN, 'f', opts)).toThrow(ValidationError);
  });

  describe('plausibility bounds', () => {
    it('defaults to 1990-01-01 (Shanghai) … now + 1 year', () => {
      expect(parseTimestamp('1990-01-01 00:00:00', 'f', opts).iso).toBe('1990-01-01T00:00:00+08:00');
      expect(() => parseTimestamp('1989-12-31 23:59:59', 'f', opts)).toThrow(/outside the accepted range/);
      expect(parseTimestamp('2027-03-01 12:00:00', 'f', opts).iso).toBe('2027-03-01T12:00:00+08:00');
      expect(() => parseTimestamp('2027-03-01 12:00:01', 'f', opts)).toThrow(/outside the accepted range/);
      expect(() => parseTimestamp('2099-01-01', 'f', opts)).toThrow(ValidationError);
    });

    it('rejects epoch values that are absurd (e.g. seconds read as something else)', () => {
      expect(() => parseTimestamp(0, 'f', opts)).toThrow(/outside the accepted range/);
      expect(() => parseTimestamp(1e15, 'f', opts)).toThrow(/outside the accepted range/);
      expect(() => parseTimestamp(1e300, 'f', opts)).toThrow(/outside the accepted range/);
    });

    it('honours custom bounds', () => {
      const bounds = { notBefore: new Date('2026-01-01T00:00:00+08:00'), notAfter: new Date('2026-03-01T00:00:00+08:00') };
      expect(() => parseTimestamp('2025-12-31 23:59:59', 'f', bounds)).toThrow(ValidationError);
      expect(parseTimestamp('2026-03-01 00:00:00', 'f', bounds).iso).toBe('2026-03-01T00:00:00+08:00');
      expect(() => parseTimestamp('2026-03-01 00:00:01', 'f', bounds)).toThrow(ValidationError);
    });
  });

  it('does not depend on the machine time zone', () => {
    const before = process.env.TZ;
    try {
      process.env.TZ = 'America/New_York';
      expect(parseTimestamp('2026-03-01 08:30:00', 'f', opts).iso).toBe('2026-03-01T08:30:00+08:00');
      expect(parseTimestamp('2026-03-01 08:30:00', 'f', opts).epochMs).toBe(Date.UTC(2026, 2, 1, 0, 30));
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });
});

describe('formatShanghai', () => {
  it('formats with +08:00 and shows milliseconds only when present', () => {
    expect(formatShanghai(Date.UTC(2026, 2, 1, 0, 30))).toBe('2026-03-01T08:30:00+08:00');
    expect(formatShanghai(Date.UTC(2026, 2, 1, 0, 30, 0, 7))).toBe('2026-03-01T08:30:00.007+08:00');
  });
});
