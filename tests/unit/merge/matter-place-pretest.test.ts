/**
 * matchMatter sets aside the pairs the place gate rejects whatever else holds (cannotPassPlaceGate)
 * and evaluates them in full only when one of them is the best of an all-new set. On many random
 * reports and candidate matters — near and far, located or not, with and without addresses,
 * grids, subjects, closures — its decision must be the one the full evaluation of every candidate
 * gives, and its evaluations that full list.
 */
import { describe, expect, it } from 'vitest';
import { cannotPassPlaceGate, decisionAmong, matchMatter, type MatterCandidate, type ReportFeatures } from '../../../hub/merge/matter-matcher.js';
import { seededRandom } from '../../../simulators/shared/county.js';
import { TextWeights } from '../../../hub/merge/text-weights.js';
import { LAOWANG, REGIONS, offset, uscc } from './fixtures.js';

const HOUR = 3_600_000;
const RANK = { match: 0, review: 1, new: 2 } as const;
const T0 = Date.parse('2025-06-10T08:00:00+08:00');

const ROADS = ['团结路', '新华路', '幸福街'];
const DIVISIONS = ['150625100001', '150625100002', '150625100204', '150625101001', '150625100', '150625101', null];
const CODES = ['env.cooking_fume', 'env.noise_social', 'env.air', 'street.garbage', 'construction.noise', 'other.misc', null];
const SOURCES = ['grid-events', 'hotline-12345', 'environment-12369', 'enforcement-cases'];
const SHOPS = ['老王烧烤', '王记烧烤(锡尼店)', '恒昌汽修', '李记面馆'];
const TEXTS = ['油烟直排，影响周边居民', '夜间噪音扰民，无法休息', '路边垃圾堆放无人清理', '烧烤店油烟很大熏得没法开窗', '汽修店喷漆味道刺鼻'];
const ORIGINS = ['device-gps', 'geocoded:door', 'geocoded:road', 'centroid', null];

function reports(seed: number) {
  const r = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  let n = 0;
  const fresh = (): ReportFeatures => {
    const road = pick(ROADS);
    const door = 1 + Math.floor(r() * 12);
    const kind = r();
    const address = kind < 0.4 ? `${road}${door}号` : kind < 0.5 ? `${road}与${pick(ROADS)}交叉口` : kind < 0.6 ? `塔拉沟嘎查${pick(['一社', '二组'])}` : kind < 0.7 ? road : null;
    const shop = r() < 0.6 ? pick(SHOPS) : null;
    const spread = pick([40, 400, 4000]);
    return {
      sourceSystem: pick(SOURCES),
      sourceRecordId: `R${++n}`,
      categoryCode: pick(CODES),
      eventTime: T0 + Math.floor(r() * 72) * HOUR,
      location: r() < 0.6 ? offset(LAOWANG, (r() - 0.5) * spread, (r() - 0.5) * spread) : null,
      locationOrigin: pick(ORIGINS),
      locationUncertaintyM: r() < 0.2 ? pick([5, 60, 800]) : null,
      divisionCode: pick(DIVISIONS),
      gridCode: r() < 0.4 ? pick(['G1', 'G2']) : null,
      description: `${address && r() < 0.5 ? address : ''}${shop ?? ''}${pick(TEXTS)}`,
      address,
      subjectName: shop && r() < 0.5 ? shop : null,
      subjectUscc: r() < 0.1 ? uscc(pick(['91150625MA0000001', '91150625MA0000002'])) : null,
      subjectId: r() < 0.1 ? pick(['S1', 'S2']) : null,
      addressKeys: address && r() < 0.3 ? [`door:${road}#${door}`] : null,
    };
  };
  // a variant of a report: the same incident or a neighbour's, told by another platform, later
  const variant = (b: ReportFeatures): ReportFeatures => {
    const f = fresh();
    return {
      ...b,
      ...(r() < 0.5 ? { sourceSystem: f.sourceSystem } : {}),
      sourceRecordId: f.sourceRecordId,
      eventTime: b.eventTime + Math.floor((r() - 0.3) * 30) * HOUR,
      location: b.location && r() < 0.7 ? offset(b.location, (r() - 0.5) * 80, (r() - 0.5) * 80) : f.location,
      ...(r() < 0.3 ? { categoryCode: f.categoryCode } : {}),
      ...(r() < 0.3 ? { address: f.address, addressKeys: f.addressKeys } : {}),
      ...(r() < 0.3 ? { description: f.description } : {}),
      ...(r() < 0.3 ? { subjectName: f.subjectName } : {}),
    };
  };
  return { r, pick, fresh, variant };
}

describe('the place pre-test leaves matter decisions as the full evaluation gives them', () => {
  for (const [label, withWeights] of [['without text weights', false], ['with text weights', true]] as const) {
    it(`agrees on 400 random reports against up to 12 candidate matters each (${label})`, () => {
      const { r, pick, fresh, variant } = reports(withWeights ? 14 : 41);
      const corpus = Array.from({ length: 200 }, fresh);
      const textWeights = withWeights ? TextWeights.fromTexts(corpus.map((f) => ({ description: f.description, address: f.address, scope: f.categoryCode }))) : undefined;
      const opts = { regions: REGIONS, ...(textWeights ? { textWeights } : {}) };
      const seen = { pairs: 0, rejected: 0, bestRejected: 0, decisions: new Map<string, number>() };
      for (let i = 0; i < 400; i++) {
        const bases = Array.from({ length: 1 + Math.floor(r() * 12) }, fresh);
        const candidates: MatterCandidate[] = bases.map((b, k) => ({
          matterId: `M${String(k).padStart(2, '0')}`,
          ...(r() < 0.25 ? { closedAt: b.eventTime + Math.floor(r() * 8) * HOUR } : {}),
          reports: [b, ...Array.from({ length: Math.floor(r() * 3) }, () => variant(b))],
        }));
        const report = r() < 0.1 ? pick(candidates).reports[0]! : r() < 0.7 ? variant(pick(bases)) : fresh();
        const d = matchMatter(report, candidates, opts);
        const alone = candidates.map((c) => matchMatter(report, [c], opts).evaluations[0]!);
        const full = [...alone].sort((a, b) => RANK[a.decision] - RANK[b.decision] || b.score - a.score || (a.matterId < b.matterId ? -1 : 1));
        // (the decision of every candidate evaluated in full, as before the pre-test)
        const { evaluations, ...decision } = d;
        const { evaluations: _, ...reference } = decisionAmong(report, full[0]!, full, () => full);
        expect(decision).toEqual(reference);
        expect(evaluations).toEqual(full);
        candidates.forEach((c, k) => {
          seen.pairs++;
          if (!cannotPassPlaceGate(report, c.reports, opts)) return;
          seen.rejected++;
          expect(alone[k]!.features.failed).toContain('place');
          if (d.decision === 'new' && full[0]!.matterId === c.matterId) seen.bestRejected++;
        });
        seen.decisions.set(`${d.decision}${d.recurrenceOf ? '+recurrence' : ''}`, (seen.decisions.get(`${d.decision}${d.recurrenceOf ? '+recurrence' : ''}`) ?? 0) + 1);
      }
      // the cases are not vacuous: many pairs set aside, some of them the best, every kind of decision
      expect(seen.rejected).toBeGreaterThan(seen.pairs / 4);
      expect(seen.bestRejected).toBeGreaterThan(10);
      expect([...seen.decisions.keys()].sort()).toEqual(['match', 'new', 'new+recurrence', 'review']);
    });
  }
});
