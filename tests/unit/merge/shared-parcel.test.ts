/**
 * Session 15 (issue 13): a numbered land parcel both reports name, where their addresses agree only
 * on the villagers' group, is that parcel — as specific as a door.
 */
import { describe, expect, it } from 'vitest';
import { matchMatter, type ReportFeatures } from '../../../hub/merge/index.js';
import { REGIONS, at } from './fixtures.js';

const opts = { regions: REGIONS };

describe('matters: one numbered land parcel named on both', () => {
  // a farm's effluent: the grid gives a door of the group, 12369 only the group; both texts name the parcel
  const grid: ReportFeatures = {
    sourceSystem: 'grid', sourceRecordId: 'SJ1', categoryCode: 'env.livestock', eventTime: at('2026-03-02 10:00'),
    location: null, divisionCode: '150625100001', gridCode: null, address: '寨下村第五村民小组13号',
    description: '寨下村5组6号地块粪污未处理，直排沟渠。', subjectUscc: null, subjectName: null,
  };
  const complaint: ReportFeatures = {
    ...grid, sourceSystem: 'environment-12369', sourceRecordId: 'XF1', eventTime: at('2026-03-02 11:00'),
    address: '寨下村5组', description: '寨下村5组6号地块（寨下村5组）畜禽养殖废水直排。',
  };

  it('the group on both and the same parcel in the texts is that parcel', () => {
    const d = matchMatter(complaint, [{ matterId: 'M1', reports: [grid] }], opts);
    expect(d).toMatchObject({ decision: 'match', matterId: 'M1' });
    expect(d.explanation).toContain('the same land parcel (6号)');
  });

  it('without the parcel on one side the group alone does not decide', () => {
    const bare = { ...complaint, description: '寨下村5组（寨下村5组）畜禽养殖废水直排。' };
    expect(matchMatter(bare, [{ matterId: 'M1', reports: [grid] }], opts).decision).not.toBe('match');
  });

  it('another parcel of the group is other land; the same number in another group is not the parcel', () => {
    const other = { ...complaint, description: '寨下村5组7号地块（寨下村5组）畜禽养殖废水直排。' };
    expect(matchMatter(other, [{ matterId: 'M1', reports: [grid] }], opts).decision).toBe('new');
    const otherGroup = { ...complaint, address: '寨下村3组', description: '寨下村3组6号地块（寨下村3组）畜禽养殖废水直排。' };
    const d = matchMatter(otherGroup, [{ matterId: 'M1', reports: [grid] }], opts);
    expect(d.decision).not.toBe('match');
    expect(d.explanation).not.toContain('land parcel');
  });

  it("a platform's second complaint at the same parcel, the same text, joins its first", () => {
    const first = { ...complaint, address: '寨下村五组' };
    const again = { ...complaint, sourceRecordId: 'XF2', eventTime: at('2026-03-02 12:30'), address: '寨下村5组77号' };
    const d = matchMatter(again, [{ matterId: 'M1', reports: [first] }], opts);
    expect(d).toMatchObject({ decision: 'match', matterId: 'M1' });
  });
});
