/**
 * Issue 13, session 10: evidence that holds on a county day we did not write.
 * - positions judged against their uncertainties where the addresses agree only on the group/road;
 * - category relations across the catalogue (flood ~ waterlogging) as profile data;
 * - trade names written as pinyin initials, the industry word that explains more of a name,
 *   names read after a demonstrative (那家) or a building number (栋).
 */
import { describe, expect, it } from 'vitest';
import { matchMatter, positionAgreement, sameKindOfProblem, type ReportFeatures } from '../../../hub/merge/matter-matcher.js';
import { DEFAULT_MATTER_PROFILE } from '../../../hub/merge/matter-profile.js';
import { nameKey, nameSimilarity, pinyinInitialsMatch } from '../../../hub/merge/names.js';
import { subjectMentions } from '../../../hub/merge/mentions.js';
import { subjectBlockingKeys } from '../../../hub/merge/subject-matcher.js';
import { LAOWANG, REGIONS, at, offset } from './fixtures.js';

const opts = { regions: REGIONS };

/** A grid worker at a door of the group: phone GPS, the group and door in the address. */
const grid: ReportFeatures = {
  sourceSystem: 'grid',
  sourceRecordId: 'SJ1',
  categoryCode: 'appearance.garbage',
  eventTime: at('2025-06-10 09:00'),
  location: LAOWANG,
  divisionCode: '150625100205',
  gridCode: null,
  description: '路边垃圾堆积，已通知保洁。',
  address: '红星嘎查3组20号',
};
/** Enforcement names only the group; its position is the door the hub geocoded its text to. */
const enforcement = (metres: number, origin = 'geocoded:door', uncertainty = 15): ReportFeatures => ({
  sourceSystem: 'enforcement-cases',
  sourceRecordId: `AJ${metres}`,
  categoryCode: 'appearance.garbage',
  eventTime: at('2025-06-10 10:30'),
  location: offset(LAOWANG, metres, 0),
  locationOrigin: origin,
  locationUncertaintyM: uncertainty,
  divisionCode: '150625100205',
  gridCode: null,
  description: '在此处发现随意倾倒生活垃圾。',
  address: '红星嘎查三组',
});
const pair = (a: ReportFeatures, b: ReportFeatures) => matchMatter(a, [{ matterId: 'M', reports: [b] }], opts);

