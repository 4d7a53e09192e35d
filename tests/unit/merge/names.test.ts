import { describe, expect, it } from 'vitest';
import { nameKey, nameSimilarity, bestNameSimilarity, NAME_CORE_WEIGHT } from '../../../hub/merge/names.js';
import { jaroWinkler, dice, toSimplified, parseChineseNumber, arabiseAddressNumbers } from '../../../hub/merge/strings.js';
import { REGIONS } from './fixtures.js';

const opts = { regions: REGIONS };

describe('string measures', () => {
  it('Jaro-Winkler: textbook values and symmetry', () => {
    expect(jaroWinkler('MARTHA', 'MARHTA')).toBeCloseTo(0.9611, 3);
    expect(jaroWinkler('DWAYNE', 'DUANE')).toBeCloseTo(0.84, 2);
    expect(jaroWinkler('DIXON', 'DICKSONX')).toBeCloseTo(0.8133, 3);
    expect(jaroWinkler('', '')).toBe(1);
    expect(jaroWinkler('鑫源', '')).toBe(0);
    for (const [a, b] of [['鑫源商贸', '源鑫商贸'], ['王记烧烤', '汪记稍烤'], ['ABCD', 'BADCX']]) {
      expect(jaroWinkler(a as string, b as string)).toBe(jaroWinkler(b as string, a as string));
    }
  });

  it('Dice on character bigrams', () => {
    expect(dice('团结路', '团结路')).toBe(1);
    expect(dice('烧烤店', '烧烤')).toBeCloseTo(2 / 3, 4);
    expect(dice('王', '王')).toBe(1);
    expect(dice('王记', '李记')).toBe(0);
  });

  it('traditional → simplified and Chinese numerals', () => {
    expect(toSimplified('王記燒烤（錫尼店）團結路十二號')).toBe('王记烧烤（锡尼店）团结路十二号');
    expect(parseChineseNumber('十二')).toBe(12);
    expect(parseChineseNumber('一百零五')).toBe(105);
    expect(parseChineseNumber('二〇三')).toBe(203);
    expect(parseChineseNumber('三里')).toBeNull();
    expect(arabiseAddressNumbers('团结路十二号三单元五金店')).toBe('团结路12号3单元五金店');
  });
});

describe('nameKey', () => {
  it('reduces the registry name, the caller\'s name and the shop sign of one restaurant to one key', () => {
    for (const n of ['锡尼镇老王烧烤店', '老王烧烤', '王记烧烤(锡尼店)', '王記燒烤（錫尼店）', '老王烧烤锡尼店', '王家烧烤', '老 王 烧 烤 店']) {
      const k = nameKey(n, opts);
      expect({ n, core: k.core, industry: k.industry }).toEqual({ n, core: '王记', industry: '烧烤' });
    }
  });

  it('an enforcement case\'s party (当事人老田火锅) is the shop, not a name starting with 当事人', () => {
    expect(nameSimilarity('当事人老田火锅', '老田火锅', opts).score).toBe(1);
  });

  it('keeps what it strips, for the explanation', () => {
    const k = nameKey('王记烧烤(锡尼店)', opts);
    expect(k.surname).toEqual({ surname: '王', form: '王记', written: '王记' });
    expect(k.notes).toEqual(['锡尼店']);
    expect(k.regions.map((r) => [r.text, r.code])).toEqual([['锡尼', '150625100']]);
    expect(k.branch).toBeNull();
  });

  it('strips legal forms and leading regions of enterprise names', () => {
    const cases: Array<[string, string, string, string | null]> = [
      ['内蒙古自治区鄂尔多斯市演示旗鑫源商贸有限公司', '鑫源', '商贸', '有限公司'],
      ['演示旗鑫源餐饮有限责任公司', '鑫源', '餐饮', '有限责任公司'],
      ['鄂尔多斯市宏达建筑工程股份有限公司', '宏达', '建筑工程', '股份有限公司'],
      ['鑫源商贸有限公司锡尼分公司', '鑫源', '商贸', '有限公司分公司'],
      ['演示旗恒泰五金经营部', '恒泰', '五金', '经营部'],
      ['内蒙古库布其沙棘种植农民专业合作社', '库布其', '沙棘种植', '农民专业合作社'],
      ['老王烧烤（个体工商户）', '王记', '烧烤', '个体工商户'],
      ['星光KTV', '星光', 'KTV', null],
      ['ｘｉｎｇｇｕａｎｇ ＫＴＶ', 'XINGGUANG', 'KTV', null],
    ];
    for (const [name, core, industry, legalForm] of cases) {
      const k = nameKey(name, opts);
      expect({ name, core: k.core, industry: k.industry, legalForm: k.legalForm }).toEqual({ name, core, industry, legalForm });
    }
  });

  it('never strips the whole trade name: a shop named after its town keeps it', () => {
    expect(nameKey('锡尼羊肉馆', opts)).toMatchObject({ core: '锡尼', industry: '羊肉' });
    expect(nameKey('锡尼镇锡尼羊肉馆', opts)).toMatchObject({ core: '锡尼', industry: '羊肉' });
  });

  it('recognises an industry word typed with a homophone (稍烤 for 烧烤)', () => {
    const k = nameKey('汪记稍烤', opts);
    expect(k).toMatchObject({ core: '汪记', industry: '烧烤', industryHomophone: '稍烤' });
  });

  it('numbered branches are distinguishing, unnamed ones are not', () => {
    expect(nameKey('老王烧烤(2店)', opts).branch).toBe('2');
    expect(nameKey('老王烧烤（二分店）', opts).branch).toBe('2');
    expect(nameKey('老王烧烤（分店）', opts).branch).toBeNull();
  });

  it('treats 无名 (no name) as no trade name', () => {
    expect(nameKey('无名烧烤摊', opts)).toMatchObject({ core: '', industry: '烧烤' });
  });
});

