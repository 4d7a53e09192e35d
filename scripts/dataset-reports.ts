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

export interface DatasetReportRow {
  source_system: string;
  source_record_id: string;
  category_code: string | null;
  event_time: number;
  lng: number | null;
  lat: number | null;
  division_code: string | null;
  grid_code: string | null;
  description: string;
  address: string | null;
  subject_uscc: string | null;
  subject_name: string | null;
}

/** The dataset's report rows as the hub would store them (see the file's comment); `dead`: records the adapters reject. */
export function datasetReportRows(dir: string): { rows: DatasetReportRow[]; dead: number } {
  const manifest = readManifest(dir);
  const routing = HubRouting.load({ divisionsFile: join(dir, manifest.geo?.divisions ?? 'geo/divisions.json') });
  let dead = 0;
  const rows: DatasetReportRow[] = [];
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
        rows.push({
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
        });
      }
    }
  }
  return { rows, dead };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: npx tsx scripts/dataset-reports.ts <dataset folder> > reports.jsonl');
    process.exit(2);
  }
  const { rows, dead } = datasetReportRows(dir);
  process.stdout.write(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  console.error(`${rows.length} reports${dead ? `, ${dead} records the adapters reject` : ''}`);
}
