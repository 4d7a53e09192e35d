/**
 * What the pair-analysis scripts (pair-table.ts, text-evidence-table.ts) read: the hub's routing and
 * the county gazetteer of a dataset folder, the truth's matter of each report, and the report rows
 * a kept eval run exported (the SQL in scripts/matter-replay.ts's header), and those reports'
 * features (geocoded through the gazetteer) grouped by village and category family — the blocks
 * whose pairs the scripts judge.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HubRouting } from '../hub/ingest/routing.js';
import { loadGazetteer } from '../hub/gazetteer/load.js';
import { geocodeFeatures } from '../hub/gazetteer/features.js';
import { familyOf, type ReportFeatures } from '../hub/merge/index.js';

export function pairAnalysisInputs(exportFile: string, dataset: string) {
  const divisionsFile = join(dataset, 'geo/divisions.json');
  const routing = HubRouting.load({ divisionsFile });
  const gazFile = join(dataset, 'geo/gazetteer.jsonl');
  const gazetteer = existsSync(gazFile) ? loadGazetteer(gazFile, divisionsFile) : null;
  /** sourceSystem/sourceRecordId → the truth's matter id. */
  const truth = new Map<string, string>();
  for (const line of readFileSync(join(dataset, 'truth/matters.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const m = JSON.parse(line) as { id: string; refs: Array<{ sourceSystem: string; sourceRecordId: string }> };
    for (const r of m.refs) truth.set(`${r.sourceSystem}/${r.sourceRecordId}`, m.id);
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- exported rows, read as the scripts need them
  const rows = readFileSync(exportFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as any);
  const blocks = new Map<string, ReportFeatures[]>();
  for (const r of rows) {
    const raw: ReportFeatures = { sourceSystem: r.source_system, sourceRecordId: r.source_record_id, categoryCode: r.category_code, eventTime: Number(r.event_time), location: r.lng !== null && r.lat !== null ? { lng: r.lng, lat: r.lat } : null, divisionCode: r.division_code, gridCode: r.grid_code, description: r.description, address: r.address, subjectUscc: r.subject_uscc, subjectName: r.subject_name };
    const f = gazetteer ? geocodeFeatures(raw, gazetteer, routing.regions) : raw;
    const village = f.divisionCode && f.divisionCode.length === 12 && !f.divisionCode.endsWith('000') ? f.divisionCode : (f.divisionCode ?? '').slice(0, 9);
    const k = `${village}|${familyOf(f)}`;
    (blocks.get(k) ?? blocks.set(k, []).get(k)!).push(f);
  }
  return { routing, gazetteer, truth, rows, divisionsFile, blocks };
}
