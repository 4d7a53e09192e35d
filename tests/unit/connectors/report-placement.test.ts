/**
 * Reports are keyed by town so that reports that may be about one matter share a partition (the
 * hub applies a partition in order; any interleaving of partitions must give the same state). A
 * platform that gives no division code — the 110 handover, 数字化城管 — is placed from its address,
 * text or position; it used to be keyed by its own record id, so its reports met a town's matters
 * from another partition and the hub's result depended on which partition ran first.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countyProfile } from '../../../core/county-profile.js';
import { CountyPlaces } from '../../../core/places.js';
import { findAdapter } from '../../../connectors/adapters/index.js';
import { fixtureContext } from '../../../connectors/sdk/fixtures.js';
import { placeReportKey } from '../../../connectors/sdk/mapping-helpers.js';

const square = (w: number, s: number, e: number, n: number) => [[[w, s], [e, s], [e, n], [w, n], [w, s]]];
const divisions = {
  county: { code: '150625', bbox: [108.0, 39.0, 110.0, 40.5] },
  towns: [
    { code: '150625100', name: '锡尼镇', center: [108.73, 39.86], polygon: square(108.6, 39.8, 108.8, 40.0) },
    { code: '150625001', name: '新城街道', center: [109.0, 39.86], polygon: square(108.8, 39.8, 109.2, 40.0) },
    { code: '150625200', name: '新城镇', center: [109.5, 39.5] },
  ],
  villages: [
    { code: '150625200001', townCode: '150625200', name: '东村', center: [109.6, 39.3], roads: [{ name: '中山一路' }, { name: '建设路' }], compounds: [{ name: '状元府' }] },
    { code: '150625100001', townCode: '150625100', name: '城南社区', center: [108.7, 39.86], roads: [{ name: '中山路' }, { name: '建设路' }] },
  ],
};
const dir = mkdtempSync(join(tmpdir(), 'places-'));
writeFileSync(join(dir, 'divisions.json'), JSON.stringify(divisions));
const places = CountyPlaces.of(countyProfile(), join(dir, 'divisions.json'));
const hints = { divisionCode: null, address: null, description: null, location: null };

describe('which town a report is about', () => {
  it('the division code first, then a town named in the address, then in the text', () => {
    expect(places.place({ ...hints, divisionCode: '150625100003', address: '新城街道文昌路1号' })).toEqual({ town: '150625100', by: 'division' });
    expect(places.place({ ...hints, address: '新城街道文昌路1号', description: '锡尼镇的人来电' })).toEqual({ town: '150625001', by: 'address' });
    expect(places.place({ ...hints, address: '文昌路1号', description: '锡尼镇建设路小学门口' })).toEqual({ town: '150625100', by: 'text' });
  });

  it('a longer town name is not read as a shorter one it contains, and two towns named say nothing', () => {
    expect(places.place({ ...hints, address: '新城镇东村3组' }).town).toBe('150625200');
    expect(places.place({ ...hints, description: '从锡尼镇到新城街道的路上', location: { lng: 108.7, lat: 39.9 } })).toEqual({ town: '150625100', by: 'polygon' });
  });

  it('a position: inside a town, or nearest a town or village centre; outside the county, nothing', () => {
    expect(places.place({ ...hints, location: { lng: 108.95, lat: 39.85 } })).toEqual({ town: '150625001', by: 'polygon' });
    expect(places.place({ ...hints, location: { lng: 109.55, lat: 39.35 } })).toEqual({ town: '150625200', by: 'centre' });
    expect(places.place({ ...hints, location: { lng: 120, lat: 30 } })).toEqual({ town: null, by: 'county' });
  });

  it('then a road, compound or village only one town has; a longer name hides the shorter inside it', () => {
    expect(places.place({ ...hints, address: '中山一路134栋' })).toEqual({ town: '150625200', by: 'place-name' });
    expect(places.place({ ...hints, description: '来电人称状元府小区门口垃圾堆积' })).toEqual({ town: '150625200', by: 'place-name' });
    expect(places.place({ ...hints, address: '中山路8号' })).toEqual({ town: '150625100', by: 'place-name' });
    // 建设路 is in two towns; with 中山路 it still does not say which town's 建设路
    expect(places.place({ ...hints, address: '建设路5号' })).toEqual({ town: null, by: 'county' });
    expect(places.place({ ...hints, address: '建设路与中山一路交叉口' })).toEqual({ town: null, by: 'county' });
    // a position says more than a name in the text
    expect(places.place({ ...hints, address: '中山一路134栋', location: { lng: 108.7, lat: 39.9 } }).town).toBe('150625100');
  });

  it('a report nothing places is keyed by its county: all such reports share one partition', () => {
    expect(places.keyOf(hints)).toBe('county:150625');
    expect(places.keyOf({ ...hints, description: '来电人称楼上漏水' })).toBe('county:150625');
  });
});

describe('the Kafka key of a town-less report', () => {
  const adapter = findAdapter('police-110');
  const ctx = fixtureContext(adapter.manifest);
  const handover = (address: string, position: string) => ({
    jjdbh: 'J3206001', jqlb: 'FJW04', jqlbmc: '拖欠工资', jqnr: '工地拖欠农民工工资三个月', fadz: address, zb: position,
    bjsj: '2026/11/23 09:00:00', yjsj: '2026/11/23 09:05:00', gxsj: '2026/11/23 09:05:00', yjzt: '1', bjrdh: '13966775000',
  });

  it('is the town of its position or address, not its record id', () => {
    const emitted = adapter.mapping(handover('文昌路18号', '108.95,39.85'), ctx);
    const report = emitted.find((e) => e.kind === 'report')!;
    expect(report.value.envelope.divisionCode).toBeNull();
    expect(report.key.startsWith('id:')).toBe(true); // the mapping alone cannot tell
    const placed = placeReportKey(report, places);
    expect(placed.key).toBe('150625001'); // 新城街道, by its (BD-09 → WGS-84) position
    expect(placeReportKey(adapter.mapping(handover('文昌路18号', ''), ctx).find((e) => e.kind === 'report')!, places).key).toBe('county:150625');
    expect(placed.value).toBe(report.value);
  });

  it('a report keyed by its town already is left as it is', () => {
    const report = adapter.mapping(handover('新城街道文昌路18号', '108.95,39.85'), ctx).find((e) => e.kind === 'report')!;
    expect(placeReportKey(report, places)).toBe(report);
  });
});
