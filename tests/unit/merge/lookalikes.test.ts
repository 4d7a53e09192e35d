/**
 * Issue 13, session 16: look-alikes on a dense county day — another flat of the building, another
 * record of the same platform, an uncategorised report at a door where something else is reported.
 * - a platform's second record is not at the door of its own earlier record when that names another
 *   door (another flat, another number), nor when both say only beside or near a place;
 * - a grown matter takes no report whose address names another door than one of its reports;
 * - an uncategorised report's code is no evidence that it is the incident at that place;
 * - measured positions further apart than their platforms' spread at one door are two places.
 */
import { describe, expect, it } from 'vitest';
import { matchMatter, sameKindOfProblem, type ReportFeatures } from '../../../hub/merge/matter-matcher.js';
import { PositionSpread, type SpreadRow } from '../../../hub/merge/position-spread.js';
import { kindMentions, subjectMentions } from '../../../hub/merge/mentions.js';
import { LAOWANG, REGIONS, at, offset } from './fixtures.js';

const opts = { regions: REGIONS };
const matter = (r: ReportFeatures, reports: ReportFeatures[]) => matchMatter(r, [{ matterId: 'M', reports }], opts);

const report = (over: Partial<ReportFeatures> & Pick<ReportFeatures, 'sourceSystem' | 'sourceRecordId'>): ReportFeatures => ({
  categoryCode: 'appearance.garbage',
  eventTime: at('2025-06-10 09:00'),
  location: null,
  divisionCode: '150625100204',
  gridCode: null,
  description: '',
  address: null,
  ...over,
});

describe("a platform's second record: its own earlier record must not name another door", () => {
  const grid = (id: string, address: string, hour: string): ReportFeatures =>
    report({ sourceSystem: 'grid', sourceRecordId: id, categoryCode: 'planning.illegal_building', eventTime: at(`2025-06-10 ${hour}`), location: offset(LAOWANG, 0, 0), divisionCode: '150625100001', address, description: `${address}住户在楼顶搭建彩钢房，已劝阻未果。` });

  it('a record naming another flat than its own earlier record is no repeat of it, whatever another platform said', () => {
    // the 12345 caller named only the building unit: the same address as both flats
    const unit = report({ sourceSystem: 'hotline-12345', sourceRecordId: 'GD1', categoryCode: 'planning.illegal_building', eventTime: at('2025-06-10 10:00'), divisionCode: '150625100001', address: '锡尼镇华府苑3号楼1单元', description: '锡尼镇华府苑3号楼1单元住户在楼顶搭建彩钢房，已劝阻未果。' });
    const d = matter(grid('SJ2', '锡尼镇华府苑3栋1单元302', '15:00'), [grid('SJ1', '锡尼镇华府苑3栋1单元301', '09:00'), unit]);
    expect(d.decision).toBe('new');
    expect(d.features?.failed).toContain('same-source');
    expect(d.explanation).toMatch(/its own earlier record names another door/);
  });

  it('two records naming the same flat are', () => {
    expect(matter(grid('SJ2', '锡尼镇华府苑3号楼1单元301室', '15:00'), [grid('SJ1', '锡尼镇华府苑3栋1单元301', '09:00')]).decision).toBe('match');
  });
});

describe("a platform's second record: beside a building is no door", () => {
  const patrol = (id: string, address: string, hour: string, east = 0): ReportFeatures =>
    report({ sourceSystem: 'natural-resources-patrol', sourceRecordId: id, categoryCode: 'planning.illegal_building', eventTime: at(`2025-06-10 ${hour}`), location: offset(LAOWANG, east, 0), divisionCode: '150625100001', address, description: `${address}疑似违反规划建设，现场有新建构筑物。` });

  it('two records both saying only "south of building 3" are not at the same door', () => {
    const d = matter(patrol('ZY2', '锡尼镇锦绣苑3号楼南侧', '15:00', 40), [patrol('ZY1', '锡尼镇锦绣苑3号楼南侧', '09:00')]);
    expect(d.decision).not.toBe('match');
    expect(d.features?.failed).toContain('same-source');
    expect(d.explanation).toMatch(/beside or near/);
  });

  it('two records naming the same flat are', () => {
    const d = matter(patrol('ZY2', '锡尼镇锦绣苑3号楼2单元1802室', '15:00', 40), [patrol('ZY1', '锡尼镇锦绣苑3号楼2单元1802室', '09:00')]);
    expect(d.decision).toBe('match');
  });
});

