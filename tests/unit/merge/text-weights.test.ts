import { describe, expect, it } from 'vitest';
import { TextWeights, rareSharedEvidence } from '../../../hub/merge/text-weights.js';
import { matchMatter, type ReportFeatures } from '../../../hub/merge/matter-matcher.js';
import { DEFAULT_MATTER_PROFILE } from '../../../hub/merge/matter-profile.js';
import { RegionIndex } from '../../../hub/merge/regions.js';
import { DIVISIONS, at } from './fixtures.js';

// A county's env.air reports: one template worded by the grid (夜间有异味排放), another by 12345
// (晚上偷偷排气，味道刺鼻), each with the firm's name; the names are what tells two firms apart.
const FIRMS = [...'恒丹章围梅桔翠稻'].flatMap((a) => [...'昌霞贡屋岭都微香'].map((b) => a + b)); // 64 names
const corpus = FIRMS.flatMap((n, i) => [
  { description: `${n}老窑夜间有异味排放。`, address: `红星村${(i % 5) + 1}组${i + 10}号`, scope: 'env.air' },
  { description: `锡尼镇${n}老窑晚上偷偷排气，味道刺鼻。`, address: null, scope: 'env.air' },
  { description: `${n}餐馆夜间经营声音大，居民有意见。`, address: null, scope: 'env.noise_social' },
]);
const PLACES = ['锡尼镇', '红星村'];

describe('TextWeights: how much a shared phrase says, from the county\'s own records', () => {
  const w = TextWeights.fromTexts(corpus, PLACES);
  it('a template bigram of the category weighs little, a name carried by few reports much', () => {
    expect(w.bits('异味', 'env.air')).toBeLessThan(1.1);
    expect(w.bits('恒昌', 'env.air')).toBeGreaterThan(3);
    // counted per category: the grid's template is common among env.air reports, not among noise reports
    expect(w.frequency('异味', 'env.air')).toBe(FIRMS.length);
    expect(w.frequency('异味', 'env.noise_social')).toBe(1);
  });
  it('place names and the bigrams straddling them are never evidence', () => {
    const e = w.evidenceBigrams('锡尼镇恒昌老窑晚上偷偷排气');
    expect(e.has('锡尼')).toBe(false);
    expect(e.has('镇恒')).toBe(false);
    expect(e.has('恒昌')).toBe(true);
    // the pair's own addresses are cut out too
    expect(w.evidenceBigrams('龙岗下村3组那边有异味', ['龙岗下村3组']).has('下村')).toBe(false);
    // numbers and address words (the address profile's) too, wherever the text gives them
    const t = w.evidenceBigrams('坑口村二组早上一排卖菜的，37号楼有人堆土');
    expect(t.has('组早')).toBe(false);
    expect(t.has('楼有')).toBe(false);
    expect(t.has('早上')).toBe(true);
  });
  it('rare shared evidence counts the name, not the template, and is symmetric', () => {
    const same = rareSharedEvidence('恒昌老窑夜间有异味排放。', '锡尼镇恒昌老窑晚上偷偷排气，味道刺鼻。', w, { scope: 'env.air', maxShare: 0.2 });
    expect(same.shared).toContain('恒昌');
    expect(same.bits).toBeGreaterThan(6);
    const other = rareSharedEvidence('恒昌老窑夜间有异味排放。', '丹霞老窑夜间有异味排放。', w, { scope: 'env.air', maxShare: 0.2 });
    expect(other.bits).toBe(0);
    expect(rareSharedEvidence('锡尼镇恒昌老窑晚上偷偷排气，味道刺鼻。', '恒昌老窑夜间有异味排放。', w, { scope: 'env.air', maxShare: 0.2 }).bits).toBe(same.bits);
  });
  it('survives a round trip through its file format', () => {
    const again = TextWeights.fromJSON(JSON.parse(JSON.stringify(w.toJSON())));
    expect(again.bits('恒昌', 'env.air')).toBe(w.bits('恒昌', 'env.air'));
    expect(again.bits('异味', 'env.air')).toBe(w.bits('异味', 'env.air'));
    expect(again.evidenceBigrams('锡尼镇恒昌老窑').has('镇恒')).toBe(false);
    expect(() => TextWeights.fromJSON({ ...w.toJSON(), version: 2 } as never)).toThrow();
  });
});

