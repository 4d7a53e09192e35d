/**
 * Address keys and the geocoding fallback as the hub stores and reads them (issue 13): a door's
 * plate written 号/号楼/栋/号院, a villagers' group written 3组/三组/3小组/第三村民小组; a report
 * without coordinates takes the gazetteer's position, level and division, stored beside what the
 * department sent, and matching reads back exactly the features it decided on.
 */
import { describe, expect, it } from 'vitest';
import { Gazetteer } from '../../../hub/gazetteer/geocode.js';
import type { GazetteerEntry } from '../../../hub/gazetteer/format.js';
import { addressSimilarity, normaliseAddressText, parseAddress } from '../../../hub/merge/addresses.js';
import { RegionIndex } from '../../../hub/merge/regions.js';
import { derivedLocationColumns, reportFeatures } from '../../../hub/ingest/apply-report.js';
import { featuresOfRow, type ReportRow } from '../../../hub/ingest/matter-candidates.js';
import { matterBlocking } from '../../../hub/merge/matter-matcher.js';
import { EXAMPLES } from '../schemas/examples.js';
import type { Report } from '../../../schemas/index.js';

const TOWN = '150625100';
const VILLAGE = '150625100201';
const entries: GazetteerEntry[] = [
  { kind: 'road', id: 'R1', name: '团结路', townCode: TOWN, villageCode: '150625100001', line: [[108.70, 39.85], [108.72, 39.85]], doors: [1, 200] },
  { kind: 'door', road: 'R1', door: 100, point: [108.7101, 39.8502] },
  { kind: 'group', id: 'G3', name: '3组', group: 3, townCode: TOWN, villageCode: VILLAGE, line: [[108.80, 39.90], [108.81, 39.90]], doors: [1, 60] },
];
const regions = new RegionIndex([
  { code: TOWN, name: '锡尼镇' },
  { code: VILLAGE, name: '红星村' },
]);
const gazetteer = new Gazetteer(entries, [{ code: TOWN, name: '锡尼镇', center: [108.71, 39.85] }]);
const routing = { gazetteer, regions };

describe('address normalisation', () => {
  it('a building number on a road without a compound is the door: 134号 ~ 134栋 ~ 134号楼 ~ 134号院', () => {
    for (const b of ['中山一路134栋', '中山一路134号楼', '中山一路134号院']) {
      const s = addressSimilarity('中山一路134号', b);
      expect(s.rule, b).toBe('same-number');
      expect(s.score, b).toBeGreaterThanOrEqual(0.85);
    }
    // another door on the road stays another door
    expect(addressSimilarity('中山一路134栋', '中山一路136号').rule).not.toBe('same-number');
    // inside a compound a 栋 is a building, not the road's door
    expect(parseAddress('翠湖苑3栋2单元').building).toBe(3);
    expect(addressSimilarity('翠湖苑3栋', '翠湖苑5栋').score).toBeLessThan(0.85);
  });

  it('a villagers group: 3组, 三组, 3小组, 第三村民小组 are one group', () => {
    for (const a of ['红星村三组', '红星村3小组', '红星村第三村民小组', '红星村第3组']) {
      expect(normaliseAddressText(a), a).toBe('红星村3组');
      expect(parseAddress(a).group, a).toBe(3);
    }
  });
});

const call = (over: Partial<Report>, env: Partial<Report['envelope']> = {}): Report => ({
  ...EXAMPLES.report,
  envelope: { ...EXAMPLES.report.envelope, divisionCode: null, location: null, gridCode: null, ...env },
  ...over,
});

/** The row the hub stores for a report, as read back (the columns matching reads). */
function storedRow(r: Report, categoryCode: string | null): ReportRow {
  const f = reportFeatures(r, categoryCode, routing);
  const e = r.envelope;
  return {
    matter_id: '1',
    source_system: e.sourceSystem,
    source_record_id: e.sourceRecordId,
    category_code: categoryCode,
    event_time: new Date(e.eventTime),
    lng: e.location?.lng ?? null,
    lat: e.location?.lat ?? null,
    division_code: e.divisionCode,
    grid_code: e.gridCode,
    description: r.description,
    address: r.address,
    subject_uscc: r.subjectUscc,
    subject_name: r.subjectName,
    ...derivedLocationColumns(r, f),
  };
}

