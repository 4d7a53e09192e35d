/**
 * npx tsx scripts/same-group-fs.ts <reports.jsonl> <dataset folder>   (env KEEP=0,1,2,3,4: which comparisons)
 * Session 15 (issue 13): can Fellegi–Sunter weights estimated without labels (hub/merge/fellegi-sunter.ts)
 * separate the pairs the matter matcher leaves apart whose addresses agree only on the villagers'
 * group, with one category code? Comparisons: time apart, one or two platforms, doors named, text
 * similarity, other same-category reports of the block within 4 h. Prints the estimated weights and
 * the precision of the pairs ranked by match weight against the truth (labels used only to score).
 */
import { matchMatter } from '../hub/merge/index.js';
import { estimateWeights, type Comparison, type ComparisonVector } from '../hub/merge/fellegi-sunter.js';
import { pairAnalysisInputs } from './pair-analysis-inputs.js';
const [exportFile, dataset] = process.argv.slice(2) as [string, string];
const { routing, truth, blocks } = pairAnalysisInputs(exportFile, dataset);
const comps: Comparison[] = [
  { name: 'gap', levels: ['≥8h', '2-8h', '30m-2h', '<30m'] },
  { name: 'platforms', levels: ['same', 'two'] },
  { name: 'doors', levels: ['both', 'one', 'none'] },
  { name: 'text', levels: ['<.15', '.15-.4', '≥.4'] },
  { name: 'competing', levels: ['≥3', '1-2', '0'] },
];
const sys = (s: string) => s.split('-')[0];
const door = (r: any) => /\d+\s*(号|號|栋|幢)/.test((r.address ?? '') + r.description);
const vecs: ComparisonVector[] = []; const labels: boolean[] = [];
for (const list of blocks.values()) {
  list.sort((a, b) => a.eventTime - b.eventTime);
  for (let i = 0; i < list.length; i++) for (let j = 0; j < i; j++) {
    const x = list[i]!, y = list[j]!;
    if (x.eventTime - y.eventTime > 72 * 3.6e6) continue;
    const d = matchMatter(x, [{ matterId: 'y', reports: [y] }], { regions: routing.regions });
    if (d.decision === 'match') continue;
    const f = d.features!; if (f.address?.rule !== 'same-group' || !f.sameCategoryCode) continue;
    const g = (x.eventTime - y.eventTime) / 3.6e6;
    const comp = list.filter((z) => z !== x && z !== y && z.categoryCode === x.categoryCode && Math.abs(z.eventTime - x.eventTime) <= 4 * 3.6e6).length;
    const nd = Number(door(x)) + Number(door(y));
    const ts = f.text?.score ?? 0;
    vecs.push([g >= 8 ? 0 : g >= 2 ? 1 : g >= 0.5 ? 2 : 3, sys(x.sourceSystem) === sys(y.sourceSystem) ? 0 : 1, nd === 2 ? 0 : nd === 1 ? 1 : 2, ts < 0.15 ? 0 : ts < 0.4 ? 1 : 2, comp >= 3 ? 0 : comp >= 1 ? 1 : 2]);
    labels.push(truth.get(`${x.sourceSystem}/${x.sourceRecordId}`) === truth.get(`${y.sourceSystem}/${y.sourceRecordId}`));
  }
}
const keep = (process.env.KEEP ?? '0,1,2,3,4').split(',').map(Number);
const comps2 = keep.map((k) => comps[k]!); const vecs2 = vecs.map((v) => keep.map((k) => v[k]!));
const p = estimateWeights(comps2, vecs2);
console.log('pairs', vecs.length, 'true', labels.filter(Boolean).length, 'lambda', p.lambda.toFixed(3), 'iterations', p.iterations, p.converged);
comps2.forEach((c, ci) => console.log(c.name, c.levels.map((l, li) => `${l}:${Math.log2(p.m[ci]![li]! / p.u[ci]![li]!).toFixed(2)}`).join(' ')));
const w = vecs2.map((v) => v.reduce((s, lvl, c) => s + (lvl === null ? 0 : Math.log2(p.m[c]![lvl]! / p.u[c]![lvl]!)), Math.log2(p.lambda / (1 - p.lambda))));
const order = w.map((x, i) => [x, i] as const).sort((a, b) => b[0] - a[0]);
let t = 0, f = 0; const marks = [25, 50, 100, 200, 400, 800, 1600];
order.forEach(([x, i], k) => { if (labels[i]) t++; else f++; if (marks.includes(k + 1)) console.log(`top ${k + 1} by match weight (≥ ${x.toFixed(2)}): ${t} true / ${f} false, precision ${(t / (t + f)).toFixed(2)}`); });
