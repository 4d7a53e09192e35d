/**
 * Reading a dataset in the format of docs/dataset-format.md, and scoring a merge against its truth.
 * Works for any dataset in that format, not only the ones this generator writes.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { DatasetManifest, SourceRef } from './generate.js';

export interface DatasetLine<T = Record<string, unknown>> {
  sourceSystem: string;
  sourceRecordId: string;
  record: T;
}

export interface TruthMatter {
  id: string;
  category: string;
  incidentType?: string;
  occurredAt: string;
  divisionCode: string | null;
  gridCode: string | null;
  location: { lng: number; lat: number } | null;
  address?: string;
  placeId: string | null;
  subjectId: string | null;
  decoyOf: string | null;
  refs: SourceRef[];
}

export interface TruthSubject {
  id: string;
  kind: string;
  uscc: string | null;
  name: string;
  formerNames: string[];
  aliases?: string[];
  placeIds?: string[];
  refs: SourceRef[];
}

export function readManifest(dir: string): DatasetManifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as DatasetManifest;
}

/** Every line of a JSONL file, parsed (whole file in memory: fine for one department-day). */
export function readJsonl<T>(path: string): T[] {
  const text = readFileSync(path, 'utf8');
  const out: T[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trim();
    if (line) out.push(JSON.parse(line) as T);
    start = end + 1;
  }
  return out;
}

/** Streams a JSONL file line by line (for large datasets). */
export async function* streamJsonl<T>(path: string): AsyncGenerator<T> {
  const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of rl) if (line.trim()) yield JSON.parse(line) as T;
}

export function readDepartment<T = Record<string, unknown>>(dir: string, department: string): Array<DatasetLine<T>> {
  const m = readManifest(dir);
  const d = m.departments.find((x) => x.department === department);
  if (!d) throw new Error(`dataset ${dir} has no department "${department}" (has ${m.departments.map((x) => x.department).join(', ')})`);
  return readJsonl<DatasetLine<T>>(join(dir, d.file));
}

export const refKey = (r: SourceRef): string => `${r.sourceSystem}\u0000${r.sourceRecordId}`;

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
}

function pairCount(n: number): number {
  return (n * (n - 1)) / 2;
}

/**
 * Pairwise precision/recall of predicted clusters (lists of source refs, e.g. the hub's matters with
 * their reports) against true clusters (truth/matters.jsonl or truth/subjects.jsonl refs). Records
 * the prediction leaves out count as singletons; records the truth does not know are ignored.
 */
export function scoreClusters(truth: SourceRef[][], predicted: SourceRef[][]): ClusterScores {
  const truthOf = new Map<string, number>();
  truth.forEach((c, i) => c.forEach((r) => truthOf.set(refKey(r), i)));
  let truePairs = 0;
  for (const c of truth) truePairs += pairCount(c.length);
  let predictedPairs = 0;
  let correctPairs = 0;
  const seen = new Set<string>();
  for (const c of predicted) {
    const keys = [...new Set(c.map(refKey))].filter((k) => truthOf.has(k));
    keys.forEach((k) => seen.add(k));
    predictedPairs += pairCount(keys.length);
    const byTruth = new Map<number, number>();
    for (const k of keys) byTruth.set(truthOf.get(k) as number, (byTruth.get(truthOf.get(k) as number) ?? 0) + 1);
    for (const n of byTruth.values()) correctPairs += pairCount(n);
  }
  const precision = predictedPairs === 0 ? 1 : correctPairs / predictedPairs;
  const recall = truePairs === 0 ? 1 : correctPairs / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, truePairs, predictedPairs, correctPairs, missing: truthOf.size - seen.size };
}
