/**
 * npx tsx scripts/pair-table.ts <reports.jsonl> <dataset folder> [filter]
 * Error analysis of matter matching by pair: every pair of reports in one village (division
 * code or gazetteer), one family, within the family's window, is judged alone (the later report
 * against a matter of the earlier one) and tabulated by its features against the truth — how
 * many true and false pairs each combination of (decision, address rule, category, text, subject)
 * holds. Tells which gate a rule change would open for how many true pairs, at what cost.
 */
import { matchMatter } from '../hub/merge/index.js';
import { pairAnalysisInputs } from './pair-analysis-inputs.js';

const [exportFile, dataset, filter] = process.argv.slice(2) as [string, string, string | undefined];
const { routing, truth, blocks } = pairAnalysisInputs(exportFile, dataset);
const table = new Map<string, [number, number]>();
const examples = new Map<string, string[]>();
const bucket = (x: number | undefined) => (x === undefined ? '-' : x < 0.1 ? '<.1' : x < 0.15 ? '<.15' : x < 0.3 ? '<.3' : '≥.3');
for (const list of blocks.values()) {
  list.sort((a, b) => a.eventTime - b.eventTime);
  for (let i = 0; i < list.length; i++) for (let j = 0; j < i; j++) {
    const x = list[i]!, y = list[j]!;
    if (x.eventTime - y.eventTime > 72 * 3_600_000) continue;
    const d = matchMatter(x, [{ matterId: 'y', reports: [y] }], { regions: routing.regions });
    const f = d.features;
    if (!f) continue;
    const key = [d.decision, f.failed.join('+') || '.', f.address?.rule ?? (f.distanceM !== null ? `d${f.distanceM <= 30 ? '≤30' : f.distanceM <= f.distanceLimitM ? '≤D' : '>D'}` : 'noplace'), f.sameCategoryCode ? 'samecat' : 'othercat', `text${bucket(f.text?.score)}`, f.subject.relation].join(' ');
    if (filter && !key.includes(filter)) continue;
    const same = truth.get(`${x.sourceSystem}/${x.sourceRecordId}`) === truth.get(`${y.sourceSystem}/${y.sourceRecordId}`);
    const t = table.get(key) ?? [0, 0];
    t[same ? 0 : 1]++;
    table.set(key, t);
    const ex = examples.get(key) ?? [];
    if (ex.filter((e) => e.startsWith(same ? 'TRUE' : 'FALSE')).length < 2) { ex.push(`${same ? 'TRUE ' : 'FALSE'} ${y.sourceSystem} ${y.address} | ${y.subjectName} | ${y.description.slice(0, 50)}\n      ${x.sourceSystem} ${x.address} | ${x.subjectName} | ${x.description.slice(0, 50)}`); examples.set(key, ex); }
  }
}
const sorted = [...table].sort((a, b) => b[1][0] + b[1][1] - a[1][0] - a[1][1]);
for (const [k, [t, f]] of sorted.slice(0, Number(process.env.TOP ?? 60))) {
  console.log(`${String(t).padStart(6)} true ${String(f).padStart(7)} false  ${k}`);
  if (process.env.EX) for (const e of examples.get(k) ?? []) console.log('   ' + e);
}
