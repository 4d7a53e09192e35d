/**
 * Fellegi–Sunter weights estimated without labels (expectation–maximisation over candidate
 * pairs, as Splink does): each comparison (distance band, text band, same subject …) has levels;
 * m[level] = P(level | same), u[level] = P(level | different). A pair's match weight is the sum
 * of log2(m/u) over its comparisons plus the prior log-odds, so every decision can list each
 * feature's contribution. Conditional independence of comparisons is assumed, as in the model.
 */

export interface Comparison {
  readonly name: string;
  /** Level labels, index = level (e.g. ['>2D', 'D..2D', '≤D', '≤30 m']). */
  readonly levels: readonly string[];
}

export interface FsParams {
  /** Prior probability that a candidate pair is one (λ). */
  readonly lambda: number;
  /** m[c][level], u[c][level]. */
  readonly m: readonly (readonly number[])[];
  readonly u: readonly (readonly number[])[];
  readonly iterations: number;
  readonly converged: boolean;
}

/** A comparison vector: the level of each comparison, or null when it cannot be compared (missing). */
export type ComparisonVector = readonly (number | null)[];

const FLOOR = 1e-4;
const normalise = (xs: number[]): number[] => {
  const f = xs.map((x) => Math.max(FLOOR, x));
  const s = f.reduce((a, b) => a + b, 0);
  return f.map((x) => x / s);
};

/**
 * EM from unlabelled comparison vectors. Starts from m rising and u falling with the level
 * (higher level = more agreement), so the two classes do not swap. Deterministic.
 */
export function estimateWeights(comparisons: readonly Comparison[], vectors: readonly ComparisonVector[], opts: { maxIterations?: number; tolerance?: number; lambda?: number } = {}): FsParams {
  const maxIt = opts.maxIterations ?? 1000;
  const tol = opts.tolerance ?? 1e-5;
  let lambda = opts.lambda ?? 0.1;
  let m = comparisons.map((c) => normalise(c.levels.map((_, i) => i + 1)));
  let u = comparisons.map((c) => normalise(c.levels.map((_, i) => c.levels.length - i)));
  let it = 0;
  let converged = false;
  for (; it < maxIt; it++) {
    const mAcc = comparisons.map((c) => c.levels.map(() => 0));
    const uAcc = comparisons.map((c) => c.levels.map(() => 0));
    let pSum = 0;
    for (const v of vectors) {
      let lm = Math.log(lambda);
      let lu = Math.log(1 - lambda);
      v.forEach((lvl, c) => {
        if (lvl === null) return;
        lm += Math.log(m[c]![lvl]!);
        lu += Math.log(u[c]![lvl]!);
      });
      const p = 1 / (1 + Math.exp(lu - lm));
      pSum += p;
      v.forEach((lvl, c) => {
        if (lvl === null) return;
        mAcc[c]![lvl]! += p;
        uAcc[c]![lvl]! += 1 - p;
      });
    }
    const newLambda = Math.min(1 - FLOOR, Math.max(FLOOR, pSum / Math.max(1, vectors.length)));
    const newM = mAcc.map(normalise);
    const newU = uAcc.map(normalise);
    let delta = Math.abs(newLambda - lambda);
    newM.forEach((row, c) => row.forEach((x, i) => (delta = Math.max(delta, Math.abs(x - m[c]![i]!)))));
    newU.forEach((row, c) => row.forEach((x, i) => (delta = Math.max(delta, Math.abs(x - u[c]![i]!)))));
    lambda = newLambda;
    m = newM;
    u = newU;
    if (delta < tol) {
      converged = true;
      it++;
      break;
    }
  }
  return { lambda, m, u, iterations: it, converged };
}

export interface MatchWeight {
  /** log2 posterior odds: prior + Σ contributions. */
  readonly weight: number;
  readonly probability: number;
  readonly contributions: readonly { readonly comparison: string; readonly level: string; readonly weight: number }[];
}

/** A pair's match weight and each comparison's contribution (log2 m/u), for the explanation. */
export function matchWeight(comparisons: readonly Comparison[], params: FsParams, v: ComparisonVector): MatchWeight {
  const prior = Math.log2(params.lambda / (1 - params.lambda));
  const contributions: { comparison: string; level: string; weight: number }[] = [];
  let w = prior;
  v.forEach((lvl, c) => {
    if (lvl === null) return;
    const x = Math.log2(params.m[c]![lvl]! / params.u[c]![lvl]!);
    w += x;
    contributions.push({ comparison: comparisons[c]!.name, level: comparisons[c]!.levels[lvl]!, weight: Math.round(x * 100) / 100 });
  });
  return { weight: Math.round(w * 100) / 100, probability: 1 / (1 + 2 ** -w), contributions };
}
