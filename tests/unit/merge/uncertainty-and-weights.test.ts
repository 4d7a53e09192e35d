import { describe, expect, it } from 'vitest';
import { effectiveDistance, matchMatter, uncertaintyOf, type ReportFeatures } from '../../../hub/merge/matter-matcher.js';
import { estimateWeights, matchWeight, type Comparison } from '../../../hub/merge/fellegi-sunter.js';
import { Rng } from '../../../simulators/county/random.js';

describe('distance judged against both positions\' uncertainties', () => {
  it('two GPS fixes: the distance as measured; uncertain positions: what their uncertainty adds is taken off', () => {
    expect(effectiveDistance(120, 20, 20, 100).effectiveM).toBe(120);
    const geocodedRoad = effectiveDistance(160, 20, 120, 100);
    expect(geocodedRoad.combinedM).toBe(122);
    expect(geocodedRoad.effectiveM).toBe(160 - (122 - 30));
  });

  it('a town centroid says nothing at a family\'s scale: no distance, the addresses decide', () => {
    expect(effectiveDistance(900, 3000, 20, 100).effectiveM).toBeNull();
  });

  it('the stated uncertainty wins; else the profile default for the origin', () => {
    expect(uncertaintyOf({ locationOrigin: 'device-gps', locationUncertaintyM: 7 })).toBe(7);
    expect(uncertaintyOf({ locationOrigin: 'centroid' })).toBeGreaterThan(1000);
    expect(uncertaintyOf({})).toBeLessThanOrEqual(30);
  });

  it('a report 100 m from the matter joins when its position is a platform geocode (±100 m), not when both are GPS fixes', () => {
    const base: ReportFeatures = { sourceSystem: 'grid', sourceRecordId: 'A', categoryCode: 'facility.road', eventTime: 0, location: { lng: 108.7, lat: 39.85 }, locationOrigin: 'device-gps', locationUncertaintyM: 15, divisionCode: '150625100001', description: '路面塌陷一个大坑，车辆经过危险' };
    const lng = 108.7 + 100 / (111_320 * Math.cos((39.85 * Math.PI) / 180));
    const gps: ReportFeatures = { ...base, sourceSystem: 'enforcement-cases', sourceRecordId: 'B', location: { lng, lat: 39.85 }, eventTime: 3_600_000 };
    const fuzzy: ReportFeatures = { ...gps, locationOrigin: 'platform-geocoded', locationUncertaintyM: 100 };
    expect(matchMatter(gps, [{ matterId: 'M', reports: [base] }]).decision).not.toBe('match');
    const d = matchMatter(fuzzy, [{ matterId: 'M', reports: [base] }]);
    expect(d.decision).toBe('match');
    expect(d.features?.rawDistanceM).toBeGreaterThan(95);
    expect(d.explanation).toMatch(/positions ±\d+ m together/);
  });
});

describe('Fellegi–Sunter weights by EM, without labels', () => {
  const comparisons: Comparison[] = [
    { name: 'place', levels: ['far', 'near', 'same door'] },
    { name: 'text', levels: ['unlike', 'similar'] },
    { name: 'time', levels: ['late', 'soon'] },
  ];
  // true m and u; 20 % of candidate pairs are one incident
  const M = [[0.05, 0.25, 0.7], [0.2, 0.8], [0.1, 0.9]];
  const U = [[0.7, 0.25, 0.05], [0.9, 0.1], [0.5, 0.5]];
  const draw = (rng: Rng, p: number[]) => {
    let x = rng.float(0, 1);
    for (let i = 0; i < p.length; i++) if ((x -= p[i]!) < 0) return i;
    return p.length - 1;
  };
  const rng = new Rng(7);
  const sample = Array.from({ length: 4000 }, () => {
    const same = rng.float(0, 1) < 0.2;
    return { same, v: (same ? M : U).map((p) => draw(rng, p)) };
  });

  it('recovers m and u close to the truth from unlabelled pairs', () => {
    const params = estimateWeights(comparisons, sample.map((s) => s.v));
    expect(params.converged).toBe(true);
    expect(params.lambda).toBeGreaterThan(0.15);
    expect(params.lambda).toBeLessThan(0.25);
    for (let c = 0; c < M.length; c++) for (let l = 0; l < M[c]!.length; l++) {
      expect(Math.abs(params.m[c]![l]! - M[c]![l]!)).toBeLessThan(0.08);
      expect(Math.abs(params.u[c]![l]! - U[c]![l]!)).toBeLessThan(0.08);
    }
  });

  it('classifies a small labelled sample well, and explains each pair by its comparisons', () => {
    const params = estimateWeights(comparisons, sample.map((s) => s.v));
    const labelled = sample.slice(0, 200);
    let right = 0;
    for (const s of labelled) if ((matchWeight(comparisons, params, s.v).probability >= 0.5) === s.same) right++;
    expect(right / labelled.length).toBeGreaterThan(0.85);
    const w = matchWeight(comparisons, params, [2, 1, 1]);
    expect(w.contributions.map((c) => c.comparison)).toEqual(['place', 'text', 'time']);
    expect(w.contributions[0]!.weight).toBeGreaterThan(2);
    expect(w.probability).toBeGreaterThan(0.9);
    // a missing comparison contributes nothing
    expect(matchWeight(comparisons, params, [2, null, 1]).contributions).toHaveLength(2);
  });
});
