/**
 * npx tsx scripts/dataset-reports.ts <dataset folder> <reports.jsonl>
 * Maps a dataset's report records through the departments' adapters in memory (the same mapping
 * functions the connectors run, no Kafka, no hub) and writes them in the row format of
 * scripts/matter-replay.ts, in event-time order — a stand-in for a kept eval:merge run's export
 * when tuning matter matching (the hub's arrival order interleaves departments differently, and
 * the hub stores what the mapping emits, so the features are the same). Records an adapter
 * rejects are counted and left out, as the connector dead-letters them.
 */
import { createReadStream, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { ADAPTERS } from '../connectors/adapters/index.js';
import { categoryMapper } from '../connectors/sdk/categories.js';
import { loadCatalogue } from '../hub/routing/catalogue.js';
import { readManifest } from '../simulators/county/dataset.js';
import type { Report } from '../schemas/types.js';

const [dir, out] = process.argv.slice(2) as [string, string];
if (!dir || !out) {
  console.error('usage: npx tsx scripts/dataset-reports.ts <dataset folder> <reports.jsonl>');
  process.exit(2);
}
const manifest = readManifest(dir);
const catalogue = loadCatalogue();
const rows: Array<Record<string, unknown> & { event_time: number; source_system: string; source_record_id: string }> = [];
const rejected: Record<string, number> = {};
for (const d of manifest.departments) {
  if (d.role !== 'report') continue;
  for (const adapter of ADAPTERS.filter((a) => a.manifest.sourceSystem === d.sourceSystem)) {
    const ctx = { connectorId: adapter.manifest.id, sourceSystem: adapter.manifest.sourceSystem, department: adapter.manifest.department, ingestTime: Date.parse(manifest.period.end), personalDataKey: 'replay-key-not-for-production', mapCategory: categoryMapper(catalogue, adapter.manifest.department) };
    for await (const line of createInterface({ input: createReadStream(join(dir, d.file), 'utf8'), crlfDelay: Infinity })) {
      if (!line.trim()) continue;
      let emitted;
      try {
        emitted = adapter.mapping((JSON.parse(line) as { record: unknown }).record, ctx);
      } catch {
        rejected[adapter.manifest.id] = (rejected[adapter.manifest.id] ?? 0) + 1;
        continue;
      }
      for (const e of emitted) {
        if (e.kind !== 'report') continue;
        const r = e.value as Report;
        const env = r.envelope as Report['envelope'] & { locationOrigin?: string | null; locationUncertaintyM?: number | null };
        rows.push({
          source_system: env.sourceSystem,
          source_record_id: env.sourceRecordId,
          category_code: r.categoryCode,
          event_time: env.eventTime,
          lng: env.location?.lng ?? null,
          lat: env.location?.lat ?? null,
          location_origin: env.locationOrigin ?? null,
          location_uncertainty_m: env.locationUncertaintyM ?? null,
          division_code: env.divisionCode,
          grid_code: env.gridCode,
          description: r.description, // the reports table keeps the description alone (apply-report.ts)
          address: r.address,
          subject_uscc: r.subjectUscc,
          subject_name: r.subjectName,
        });
      }
    }
  }
}
rows.sort((a, b) => a.event_time - b.event_time || (a.source_system < b.source_system ? -1 : a.source_system > b.source_system ? 1 : 0) || (a.source_record_id < b.source_record_id ? -1 : 1));
writeFileSync(out, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
console.log(JSON.stringify({ reports: rows.length, rejected }));