describe("a platform's second record: a flat and beside the building are not one door (session 17)", () => {
  const patrol = (id: string, address: string, hour: string, east = 0): ReportFeatures =>
    report({ sourceSystem: 'natural-resources-patrol', sourceRecordId: id, categoryCode: 'planning.illegal_building', eventTime: at(`2025-06-10 ${hour}`), location: offset(LAOWANG, east, 0), divisionCode: '150625100001', address, description: `${address}疑似违反规划建设，现场有新建构筑物。` });
  // another platform named only the building unit: the same address as the flat and as beside the building
  const unit = report({ sourceSystem: 'hotline-12345', sourceRecordId: 'GD1', categoryCode: 'planning.illegal_building', eventTime: at('2025-06-10 10:00'), divisionCode: '150625100001', address: '锡尼镇华府苑7号楼1单元', description: '锡尼镇华府苑7号楼1单元有人正在搭建违章建筑，请尽快制止。' });

  it('a record saying only "west of building 7" does not repeat its own record of flat 502', () => {
    const d = matter(patrol('ZY2', '锡尼镇华府苑7号楼西侧', '15:00', 30), [patrol('ZY1', '锡尼镇华府苑7号楼1单元502室', '09:00'), unit]);
    expect(d.decision).not.toBe('match');
    expect(d.features?.failed).toContain('same-source');
    expect(d.explanation).toMatch(/names a flat, the other only beside or near the building/);
  });

  it('nor the other way round', () => {
    const d = matter(patrol('ZY2', '锡尼镇华府苑7号楼1单元502室', '15:00', 30), [patrol('ZY1', '锡尼镇华府苑7号楼西侧', '09:00'), unit]);
    expect(d.features?.failed).toContain('same-source');
  });

  it('two records of the flat still are one door', () => {
    expect(matter(patrol('ZY2', '锡尼镇华府苑7号楼1单元502室', '15:00', 30), [patrol('ZY1', '锡尼镇华府苑7号楼1单元502室', '09:00'), unit]).decision).toBe('match');
  });
});

describe('doors of two different roads, named exactly, are two places within the distance (session 17)', () => {
  const parking = (sourceSystem: string, id: string, address: string, hour: string, east: number): ReportFeatures =>
    report({ sourceSystem, sourceRecordId: id, categoryCode: 'street.parking', eventTime: at(`2025-06-10 ${hour}`), location: offset(LAOWANG, east, 0), divisionCode: '150625100001', address, description: `${address}人行道上车辆乱停放，影响通行。` });

  it('a car parked at 敖包南巷46号 and one at 白塔东路278号, 65 m apart, are not one incident', () => {
    const d = matter(parking('enforcement-cases', 'AJ1', '锡尼镇敖包南巷46号', '11:00', 65), [parking('grid', 'SJ1', '锡尼镇白塔东路278号', '09:00', 0)]);
    expect(d.decision).not.toBe('match');
    expect(d.explanation).toMatch(/doors of two different roads/);
  });

  it('within GPS error they are', () => {
    expect(matter(parking('enforcement-cases', 'AJ1', '锡尼镇敖包南巷46号', '11:00', 15), [parking('grid', 'SJ1', '锡尼镇白塔东路278号', '09:00', 0)]).decision).toBe('match');
  });

  it('and a report saying only near a door of the other road may be one', () => {
    expect(matter(parking('enforcement-cases', 'AJ1', '锡尼镇敖包南巷46号附近', '11:00', 65), [parking('grid', 'SJ1', '锡尼镇白塔东路278号', '09:00', 0)]).decision).toBe('match');
  });
});

