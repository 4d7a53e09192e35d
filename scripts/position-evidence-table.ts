/**
 * npx tsx scripts/position-evidence-table.ts <reports.jsonl> <dataset folder> [rules]
 * Error analysis of position evidence where addresses cannot name the door (issue 13): for every
 * pair of reports of one village and family within 72 h, of one category code, that the matcher
 * (judging the pair alone) does not join and whose addresses agree only on the group, the road or
 * a crossing on it (rules, default same-group,same-road,intersection-road), tabulates true and
 * false pairs by where the positions came from (measured: device or platform; gprec: geocoded by
 * the hub at door, segment, landmark or crossing level), their combined uncertainty, the distance
 * and the distance over the uncertainty. Pairs with a centroid pin or a coarse geocode are left out.
 * Tells which limit (matters.json positionAgreeFactor / positionAgreeMaxM) buys how many true pairs
 * at what cost. Input rows: scripts/dataset-reports.ts, or a kept run (scripts/matter-replay.ts).
 */
import { matchMatter, uncertaintyOf } from '../hub/merge/index.js';
import { haversineMetres } from '../hub/merge/geo.js';
import { pairAnalysisInputs } from './pair-analysis-inputs.js';

const [exportFile, dataset, rulesArg] = process.argv.slice(2) as [string, string, string | undefined];
const rules = new Set((rulesArg ?? 'same-group,same-road,intersection-road').split(','));
const { routing, truth, blocks } = pairAnalysisInputs(exportFile, dataset);
const PRECISE = new Set(['geocoded:door', 'geocoded:road-segment', 'geocoded:landmark', 'geocoded:crossing']);
const cls = (o: string | null | undefined) => (!o ? 'meas' : o.startsWith('geocoded:') ? (PRECISE.has(o) ? 'gprec' : 'gcoarse') : o.startsWith('centroid') ? 'cent' : 'meas');
const bucket = (x: number, edges: number[]) => { const e = edges.find((b) => x < b); return e === undefined ? `≥${edges[edges.length - 1]}` : `<${e}`; };
const table = new Map<string, [number, number]>();
for (const list of blocks.values()) {
  list.sort((a, b) => a.eventTime - b.eventTime);
  for (let i = 0; i < list.length; i++) for (let j = 0; j < i; j++) {
    const x = list[i]!, y = list[j]!;
    const hours = (x.eventTime - y.eventTime) / 3_600_000;
    if (hours > 72 || x.categoryCode !== y.categoryCode || !x.location || !y.location) continue;
    const d = matchMatter(x, [{ matterId: 'y', reports: [y] }], { regions: routing.regions });
    const f = d.features;
    if (!f || d.decision === 'match' || !f.address || !rules.has(f.address.rule)) continue;
    const cx = cls(x.locationOrigin), cy = cls(y.locationOrigin);
    if ([cx, cy].some((c) => c === 'cent' || c === 'gcoarse') || (cx !== 'meas' && cy !== 'meas')) continue;
    const metres = haversineMetres(x.location, y.location);
    const u = Math.hypot(uncertaintyOf(x), uncertaintyOf(y));
    const key = `${f.address.rule} ${[cx, cy].sort().join('/')} u${bucket(u, [30, 60, 100])} d${bucket(metres, [30, 50, 80, 120])} r${bucket(metres / Math.max(u, 1), [1, 1.5, 2])} ${bucket(hours, [2, 8])}h`;
    const same = truth.get(`${x.sourceSystem}/${x.sourceRecordId}`) === truth.get(`${y.sourceSystem}/${y.sourceRecordId}`);
    const t = table.get(key) ?? [0, 0];
    t[same ? 0 : 1]++;
    table.set(key, t);
  }
}
for (const [k, [t, f]] of [...table].sort((a, b) => b[1][0] - a[1][0]).slice(0, Number(process.env.TOP ?? 60))) console.log(`${String(t).padStart(6)} true ${String(f).padStart(6)} false  ${k}`);
