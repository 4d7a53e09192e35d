/**
 * A platform that locates loosely (110 sends the caller's handset position, often 50–150 m from
 * the door) is judged with its own uncertainty from the county profile, not as a GPS fix: its
 * report of a neighbour dispute meets the grid worker's report of it 120 m away, while the same
 * positions sent by a GPS platform stay two places.
 */
import { describe, expect, it } from 'vitest';
import { matchMatter, uncertaintyOf, type ReportFeatures } from '../../../hub/merge/matter-matcher.js';
import { DEFAULT_MATTER_PROFILE } from '../../../hub/merge/matter-profile.js';
import { LAOWANG, REGIONS, at, offset } from './fixtures.js';

const grid: ReportFeatures = {
  sourceSystem: 'grid',
  sourceRecordId: 'SJ-1',
  categoryCode: 'dispute.neighbour',
  eventTime: at('2025-06-10 21:05'),
  location: offset(LAOWANG, 3, 4),
  divisionCode: '150625100001',
  description: '网格员巡查发现锡尼社区两户邻居因楼道堆物发生争吵，已现场劝解。',
  address: null,
};
const call110: ReportFeatures = {
  sourceSystem: 'police-110-handover',
  sourceRecordId: 'JJ-1',
  categoryCode: 'dispute.neighbour',
  eventTime: at('2025-06-10 21:20'),
  // the handset's position, 120 m off
  location: offset(LAOWANG, 95, 75),
  divisionCode: '150625100001',
  description: '报警人称邻居在楼道堆放杂物，双方发生争吵，要求处理。',
  address: null,
};

describe('a platform that locates loosely', () => {
  it('has the uncertainty the county profile gives its source, unless the record states one or the hub derived the position', () => {
    expect(uncertaintyOf(call110)).toBe(DEFAULT_MATTER_PROFILE.sourceUncertaintyM['police-110-handover']);
    expect(DEFAULT_MATTER_PROFILE.sourceUncertaintyM['police-110-handover']).toBeGreaterThan(DEFAULT_MATTER_PROFILE.defaultUncertaintyM.unknown!);
    expect(uncertaintyOf({ ...call110, locationUncertaintyM: 15 })).toBe(15);
    expect(uncertaintyOf({ ...call110, locationOrigin: 'geocoded:door', locationUncertaintyM: null })).toBe(DEFAULT_MATTER_PROFILE.defaultUncertaintyM.geocoded ?? DEFAULT_MATTER_PROFILE.defaultUncertaintyM.unknown);
    expect(uncertaintyOf(grid)).toBe(DEFAULT_MATTER_PROFILE.defaultUncertaintyM.unknown);
  });

  it('meets the report of the same incident beyond a GPS fix\'s distance; the same positions from a GPS platform are a near miss', () => {
    const candidates = [{ matterId: 'M1', closedAt: null, reports: [grid] }];
    const loose = matchMatter(call110, candidates, { regions: REGIONS });
    expect(loose.decision, loose.explanation).toBe('match');
    expect(loose.explanation).toMatch(/positions ±\d+ m together/);
    const asGps = matchMatter({ ...call110, sourceSystem: 'enforcement-cases', sourceRecordId: 'AJ-1' }, candidates, { regions: REGIONS });
    // (left for a person: a near miss by distance)
    expect(asGps.decision, asGps.explanation).toBe('review');
    expect(asGps.explanation).toMatch(/near miss: 1[12]\d m apart/);
  });

  it('does not outweigh two addresses naming different doors: positions that loose are near every door around', () => {
    const shop = { ...grid, categoryCode: 'street.stall', description: '解放大街早市占道经营。', address: '锡尼镇解放大街218号', location: offset(LAOWANG, 3, 4) };
    const stall = { ...call110, categoryCode: 'street.stall', description: '报警人称解放大街246号有摊贩占道经营，堵塞通行。', address: '锡尼镇解放大街246号', location: offset(LAOWANG, 60, 40) };
    const candidates = [{ matterId: 'M1', closedAt: null, reports: [shop] }];
    const loose = matchMatter(stall, candidates, { regions: REGIONS });
    expect(loose.decision, loose.explanation).toBe('review');
    expect(loose.explanation).toMatch(/cannot tell doors apart/);
    // the same door named: the loose position agrees with it
    const sameDoor = matchMatter({ ...stall, address: '锡尼镇解放大街218号', description: '报警人称解放大街218号有摊贩占道经营，堵塞通行。' }, candidates, { regions: REGIONS });
    expect(sameDoor.decision, sameDoor.explanation).toBe('match');
  });
});
