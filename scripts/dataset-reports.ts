/**
 * npx tsx scripts/dataset-reports.ts <dataset folder> > reports.jsonl
 *
 * The report rows the hub would store for a dataset (docs/dataset-format.md), without Kafka or the
 * hub: each department's records through its real adapter mapping, the category classified from the
 * text where the adapter gives none (as hub/ingest/apply-report.ts does), one JSON line per report in
 * the format scripts/matter-replay.ts reads. Order: the datasets' department order, records in file
 * order — the order eval:merge produces them in (the hub's own order interleaves its partitions, so
 * the replay on this file approximates a pipeline run; confirm with `npm run eval:merge`).
 * For when the pipeline is too slow or the stack cannot start; subjects need the pipeline's links.
 */
import { join } from 'node:path';
import { ADAPTERS } from '../connectors/adapters/index.js';
import { fixtureContext } from '../connectors/sdk/fixtures.js';
import type { Report } from '../schemas/index.js';
import { HubRouting } from '../hub/ingest/routing.js';
import { readJsonl, readManifest, type DatasetLine } from '../simulators/county/dataset.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: npx tsx scripts/dataset-reports.ts <dataset folder> > reports.jsonl');
  process.exit(2);
}
const manifest = readManifest(dir);
const routing = HubRouting.load({ divisionsFile: join(dir, manifest.geo?.divisions ?? 'geo/divisions.json') });
let dead = 0;
const out: string[] = [];
for (const d of manifest.departments) {
  const adapter = ADAPTERS.find((a) => a.manifest.sourceSystem === d.sourceSystem);
  if (!adapter) continue;
  const ctx = fixtureContext(adapter.manifest);
  for (const l of readJsonl<DatasetLine>(join(dir, d.file))) {
    let emitted;
    try {
      emitted = adapter.mapping(l.record, ctx);
    } catch {
      dead += 1;
      continue;
    }
    for (const e of emitted) {
      if (e.kind !== 'report') continue;
      const r = e.value as Report;
      const env = r.envelope;
      out.push(
        JSON.stringify({
          source_system: env.sourceSystem,
          source_record_id: env.sourceRecordId,
          category_code: r.categoryCode ?? routing.classify(`${r.title ?? ''} ${r.description}`),
          event_time: env.eventTime,
          lng: env.location?.lng ?? null,
          lat: env.location?.lat ?? null,
          division_code: env.divisionCode,
          grid_code: env.gridCode,
          description: r.description,
          address: r.address,
          subject_uscc: r.subjectUscc,
          subject_name: r.subjectName,
        }),
      );
    }
  }
}
process.stdout.write(out.join('\n') + '\n');
console.error(`${out.length} reports${dead ? `, ${dead} records the adapters reject` : ''}`);
