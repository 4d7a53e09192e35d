/**
 * Loads a dataset (docs/dataset-format.md) into Kafka through each department's adapter
 * (runtime/replay-dataset.ts), then reconciles every source record. For back-filling a county from
 * bulk exports, and for the demo county's one-day run.
 */
import { readManifest } from '../../core/dataset.js';
import type { ConnectorEnvironment } from '../runtime/environment.js';
import { replayDataset } from '../runtime/replay-dataset.js';
import { Progress } from './progress.js';
import { reconcile, type DepartmentReconciliation } from './reconcile.js';

export async function loadDataset(env: ConnectorEnvironment, registryUrl: string, dir: string, opts: { quiet?: boolean } = {}): Promise<DepartmentReconciliation[]> {
  const manifest = readManifest(dir);
  let progress: { department: string; bar: Progress; n: number } | undefined;
  const { withoutAdapter } = await replayDataset(
    dir,
    manifest,
    { kafka: env.kafka, codec: env.codec, topics: env.topics, personalDataKey: env.personalDataKey(), catalogue: env.catalogue, log: env.log, retry: env.retry },
    {
      idPrefix: 'load',
      pageSize: 1000,
      onPage: (d, { records, line }) => {
        if (opts.quiet) return;
        if (progress?.department !== d.department) {
          progress?.bar.done(progress.n);
          progress = { department: d.department, bar: new Progress(`载入 ${d.department}`), n: 0 };
        }
        progress.bar.update(line / Math.max(1, d.records), (progress.n += records));
      },
    },
  );
  progress?.bar.done(progress.n);
  if (!opts.quiet) for (const d of withoutAdapter) console.error(`没有适配器 (no adapter) for ${d.sourceSystem}: its ${d.records} records stay unaccounted`);
  return reconcile(env, registryUrl, dir);
}
