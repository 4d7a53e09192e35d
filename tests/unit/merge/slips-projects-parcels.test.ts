/**
 * Session 13 rules, each found on the eleven-department demo day or the second county: names typed
 * with a slip, names that are no operator's (a project, a road), different shops at one door, and
 * numbered land parcels.
 */
import { describe, expect, it } from 'vitest';
import { matchMatter, nameKey, nameSimilarity, subjectMentions, type ReportFeatures } from '../../../hub/merge/index.js';
import { parcelNumbers } from '../../../hub/merge/addresses.js';
import { REGIONS, at } from './fixtures.js';

const opts = { regions: REGIONS };
const sim = (a: string, b: string) => nameSimilarity(nameKey(a, opts), nameKey(b, opts), opts).score;

describe('names typed with a slip', () => {
  it('a surname trade name whose surname was mistyped is compared as written (老今 ~ 老金), two real surnames are not', () => {
    expect(sim('老今羊肉馆', '老金羊肉馆')).toBeGreaterThanOrEqual(0.85);
    expect(sim('老王烧烤', '老李烧烤')).toBeLessThan(0.5);
  });

  it('pinyin initials meet a name whose trade word is not in the lexicon (FH五金 ~ 富华五金水暖)', () => {
    expect(sim('FH五金', '富华五金水暖')).toBeGreaterThanOrEqual(0.85);
    expect(sim('FH五金', '振华五金水暖')).toBeLessThan(0.5);
  });

  it('a trade word typed one character off, or run on into a shop word, is still the trade', () => {
    expect(sim('阿豪擂茶', '阿豪擂荼')).toBeGreaterThanOrEqual(0.85);
    expect(sim('AP客家菜', 'AP容家菜')).toBeGreaterThanOrEqual(0.85);
    expect(sim('老表米粉(锡尼店)', '老表米粉庄')).toBeGreaterThanOrEqual(0.85);
    // the split is of the trade word only: another trade name stays another shop
    expect(sim('阿豪擂茶', '阿强擂荼')).toBeLessThan(0.85);
    // and a surname read after the split still tells two surnames apart
    expect(sim('老王烧烤', '老李烧饼')).toBeLessThan(0.5);
  });
});

describe('what a complaint names that is no shop', () => {
  const names = (t: string) => subjectMentions(t, opts).map((m) => m.text);

  it('a project under construction is where the work is, not the firm responsible', () => {
    expect(names('解放巷49号门口绿源医院住院楼项目工地裸土未覆盖，刮风时尘土飞扬。')).toEqual([]);
    expect(names('锡尼镇伊克昭路56号附近金鼎物流园项目工地夜间十一点后仍在施工')).toEqual([]);
    expect(names('来电人反映兴业南巷126号富民麻辣烫后厨排烟管道直接对着居民楼')).toEqual(['富民麻辣烫']);
  });

  it('a 记 typed by its sound (和计米粉) keeps the character before it, as 记 does', () => {
    expect(names('来电人称和计米粉门口音响开很大声')).toEqual(['和计米粉']);
    expect(names('群众反映和平一路204号和纪米粉油烟扰民')).toEqual(['和纪米粉']);
    // a name that only starts with that sound is bounded as before
    expect(names('友谊大街161号吉祥快餐门口堆满垃圾')).toEqual(['吉祥快餐']);
  });

  it('a road and a trade (团结路烧烤店) says which shop by where it is', () => {
    expect(names('投诉团结路烧烤店油烟污染严重，晚上烟味刺鼻，要求查处。')).toEqual([]);
  });
});

describe('matters: different shops at one door, other land parcels', () => {
  const base: ReportFeatures = {
    sourceSystem: 'hotline-12345', sourceRecordId: 'GD1', categoryCode: 'safety.gas', eventTime: at('2026-03-02 10:00'),
    location: null, divisionCode: '150625100001', gridCode: null, address: '锡尼镇团结路85号',
    description: '锡尼镇团结路85号老陈饺子液化气罐放在后厨门口，无防护，存在安全隐患。', subjectUscc: null, subjectName: null,
  };

  it('two complaints naming other shops at the same door are two matters; the same shop named twice is one', () => {
    const other = { ...base, sourceRecordId: 'GD2', eventTime: at('2026-03-02 11:00'), description: '锡尼镇团结路85号宏达羊肉馆液化气罐放在后厨门口，无防护，存在安全隐患。' };
    const d = matchMatter(other, [{ matterId: 'M1', reports: [base] }], opts);
    expect(d.decision).toBe('new');
    expect(d.explanation).toContain('different subjects');
    const same = { ...other, description: '锡尼镇团结路85号老陈饺子的液化气罐还是放在后厨门口。' };
    expect(matchMatter(same, [{ matterId: 'M1', reports: [base] }], opts)).toMatchObject({ decision: 'match', matterId: 'M1' });
  });

  it('reads numbered parcels from the text, in any numeral form', () => {
    expect(parcelNumbers('额尔敦嘎查2社23号地块畜禽养殖废水直排')).toEqual(['23']);
    expect(parcelNumbers('三号地块与12号图斑被推填')).toEqual(['12', '3']);
    expect(parcelNumbers('2社36号附近有人在耕地上挖沙取土')).toEqual([]);
  });

  it('a report naming only other parcels than the matter is about other land', () => {
    const land: ReportFeatures = { ...base, sourceSystem: 'grid', sourceRecordId: 'SJ1', categoryCode: 'land.farmland', address: '锡尼镇团结村2组', description: '团结村2组19号地块被堆放砂石。' };
    const other = { ...land, sourceSystem: 'natural-resources-patrol', sourceRecordId: 'ZY1', eventTime: at('2026-03-02 12:00'), description: '团结村2组23号地块被堆放砂石。' };
    const d = matchMatter(other, [{ matterId: 'M1', reports: [land] }], opts);
    expect(d.decision).toBe('new');
    expect(d.explanation).toContain('other land parcels');
    const same = { ...other, description: '团结村2组19号地块被堆放砂石，约3亩。' };
    expect(matchMatter(same, [{ matterId: 'M1', reports: [land] }], opts).decision).not.toBe('new');
  });
});
