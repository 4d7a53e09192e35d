/**
 * npx tsx scripts/matter-replay.ts <reports.jsonl> <dataset folder>
 * Replays matter matching in memory over the reports of a kept eval:merge run, in the hub's
 * arrival order, and scores the matters pairwise against the dataset's truth — seconds instead of
 * the pipeline's minutes, for iterating on hub/merge/matter-matcher.ts. Blocking mirrors
 * loadCandidates (related families, bbox, village/town, grid) without its per-path limit, and
 * closures are ignored, so confirm every gain with the real `npm run eval:merge`.
 *
 * Export the reports of a run kept with `eval:merge -- --keep` (schema eval_xxxxxx), one JSON per
 * line, in the order the hub applied them (first created/report_linked event):
 *
 *   psql "$DATABASE_URL" -At -c "with ord as (select detail->>'sourceSystem' ss, detail->>'sourceRecordId' sid, min(id) eid
 *       from eval_xxxxxx.matter_events where type in ('created','report_linked') group by 1,2)
 *     select json_build_object('source_system', r.source_system, 'source_record_id', r.source_record_id,
 *       'category_code', r.category_code, 'event_time', (extract(epoch from r.event_time)*1000)::bigint,
 *       'lng', r.lng, 'lat', r.lat, 'division_code', r.division_code, 'grid_code', r.grid_code,
 *       'description', r.description, 'address', r.address, 'subject_uscc', r.payload->>'subjectUscc',
 *       'subject_name', r.payload->>'subjectName')
 *     from eval_xxxxxx.reports r join ord o on o.ss = r.source_system and o.sid = r.source_record_id order by o.eid" > reports.jsonl
 *
 * Env: ASSIGN=file writes the predicted matter of each report (JSON object); WRONG=n prints about n wrong predicted pairs with the pair-alone decision; MISS=n prints the
 * missed pairs' pair-alone decisions by category with n examples each; DECISIONS=file writes each
 * report's whole decision (its evaluations as a digest), one JSON line each, to compare two
 * versions of the matcher decision by decision.
 *
 * Prints the in-memory matching rate: matchMatter alone, each report prepared beforehand as the hub
 * does (prepareForMatching, while it waits on PostgreSQL).
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { matchMatter, matterBlocking, familyOf, prepareForMatching, type ReportFeatures, type MatterCandidate, type MatterEvaluation } from '../hub/merge/index.js';
import { HubRouting } from '../hub/ingest/routing.js';
import { textWeightsFromRows } from './text-weights.js';
import { positionSpreadFromRows } from './position-spread.js';
import { scoreClusters, scoreLookalikes } from '../simulators/county/scoring.js';
import type { SourceRef } from '../simulators/county/generate.js';
import { existsSync } from 'node:fs';
import { loadGazetteer } from '../hub/gazetteer/load.js';
import { geocodeFeatures } from '../hub/gazetteer/features.js';

const [exportFile, dataset] = process.argv.slice(2) as [string, string];
if (!exportFile || !dataset) {
  console.error('usage: npx tsx scripts/matter-replay.ts <reports.jsonl> <dataset folder>');
  process.exit(2);
}
const routing = HubRouting.load({ divisionsFile: join(dataset, 'geo/divisions.json') });
// GAZETTEER=off replays without the county gazetteer (no geocoding, no address keys)
const gazetteerFile = join(dataset, 'geo/gazetteer.jsonl');
const gazetteer = process.env.GAZETTEER !== 'off' && existsSync(gazetteerFile) ? loadGazetteer(gazetteerFile, join(dataset, 'geo/divisions.json')) : null;
if (gazetteer) console.log('gazetteer', JSON.stringify(gazetteer.size));
const truth = new Map<string, string>();
const truthMatters: Array<{ id: string; decoyOf: string | null; refs: SourceRef[] }> = [];
for (const line of readFileSync(join(dataset, 'truth/matters.jsonl'), 'utf8').split('\n')) {
  if (!line) continue;
  const m = JSON.parse(line);
  truthMatters.push(m);
  for (const r of m.refs) truth.set(`${r.sourceSystem}/${r.sourceRecordId}`, m.id);
}
interface Row { location_origin?: string | null; location_uncertainty_m?: number | null; source_system: string; source_record_id: string; category_code: string | null; event_time: number; lng: number | null; lat: number | null; division_code: string | null; grid_code: string | null; description: string; address: string | null; subject_uscc: string | null; subject_name: string | null; title: string | null }
const rows: Row[] = readFileSync(exportFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
// TEXT_WEIGHTS=off replays without the text weights (estimated here from the rows' own descriptions, no labels)
const textWeights = process.env.TEXT_WEIGHTS === 'off' ? undefined : textWeightsFromRows(rows, join(dataset, 'geo/divisions.json'), gazetteer);
// POSITION_SPREAD=off replays without the platforms' position spread at one door (estimated here from the rows, no labels)
const positionSpread = process.env.POSITION_SPREAD === 'off' ? undefined : positionSpreadFromRows(rows, routing.regions);
interface M { keys: Set<string>; id: string; division: string | null; town: string | null; lng: number | null; lat: number | null; grid: string | null; family: string | null; first: number; last: number; reports: ReportFeatures[] }
const matters: M[] = [];
const byId = new Map<string, M>();
const assign = new Map<string, string>();
const stats: Record<string, number> = {};
// MISS: each report's evaluation of each candidate matter, to tell a pair that matches alone but was split why
const evalsOf = new Map<string, Map<string, MatterEvaluation>>();
const arrival = new Map<string, number>();
const dec = new Map<string, string>(); const feats = new Map<string, ReportFeatures>();
const idx = new Map<string, M[]>();
const famsSeen = new Set<string>();
function index(m: M, k: string) { const key = `${m.family ?? 'null'}|${k}`; (idx.get(key) ?? idx.set(key, []).get(key)!).push(m); }
let matchingMs = 0;
// (process CPU: a loaded machine's waits for a core are not counted; the collector's helper threads are)
let matchingCpuMs = 0;
let candidatePairs = 0;
if (process.env.DECISIONS) writeFileSync(process.env.DECISIONS, '');
for (const r of rows) {
  const raw: ReportFeatures = { sourceSystem: r.source_system, sourceRecordId: r.source_record_id, categoryCode: r.category_code, eventTime: Number(r.event_time), location: r.lng !== null && r.lat !== null ? { lng: r.lng, lat: r.lat } : null, locationOrigin: r.location_origin ?? null, locationUncertaintyM: r.location_uncertainty_m ?? null, divisionCode: r.division_code, gridCode: r.grid_code, description: r.description, address: r.address, subjectUscc: r.subject_uscc, subjectName: r.subject_name };
  const f = gazetteer ? geocodeFeatures(raw, gazetteer, routing.regions) : raw;
  const b = matterBlocking(f);
  const div = f.divisionCode;
  const cands: MatterCandidate[] = [];
  const pool = new Set<M>();
  const look = (k: string) => { for (const m of idx.get(k) ?? []) pool.add(m); };
  const fams = b.families ? [...b.families] : [...famsSeen];
  for (const fm of fams) {
    if (f.location) { const cx = Math.floor(f.location.lng / 0.01), cy = Math.floor(f.location.lat / 0.01); for (let dx = -1; dx <= 1; dx++) for (let dy = -1; dy <= 1; dy++) look(`${fm}|c|${cx + dx}|${cy + dy}`); }
    look(`${fm}|t|${b.townCode}`); look(`${fm}|d|${div}`); if (b.townCode) { look(`${fm}|d|${b.townCode}000`); look(`${fm}|d|${b.townCode}`); }
    look(`${fm}|d|null`);
    if (f.gridCode) look(`${fm}|g|${f.gridCode}`);
    for (const k of b.addressKeys) look(`${fm}|k|${k}`);
  }
  for (const m of pool) {
    if (b.families && !b.families.includes(m.family ?? '')) continue;
    if (m.last < b.from || m.first > b.to) continue;
    let ok = false;
    if (b.bbox && m.lng !== null && m.lat !== null && m.lng >= b.bbox[0] && m.lng <= b.bbox[2] && m.lat >= b.bbox[1] && m.lat <= b.bbox[3]) ok = true;
    if (!ok) {
      if (div && div.length === 12 && !div.endsWith('000')) ok = m.division !== null && (b.townCode ? [div, `${b.townCode}000`, b.townCode] : [div]).includes(m.division);
      else if (b.townCode) ok = m.town === b.townCode;
      else if (!b.bbox) ok = m.division === null;
    }
    if (!ok && f.gridCode && m.grid === f.gridCode) ok = true;
    if (!ok && b.addressKeys.some((k) => m.keys.has(k))) ok = true;
    if (ok) cands.push({ matterId: m.id, closedAt: null, reports: m.reports });
  }
  prepareForMatching(f, { regions: routing.regions });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const d = matchMatter(f, cands, { regions: routing.regions, textWeights, positionSpread });
  const c1 = process.cpuUsage(c0);
  matchingMs += performance.now() - t0;
  matchingCpuMs += (c1.user + c1.system) / 1000;
  candidatePairs += cands.length;
  if (process.env.DECISIONS) {
    const { evaluations, ...rest } = d;
    appendFileSync(process.env.DECISIONS, `${JSON.stringify({ report: `${r.source_system}/${r.source_record_id}`, ...rest, evaluations: createHash('sha256').update(JSON.stringify(evaluations)).digest('hex') })}\n`);
  }
  arrival.set(`${r.source_system}/${r.source_record_id}`, arrival.size);
  if (process.env.MISS) evalsOf.set(`${r.source_system}/${r.source_record_id}`, new Map(d.evaluations.map((e) => [e.matterId, e])));
  stats[`${d.decision}:${d.rule}`] = (stats[`${d.decision}:${d.rule}`] ?? 0) + 1;
  const key = `${r.source_system}/${r.source_record_id}`;
  dec.set(key, d.explanation); feats.set(key, f);
  if (d.decision === 'match' && d.matterId) {
    const m = byId.get(d.matterId)!;
    m.reports.push(f);
    m.last = Math.max(m.last, f.eventTime);
    if (m.lng === null && f.location) index(m, `c|${Math.floor(f.location.lng / 0.01)}|${Math.floor(f.location.lat / 0.01)}`);
    if (m.lng === null && f.location) { m.lng = f.location.lng; m.lat = f.location.lat; }
    if (m.grid === null && f.gridCode) index(m, `g|${f.gridCode}`);
    m.grid ??= f.gridCode ?? null;
    for (const k of f.addressKeys ?? []) if (!m.keys.has(k)) { m.keys.add(k); index(m, `k|${k}`); }
    assign.set(key, m.id);
  } else {
    const m: M = { keys: new Set(f.addressKeys ?? []), id: key, division: div, town: div?.slice(0, 9) ?? null, lng: f.location?.lng ?? null, lat: f.location?.lat ?? null, grid: f.gridCode ?? null, family: familyOf(f), first: f.eventTime, last: f.eventTime, reports: [f] };
    matters.push(m); byId.set(key, m); assign.set(key, key);
    famsSeen.add(m.family ?? 'null');
    if (m.lng !== null) index(m, `c|${Math.floor(m.lng / 0.01)}|${Math.floor(m.lat! / 0.01)}`);
    index(m, `t|${m.town}`); index(m, `d|${m.division}`); if (m.grid) index(m, `g|${m.grid}`);
    for (const k of m.keys) index(m, `k|${k}`);
  }
}
// pairwise
function pairs(groups: Map<string, string[]>): Set<string> {
  const s = new Set<string>();
  for (const g of groups.values()) { g.sort(); for (let i = 0; i < g.length; i++) for (let j = i + 1; j < g.length; j++) s.add(`${g[i]}|${g[j]}`); }
  return s;
}
const pg = new Map<string, string[]>(), tg = new Map<string, string[]>();
for (const [k, m] of assign) { (pg.get(m) ?? pg.set(m, []).get(m)!).push(k); const t = truth.get(k) ?? `?${k}`; (tg.get(t) ?? tg.set(t, []).get(t)!).push(k); }
const P = pairs(pg), T = pairs(tg);
if (process.env.ASSIGN) writeFileSync(process.env.ASSIGN, JSON.stringify(Object.fromEntries(assign)));
// the figures: the same scoring as eval:merge (simulators/county/scoring.ts), over the source systems
// in the export; true records the export lacks (the hub never applied them) count as singletons
const inScope = new Set(rows.map((r) => r.source_system));
const asRef = (k: string): SourceRef => { const i = k.indexOf('/'); return { sourceSystem: k.slice(0, i), sourceRecordId: k.slice(i + 1) }; };
const predicted = [...pg.values()].map((g) => g.map(asRef));
const scopedTruth = truthMatters.map((m) => ({ ...m, refs: m.refs.filter((r) => inScope.has(r.sourceSystem)) }));
const sc = scoreClusters(scopedTruth.map((m) => m.refs).filter((c) => c.length), predicted);
const la = scoreLookalikes(scopedTruth, predicted);
console.log(`precision ${sc.precision.toFixed(4)} recall ${sc.recall.toFixed(4)} (${sc.correctPairs}/${sc.predictedPairs}, ${sc.correctPairs}/${sc.truePairs}; ${sc.missing} true records not in the export) look-alike precision ${la.precision.toFixed(4)} (${la.correctPairs}/${la.predictedPairs}, ${la.confusedPairs} joined to the matter they imitate)`);
console.log(JSON.stringify({ eval: 'matter-replay', matter_precision: Number(sc.precision.toFixed(4)), matter_recall: Number(sc.recall.toFixed(4)), lookalike_precision: Number(la.precision.toFixed(4)), counts: { true_pairs: sc.truePairs, predicted_pairs: sc.predictedPairs, correct_pairs: sc.correctPairs, missing_records: sc.missing, lookalike_predicted_pairs: la.predictedPairs, lookalike_correct_pairs: la.correctPairs, lookalike_confused_pairs: la.confusedPairs, records: rows.length } }));
console.log(JSON.stringify(stats));
console.log(JSON.stringify({ matching_ms: Math.round(matchingMs), reports_per_s: Math.round(rows.length / (matchingMs / 1000)), matching_cpu_ms: Math.round(matchingCpuMs), reports_per_cpu_s: Math.round(rows.length / (matchingCpuMs / 1000)), candidate_pairs: candidatePairs, us_per_pair: Math.round((matchingMs * 1000) / Math.max(1, candidatePairs)) }));

// DEC=source/id,source/id prints the stored decision of those reports
if (process.env.DEC) for (const k of process.env.DEC.split(',')) console.log(`DEC ${k} [truth ${truth.get(k)}] → ${assign.get(k)}: ${dec.get(k)}`);
if (process.env.WRONG) {
  const n = Number(process.env.WRONG); let i = 0;
  // WRONG_LOOKALIKE=1: only wrong pairs with a look-alike matter (decoyOf) on one side
  const decoys = new Set(truthMatters.filter((m) => m.decoyOf).map((m) => m.id));
  const pk = [...P].filter((p) => !T.has(p) && (!process.env.WRONG_LOOKALIKE || p.split('|').some((x) => decoys.has(truth.get(x) ?? ''))));
  for (const p of pk) { if (i++ % Math.max(1, Math.floor(pk.length / n)) !== 0) continue; const [a, b] = p.split('|') as [string, string];
    const fa = feats.get(a)!, fb = feats.get(b)!;
    console.log(`\nWRONG ${a} [${truth.get(a)}] ${fa.categoryCode} addr ${fa.address} subj ${fa.subjectName}\n   ${fa.description}\n  ${b} [${truth.get(b)}] ${fb.categoryCode} addr ${fb.address} subj ${fb.subjectName}\n   ${fb.description}`);
    const later = fa.eventTime > fb.eventTime ? a : b;
    console.log('  pair:', matchMatter(feats.get(later === a ? a : b)!, [{ matterId: 'x', reports: [feats.get(later === a ? b : a)!] }], { regions: routing.regions, textWeights, positionSpread }).explanation);
  }
}
if (process.env.MISS) {
  const n = Number(process.env.MISS); const hist: Record<string, number> = {}; const ex: Record<string, string[]> = {};
  for (const p of T) { if (P.has(p)) continue; const [a, b] = p.split('|') as [string, string];
    const fa = feats.get(a)!, fb = feats.get(b)!; const [x, y] = fa.eventTime >= fb.eventTime ? [fa, fb] : [fb, fa];
    const d = matchMatter(x, [{ matterId: 'x', reports: [y] }], { regions: routing.regions, textWeights, positionSpread });
    const k = `${d.decision}:${d.features?.failed.join('+') ?? ''}:${d.features?.soft.map((s) => s.replace(/[\d.()]+/g, '')).join('+') ?? ''} ${[x.sourceSystem, y.sourceSystem].sort().join('~')}`;
    hist[k] = (hist[k] ?? 0) + 1; (ex[k] ??= []).push(`  ${y.sourceSystem} ${y.categoryCode} ${y.address} | ${y.subjectName} | ${y.description.slice(0, 80)}\n  ${x.sourceSystem} ${x.categoryCode} ${x.address} | ${x.subjectName} | ${x.description.slice(0, 80)}\n   → ${d.explanation.slice(0, 300)}${d.decision === 'match' ? `\n   stored: ${(dec.get(`${x.sourceSystem}/${x.sourceRecordId}`) ?? '').slice(0, 400)}` : ''}`);
  }
  // pairs that match alone: what the later report's evaluation of the earlier one's matter said
  const why: Record<string, number> = {};
  for (const p of T) { if (P.has(p)) continue; const [a, b] = p.split('|') as [string, string];
    // the later in arrival order decided the pair
    const fa = feats.get(a)!, fb = feats.get(b)!; const [x, y] = arrival.get(a)! >= arrival.get(b)! ? [fa, fb] : [fb, fa];
    const d = matchMatter(x, [{ matterId: 'x', reports: [y] }], { regions: routing.regions, textWeights, positionSpread });
    if (d.decision !== 'match') continue;
    const xk = `${x.sourceSystem}/${x.sourceRecordId}`, yk = `${y.sourceSystem}/${y.sourceRecordId}`;
    const e = evalsOf.get(xk)?.get(assign.get(yk) ?? '');
    const w = !e ? 'not a candidate' : e.decision === 'match' ? `matched it, another taken (${assign.get(xk) === xk ? 'new' : 'other matter'})` : `${e.decision}: ${e.features.failed.join('+')} | ${e.features.soft.map((s) => s.replace(/[\d.()]+/g, '').slice(0, 60)).join('+')}`;
    why[w] = (why[w] ?? 0) + 1;
    if (!e && (why[w] ?? 0) <= Number(process.env.MISS)) { const m = byId.get(assign.get(yk) ?? '')!;
      console.log(`NOTCAND ${xk} ${x.categoryCode} div=${x.divisionCode} loc=${x.location ? 'y' : 'n'} grid=${x.gridCode} keys=${(x.addressKeys ?? []).slice(0, 4).join(',')} addr=${x.address}\n   matter ${m.id} fam=${m.family} div=${m.division} town=${m.town} loc=${m.lng !== null ? 'y' : 'n'} grid=${m.grid} keys=${[...m.keys].slice(0, 4).join(',')} first=${new Date(m.first).toISOString()} x=${new Date(x.eventTime).toISOString()}\n   y ${yk} div=${y.divisionCode} addr=${y.address}`); }
  }
  console.log('match-alone pairs split in the replay, by the later report\'s evaluation of the earlier one\'s matter:');
  for (const [k, c] of Object.entries(why).sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${c}  ${k}`);
  for (const [k, c] of Object.entries(hist).sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.MISS_TOP ?? 25))) { console.log(`${c}  ${k}`); for (const e of ex[k]!.slice(0, n)) console.log(e); }
}
