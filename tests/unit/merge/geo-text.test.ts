import { describe, expect, it } from 'vitest';
import { boundingBox, distanceScore, haversineMetres, isUsablePoint, minDistanceMetres } from '../../../hub/merge/geo.js';
import { textFingerprint, textSimilarity } from '../../../hub/merge/text.js';
import { LAOWANG, LAOLI, offset, viaPlatform } from './fixtures.js';

describe('geo', () => {
  it('haversine: known distances', () => {
    // One degree of latitude ≈ 111.2 km; Beijing → Shanghai ≈ 1068 km.
    expect(haversineMetres({ lng: 0, lat: 0 }, { lng: 0, lat: 1 })).toBeCloseTo(111_195, -1);
    expect(haversineMetres({ lng: 116.3975, lat: 39.9087 }, { lng: 121.4737, lat: 31.2304 }) / 1000).toBeCloseTo(1068, -1);
    expect(haversineMetres(LAOWANG, LAOWANG)).toBe(0);
    expect(haversineMetres(LAOWANG, LAOLI)).toBeGreaterThan(10);
    expect(haversineMetres(LAOWANG, LAOLI)).toBeLessThan(20);
    expect(haversineMetres(LAOWANG, offset(LAOWANG, 0, 800))).toBeCloseTo(800, 0);
  });

  it('GCJ-02 and BD-09 points must be converted before measuring', () => {
    const gcj = viaPlatform(LAOWANG, 'GCJ02');
    const bd = viaPlatform(LAOWANG, 'BD09');
    expect(haversineMetres(LAOWANG, gcj.sent)).toBeGreaterThan(200); // ≈ 460 m off unconverted
    expect(haversineMetres(LAOWANG, bd.sent)).toBeGreaterThan(1000); // ≈ 1.3 km off unconverted
    expect(haversineMetres(LAOWANG, gcj.canonical)).toBeLessThan(1);
    expect(haversineMetres(LAOWANG, bd.canonical)).toBeLessThan(1);
  });

  it('helpers', () => {
    expect(isUsablePoint({ lng: 0, lat: 0 })).toBe(false);
    expect(isUsablePoint({ lng: Number.NaN, lat: 1 })).toBe(false);
    expect(isUsablePoint(null)).toBe(false);
    expect(minDistanceMetres([LAOWANG, null], [LAOLI, offset(LAOWANG, 0, 500)])).toBeCloseTo(haversineMetres(LAOWANG, LAOLI), 6);
    expect(minDistanceMetres([], [LAOLI])).toBeNull();
    const [minLng, minLat, maxLng, maxLat] = boundingBox(LAOWANG, 400);
    for (const p of [offset(LAOWANG, 399, 0), offset(LAOWANG, -399, 0), offset(LAOWANG, 0, 399), offset(LAOWANG, 0, -399)]) {
      expect(p.lng >= minLng && p.lng <= maxLng && p.lat >= minLat && p.lat <= maxLat).toBe(true);
    }
    expect(distanceScore(10, 30, 400)).toBe(1);
    expect(distanceScore(215, 30, 400)).toBe(0.5);
    expect(distanceScore(500, 30, 400)).toBe(0);
  });
});

describe('text', () => {
  const grid = '网格员巡查发现团结路12号王记烧烤店油烟直排，未安装油烟净化设施，影响周边居民。';
  const hotline = '市民来电反映：锡尼镇团结路老王烧烤油烟很大，熏得家里没法开窗，请相关部门尽快处理。';
  const complaint = '投诉锡尼镇团结路十二号烧烤店油烟污染严重，晚上烟味刺鼻，要求查处。';
  const ktv = '文化街星光KTV夜间噪音扰民，凌晨还在唱歌，影响休息。';
  const dance = '滨河广场广场舞音响声音太大，晚上十点后仍在跳，噪声扰民。';

  it('removes intake boilerplate before comparing', () => {
    expect(textFingerprint(hotline).cleaned).toBe('锡尼镇团结路老王烧烤油烟很大|熏得家里没法开窗');
    // Two complaints that share only boilerplate are not similar.
    expect(textSimilarity('市民来电反映，请相关部门尽快处理', '群众反映问题，请相关部门处理').score).toBe(0);
  });

  it('reports about one incident are more similar than reports about different incidents', () => {
    const same = [textSimilarity(grid, hotline), textSimilarity(grid, complaint), textSimilarity(hotline, complaint)];
    const different = [textSimilarity(ktv, dance), textSimilarity(grid, ktv), textSimilarity(hotline, dance)];
    for (const s of same) expect(s.score).toBeGreaterThanOrEqual(0.15);
    for (const s of different) expect(s.score).toBeLessThan(0.1);
    expect(same[0]?.shared).toContain('油烟');
    expect(same[0]?.explanation).toMatch(/^text Dice/);
  });

  it('is symmetric and fast', () => {
    expect(textSimilarity(grid, hotline)).toEqual(textSimilarity(hotline, grid));
    const a = textFingerprint(grid);
    const b = textFingerprint(hotline);
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) textSimilarity(a, b);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
  it('leaves the report\'s own address out of its text: two problems at one door read differently', () => {
    const gas = '独贵塔拉镇锡尼布拉格嘎查1社23号老吴麻辣烫液化气罐放在后厨门口，无防护，存在安全隐患。';
    const wall = '独贵塔拉镇锡尼布拉格嘎查一社２３号房屋墙体开裂，担心倒塌。';
    expect(textSimilarity(gas, wall).score).toBeGreaterThan(0.15);
    const a = textFingerprint(gas, '独贵塔拉镇锡尼布拉格嘎查1社23号');
    const b = textFingerprint(wall, '独贵塔拉镇锡尼布拉格嘎查一社２３号');
    expect(textSimilarity(a, b).score).toBe(0);
  });
});