describe('positions within their uncertainty stand for the door where addresses give only the group', () => {
  it('a measured position and a geocoded door within the combined uncertainty agree; further apart they do not', () => {
    const near = positionAgreement({ r: enforcement(20), location: enforcement(20).location! }, [{ r: grid, location: grid.location! }]);
    expect(near.agree).toBe(true);
    expect(near.explanation).toMatch(/positions 20 m apart/);
    const far = positionAgreement({ r: enforcement(90), location: enforcement(90).location! }, [{ r: grid, location: grid.location! }]);
    expect(far.agree).toBe(false);
  });

  it('two positions the hub geocoded, or a dropped centroid pin, say nothing', () => {
    const a = enforcement(5);
    const b = { ...enforcement(0), sourceRecordId: 'AJx' };
    expect(positionAgreement({ r: a, location: a.location! }, [{ r: b, location: b.location! }]).agree).toBe(false);
    const pin = { ...grid, locationOrigin: 'centroid:village', locationUncertaintyM: 800 };
    expect(positionAgreement({ r: a, location: a.location! }, [{ r: pin, location: pin.location! }]).agree).toBe(false);
  });

  it('the limit grows with the uncertainty but never beyond positionAgreeMaxM', () => {
    const wide = enforcement(55, 'geocoded:road-segment', 120);
    const p = positionAgreement({ r: wide, location: wide.location! }, [{ r: grid, location: grid.location! }]);
    expect(p.limitM).toBe(DEFAULT_MATTER_PROFILE.thresholds.positionAgreeMaxM);
    expect(p.agree).toBe(true);
    const beyond = enforcement(70, 'geocoded:road-segment', 120);
    expect(positionAgreement({ r: beyond, location: beyond.location! }, [{ r: grid, location: grid.location! }]).agree).toBe(false);
  });

  it('one kind of problem in one group, positions agreeing: one matter, the explanation says why', () => {
    const d = pair(enforcement(20), grid);
    expect(d.decision).toBe('match');
    expect(d.explanation).toMatch(/villagers' group .* positions 20 m apart/);
  });

  it('the same group, positions apart: not joined on the group alone', () => {
    expect(pair(enforcement(150), grid).decision).not.toBe('match');
  });

  it('another kind of problem in the group is not joined by positions', () => {
    const noise = { ...enforcement(10), categoryCode: 'env.noise_social', description: '夜间噪声扰民。' };
    expect(pair(noise, grid).decision).not.toBe('match');
  });
});

describe('category relations are profile data', () => {
  it('a flooded street filed as flood and as waterlogging is one kind of problem', () => {
    expect(sameKindOfProblem('emergency.flood', 'emergency.waterlogging')).toBe(true);
    expect(sameKindOfProblem('emergency.flood', 'env.noise_social')).toBe(false);
  });
});

describe('trade names written as pinyin initials', () => {
  it('letters that are the initials of the other trade name', () => {
    expect(pinyinInitialsMatch('AQ', '阿清')).toBe(true);
    expect(pinyinInitialsMatch('zh', '振华')).toBe(true);
    expect(pinyinInitialsMatch('ZX', '张记')).toBe(false);
    expect(pinyinInitialsMatch('ZHA', '振华')).toBe(false);
  });

  it('name similarity reads them, also for a surname trade name (WS ~ 吴氏)', () => {
    expect(nameSimilarity(nameKey('WS夜宵', opts), nameKey('锡尼镇吴氏夜宵店', opts), opts).score).toBeGreaterThanOrEqual(0.9);
    expect(nameSimilarity(nameKey('JG餐饮', opts), nameKey('演示旗井冈餐饮有限公司', opts), opts).score).toBeGreaterThanOrEqual(0.9);
    expect(nameSimilarity(nameKey('JX餐饮', opts), nameKey('演示旗井冈餐饮有限公司', opts), opts).score).toBeLessThan(0.5);
  });

  it('blocking gives both the same initials key in the town', () => {
    const a = subjectBlockingKeys({ name: 'WS夜宵', divisionCode: '150625100001' }, opts);
    const b = subjectBlockingKeys({ name: '吴氏夜宵店', divisionCode: '150625100001' }, opts);
    expect(a).toContain('ini:150625100|ws');
    expect(b).toContain('ini:150625100|ws');
  });
});

describe('reading names', () => {
  it('the industry word that explains more of the name wins (肠粉 + 店, not 肠 + 粉店)', () => {
    const k = nameKey('振华肠粉店', opts);
    expect([k.core, k.industry]).toEqual(['振华', '肠粉']);
  });

  it('a name after a demonstrative or a building number starts there', () => {
    expect(subjectMentions('兴国南路263号楼那家詹纪糖水每晚炒菜油烟往楼上飘', opts).map((m) => m.text)).toEqual(['詹纪糖水']);
    expect(subjectMentions('中山一路134栋那家温计鱼头油烟很大', opts).map((m) => m.text)).toEqual(['温计鱼头']);
  });

  it('after a demonstrative a long run is a clause, not a name', () => {
    expect(subjectMentions('这家超市卖过期食品', opts)).toEqual([]);
    expect(subjectMentions('那家烧烤店油烟大', opts)).toEqual([]);
  });
});

describe('accents and crossings', () => {
  it('fuzzy pinyin: a name heard with -n/-ng or zh/z merged is the same name', async () => {
    const { fuzzySyllables } = await import('../../../hub/merge/names.js');
    expect(fuzzySyllables('振华')).toEqual(fuzzySyllables('正华'));
    expect(nameSimilarity(nameKey('新兴稀土', opts), nameKey('新新稀土', opts), opts).score).toBeGreaterThanOrEqual(0.85);
    expect(nameSimilarity(nameKey('振华家具', opts), nameKey('正华家具', opts), opts).score).toBeGreaterThanOrEqual(0.9);
  });

  it('two crossings of other roads are two places; of one common road, two points of it', async () => {
    const { addressSimilarity } = await import('../../../hub/merge/addresses.js');
    const other = addressSimilarity('胜利巷与永安西路交叉口', '红旗大街与迎宾南巷交叉口', opts);
    expect(other.rule).toBe('different-road');
    expect(other.score).toBeLessThan(0.3);
    const one = addressSimilarity('创业北街与永安西路交叉口', '胜利巷与永安西路交叉口', opts);
    expect(one.rule).toBe('same-road-other-number');
    expect(addressSimilarity('永安西路与胜利巷交叉口', '胜利巷与永安西路交叉口', opts).rule).toBe('same-intersection');
  });
});
