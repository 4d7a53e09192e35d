/** The SDK helpers every Chinese platform needs: positions as text, status tables, Chinese date-times, categories. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../core/errors.js';
import { transformFromWgs84 } from '../../../core/normalise/index.js';
import { fixtureContext } from '../../../connectors/sdk/fixtures.js';
import { categoryOf, chineseDateTime, locationFromText, pointFromText, statusTable } from '../../../connectors/sdk/platform.js';
import type { ReportStatus } from '../../../schemas/index.js';
import { loadSchema } from '../../../schemas/index.js';

// 锡尼镇 in the demo county (WGS84), as Baidu maps (BD-09) write it
const WGS: [number, number] = [108.73, 39.86];
const [bdLng, bdLat] = transformFromWgs84(WGS[0], WGS[1], 'BD09');

describe('pointFromText', () => {
  it('reads "lng,lat" and the swapped rows of the same platform to the same WGS84 point, against the county box of the profile', () => {
    const straight = pointFromText(`${bdLng},${bdLat}`, { crs: 'BD09', field: 'zb' })!;
    const swapped = pointFromText(`${bdLat}, ${bdLng}`, { crs: 'BD09', field: 'zb' })!;
    expect(straight.swapped).toBe(false);
    expect(swapped.swapped).toBe(true);
    for (const p of [straight, swapped]) {
      expect(p.lng).toBeCloseTo(WGS[0], 5);
      expect(p.lat).toBeCloseTo(WGS[1], 5);
    }
    // a platform documenting lat,lng: its straight rows are not "swapped"
    expect(pointFromText(`${bdLat}，${bdLng}`, { crs: 'BD09', field: 'zb', order: 'lat,lng' })!.swapped).toBe(false);
    expect(pointFromText([bdLng, bdLat], { crs: 'BD09', field: 'zb' })!.lng).toBeCloseTo(WGS[0], 5);
  });

  it('no position is null; a point outside the county either way round, or not two numbers, is refused naming the field', () => {
    expect(pointFromText('', { crs: 'BD09', field: 'zb' })).toBeNull();
    expect(pointFromText('0,0', { crs: 'BD09', field: 'zb' })).toBeNull();
    expect(pointFromText(null, { crs: 'BD09', field: 'zb' })).toBeNull();
    expect(() => pointFromText('116.40,39.90', { crs: 'BD09', field: 'zb' })).toThrow(/坐标不在本县范围内/); // Beijing
    for (const bad of ['108.73', '108.73,north', '1,2,3']) {
      const err = (() => {
        try {
          pointFromText(bad, { crs: 'BD09', field: 'zb' });
        } catch (e) {
          return e;
        }
      })();
      expect(err, bad).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe('zb');
    }
  });

  it('locationFromText keeps the pair exactly as the platform sent it (the swap shows in it)', () => {
    const loc = locationFromText(`${bdLat},${bdLng}`, { crs: 'BD09', field: 'zb' })!;
    expect(loc).toMatchObject({ originalLng: bdLat, originalLat: bdLng, originalCrs: 'BD09' });
    expect(loc.lng).toBeCloseTo(WGS[0], 5);
  });
});

describe('statusTable', () => {
  const status = statusTable<ReportStatus>(
    { '01': 'RECEIVED', '02': 'DISPATCHED', '03': 'IN_PROGRESS', '04': 'FOLLOW_UP', '05': 'CLOSED', '06': 'WITHDRAWN', 已作废: 'CANCELLED' },
    'zt',
  );
  it('maps codes, labels, "code label" forms and codes that lost their zero to the canonical status, keeping the source text', () => {
    expect(status('06')).toEqual({ status: 'WITHDRAWN', sourceStatus: '06' });
    expect(status(6)).toEqual({ status: 'WITHDRAWN', sourceStatus: '6' });
    expect(status('０５')).toEqual({ status: 'CLOSED', sourceStatus: '０５' });
    expect(status('06 已撤销').status).toBe('WITHDRAWN');
    expect(status('已撤销(06)').status).toBe('WITHDRAWN');
    expect(status('已作废').status).toBe('CANCELLED');
  });
  it('an unknown or empty status is refused naming the field and the value, unless the adapter says what it becomes', () => {
    expect(() => status('09')).toThrow(/状态未知: "09"/);
    expect(() => status('')).toThrow(/状态为空/);
    const lenient = statusTable<ReportStatus>({ '01': 'RECEIVED' }, 'zt', { unknown: 'UNKNOWN', missing: 'RECEIVED' });
    expect(lenient('09')).toEqual({ status: 'UNKNOWN', sourceStatus: '09' });
    expect(lenient(null)).toEqual({ status: 'RECEIVED', sourceStatus: null });
  });
  it('the canonical report status has withdrawn and cancelled, appended with a default so older readers see UNKNOWN', () => {
    const field = (loadSchema('report') as { fields: Array<{ name: string; type: { symbols?: string[]; default?: string } }> }).fields.find((f) => f.name === 'status')!;
    expect(field.type.symbols!.slice(0, 7)).toEqual(['RECEIVED', 'DISPATCHED', 'IN_PROGRESS', 'FOLLOW_UP', 'CLOSED', 'REJECTED', 'UNKNOWN']);
    expect(field.type.symbols).toEqual(expect.arrayContaining(['WITHDRAWN', 'CANCELLED']));
    expect(field.type.default).toBe('UNKNOWN');
  });
});

describe('chineseDateTime', () => {
  const at = (s: string) => chineseDateTime(s, 't').iso;
  it('reads the forms Chinese platforms write, in Shanghai time', () => {
    expect(at('2026年11月23日 09时30分')).toBe('2026-11-23T09:30:00+08:00');
    expect(at('2026年11月23日09:30')).toBe('2026-11-23T09:30:00+08:00');
    expect(at('2026年1月3日 9点5分3秒')).toBe('2026-01-03T09:05:03+08:00');
    expect(at('２０２６年１１月２３日 ０９时３０分')).toBe('2026-11-23T09:30:00+08:00');
    expect(at('2026年11月23日 下午3时30分')).toBe('2026-11-23T15:30:00+08:00');
    expect(at('2026年11月23日 晚上9点')).toBe('2026-11-23T21:00:00+08:00');
    expect(at('2026年11月23日 上午12时05分')).toBe('2026-11-23T00:05:00+08:00');
    expect(at('20261123093000')).toBe('2026-11-23T09:30:00+08:00');
  });
  it('an impossible date or time is refused naming the field', () => {
    expect(() => chineseDateTime('2026年2月30日 09时30分', 'gxsj')).toThrow(ValidationError);
    expect(() => chineseDateTime('2026年11月23日 25时00分', 'gxsj')).toThrow(/时间不存在/);
    expect(() => chineseDateTime('2026年11月23日 下午15时', 'gxsj')).toThrow(/时间不存在/);
  });
});

describe('categoryOf', () => {
  it('finds the county category by the department code or, failing that, by its name', () => {
    const ctx = fixtureContext({ id: 'x', sourceSystem: 'x', department: 'hotline' });
    expect(categoryOf(ctx, '05.01', null)).toBe('planning.illegal_building');
    expect(categoryOf(ctx, null, '城乡建设-物业管理')).toBe('dispute.property');
    expect(categoryOf(ctx, 'ZZ.99', '城乡建设-市政设施')).toBe('facility.road'); // an unmapped code falls back to the name
    expect(categoryOf(ctx, 'ZZ.99', '没有这个类别')).toBeNull();
  });
});
