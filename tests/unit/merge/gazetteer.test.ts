import { describe, expect, it } from 'vitest';
import { Gazetteer } from '../../../hub/gazetteer/geocode.js';
import { parseGazetteerLines } from '../../../hub/gazetteer/load.js';
import { GazetteerFormatError, type GazetteerEntry } from '../../../hub/gazetteer/format.js';
import { geocodeFeatures } from '../../../hub/gazetteer/features.js';
import { haversineMetres } from '../../../hub/merge/geo.js';
import { RegionIndex } from '../../../hub/merge/regions.js';
import { matterBlocking, type ReportFeatures } from '../../../hub/merge/matter-matcher.js';

// A small town: 团结路 runs east for ~1.7 km with doors 1..200; 新华路 crosses it going north;
// a village 红星村 with its 3组 lane. Door 100's plate is surveyed; others are interpolated.
const TOWN = '150625100';
const VILLAGE = '150625100201';
const entries: GazetteerEntry[] = [
  { kind: 'road', id: 'R1', name: '团结路', townCode: TOWN, villageCode: '150625100001', line: [[108.70, 39.85], [108.72, 39.85]], doors: [1, 200] },
  { kind: 'road', id: 'R2', name: '新华路', townCode: TOWN, villageCode: '150625100001', line: [[108.71, 39.84], [108.71, 39.86]], doors: [1, 100] },
  { kind: 'door', road: 'R1', door: 100, point: [108.7101, 39.8502] },
  { kind: 'compound', id: 'C1', name: '阳光家园', townCode: TOWN, road: 'R1', door: 150, point: [108.715, 39.8505] },
  { kind: 'landmark', id: 'L1', name: '百佳超市', townCode: TOWN, road: 'R1', door: 40, point: [108.704, 39.8502] },
  { kind: 'group', id: 'G3', name: '3组', group: 3, townCode: TOWN, villageCode: VILLAGE, line: [[108.80, 39.90], [108.81, 39.90]], doors: [1, 60] },
];
const regions = new RegionIndex([
  { code: TOWN, name: '锡尼镇' },
  { code: VILLAGE, name: '红星村' },
]);
const gaz = new Gazetteer(entries, [
  { code: TOWN, name: '锡尼镇', center: [108.71, 39.85] },
  { code: VILLAGE, name: '红星村', center: [108.805, 39.9] },
]);
const opts = { regions, divisionCode: `${TOWN}000` };

describe('gazetteer geocoding, each level with its uncertainty and keys', () => {
  it('door: a surveyed plate, whatever the address calls it (100号, 100号楼, 100栋, 100号院)', () => {
    for (const a of ['团结路100号', '团结路100号楼', '团结路100栋', '团结路100号院']) {
      const g = gaz.geocode(a, opts)!;
      expect(g.level, a).toBe('door');
      expect(g.point).toEqual({ lng: 108.7101, lat: 39.8502 });
      expect(g.keys).toEqual(['door:R1#100', 'road:R1']);
      expect(g.uncertaintyM).toBeLessThanOrEqual(20);
    }
  });

  it('road segment: a number between plates is interpolated, with an uncertainty that grows with the gap', () => {
    const g = gaz.geocode('团结路120号', opts)!;
    expect(g.level).toBe('road-segment');
    expect(g.point.lng).toBeGreaterThan(108.7101);
    expect(g.point.lng).toBeLessThan(108.72);
    expect(g.uncertaintyM).toBeGreaterThan(20);
    expect(g.keys).toEqual(['door:R1#120', 'road:R1']);
  });

  it('compound: by name, keyed to its door too', () => {
    const g = gaz.geocode('锡尼镇阳光家园5号楼1单元', opts)!;
    expect(g.level).toBe('compound');
    expect(g.keys).toContain('compound:C1');
    expect(g.keys).toContain('door:R1#150');
  });

  it('landmark: 百佳超市对面, with the extra uncertainty of "opposite"', () => {
    const g = gaz.geocode('百佳超市对面', opts)!;
    expect(g.level).toBe('landmark');
    expect(g.keys).toContain('door:R1#40');
    expect(g.uncertaintyM).toBeGreaterThan(30);
  });

  it('crossing: where the two roads meet', () => {
    const g = gaz.geocode('团结路与新华路交叉口', opts)!;
    expect(g.level).toBe('crossing');
    expect(haversineMetres(g.point, { lng: 108.71, lat: 39.85 })).toBeLessThan(50);
    expect(g.keys).toEqual(['crossing:R1|R2']);
  });

  it("village group: 三组 and 3组 are one lane; a door on it is geocoded along it", () => {
    const lane = gaz.geocode('红星村三组', opts)!;
    expect(lane.level).toBe('village-group');
    expect(lane.keys).toEqual(['group:G3']);
    const door = gaz.geocode('红星村3组30号', opts)!;
    expect(door.level).toBe('road-segment');
    expect(door.keys).toEqual(['door:G3#30', 'group:G3']);
  });

  it('village and town: the centre, with a wide uncertainty', () => {
    const v = gaz.geocode('无名处', { regions, divisionCode: VILLAGE })!;
    expect(v.level).toBe('village');
    expect(v.uncertaintyM).toBeGreaterThanOrEqual(500);
    const t = gaz.geocode('不在册的地方', opts)!;
    expect(t.level).toBe('town');
    expect(t.uncertaintyM).toBeGreaterThan(v.uncertaintyM);
  });

  it('a report without coordinates or town code is located and keyed; matterBlocking searches by its keys and box', () => {
    const f: ReportFeatures = { sourceSystem: 'hotline-12345', sourceRecordId: 'GD1', categoryCode: 'env.cooking_fume', eventTime: 0, location: null, divisionCode: null, description: 'x', address: '团结路100号楼' };
    const g = geocodeFeatures(f, gaz, regions);
    expect(g.location).toEqual({ lng: 108.7101, lat: 39.8502 });
    expect(g.locationOrigin).toBe('geocoded:door');
    expect(g.divisionCode?.slice(0, 9)).toBe(TOWN);
    const b = matterBlocking(g);
    expect(b.addressKeys).toEqual(['door:R1#100', 'road:R1']);
    expect(b.bbox).not.toBeNull();
  });

  it('a platform position on a village or town centre is a dropped pin: origin centroid, the level\'s uncertainty', () => {
    const base: ReportFeatures = { sourceSystem: 'grid', sourceRecordId: 'SJ1', categoryCode: 'env.air', eventTime: 0, divisionCode: VILLAGE, description: 'x', address: null };
    const pinned = geocodeFeatures({ ...base, location: { lng: 108.805, lat: 39.9000001 } }, gaz, regions);
    expect(pinned.locationOrigin).toBe('centroid:village');
    expect(pinned.locationUncertaintyM).toBeGreaterThanOrEqual(500);
    expect(geocodeFeatures({ ...base, location: { lng: 108.71, lat: 39.85 } }, gaz, regions).locationOrigin).toBe('centroid:town');
    // 50 m off the centre: a position like any other
    expect(geocodeFeatures({ ...base, location: { lng: 108.8056, lat: 39.9 } }, gaz, regions).locationOrigin).toBeUndefined();
  });

  it('a bad gazetteer line is refused with its line number and what is wrong', () => {
    expect(() => parseGazetteerLines('{"kind":"road","id":"R","name":"x","townCode":"1","line":[],"doors":[1,2]}')).toThrow(GazetteerFormatError);
    expect(() => parseGazetteerLines('\n{"kind":"pond"}')).toThrow(/line 2: unknown kind/);
  });
});
