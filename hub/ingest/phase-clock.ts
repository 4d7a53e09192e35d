/**
 * Where the hub's apply time goes, per phase (decode, features, candidates, matching, writes,
 * reconcile — the per-hour reconciliation counts —, commit): a process-wide tally the benchmark
 * reads. Adding to it is two clock reads per phase of a run, not per statement.
 */
export type Phase = 'decode' | 'features' | 'candidates' | 'matching' | 'writes' | 'reconcile' | 'commit';

const tally: Record<Phase, number> = { decode: 0, features: 0, candidates: 0, matching: 0, writes: 0, reconcile: 0, commit: 0 };

export function addPhase(phase: Phase, ms: number): void {
  tally[phase] += ms;
}

export async function timed<T>(phase: Phase, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    tally[phase] += performance.now() - t0;
  }
}

export function phaseTimes(): Record<Phase, number> {
  return { ...tally };
}

export function resetPhases(): void {
  for (const k of Object.keys(tally) as Phase[]) tally[k] = 0;
}