describe('matchMatter with text weights: a report giving only the villagers\' group meets the one at a door by a rare phrase both share', () => {
  const VILLAGE = { regions: new RegionIndex([...DIVISIONS, { code: '150625100205', name: '红星村' }]) };
  const weights = TextWeights.fromTexts(corpus, PLACES);
  // a small corpus: 64 firms, so a name is 1.6 % of the category and its two bigrams carry about 6 bits (in a county's month, well under 1 % and 10 bits or more)
  const profile = { ...DEFAULT_MATTER_PROFILE, thresholds: { ...DEFAULT_MATTER_PROFILE.thresholds, textRareBits: 5, textRareShare: 0.05 } };
  const profileOpts = { ...VILLAGE, profile, textWeights: weights };
  const atDoor: ReportFeatures = {
    sourceSystem: 'grid', sourceRecordId: 'G1', categoryCode: 'env.air', eventTime: at('2025-06-10 19:05'), location: null,
    divisionCode: '150625100205', gridCode: null, subjectName: null, address: '红星村3组20号', description: '恒昌老窑夜间有异味排放。',
  };
  const call = (description: string): ReportFeatures => ({
    sourceSystem: 'hotline-12345', sourceRecordId: 'H1', categoryCode: 'env.air', eventTime: at('2025-06-10 20:40'), location: null,
    divisionCode: null, gridCode: null, subjectName: null, address: '红星村三组', description,
  });
  const TEXT = '锡尼镇恒昌老窑晚上偷偷排气，味道刺鼻。';
  it('without the weights the group alone does not say which door', () => {
    expect(matchMatter(call(TEXT), [{ matterId: 'M1', reports: [atDoor] }], { ...VILLAGE, profile }).decision).not.toBe('match');
  });
  it('with them the shared name ties the two: one matter, explained', () => {
    const d = matchMatter(call(TEXT), [{ matterId: 'M1', reports: [atDoor] }], profileOpts);
    expect(d.decision).toBe('match');
    expect(d.features?.rareText?.bits).toBeGreaterThan(0);
    expect(d.explanation).toContain('rare shared bigram');
  });
  it('the category\'s template alone is no evidence: another firm in the group stays apart', () => {
    const d = matchMatter(call('锡尼镇丹霞老窑晚上偷偷排气，味道刺鼻。'), [{ matterId: 'M1', reports: [atDoor] }], profileOpts);
    expect(d.decision).not.toBe('match');
    expect(d.features?.rareText?.bits ?? 0).toBe(0);
  });
});

describe('TextWeights in a small category: never fewer than minDocs reports may share a rare phrase', () => {
  // 40 construction-noise reports: a worksite's project name is carried by the two reports about it,
  // 5 % of the category; a share of 0.01 alone would leave no phrase rare there
  const SITES = [...'稻丹章围梅桔翠恒'].flatMap((a) => [...'香霞贡屋岭'].map((b) => a + b)); // 40 names
  const small = TextWeights.fromTexts(
    [
      ...SITES.map((n, i) => ({ description: `${n}工业园标准厂房项目工地夜间施工噪声大。`, address: `红星村${(i % 5) + 1}组` as string | null, scope: 'construction.noise' })),
      { description: '稻香工业园标准厂房项目工地夜里浇混凝土。', address: null, scope: 'construction.noise' },
    ],
    PLACES,
  );
  const a = '稻香工业园标准厂房项目工地夜间施工噪声大。';
  const b = '反映稻香工业园标准厂房项目工地夜里浇混凝土。';
  it('the name two reports share is rare with a floor of 5 reports, not by the share alone', () => {
    expect(rareSharedEvidence(a, b, small, { scope: 'construction.noise', maxShare: 0.01 }).bits).toBe(0);
    const e = rareSharedEvidence(a, b, small, { scope: 'construction.noise', maxShare: 0.01, minDocs: 5 });
    expect(e.shared).toContain('稻香');
    expect(e.bits).toBeGreaterThan(4);
    // the category's template is carried by every report and stays common
    expect(e.shared).not.toContain('工地');
  });
  it('the profile sets the floor', () => {
    expect(DEFAULT_MATTER_PROFILE.thresholds.textRareMinDocs).toBe(5);
  });
});