describe('shops named only by their kind: a hardware shop and a supermarket at one door are two shops (session 17)', () => {
  const unlicensed = (sourceSystem: string, id: string, hour: string, description: string, subjectName: string | null = null): ReportFeatures =>
    report({ sourceSystem, sourceRecordId: id, categoryCode: 'market.unlicensed', eventTime: at(`2025-06-10 ${hour}`), divisionCode: '150625100001', address: '锡尼镇红旗路279号', description, subjectName });

  it('reads the kind of shop a text names without a name', () => {
    expect(kindMentions('红旗路279号有一家五金店没有营业执照，卫生条件差。').map((m) => m.key.industry)).toEqual(['五金']);
    expect(subjectMentions('红旗路279号有一家五金店没有营业执照，卫生条件差。')).toEqual([]);
  });

  it('a supermarket and a hardware shop at 279号 are not one incident', () => {
    const d = matter(unlicensed('hotline-12345', 'GD2', '11:00', '红旗路279号有一家超市没有营业执照，卫生条件差。'), [unlicensed('hotline-12345', 'GD1', '09:00', '红旗路279号有一家五金店没有营业执照，卫生条件差。')]);
    expect(d.decision).not.toBe('match');
    expect(d.explanation).toMatch(/another trade/);
  });

  it('nor a named hardware shop and a supermarket named by its kind', () => {
    const d = matter(unlicensed('grid', 'SJ1', '11:00', '巡查发现红旗路279号一家五金店无照经营。', '嘉禾五金'), [unlicensed('hotline-12345', 'GD1', '09:00', '红旗路279号有一家超市没有营业执照，卫生条件差。')]);
    expect(d.decision).not.toBe('match');
  });

  it('the same kind of shop at the door is still one', () => {
    expect(matter(unlicensed('grid', 'SJ1', '11:00', '巡查发现红旗路279号一家五金店无照经营。', '嘉禾五金'), [unlicensed('hotline-12345', 'GD1', '09:00', '红旗路279号有一家五金店没有营业执照，卫生条件差。')]).decision).toBe('match');
  });
});

describe('no chaining door to door: a grown matter takes no report naming another door than one of its reports', () => {
  const dispute = (sourceSystem: string, id: string, address: string, hour: string, description: string): ReportFeatures =>
    report({ sourceSystem, sourceRecordId: id, categoryCode: 'dispute.neighbour', eventTime: at(`2025-06-10 ${hour}`), divisionCode: '150625100001', address, description });
  const flat1304 = dispute('grid', 'SJ1', '锡尼镇团结路74号御景家园11号楼3单元1304室', '08:00', '两户邻居因漏水问题发生纠纷，网格员已调解。');
  const unit = dispute('hotline-12345', 'GD1', '锡尼镇团结路74号御景家园11号楼3单元', '09:00', '邻居家装修漏水到楼下，双方协商不成。');
  const flat1001 = dispute('police-110-handover', 'J1', '锡尼镇团结路74号御景家园11号楼3单元1001室', '10:00', '邻居家装修漏水到楼下，双方协商不成，发生纠纷。');

  it('the report naming only the building unit agrees with both flats', () => {
    expect(matter(flat1001, [unit]).decision).toBe('match');
    expect(matter(unit, [flat1304]).decision).toBe('match');
  });

  it('but a report naming flat 1001 does not join the matter of flat 1304 through it', () => {
    const d = matter(flat1001, [flat1304, unit]);
    expect(d.decision).not.toBe('match');
    expect(d.explanation).toMatch(/names another door/);
  });
});

