/**
 * Replays a dataset (docs/dataset-format.md) into Kafka through each department's adapter: the same
 * mapping, validation, Avro and transactions as live connectors, reading the exported lines instead
 * of the platform. Used to back-fill a county (`countyhub load-dataset`), by the merge evaluation,
 * the hub benchmark and the hub tests.
 */
import { join } from 'node:path';
import { ADAPTERS } from '../adapters/index.js';
import type { DatasetManifest } from '../../core/dataset.js';
import { JsonlReplaySource } from '../sources/jsonl-replay.js';
import { ConnectorWorker, type WorkerDeps } from './worker.js';
import { CountyPlaces } from '../../core/places.js';
import { countyProfile } from '../../core/county-profile.js';

type Department = DatasetManifest['departments'][number];

export interface ReplayedDepartment {
  sourceSystem: string;
  produced: number;
  deadLettered: number;
}

export interface ReplayOptions {
  /** Prefix of the workers' ids (their cursors and transactional ids). */
  idPrefix: string;
  pageSize?: number;
  /** Called for each page delivered, with the department and the line reached. */
  onPage?: (d: Department, p: { records: number; line: number }) => void;
}

export async function replayDataset(dir: string, manifest: DatasetManifest, deps: WorkerDeps, opts: ReplayOptions): Promise<{ departments: ReplayedDepartment[]; withoutAdapter: Department[] }> {
  const departments: ReplayedDepartment[] = [];
  const withoutAdapter: Department[] = [];
  // the dataset's own towns and areas key its town-less reports (a dataset is a county day: its
  // geo/divisions.json is that county's)
  deps = { ...deps, places: deps.places ?? CountyPlaces.of(countyProfile(), join(dir, 'geo/divisions.json')) };
  for (const d of manifest.departments) {
    const adapter = ADAPTERS.find((a) => a.manifest.sourceSystem === d.sourceSystem);
    if (!adapter) {
      withoutAdapter.push(d);
      continue;
    }
    const worker = new ConnectorWorker({ ...adapter.manifest, id: `${opts.idPrefix}-${adapter.manifest.id}` }, new JsonlReplaySource(join(dir, d.file), opts.pageSize ?? 2000), adapter.mapping, deps);
    await worker.connect();
    await worker.drain({ onPage: ({ records, cursor }) => opts.onPage?.(d, { records, line: (cursor as { line?: number }).line ?? 0 }) });
    await worker.stop();
    const v = worker.status.view();
    departments.push({ sourceSystem: d.sourceSystem, produced: v.produced, deadLettered: v.deadLettered });
  }
  return { departments, withoutAdapter };
}
