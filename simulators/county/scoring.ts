/**
 * Scoring a merge against a dataset's truth (docs/dataset-format.md, "Evaluating a merge"): pairwise
 * precision and recall of predicted clusters, and precision on look-alike matters. One place, used by
 * `eval:merge`, eval-explain and the in-memory replays so that their figures stay comparable.
 */
import type { SourceRef } from './generate.js';

const refKey = (r: SourceRef): string => `${r.sourceSystem}\u0000${r.sourceRecordId}`;

export interface ClusterScores {
  /** Pairs of records put together that belong together / all pairs put together. */
  precision: number;
  /** Pairs put together that belong together / all pairs that belong together. */
  recall: number;
  f1: number;
  truePairs: number;
  predictedPairs: number;
  correctPairs: number;
  /** Records in the truth that the prediction does not mention (scored as singletons). */
  missing: number;
  /** Records the prediction puts with others although the truth has them in no cluster (phantom links). */
  phantomRecords: number;
  /** Predicted pairs with a phantom record (all wrong). */
  phantomPairs: number;
}

export interface ScoreOptions {
  /**
   * What a predicted record that is in no true cluster is. `singleton` (default): a record of its own,
   * so every pair the prediction makes with it is wrong — right whenever the truth covers the records
   * scored (a report that names no subject is in no true subject; linking it into one is a wrong link).
   * `ignore`: left out of the scoring, for a truth known to be partial.
   */
  unknown?: 'singleton' | 'ignore';
}

const pairCount = (n: number): number => (n * (n - 1)) / 2;

/**
 * Pairwise precision/recall of predicted clusters (lists of source refs, e.g. the hub's matters with
 * their reports) against true clusters (truth/matters.jsonl or truth/subjects.jsonl refs). Records
 * the prediction leaves out count as singletons; records the truth does not know count as singletons
 * too (see ScoreOptions.unknown).
 */
export function scoreClusters(truth: SourceRef[][], predicted: SourceRef[][], opts: ScoreOptions = {}): ClusterScores {
  const unknown = opts.unknown ?? 'singleton';
  const truthOf = new Map<string, number>();
  truth.forEach((c, i) => c.forEach((r) => truthOf.set(refKey(r), i)));
  let truePairs = 0;
  for (const c of truth) truePairs += pairCount(c.length);
  let predictedPairs = 0;
  let correctPairs = 0;
  let phantomRecords = 0;
  let phantomPairs = 0;
  const seen = new Set<string>();
  for (const c of predicted) {
    const all = [...new Set(c.map(refKey))];
    const known = all.filter((k) => truthOf.has(k));
    const phantoms = all.length - known.length;
    known.forEach((k) => seen.add(k));
    const scored = unknown === 'singleton' ? all.length : known.length;
    predictedPairs += pairCount(scored);
    if (unknown === 'singleton' && phantoms > 0 && all.length > 1) {
      phantomRecords += phantoms;
      phantomPairs += pairCount(all.length) - pairCount(known.length);
    }
    const byTruth = new Map<number, number>();
    for (const k of known) byTruth.set(truthOf.get(k) as number, (byTruth.get(truthOf.get(k) as number) ?? 0) + 1);
    for (const n of byTruth.values()) correctPairs += pairCount(n);
  }
  const precision = predictedPairs === 0 ? 1 : correctPairs / predictedPairs;
  const recall = truePairs === 0 ? 1 : correctPairs / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, truePairs, predictedPairs, correctPairs, missing: truthOf.size - seen.size, phantomRecords, phantomPairs };
}

export interface LookalikeScores {
  /** Correct / predicted pairs among the predicted pairs with a record of a look-alike matter. */
  precision: number;
  predictedPairs: number;
  correctPairs: number;
  /** Predicted pairs joining a look-alike with the very matter it imitates (`decoyOf`). */
  confusedPairs: number;
  /** Look-alike matters in the truth (with at least one record scored). */
  lookalikes: number;
}

/**
 * Precision on look-alike matters (truth matters with `decoyOf`): a different matter of the same
 * category, the same day, nearby. A merge by category + town + day scores high recall overall and
 * poor precision here. Predicted pairs touching a look-alike's record are scored; pairs among
 * other matters' records are not.
 */
export function scoreLookalikes(truth: Array<{ id: string; decoyOf: string | null; refs: SourceRef[] }>, predicted: SourceRef[][]): LookalikeScores {
  const matterOf = new Map<string, string>();
  const decoyOf = new Map<string, string>();
  for (const m of truth) {
    for (const r of m.refs) matterOf.set(refKey(r), m.id);
    if (m.decoyOf && m.refs.length) decoyOf.set(m.id, m.decoyOf);
  }
  let predictedPairs = 0;
  let correctPairs = 0;
  let confusedPairs = 0;
  for (const c of predicted) {
    const keys = [...new Set(c.map(refKey))];
    if (keys.length < 2) continue;
    const byMatter = new Map<string, number>();
    let plain = 0;
    for (const k of keys) {
      const m = matterOf.get(k);
      if (m && decoyOf.has(m)) byMatter.set(m, (byMatter.get(m) ?? 0) + 1);
      else plain += 1;
    }
    if (byMatter.size === 0) continue;
    predictedPairs += pairCount(keys.length) - pairCount(plain);
    const inCluster = new Map<string, number>();
    for (const k of keys) {
      const m = matterOf.get(k);
      if (m) inCluster.set(m, (inCluster.get(m) ?? 0) + 1);
    }
    for (const [m, n] of byMatter) {
      correctPairs += pairCount(n);
      confusedPairs += n * (inCluster.get(decoyOf.get(m) as string) ?? 0);
    }
  }
  return { precision: predictedPairs === 0 ? 1 : correctPairs / predictedPairs, predictedPairs, correctPairs, confusedPairs, lookalikes: decoyOf.size };
}