describe("an uncategorised report's code is no evidence that it is the incident at that place", () => {
  const sand = report({ sourceSystem: 'grid', sourceRecordId: 'SJ9', categoryCode: 'other.uncategorized', eventTime: at('2025-06-10 14:00'), address: '塔拉沟嘎查4组43号', description: '塔拉沟嘎查4组东侧耕地附近有采砂痕迹，现场有挖掘机。' });
  const house = report({ sourceSystem: 'hotline-12345', sourceRecordId: 'GD9', categoryCode: 'land.rural_housing', eventTime: at('2025-06-10 10:00'), address: '塔拉沟嘎查4组43号', description: '塔拉沟嘎查4组43号有村民在耕地上盖房子。' });

  it('is no kind of problem, but may be any incident', () => {
    expect(sameKindOfProblem('other.uncategorized', 'land.rural_housing')).toBe(false);
    expect(sameKindOfProblem('other.uncategorized', 'other.uncategorized')).toBe(false);
    expect(sameKindOfProblem('land.farmland', 'land.farmland')).toBe(true);
  });

  it('at the same door with texts that differ it does not join', () => {
    const d = matter(sand, [house]);
    expect(d.decision).not.toBe('match');
  });

  it('at the same door with the same text it joins', () => {
    const d = matter({ ...sand, description: '塔拉沟嘎查4组43号有村民在耕地上盖房子，还在继续施工。' }, [house]);
    expect(d.decision).toBe('match');
  });
});

describe("positions further apart than the platforms' spread at one door are two places", () => {
  // 25 pairs of grid and enforcement reports naming one door, their positions 10-30 m apart: in this
  // county those two platforms place one door within ~30 m
  const calibration: SpreadRow[] = [];
  for (let i = 0; i < 25; i++) {
    const base = offset(LAOWANG, i * 500, 0);
    const address = `塔拉沟嘎查2组${i + 1}号`;
    calibration.push({ sourceSystem: 'grid', eventTime: at('2025-06-01 09:00'), location: base, divisionCode: '150625100204', address });
    calibration.push({ sourceSystem: 'enforcement-cases', eventTime: at('2025-06-01 11:00'), location: offset(base, 10 + (i % 3) * 10, 0), divisionCode: '150625100204', address });
  }
  const spread = PositionSpread.fromReports(calibration, { regions: REGIONS });
  // two plots named by their nearest house, 2组62号: the grid at one, enforcement at the other
  const plot = (sourceSystem: string, id: string, east: number, hour: string): ReportFeatures =>
    report({ sourceSystem, sourceRecordId: id, categoryCode: 'land.farmland', eventTime: at(`2025-06-10 ${hour}`), location: offset(LAOWANG, east, 0), address: '塔拉沟嘎查2组62号', description: sourceSystem === 'grid' ? '巡查发现耕地被堆放砂石。' : '当事人未经批准占用耕地堆放砂石。' });

  it('is estimated per pair of platforms from reports naming one door', () => {
    expect(spread.spreadM('grid', 'enforcement-cases')).toBe(30);
    expect(spread.spreadM('grid', 'hotline-12345')).toBeNull();
  });

  it('a grid report and an enforcement case at one door but 140 m apart are two plots', () => {
    const d = matchMatter(plot('enforcement-cases', 'AJ1', 140, '11:00'), [{ matterId: 'M', reports: [plot('grid', 'SJ1', 0, '09:00')] }], { regions: REGIONS, positionSpread: spread });
    expect(d.decision).not.toBe('match');
    expect(d.explanation).toMatch(/beyond where enforcement-cases and grid place one door/);
    // without the county's spread the door decides
    expect(matchMatter(plot('enforcement-cases', 'AJ1', 140, '11:00'), [{ matterId: 'M', reports: [plot('grid', 'SJ1', 0, '09:00')] }], { regions: REGIONS }).decision).toBe('match');
  });

  it('20 m apart they are one', () => {
    const d = matchMatter(plot('enforcement-cases', 'AJ1', 20, '11:00'), [{ matterId: 'M', reports: [plot('grid', 'SJ1', 0, '09:00')] }], { regions: REGIONS, positionSpread: spread });
    expect(d.decision).toBe('match');
  });
});
