/**
 * Subject linking skips the full evaluation of a pair whose names are less alike than any rule
 * joins on (cannotLink in subject-clusters.ts). It must change nothing: every pair's edge — rule,
 * score, features, explanations — is the one the full evaluation gives, for registry rows, reports,
 * nameless stalls, registered names, typos, initials, identifiers and records without names.
 */
import { describe, expect, it } from 'vitest';
import { matchRecordPair, PRETEST, type SubjectMember } from '../../../hub/merge/subject-clusters.js';
import { RegionIndex } from '../../../hub/merge/regions.js';
import type { SubjectRecord } from '../../../hub/merge/subject-matcher.js';
import { seededRandom } from '../../../simulators/shared/county.js';
import { DIVISIONS, LAOLI, LAOWANG, offset, uscc } from './fixtures.js';

const NAMES = [
  '老王烧烤', '王记烧烤', '老王烧烤店', '锡尼镇老王烧烤店', '汪记稍烤', '老李烧烤', '老王家常菜', '惠民超市', '惠明超市',
  '演示旗惠民商贸有限公司', '演示旗惠民商贸有限责任公司', '鄂尔多斯市惠民商贸有限公司', '锡尼镇富华五金店', 'FH五金', '富华五金水暖',
  '富华五金', '富毕五金', '宝华超市', '宝毕超市', '路边烧烤摊', '无名烧烤店', '路边米粉摊', '恒昌建筑工程有限公司', '恒昌建筑', '阿宇可家菜', '小段烧烤', null, '',
];
const ADDRESSES = ['锡尼镇团结路12号', '锡尼镇团结路14号', '演示旗锡尼镇锡尼社区团结路12号', '巴拉贡镇团结路12号', '团结路', '锡尼镇民族大街85号', '塔拉沟嘎查三组', null];
const CODES = ['150625100001', '150625100000', '150625100002', '150625101001', null];
const USCCS = [uscc('92150625MA0LW1234'), uscc('92150625MA0LW9999'), uscc('91150625MA0HM5678')];

function population(seed: number, n: number): SubjectMember[] {
  const rnd = seededRandom(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  return Array.from({ length: n }, (_, i) => {
    const registry = rnd() < 0.15;
    const name = pick(NAMES);
    const record: SubjectRecord = {
      ...(registry || rnd() < 0.05 ? { uscc: pick(USCCS), subjectType: rnd() < 0.5 ? ('INDIVIDUAL_BUSINESS' as const) : ('ENTERPRISE' as const) } : {}),
      ...(rnd() < 0.05 ? { idHash: pick(['h1', 'h2']), subjectType: 'PERSON' as const } : {}),
      ...(name !== null ? { name } : {}),
      ...(rnd() < 0.1 ? { formerNames: [pick(NAMES.filter((x): x is string => !!x))] } : {}),
      address: pick(ADDRESSES),
      divisionCode: pick(CODES),
      location: rnd() < 0.5 ? offset(rnd() < 0.7 ? LAOWANG : LAOLI, Math.round(rnd() * 400), Math.round(rnd() * 40)) : null,
      ...(rnd() < 0.05 ? { operatorUscc: pick(USCCS) } : {}),
    };
    const loose = !registry && rnd() < 0.8;
    return { sourceSystem: registry ? 'market' : pick(['hotline-12345', 'grid', 'enforcement']), sourceRecordId: `P${seed}-${i}`, record, ...(loose ? { loose: true } : {}) };
  });
}

describe('the name pre-test of subject pairs', () => {
  it('gives every pair the edge the full evaluation gives', () => {
    let edges = 0;
    const skipped0 = PRETEST.skipped;
    let pairs = 0;
    for (const seed of [1, 2, 3]) {
      const records = population(seed, 120);
      // two region tables of the same divisions: each keeps its own remembered edges, so neither
      // side answers from the other's memory
      const withPretest = { regions: new RegionIndex(DIVISIONS) };
      const full = { regions: new RegionIndex(DIVISIONS) };
      for (let i = 0; i < records.length; i++) {
        for (let j = 0; j < records.length; j++) {
          if (i === j) continue;
          const x = records[i]!;
          const y = records[j]!;
          PRETEST.on = true;
          const fast = matchRecordPair(x, y, withPretest);
          PRETEST.on = false;
          const slow = matchRecordPair(x, y, full);
          PRETEST.on = true;
          expect(fast, `${x.record.name} / ${y.record.name}`).toEqual(slow);
          pairs++;
          if (slow) edges++;
        }
      }
    }
    // the population must hold both kinds, or the comparison says nothing
    expect(pairs).toBe(3 * 120 * 119);
    expect(edges).toBeGreaterThan(500);
    expect(pairs - edges).toBeGreaterThan(10_000);
    // and the pre-test must have decided many of them itself
    expect(PRETEST.skipped - skipped0).toBeGreaterThan(5_000);
  });
});