describe('nameSimilarity', () => {
  it('锡尼镇老王烧烤店 / 老王烧烤 / 王记烧烤(锡尼店) all match exactly', () => {
    const names = ['锡尼镇老王烧烤店', '老王烧烤', '王记烧烤(锡尼店)'];
    for (const a of names) {
      for (const b of names) {
        const s = nameSimilarity(a, b, opts);
        expect(s.score, `${a} ~ ${b}: ${s.explanation}`).toBe(1);
      }
    }
    expect(nameSimilarity('老王烧烤', '王记烧烤(锡尼店)', opts).explanation).toContain('老王 ~ 王记');
  });

  it('老王烧烤 vs 老李烧烤: different surnames, only the industry agrees', () => {
    const s = nameSimilarity('老王烧烤', '老李烧烤', opts);
    expect(s.core).toBe(0);
    expect(s.score).toBeCloseTo(1 - NAME_CORE_WEIGHT, 4);
    expect(s.explanation).toContain('surname 王 ≠ 李');
  });

  it('a homophone typo scores high but below an exact match', () => {
    const s = nameSimilarity('王记烧烤', '汪记稍烤', opts);
    expect(s.score).toBeGreaterThan(0.85);
    expect(s.score).toBeLessThan(1);
    expect(s.method).toBe('pinyin');
  });

  it('same trade name, registry industry vs shop trade: 鑫源餐饮有限公司 ~ 鑫源烧烤(锡尼店)', () => {
    const s = nameSimilarity('演示旗鑫源餐饮有限公司', '鑫源烧烤(锡尼店)', opts);
    expect(s.score).toBeGreaterThan(0.95);
  });

  it('trade names sharing one character are not the same (鑫源 vs 鑫达)', () => {
    expect(nameSimilarity('鑫源商贸', '鑫达商贸', opts).score).toBeLessThan(0.85);
    expect(nameSimilarity('鑫源商贸', '宏达商贸', opts).score).toBeLessThan(0.5);
  });

  it('penalises different towns and different numbered branches', () => {
    const town = nameSimilarity('老王烧烤(巴拉贡店)', '王记烧烤(锡尼店)', opts);
    expect(town.penalties).toEqual(['different-location']);
    expect(town.score).toBeLessThan(0.85);
    const branch = nameSimilarity('老王烧烤(2店)', '老王烧烤(3店)', opts);
    expect(branch.penalties).toEqual(['different-branch']);
    expect(nameSimilarity('老王烧烤(2店)', '老王烧烤', opts).score).toBe(1);
  });

  it('caps names without a trade name', () => {
    expect(nameSimilarity('无名烧烤摊', '烧烤摊', opts).score).toBeLessThanOrEqual(0.5);
  });

  it('is symmetric and deterministic', () => {
    const names = ['锡尼镇老王烧烤店', '汪记稍烤', '鑫源商贸有限公司', '鑫源超市(锡尼店)', '老李烧烤', '星光KTV', '无名烧烤摊'];
    for (const a of names) {
      for (const b of names) {
        expect(nameSimilarity(a, b, opts)).toEqual(nameSimilarity(a, b, opts));
        expect(nameSimilarity(a, b, opts).score).toBe(nameSimilarity(b, a, opts).score);
      }
    }
  });

  it('bestNameSimilarity takes former names into account', () => {
    const best = bestNameSimilarity(['演示旗鑫源餐饮有限公司', '演示旗宏达餐饮有限公司'], ['宏达饭店'], opts);
    expect(best?.pair).toEqual(['演示旗宏达餐饮有限公司', '宏达饭店']);
    expect(best?.score).toBeGreaterThan(0.9);
  });
});

