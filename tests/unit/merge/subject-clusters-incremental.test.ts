/**
 * clusterSubjects grows a kept component by one record instead of clustering it from scratch
 * (issue 19, finding 6: a popular shop's reports made every arrival quadratic). The result must be
 * exactly the from-scratch one — subjects, their first records and components, every record's
 * decision, keys — for every set, whether it clashes (two USCCs: from scratch) or not.
 */
import { describe, expect, it } from 'vitest';
import { clusterSubjects, clusterSubjectsFromScratch, type SubjectClustering, type SubjectMember } from '../../../hub/merge/subject-clusters.js';
import type { SubjectRecord } from '../../../hub/merge/subject-matcher.js';
import { LAOLI, LAOWANG, REGIONS, offset, uscc } from './fixtures.js';

const opts = { regions: REGIONS };

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ['老王烧烤', '王记烧烤', '老王烧烤店', '锡尼镇老王烧烤店', '汪记稍烤', '老李烧烤', '老王家常菜', '惠民超市'];
const ADDRESSES = ['锡尼镇团结路12号', '锡尼镇团结路14号', '演示旗锡尼镇锡尼社区团结路12号', '巴拉贡镇团结路12号', null, null];
const DIVISIONS = ['150625100001', '150625100000', '150625100002', '150625101001', null];

/** Reports and registry rows about a few neighbouring shops; now and then a second registered firm (a clash). */
function population(seed: number, n: number, clash: boolean): SubjectMember[] {
  const rnd = random(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  return Array.from({ length: n }, (_, i) => {
    const registry = i % 17 === 3;
    const usccOf = clash && i % 34 === 20 ? uscc('92150625MA0LW9999') : uscc('92150625MA0LW1234');
    const record: SubjectRecord = {
      ...(registry ? { uscc: usccOf, subjectType: 'INDIVIDUAL_BUSINESS' as const } : {}),
      name: pick(NAMES),
      address: pick(ADDRESSES),
      divisionCode: pick(DIVISIONS),
      location: rnd() < 0.5 ? offset(rnd() < 0.8 ? LAOWANG : LAOLI, Math.round(rnd() * 40), Math.round(rnd() * 40)) : null,
    };
    const loose = !registry && rnd() < 0.8;
    return { sourceSystem: registry ? 'market' : pick(['hotline-12345', 'grid', 'enforcement']), sourceRecordId: `R${String(seed).padStart(2, '0')}${String(i).padStart(4, '0')}`, record, ...(loose ? { loose: true } : {}) };
  });
}

const view = (c: SubjectClustering) => ({
  clusters: c.clusters.map((x) => ({ first: x.first.sourceRecordId, members: x.members.map((m) => m.sourceRecordId), component: x.component })),
  decisions: [...c.decisions].sort(([a], [b]) => (a < b ? -1 : 1)),
  keys: [...c.keys].sort(([a], [b]) => (a < b ? -1 : 1)),
});

describe('clusterSubjects grown one record at a time', () => {
  for (const clash of [false, true]) {
    it(`gives what clustering from scratch gives, at every arrival (${clash ? 'with' : 'without'} two registered firms)`, () => {
      for (const seed of [1, 2, 3]) {
        const records = population(seed, 90, clash);
        const so: SubjectMember[] = [];
        for (const r of records) {
          // as the store calls it: the arriving record first, then the component it joins
          const members = [r, ...so];
          so.push(r);
          expect(view(clusterSubjects(members, opts)), `seed ${seed}, ${members.length} records`).toEqual(view(clusterSubjectsFromScratch(members, opts)));
          // asked again for the same set (the store looks twice)
          expect(view(clusterSubjects(members, opts))).toEqual(view(clusterSubjectsFromScratch(members, opts)));
        }
        // an arrival order that is not growth (any set is clustered from scratch or from a kept one)
        const shuffled = [...records].reverse();
        expect(view(clusterSubjects(shuffled, opts))).toEqual(view(clusterSubjectsFromScratch(records, opts)));
      }
    });
  }

  it('the edges are there when asked for', () => {
    const records = population(4, 40, false);
    const grown = clusterSubjects(records, opts);
    expect(grown.edges).toEqual(clusterSubjectsFromScratch(records, opts).edges);
  });
});
