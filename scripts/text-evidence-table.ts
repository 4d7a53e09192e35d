/**
 * npx tsx scripts/text-evidence-table.ts <reports.jsonl> <dataset folder> [rules]
 * Error analysis of the rare-shared-text evidence (hub/merge/text-weights.ts): for every pair of
 * reports of one village and family within 72 h that the matcher, judging the pair alone, does not
 * match and whose addresses agree only on the group or road (rules, default
 * same-group,same-road,intersection-road), tabulates true and false pairs by the bits of the rare
 * bigrams they share (weights from the file's own descriptions, no labels).
 */
import { matchMatter } from '../hub/merge/index.js';
import { pairAnalysisInputs } from './pair-analysis-inputs.js';
import { rareSharedEvidence } from '../hub/merge/text-weights.js';
import { textWeightsFromRows } from './text-weights.js';

const [exportFile, dataset, rulesArg] = process.argv.slice(2) as [string, string, string | undefined];
const rules = new Set((rulesArg ?? 'same-group,same-road,intersection-road').split(','));
const { routing, gazetteer, truth, rows, divisionsFile, blocks } = pairAnalysisInputs(exportFile, dataset);
const weights = textWeightsFromRows(rows, divisionsFile, gazetteer);
const table = new Map<string, [number, number]>();
const ex: string[] = [];
const maxShare = Number(process.env.SHARE ?? 0.01);
for (const list of blocks.values()) {
  list.sort((a, b) => a.eventTime - b.eventTime);
  for (let i = 0; i < list.length; i++) for (let j = 0; j < i; j++) {
    const x = list[i]!, y = list[j]!;
    if (x.eventTime - y.eventTime > 72 * 3_600_000) continue;
    const d = matchMatter(x, [{ matterId: 'y', reports: [y] }], { regions: routing.regions });
    const f = d.features;
    if (!f || d.decision === 'match' || !f.address || !rules.has(f.address.rule)) continue;
    if (!f.sameCategoryCode) continue;
    const e = rareSharedEvidence(x.description, y.description, weights, { places: [x.address, y.address], maxShare, scope: x.categoryCode });
    const b = e.bits === 0 ? '0' : e.bits < 10 ? '<10' : e.bits < 20 ? '<20' : e.bits < 30 ? '<30' : '≥30';
    const key = `${f.address.rule} ${f.failed.join('+') || d.decision} bits${b}`;
    const same = truth.get(`${x.sourceSystem}/${x.sourceRecordId}`) === truth.get(`${y.sourceSystem}/${y.sourceRecordId}`);
    const t = table.get(key) ?? [0, 0];
    t[same ? 0 : 1]++;
    table.set(key, t);
    if (process.env.EX && e.bits >= Number(process.env.EX) && ex.length < 40) ex.push(`${same ? 'TRUE ' : 'FALSE'} ${e.explanation}\n   ${y.address} | ${y.description.slice(0, 60)}\n   ${x.address} | ${x.description.slice(0, 60)}`);
  }
}
for (const [k, [t, f]] of [...table].sort((a, b) => (a[0] < b[0] ? -1 : 1))) console.log(`${String(t).padStart(6)} true ${String(f).padStart(6)} false  ${k}`);
for (const e of ex) console.log(e);