describe('typos read by sound in the shop word, the industry and the legal form', () => {
  it('a shop word typed as a homophone (手把肉官, 蒙餐管) leaves the industry as written', () => {
    expect(nameKey('老李手把肉官', opts)).toMatchObject({ core: '李记', industry: '手把肉', industryHomophone: '手把肉官' });
    expect(nameKey('老杜蒙餐管', opts)).toMatchObject({ core: '杜记', industry: '蒙餐' });
    expect(nameSimilarity('老李手把肉官', '李记手把肉馆', opts).score).toBe(1);
    // a last character that does not sound like a shop word is left alone
    expect(nameKey('鑫源超市', opts)).toMatchObject({ core: '鑫源', industry: '超市', industryHomophone: null });
  });

  it('an industry word with a trailing shop word read by sound takes the word before the shop word (蒙参馆 = 蒙餐 + 馆)', () => {
    expect(nameKey('银河蒙参馆', opts)).toMatchObject({ core: '银河', industry: '蒙餐', industryHomophone: '蒙参' });
  });

  it('a longer industry word typed partly by sound wins over the word it ends with', () => {
    expect(nameKey('金泰旺络科技', opts)).toMatchObject({ core: '金泰', industry: '网络科技', industryHomophone: '旺络科技' });
    expect(nameKey('鼎立参饮娱乐公司', opts)).toMatchObject({ core: '鼎立', industry: '餐饮娱乐' });
    // one character that sounds like the start of a longer word is the trade name's (鸿达 is not 鸿 + 大药房)
    expect(nameKey('鸿达药房', opts)).toMatchObject({ core: '鸿达', industry: '药房' });
  });

  it('a legal form typed by sound is stripped as one (专叶合作社, 有线公司)', () => {
    expect(nameKey('演示旗查汗淖蔬菜种植专叶合作社', opts)).toMatchObject({ core: '查汗淖', industry: '蔬菜种植', legalForm: '专叶合作社' });
    expect(nameKey('鑫源商贸有线公司', opts)).toMatchObject({ core: '鑫源', industry: '商贸', legalForm: '有线公司' });
  });

  it('industries: one word within the other is the same trade said shorter; sound-alike words when one was read by sound', () => {
    expect(nameSimilarity('佳禾洗浴', '佳禾洗浴服务', opts).industry).toBe(0.9);
    expect(nameSimilarity('泰和牧叶', '泰和牧业', opts).industry).toBeGreaterThanOrEqual(0.9);
    expect(nameSimilarity('泰和烧烤', '泰和火锅', opts).industry).toBe(0.6);
    expect(nameKey('长城木材', opts)).toMatchObject({ core: '长城', industry: '木业' });
  });

  it('marks trades worked on sites anywhere (建筑安装工程, 市政工程)', () => {
    expect(nameKey('演示旗兴旺建筑安装工程有限公司', opts)).toMatchObject({ core: '兴旺', industry: '建筑安装工程', siteWork: true });
    expect(nameKey('老王烧烤', opts).siteWork).toBe(false);
  });
});
