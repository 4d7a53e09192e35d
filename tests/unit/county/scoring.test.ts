/**
 * Scoring a merge against the truth (simulators/county/scoring.ts), as eval:merge and the replays do:
 * pairwise precision/recall, phantom links (a record linked into a subject the truth has it in none)
 * counted as wrong, precision on look-alike matters reported on its own.
 */
import { describe, expect, it } from 'vitest';
import { scoreClusters, scoreLookalikes } from '../../../simulators/county/scoring.js';

const r = (id: string) => ({ sourceSystem: id.split(':')[0] as string, sourceRecordId: id });
const cl = (...ids: string[]) => ids.map(r);

describe('scoreClusters', () => {
  it('scores pairs: a perfect merge is 1/1, a missed record lowers recall, a wrong merge lowers precision', () => {
    const truth = [cl('a:1', 'b:1', 'c:1'), cl('a:2', 'b:2')];
    expect(scoreClusters(truth, truth)).toMatchObject({ precision: 1, recall: 1, truePairs: 4, predictedPairs: 4, correctPairs: 4 });
    const missed = scoreClusters(truth, [cl('a:1', 'b:1'), cl('c:1'), cl('a:2', 'b:2')]);
    expect(missed).toMatchObject({ precision: 1, truePairs: 4, correctPairs: 2 });
    expect(missed.recall).toBeCloseTo(0.5);
    const wrong = scoreClusters(truth, [cl('a:1', 'b:1', 'c:1', 'a:2'), cl('b:2')]);
    expect(wrong).toMatchObject({ predictedPairs: 6, correctPairs: 3 });
    expect(wrong.precision).toBeCloseTo(0.5);
  });

  it('counts records the prediction leaves out as singletons (missing)', () => {
    const s = scoreClusters([cl('a:1', 'b:1')], []);
    expect(s).toMatchObject({ recall: 0, precision: 1, missing: 2 });
  });

  it('counts a phantom link — a record linked into a subject while the truth has it in none — as wrong pairs', () => {
    // subject S = registry row m:1 + approval p:1; report h:9 names no subject in the truth
    const truth = [cl('m:1', 'p:1')];
    const hub = [cl('m:1', 'p:1', 'h:9')];
    const s = scoreClusters(truth, hub);
    expect(s).toMatchObject({ predictedPairs: 3, correctPairs: 1, phantomRecords: 1, phantomPairs: 2, recall: 1 });
    expect(s.precision).toBeCloseTo(1 / 3);
    // two phantoms linked together are a wrong pair as well
    const two = scoreClusters(truth, [cl('m:1', 'p:1'), cl('h:8', 'h:9')]);
    expect(two).toMatchObject({ predictedPairs: 2, correctPairs: 1, phantomRecords: 2, phantomPairs: 1 });
    // a phantom left alone costs nothing
    expect(scoreClusters(truth, [cl('m:1', 'p:1'), cl('h:9')])).toMatchObject({ precision: 1, phantomRecords: 0, phantomPairs: 0 });
  });

  it('leaves unknown records out only when asked (a truth known to be partial)', () => {
    const s = scoreClusters([cl('m:1', 'p:1')], [cl('m:1', 'p:1', 'h:9')], { unknown: 'ignore' });
    expect(s).toMatchObject({ precision: 1, predictedPairs: 1, phantomRecords: 0 });
  });
});

describe('scoreLookalikes', () => {
  const truth = [
    { id: 'M1', decoyOf: null, refs: cl('h:1', 'g:1') },
    { id: 'M2', decoyOf: 'M1', refs: cl('h:2', 'g:2') },
    { id: 'M3', decoyOf: null, refs: cl('h:3', 'g:3') },
  ];

  it('is 1 when look-alikes are kept apart and their own reports merged', () => {
    expect(scoreLookalikes(truth, truth.map((m) => m.refs))).toMatchObject({ precision: 1, predictedPairs: 1, correctPairs: 1, confusedPairs: 0, lookalikes: 1 });
  });

  it('counts merging a look-alike into the matter it imitates as wrong, and says how many pairs join the two', () => {
    const s = scoreLookalikes(truth, [cl('h:1', 'g:1', 'h:2', 'g:2'), cl('h:3', 'g:3')]);
    // pairs touching M2's records: (h2,g2) right; (h1,h2) (h1,g2) (g1,h2) (g1,g2) wrong
    expect(s).toMatchObject({ predictedPairs: 5, correctPairs: 1, confusedPairs: 4 });
    expect(s.precision).toBeCloseTo(0.2);
  });

  it('does not score pairs among ordinary matters (they are in the overall figure)', () => {
    const s = scoreLookalikes(truth, [cl('h:1', 'g:1', 'h:3', 'g:3'), cl('h:2'), cl('g:2')]);
    expect(s).toMatchObject({ predictedPairs: 0, precision: 1 });
  });
});
