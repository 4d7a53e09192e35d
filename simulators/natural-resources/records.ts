/**
 * Where a department simulator's records come from: a county dataset (docs/dataset-format.md,
 * `--dataset <folder>`), or one generated on the spot with the county generator
 * (simulators/county) into a temporary folder (`--seed`, `--scale`, `--days`, `--start`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDepartment } from '../county/dataset.js';
import { generateDataset } from '../county/generate.js';

export interface RecordsOptions {
  dataset?: string;
  seed?: number;
  scale?: number;
  days?: number;
  start?: string;
}

export async function departmentRecords<T>(department: string, opts: RecordsOptions): Promise<T[]> {
  if (opts.dataset) return readDepartment<T>(opts.dataset, department).map((l) => l.record);
  const dir = await mkdtemp(join(tmpdir(), `countyhub-${department}-`));
  try {
    generateDataset({ seed: opts.seed ?? 1, scale: opts.scale ?? 1, days: opts.days ?? 1, start: opts.start ?? '2026-03-02' }, dir);
    return readDepartment<T>(dir, department).map((l) => l.record);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