describe('geocoding fallback of a report', () => {
  it('a work order with an address but no coordinates or division takes the door, its level and division; the stored row reads back the same features', () => {
    const r = call({ address: '团结路100号楼' });
    const f = reportFeatures(r, 'env.cooking_fume', routing);
    expect(f.location).toEqual({ lng: 108.7101, lat: 39.8502 });
    expect(f.locationOrigin).toBe('geocoded:door');
    expect(f.locationUncertaintyM).toBeLessThanOrEqual(20);
    expect(f.addressKeys).toEqual(['door:R1#100', 'road:R1']);
    expect(f.divisionCode).toBe('150625100001');
    const row = storedRow(r, 'env.cooking_fume');
    // the department's fields are kept as sent
    expect(row.lng).toBeNull();
    expect(row.division_code).toBeNull();
    expect(featuresOfRow(row)).toEqual(f);
    // and candidate search asks for the door's key
    expect(matterBlocking(f).addressKeys).toEqual(['door:R1#100', 'road:R1']);
  });

  it('a report with its own position keeps it and gains only the keys', () => {
    const at = { lng: 108.7102, lat: 39.8503, originalLng: 108.7102, originalLat: 39.8503, originalCrs: 'WGS84' as const };
    const r = call({ address: '团结路100号' }, { location: at, divisionCode: '150625100001' });
    const f = reportFeatures(r, 'env.cooking_fume', routing);
    expect(f.location).toEqual({ lng: 108.7102, lat: 39.8503 });
    expect(f.locationOrigin).toBeUndefined();
    expect(f.addressKeys).toEqual(['door:R1#100', 'road:R1']);
    const row = storedRow(r, 'env.cooking_fume');
    expect(row.geocoded_lng).toBeNull();
    expect(featuresOfRow(row)).toEqual(f);
  });

  it('a group lane without a door: the group key and the lane, less certain than a door', () => {
    const f = reportFeatures(call({ address: '锡尼镇红星村第三村民小组' }), 'appearance.garbage', routing);
    expect(f.addressKeys).toEqual(['group:G3']);
    expect(f.locationOrigin).toBe('geocoded:village-group');
    expect(f.locationUncertaintyM).toBeGreaterThan(100);
  });

  it('without a gazetteer nothing is derived', () => {
    const r = call({ address: '团结路100号楼' });
    const f = reportFeatures(r, 'env.cooking_fume');
    expect(f.location).toBeNull();
    expect(f.addressKeys).toBeUndefined();
    expect(derivedLocationColumns(r, f)).toEqual({ address_keys: [], geocoded_lng: null, geocoded_lat: null, location_origin: null, location_uncertainty_m: null, geocoded_division_code: null });
  });
});

describe('a work order whose address field is empty', () => {
  it('is geocoded from its text at a precise level, never inside a compound or at a bare town', () => {
    const f = reportFeatures(call({ address: null, description: '锡尼镇团结路100号：来电人称饭店油烟很大，凌晨还在营业。' }), 'env.cooking_fume', routing);
    expect(f.addressKeys).toEqual(['door:R1#100', 'road:R1']);
    expect(f.locationOrigin).toBe('geocoded:door');
    expect(f.address).toBeNull();
    // a building of a compound: which one cannot be compared without an address
    expect(reportFeatures(call({ address: null, description: '团结路100号阳光家园3栋有人在楼顶加盖铁皮房。' }), 'planning.illegal_building', routing).addressKeys).toBeUndefined();
    // only the town: no position from the text
    expect(reportFeatures(call({ address: null, description: '锡尼镇有人半夜放鞭炮。' }), 'public_order.noise', routing).location).toBeNull();
  });
});

describe('the address words are data', () => {
  it('another county adds its words to the profile, not to the parser; a malformed profile says which field', async () => {
    const { ADDRESS_PROFILE, compileAddressPatterns, parseAddressProfile, AddressProfileError } = await import('../../../hub/merge/address-profile.js');
    expect(compileAddressPatterns(ADDRESS_PROFILE).roadNumber.exec('长乐弄5号')).toBeNull();
    const lanes = parseAddressProfile({ ...ADDRESS_PROFILE, roadSuffixes: [...ADDRESS_PROFILE.roadSuffixes, '弄'] });
    expect(compileAddressPatterns(lanes).roadNumber.exec('长乐弄5号')?.slice(1, 3)).toEqual(['长乐弄', '5']);
    expect(() => parseAddressProfile({ ...ADDRESS_PROFILE, roadSuffixes: [] })).toThrow(AddressProfileError);
    expect(() => parseAddressProfile({ ...ADDRESS_PROFILE, roadSuffixes: [] })).toThrow(/roadSuffixes/);
  });
});
