import { describe, expect, it } from 'vitest';
import { addressSimilarity, parseAddress, ADDRESS_SCORES, APPROXIMATE_CAP } from '../../../hub/merge/addresses.js';
import { RegionIndex, townCodeOf, villageCodeOf, codeDepth } from '../../../hub/merge/regions.js';
import { DIVISIONS, REGIONS } from './fixtures.js';

const opts = { regions: REGIONS };

describe('division codes', () => {
  it('reads levels from statistical codes', () => {
    expect(codeDepth('150625100000')).toBe('150625100');
    expect(codeDepth('150625000000')).toBe('150625');
    expect(codeDepth('150600')).toBe('1506');
    expect(townCodeOf('150625100204')).toBe('150625100');
    expect(townCodeOf('150625')).toBeNull();
    expect(villageCodeOf('150625100204')).toBe('150625100204');
    expect(villageCodeOf('150625100000')).toBeNull();
  });

  it('strips region prefixes, full and short, but not a road named after a town', () => {
    expect(REGIONS.stripLeading('内蒙古自治区鄂尔多斯市演示旗锡尼镇团结路12号')).toMatchObject({ rest: '团结路12号' });
    expect(REGIONS.stripLeading('锡尼团结路12号').rest).toBe('团结路12号');
    expect(REGIONS.stripLeading('锡尼路5号').rest).toBe('锡尼路5号');
    // 锡尼 names both the town and 锡尼社区: the common ancestor (the town) is what it tells.
    expect(REGIONS.resolve('锡尼')?.code).toBe('150625100');
    expect(new RegionIndex().stripLeading('内蒙古鄂尔多斯').rest).toBe('鄂尔多斯');
  });
});

describe('parseAddress', () => {
  it('parses road and number after the region prefix', () => {
    const p = parseAddress('内蒙古自治区鄂尔多斯市演示旗锡尼镇团结路12号', opts);
    expect(p).toMatchObject({ divisionCode: '150625100', road: '团结路', number: 12, approximate: false, rest: '' });
  });

  it('normalises full-width, traditional characters and Chinese numerals; flags "near"', () => {
    const p = parseAddress('锡尼镇 團結路十二號附近', opts);
    expect(p).toMatchObject({ road: '团结路', number: 12, approximate: true });
    expect(parseAddress('团结路１２－１号', opts)).toMatchObject({ road: '团结路', number: 12, numberSuffix: 1 });
  });

  it('parses compound, building, unit and room', () => {
    expect(parseAddress('锡尼镇团结路阳光小区3号楼2单元501室', opts)).toMatchObject({
      road: '团结路',
      compound: '阳光小区',
      building: 3,
      unit: 2,
      room: 501,
    });
  });

  it('parses the compact building-unit-room form after a compound (10-2-704)', () => {
    expect(parseAddress('锡尼镇御景家园10-2-704', opts)).toMatchObject({ compound: '御景家园', building: 10, unit: 2, room: 704 });
    // building 1 and building 5 of one compound are two doors, although both rooms are 401
    const s = addressSimilarity('体育东路21号翠苑家园1-2-401', '体育东路21号翠苑家园5栋1单元401', opts);
    expect(s.score).toBe(ADDRESS_SCORES.sameRoomDifferentUnit);
  });

  it('reads "…以北约200米" as near the place named, not as a door number', () => {
    const p = parseAddress('巴拉贡镇巴音恩格尔嘎查4社南侧耕地以北约200米', opts);
    expect(p.approximate).toBe(true);
    expect(p.number).toBeNull();
  });

  it('parses a village group address', () => {
    expect(parseAddress('塔拉沟嘎查三社15号', opts)).toMatchObject({ divisionCode: '150625100204', group: 3, number: 15 });
  });

  it('parses intersections in either order', () => {
    expect(parseAddress('文化街与团结路交叉口', opts).intersection).toEqual(['团结路', '文化街']);
  });
});

describe('addressSimilarity', () => {
  const cases: Array<[string, string, string, number]> = [
    ['内蒙古自治区鄂尔多斯市演示旗锡尼镇团结路12号', '团结路12号', 'same-number', ADDRESS_SCORES.sameNumber],
    ['锡尼镇团结路12号', '锡尼镇团結路十二號附近', 'same-number', APPROXIMATE_CAP],
    ['锡尼镇团结路12号老王烧烤', '团结路12号王记烧烤店门口', 'same-number', APPROXIMATE_CAP],
    ['团结路12号', '团结路14号', 'adjacent-number', ADDRESS_SCORES.adjacentNumber],
    ['团结路12号', '团结路88号', 'same-road-other-number', ADDRESS_SCORES.sameRoadOtherNumber],
    ['团结路12号', '文化街12号', 'different-road', ADDRESS_SCORES.differentRoad],
    ['锡尼镇团结路12号', '巴拉贡镇团结路12号', 'different-town', 0],
    ['阳光小区3号楼2单元501室', '阳光小区3号楼2单元502室', 'same-compound-other-unit', ADDRESS_SCORES.sameCompoundOtherUnit],
    ['阳光小区3号楼2单元501室', '阳光小区3栋2单元501', 'same-compound-unit', ADDRESS_SCORES.sameCompoundUnit],
    ['团结路与文化街交叉口', '文化街和团结路路口', 'same-intersection', ADDRESS_SCORES.sameIntersection],
    ['团结路', '团结路12号', 'same-road', ADDRESS_SCORES.sameRoad],
    ['塔拉沟嘎查3社15号', '塔拉沟嘎查三社十五号', 'same-group-number', ADDRESS_SCORES.sameGroupNumber],
  ];
  for (const [a, b, rule, score] of cases) {
    it(`${a} ~ ${b} → ${rule}`, () => {
      const s = addressSimilarity(a, b, opts);
      expect({ rule: s.rule, score: s.score }).toEqual({ rule, score });
      expect(s.explanation).toContain(rule);
      expect(addressSimilarity(b, a, opts)).toEqual(s);
    });
  }

  it('a building number in a villagers\' group is the house (5组53栋 = 5组53号); the same group of another village is another place', () => {
    expect(addressSimilarity('塔拉沟嘎查5组53栋', '塔拉沟嘎查五组53号', opts).rule).toBe('same-group-number');
    const two = { regions: new RegionIndex([...DIVISIONS, { code: '150625100205', name: '红星嘎查' }]) };
    const other = addressSimilarity('塔拉沟嘎查4组', '红星嘎查4组', two);
    expect(other.rule).toBe('different-road');
    expect(other.score).toBeLessThan(0.3);
  });

  it('the words between a door and a building number name a compound, whatever their suffix (185号楼桃源居4幢)', () => {
    const p = parseAddress('城北街185号楼桃源居4幢4单元901', opts);
    expect(p).toMatchObject({ road: '城北街', number: 185, compound: '桃源居', building: 4, unit: 4 });
    const s = addressSimilarity('城北街185-1号桃源居2号楼', '城北街185号楼桃源居4幢4单元901', opts);
    expect(s.score).toBeLessThan(0.85);
  });

  it('a road typed with a wrong character still matches, slightly discounted', () => {
    const s = addressSimilarity('团结路12号', '团洁路12号', opts);
    expect(s.rule).toBe('same-number');
    expect(s.score).toBeGreaterThanOrEqual(0.85);
    expect(s.score).toBeLessThan(1);
  });
});
