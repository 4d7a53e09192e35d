/**
 * npx tsx scripts/text-weights.ts <dataset folder> <out.json>
 *
 * The county's text weights (hub/merge/text-weights.ts, format `countyhub-text-weights` v1): how
 * many reports of each category carry each bigram of their descriptions, estimated from the
 * county's own reports without labels, with its place names (divisions, the gazetteer's roads and
 * compounds) cut out. The hub reads the file from TEXT_WEIGHTS_FILE; eval:merge builds the weights
 * from the evaluated dataset's reports the same way (`buildTextWeights`). A county builds them
 * from a recent period of its records (a month or more) and rebuilds them now and then.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TextWeights } from '../hub/merge/text-weights.js';
import { divisionList } from '../hub/ingest/routing.js';
import { shortRegionName } from '../hub/merge/regions.js';
import { loadGazetteer } from '../hub/gazetteer/load.js';
import type { Gazetteer } from '../hub/gazetteer/geocode.js';
import { readManifest } from '../simulators/county/dataset.js';
import { datasetReportRows } from './dataset-reports.js';

/** Text weights from a dataset's reports (mapped by the adapters in memory), its divisions and gazetteer. */
export function buildTextWeights(dir: string): TextWeights {
  const manifest = readManifest(dir);
  const divisionsFile = join(dir, manifest.geo?.divisions ?? 'geo/divisions.json');
  const gazetteerFile = join(dir, 'geo/gazetteer.jsonl');
  const gazetteer = existsSync(gazetteerFile) ? loadGazetteer(gazetteerFile, existsSync(divisionsFile) ? divisionsFile : undefined) : null;
  return textWeightsFromRows(datasetReportRows(dir).rows, divisionsFile, gazetteer);
}

/** Text weights from report rows, the county's place names (divisions, gazetteer) cut out of them. */
export function textWeightsFromRows(rows: Iterable<{ description: string; address: string | null; category_code: string | null }>, divisionsFile: string, gazetteer: Gazetteer | null): TextWeights {
  const names = existsSync(divisionsFile) ? divisionList(JSON.parse(readFileSync(divisionsFile, 'utf8'))).flatMap((d) => [d.name, shortRegionName(d.name) ?? '']).filter((n) => n !== '') : [];
  return TextWeights.fromTexts([...rows].map((r) => ({ description: r.description, address: r.address, scope: r.category_code })), [...names, ...(gazetteer?.placeNames() ?? [])]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, out] = process.argv.slice(2);
  if (!dir || !out) {
    console.error('usage: npx tsx scripts/text-weights.ts <dataset folder> <out.json>');
    process.exit(2);
  }
  const w = buildTextWeights(dir);
  writeFileSync(out, JSON.stringify(w.toJSON()));
  console.error(`text weights of ${w.count()} reports → ${out}`);
}
