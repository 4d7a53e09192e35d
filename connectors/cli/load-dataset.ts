/**
 * Loads a dataset (docs/dataset-format.md) into Kafka through each department's adapter — the
 * same mapping, validation, Avro and transactions as live connectors, reading the exported lines
 * instead of the platform — then reconciles every source record. For back-filling a county from
 * bulk exports, and for the demo county's one-day run.
 */
import { join } from 'node:path';
import { ADAPTERS } from '../adapters/index.js';
import { readManifest } from '../../simulators/county/dataset.js';
import type { ConnectorEnvironment } from '../runtime/environment.js';
import { ConnectorWorker } from '../runtime/worker.js';
import { JsonlReplaySource } from '../sources/jsonl-replay.js';
import { Progress } from './progress.js';
import { reconcile, type DepartmentReconciliation } from './reconcile.js';

export async function loadDataset(env: ConnectorEnvironment, registryUrl: string, dir: string, opts: { quiet?: boolean } = {}): Promise<DepartmentReconciliation[]> {
  const manifest = readManifest(dir);
  for (const d of manifest.departments) {
    const adapter = ADAPTERS.find((a) => a.manifest.sourceSystem === d.sourceSystem);
    if (!adapter) {
      if (!opts.quiet) console.error(`没有适配器 (no adapter) for ${d.sourceSystem}: its ${d.records} records stay unaccounted`);
      continue;
    }
    const worker = new ConnectorWorker({ ...adapter.manifest, id: `load-${adapter.manifest.id}` }, new JsonlReplaySource(join(dir, d.file), 1000), adapter.mapping, {
      kafka: env.kafka,
      codec: env.codec,
      topics: env.topics,
      personalDataKey: env.personalDataKey(),
      catalogue: env.catalogue,
      log: env.log,
      retry: env.retry,
    });
    await worker.connect();
    const progress = opts.quiet ? undefined : new Progress(`载入 ${d.department}`);
    let n = 0;
    await worker.drain({ onPage: ({ records, cursor }) => progress?.update(((cursor as { line: number }).line ?? 0) / Math.max(1, d.records), (n += records)) });
    progress?.done(n);
    await worker.stop();
  }
  return reconcile(env, registryUrl, dir);
}
