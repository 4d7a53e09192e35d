import { describe, expect, it } from 'vitest';
import { Gazetteer } from '../../../hub/gazetteer/geocode.js';
import type { GazetteerEntry } from '../../../hub/gazetteer/format.js';
import { geocodeFeatures } from '../../../hub/gazetteer/features.js';
import { RegionIndex } from '../../../hub/merge/regions.js';
import { matchMatter, matterBlocking, type ReportFeatures } from '../../../hub/merge/matter-matcher.js';

// Two towns each with a 水南路 (a common road name), one with 新华路 as well.
const A = '150625100';
const B = '150625103';
const entries: GazetteerEntry[] = [
  { kind: 'road', id: 'RA', name: '水南路', townCode: A, villageCode: `${A}001`, line: [[108.70, 39.85], [108.72, 39.85]], doors: [1, 200] },
  { kind: 'road', id: 'RB', name: '水南路', townCode: B, villageCode: `${B}001`, line: [[108.90, 39.95], [108.92, 39.95]], doors: [1, 200] },
  { kind: 'road', id: 'RX', name: '新华路', townCode: A, villageCode: `${A}001`, line: [[108.71, 39.84], [108.71, 39.86]], doors: [1, 100] },
];
const regions = new RegionIndex([
  { code: A, name: '锡尼镇' },
  { code: B, name: '拉贡镇' },
  { code: `${A}001`, name: '城东社区' },
  { code: `${B}001`, name: '翠微社区' },
]);
const gaz = new Gazetteer(entries, [
  { code: A, name: '锡尼镇', center: [108.71, 39.85] },
  { code: B, name: '拉贡镇', center: [108.91, 39.95] },
]);

const T0 = Date.parse('2026-03-02T09:00:00+08:00');
const report = (over: Partial<ReportFeatures>): ReportFeatures => ({
  sourceSystem: 'hotline-12345',
  sourceRecordId: 'GD1',
  categoryCode: 'env.noise_social',
  eventTime: T0,
  location: null,
  divisionCode: null,
  gridCode: null,
  description: '一家鱼头馆夜里吵闹，反映多次没人管。',
  address: null,
  subjectUscc: null,
  subjectName: null,
  ...over,
});

describe('a door on a road name several towns have, no town given', () => {
  it('gets the door key on each such road (no position, no division)', () => {
    const f = geocodeFeatures(report({ address: '水南路184号' }), gaz, regions);
    expect(f.addressKeys).toEqual(['door:RA#184', 'door:RB#184']);
    expect(f.location).toBeNull();
    expect(f.divisionCode).toBeNull();
  });

  it('a town in the address still chooses one road', () => {
    const f = geocodeFeatures(report({ address: '拉贡镇水南路184号' }), gaz, regions);
    expect(f.addressKeys).toEqual(['door:RB#184', 'road:RB']);
  });

  it('meets the grid report at that door through the keys, and they are one matter', () => {
    const hotline = geocodeFeatures(report({ address: '水南路184号' }), gaz, regions);
    const grid = geocodeFeatures(
      report({ sourceSystem: 'grid', sourceRecordId: 'SJ1', eventTime: T0 + 3_600_000, location: { lng: 108.9101, lat: 39.9501 }, divisionCode: `${B}001`, gridCode: `${B}001001`, address: '翠微社区水南路184号', description: '翠微鱼头夜间经营声音大，居民有意见，已劝导。' }),
      gaz,
      regions,
    );
    expect(matterBlocking(grid).addressKeys).toContain('door:RB#184');
    expect(hotline.addressKeys).toContain('door:RB#184');
    const d = matchMatter(grid, [{ matterId: 'M1', reports: [hotline] }], { regions });
    expect(d.decision).toBe('match');
  });

  it('another door of the road is another matter', () => {
    const hotline = geocodeFeatures(report({ address: '水南路184号' }), gaz, regions);
    const grid = geocodeFeatures(
      report({ sourceSystem: 'grid', sourceRecordId: 'SJ2', eventTime: T0 + 3_600_000, location: { lng: 108.915, lat: 39.9501 }, divisionCode: `${B}001`, gridCode: `${B}001001`, address: '翠微社区水南路120号', description: '翠微鱼头夜间经营声音大，居民有意见，已劝导。' }),
      gaz,
      regions,
    );
    expect(grid.addressKeys).not.toContain('door:RB#184');
    expect(matchMatter(grid, [{ matterId: 'M1', reports: [hotline] }], { regions }).decision).toBe('new');
  });
});

describe('a work order with an empty address field naming a building number on a road', () => {
  it('新华路24栋 in the text is door 24 of the road (no compound, no unit)', () => {
    const f = geocodeFeatures(report({ divisionCode: `${A}000`, description: '锡尼镇新华路24栋：新华路那边垃圾桶满出来了，没人收。' }), gaz, regions);
    expect(f.addressKeys).toEqual(['door:RX#24', 'road:RX']);
  });

  it('with a unit it is a block of some compound: not placed', () => {
    const f = geocodeFeatures(report({ divisionCode: `${A}000`, description: '锡尼镇新华路24栋2单元：楼道垃圾没人收。' }), gaz, regions);
    expect(f.addressKeys ?? []).not.toContain('door:RX#24');
  });
});
