/**
 * The dataset format of docs/dataset-format.md — a county day as the departments' native records
 * plus the truth about them — and reading it. Shared by the generator (simulators/county), the
 * replay and reconciliation of connectors, and the merge evaluation: any dataset in this format
 * works, not only the ones our generator writes.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const DATASET_FORMAT = 'countyhub-dataset';
export const DATASET_FORMAT_VERSION = 1;

export type RecordRole = 'report' | 'subject';

/** One department's file in a dataset. */
export interface DatasetDepartment {
  department: string;
  sourceSystem: string;
  idField: string;
  role: RecordRole;
  /** Where the native TypeScript type lives, file#Type. */
  nativeType: string;
  /** How the real platform hands the records over. */
  transport: string;
  file: string;
  records: number;
}

export interface SourceRef {
  sourceSystem: string;
  sourceRecordId: string;
}

export interface DatasetManifest {
  format: typeof DATASET_FORMAT;
  formatVersion: number;
  generator: string;
  seed: number;
  scale: number;
  period: { start: string; end: string; days: number; timezone: 'Asia/Shanghai' };
  county: { code: string; name: string; bbox: readonly number[] };
  departments: DatasetDepartment[];
  truth: { matters: string; subjects: string };
  geo: { divisions: string; grids: string; gazetteer?: string };
  world: { places: string };
  counts: {
    records: number;
    reportRecords: number;
    subjectRecords: number;
    matters: number;
    multiReportMatters: number;
    decoyMatters: number;
    subjects: number;
    towns: number;
    villages: number;
    grids: number;
    places: number;
  };
}

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
