/**
 * npx tsx scripts/subject-replay.ts --dataset <dir> --schema eval_xxxxxx [--database <url>] [--cache <file>] [--miss N] [--wrong N] [--category <substring>]
 *
 * Replays subject matching (一企一档) in memory over the records a kept `eval:merge -- --keep` run
 * linked (subject_links: source system, record id, stored record; record.loose marks reports), and
 * scores the subjects pairwise against <dataset>/truth/subjects.jsonl exactly as eval-merge.ts does
 * (simulators/county/scoring.ts: records the truth has and the hub never linked count as singletons;
 * a linked record the truth has in no subject is a wrong link). Subjects are a function of
 * the set of records (hub/merge/subject-clusters.ts), so the replay is: blocking (records sharing a
 * `subjectBlockingKeys` key) → `matchRecordPair` → components → `clusterSubjects` per component
 * (the split between two valid USCCs / ID hashes). Seconds instead of the pipeline's minutes, for
 * iterating on hub/merge/*; confirm every gain with the real `npm run eval:merge`.
 *
 * Not replayed: the store's MAX_BLOCK_SUBJECTS cap (a record whose keys find more than 400 subjects
 * sees only 400 of them; the replay reports how many records' keys reach that many records) and
 * operator merges/splits.
 *
 *   --database   default $DATABASE_URL
 *   --cache      read the rows from this JSONL file if it exists, else write them there
 *   --miss N     missed true pairs grouped by why the closest pair between two fragments of a true
 *                subject failed, N examples per group (default 3; 0 = counts only)
 *   --wrong N    wrong predicted pairs grouped by the rule of the edge that joined two true subjects
 *   --hub        also score the hub's own subjects (subject_links.subject_id) and say how far the replay agrees
 *   --applied-only  score only the truth's records the hub applied (source_records): for a run that
 *                stopped early
 *   --remention  re-read the shop names of reports without subject fields from their text with the
 *                current hub/merge/mentions.ts, as apply-report.ts does (reportSubjectMention; none: not linked)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { HubRouting } from '../hub/ingest/routing.js';
import { clusterSubjects, identityOf, matchRecordPair, subjectBlockingKeys, type SubjectEdge, type SubjectMember, type SubjectRecord } from '../hub/merge/index.js';
import { evaluate, prepare, type SubjectCandidate } from '../hub/merge/subject-matcher.js';
import { candidateOf } from '../hub/merge/subject-clusters.js';
import { readJsonl, readManifest, scoreClusters, type TruthSubject } from '../simulators/county/dataset.js';
import { reportSubjectMention } from '../hub/merge/mentions.js';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    schema: { type: 'string' },
    database: { type: 'string' },
    cache: { type: 'string' },
    miss: { type: 'string' },
    wrong: { type: 'string' },
    category: { type: 'string' },
    hub: { type: 'boolean' },
    remention: { type: 'boolean' },
    'applied-only': { type: 'boolean' },
  },
});
if (!values.dataset || (!values.schema && !(values.cache && existsSync(values.cache)))) {
  console.error('usage: npx tsx scripts/subject-replay.ts --dataset <dir> --schema eval_xxxxxx [--database <url>] [--cache <file>] [--miss N] [--wrong N] [--hub]');
  process.exit(2);
}
const dir = values.dataset;
const manifest = readManifest(dir);
const divisionsFile = join(dir, manifest.geo?.divisions ?? 'geo/divisions.json');
const routing = HubRouting.load({ divisionsFile: existsSync(divisionsFile) ? divisionsFile : undefined });
const opts = { regions: routing.regions };
const MAX_BLOCK_SUBJECTS = 400;

interface Row {
  source_system: string;
  source_record_id: string;
  subject_id: string;
  record: SubjectRecord & { loose?: boolean };
}

/** A report without subject fields: what apply-report.ts links by the first name its text mentions. */
interface TextReport {
  source_system: string;
  source_record_id: string;
  payload: { title: string | null; description: string; address: string | null; envelope: { divisionCode?: string | null; location?: { lng: number; lat: number } | null; department: string; eventTime: number } };
}

async function loadRows(): Promise<{ rows: Row[]; inScope: string[]; reports: TextReport[]; applied: string[] }> {
  if (values.cache && existsSync(values.cache)) {
    const lines = readFileSync(values.cache, 'utf8').split('\n').filter(Boolean);
    const head = JSON.parse(lines[0] as string) as { inScope: string[] };
    const rf = `${values.cache}.reports`;
    const reports = existsSync(rf) ? readFileSync(rf, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as TextReport) : [];
    const af = `${values.cache}.applied`;
    const applied = existsSync(af) ? readFileSync(af, 'utf8').split('\n').filter(Boolean) : [];
    if (values.remention && !existsSync(rf)) throw new Error(`--remention: ${rf} missing (give --schema to read it)`);
    return { rows: lines.slice(1).map((l) => JSON.parse(l) as Row), inScope: head.inScope, reports, applied };
  }
  const client = new pg.Client({ connectionString: values.database ?? process.env.DATABASE_URL });
  await client.connect();
  try {
    const s = values.schema as string;
    if (!/^[a-z0-9_]+$/.test(s)) throw new Error(`bad schema ${s}`);
    const rows = (await client.query(`select source_system, source_record_id, subject_id::text as subject_id, record from ${s}.subject_links`)).rows as Row[];
    // the departments the run evaluated: those whose records reached the hub
    const sys = (await client.query(`select distinct source_system from ${s}.source_records`)).rows.map((r: { source_system: string }) => r.source_system);
    const inScope = [...new Set([...sys, ...rows.map((r) => r.source_system)])].sort();
    const reports = (
      await client.query(
        `select distinct on (source_system, source_record_id) source_system, source_record_id, payload from ${s}.source_records
          where kind = 'report' and coalesce(payload->>'subjectUscc', '') = '' and coalesce(payload->>'subjectName', '') = ''
          order by source_system, source_record_id, source_version desc`,
      )
    ).rows as TextReport[];
    const applied = (await client.query(`select distinct source_system || '/' || source_record_id as k from ${s}.source_records`)).rows.map((r: { k: string }) => r.k);
    if (values.cache) {
      writeFileSync(values.cache, [JSON.stringify({ inScope }), ...rows.map((r) => JSON.stringify(r))].join('\n') + '\n');
      writeFileSync(`${values.cache}.reports`, reports.map((r) => JSON.stringify(r)).join('\n') + '\n');
      writeFileSync(`${values.cache}.applied`, applied.join('\n') + '\n');
    }
    return { rows, inScope, reports, applied };
  } finally {
    await client.end();
  }
}

const t0 = Date.now();
const loaded = await loadRows();
const { inScope } = loaded;
let rows = loaded.rows;
const scope = new Set(inScope);
if (values.remention) {
  // as apply-report.ts linkReportSubject: the first mention of the text (title first when the text lacks it)
  const byId = new Map(rows.map((r) => [`${r.source_system}/${r.source_record_id}`, r]));
  let added = 0;
  let dropped = 0;
  let renamed = 0;
  for (const t of loaded.reports) {
    const p = t.payload;
    const text = p.title && !p.description.includes(p.title) ? `${p.title}。${p.description}` : p.description;
    const name = reportSubjectMention(text, opts)?.text ?? null;
    const k = `${t.source_system}/${t.source_record_id}`;
    const old = byId.get(k);
    if (!name) {
      if (old) {
        byId.delete(k);
        dropped++;
        if (process.env.SHOW_REMENTION) console.log(`  no longer linked: ${k} (${old.record.name}): ${text}`);
      }
      continue;
    }
    if (old?.record.name === name) continue;
    const e = p.envelope;
    const record = { uscc: null, name, address: p.address, divisionCode: e.divisionCode ?? null, location: e.location ? { lng: e.location.lng, lat: e.location.lat } : null, department: e.department, at: e.eventTime, loose: true };
    byId.set(k, { source_system: t.source_system, source_record_id: t.source_record_id, subject_id: old?.subject_id ?? `new:${k}`, record });
    if (old) renamed++;
    if (old && process.env.SHOW_REMENTION) console.log(`  renamed: ${k} ${old.record.name} → ${name}`);
    else added++;
  }
  rows = [...byId.values()];
  console.log(`remention: ${added} reports newly linked by their text, ${renamed} renamed, ${dropped} no longer linked`);
}
const members: SubjectMember[] = rows.map((r) => ({ sourceSystem: r.source_system, sourceRecordId: r.source_record_id, record: r.record, ...(r.record.loose ? { loose: true } : {}) }));
const idOf = members.map(identityOf);
const keyOf = (m: { sourceSystem: string; sourceRecordId: string }) => `${m.sourceSystem}/${m.sourceRecordId}`;

// blocking
const keysOf = members.map((m) => subjectBlockingKeys(m.record, opts));
const byKey = new Map<string, number[]>();
keysOf.forEach((ks, i) => ks.forEach((k) => (byKey.get(k) ?? byKey.set(k, []).get(k)!).push(i)));
let overCap = 0;
const n = members.length;
const pairSet = new Set<number>();
for (let i = 0; i < n; i++) {
  const seen = new Set<number>();
  for (const k of keysOf[i] as string[]) for (const j of byKey.get(k) as number[]) if (j !== i) seen.add(j);
  if (seen.size > MAX_BLOCK_SUBJECTS) overCap++;
  for (const j of seen) if (j > i) pairSet.add(i * n + j);
}
// edges
const edges: SubjectEdge[] = [];
const adj = new Map<number, number[]>();
for (const pq of pairSet) {
  const i = Math.floor(pq / n);
  const j = pq % n;
  const e = matchRecordPair(members[i] as SubjectMember, members[j] as SubjectMember, opts);
  if (!e) continue;
  edges.push(e);
  (adj.get(i) ?? adj.set(i, []).get(i)!).push(j);
  (adj.get(j) ?? adj.set(j, []).get(j)!).push(i);
}
// components → clusterSubjects
const compOf = new Int32Array(n).fill(-1);
const comps: number[][] = [];
for (let i = 0; i < n; i++) {
  if (compOf[i] !== -1) continue;
  const c: number[] = [];
  const stack = [i];
  compOf[i] = comps.length;
  while (stack.length) {
    const x = stack.pop() as number;
    c.push(x);
    for (const y of adj.get(x) ?? []) if (compOf[y] === -1) {
      compOf[y] = comps.length;
      stack.push(y);
    }
  }
  comps.push(c);
}
const subjectOf = new Map<string, string>();
const clusters: SubjectMember[][] = [];
for (const c of comps) {
  if (c.length === 1) {
    clusters.push([members[c[0] as number] as SubjectMember]);
    continue;
  }
  const cl = clusterSubjects(c.map((i) => members[i] as SubjectMember), opts);
  for (const k of cl.clusters) clusters.push([...k.members]);
}
clusters.forEach((c, i) => c.forEach((m) => subjectOf.set(keyOf(m), String(i))));

// truth and scores
const truthSubjects = readJsonl<TruthSubject>(join(dir, manifest.truth?.subjects ?? 'truth/subjects.jsonl'));
const appliedSet = new Set(loaded.applied);
const truthRefs = truthSubjects
  .map((s) => s.refs.filter((r) => scope.has(r.sourceSystem) && (!values['applied-only'] || appliedSet.has(`${r.sourceSystem}/${r.sourceRecordId}`))))
  .filter((c) => c.length > 0);
// the same scoring as eval:merge: a linked record in no true subject is a wrong link (phantom)
const score = scoreClusters(truthRefs, clusters, { unknown: 'singleton' });
const f = (x: number) => x.toFixed(4);
console.log(`replay: ${n} linked records, ${pairSet.size} blocked pairs, ${edges.length} edges, ${clusters.length} subjects; ${overCap} records' keys reach > ${MAX_BLOCK_SUBJECTS} records (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
console.log(`subjects: precision ${f(score.precision)}  recall ${f(score.recall)}  (${score.correctPairs}/${score.predictedPairs}, ${score.correctPairs}/${score.truePairs}; ${score.missing} truth records never linked; ${score.phantomRecords} records linked though in no true subject, ${score.phantomPairs} pairs)`);
console.log(JSON.stringify({ eval: 'subject-replay', subject_precision: Number(f(score.precision)), subject_recall: Number(f(score.recall)), counts: { true_pairs: score.truePairs, predicted_pairs: score.predictedPairs, correct_pairs: score.correctPairs, missing_records: score.missing, phantom_records: score.phantomRecords, phantom_pairs: score.phantomPairs, linked_records: n } }));
const sizes = comps.map((c) => c.length).sort((a, b) => b - a);
console.log(`largest components: ${sizes.slice(0, 8).join(', ')}; pairs compared re-forming every component once per record: ${comps.reduce((x, c) => x + (c.length * c.length * (c.length - 1)) / 2, 0)}`);
if (process.env.BIG) {
  const big = comps.reduce((a, c) => (c.length > a.length ? c : a), [] as number[]);
  const names = new Map<string, number>();
  for (const i of big) { const k = `${(members[i] as SubjectMember).record.name}`; names.set(k, (names.get(k) ?? 0) + 1); }
  console.log([...names].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([k, v]) => `${k}×${v}`).join(' '));
}
const ruleCount: Record<string, number> = {};
for (const e of edges) ruleCount[e.rule] = (ruleCount[e.rule] ?? 0) + 1;
console.log(`edges by rule: ${JSON.stringify(ruleCount)}`);

if (values.hub) {
  const hub = new Map<string, SubjectMember[]>();
  rows.forEach((r, i) => (hub.get(r.subject_id) ?? hub.set(r.subject_id, []).get(r.subject_id)!).push(members[i] as SubjectMember));
  const hs = scoreClusters(truthRefs, [...hub.values()], { unknown: 'singleton' });
  const agree = scoreClusters([...hub.values()], clusters);
  console.log(`hub:      precision ${f(hs.precision)}  recall ${f(hs.recall)}  (${hs.correctPairs}/${hs.predictedPairs}, ${hs.correctPairs}/${hs.truePairs}; ${hub.size} subjects)`);
  console.log(`replay vs hub (hub as truth): precision ${f(agree.precision)} recall ${f(agree.recall)}`);
}

// ── Why pairs were missed or wrongly made ───────────────────────────────────────────────────
const truthOf = new Map<string, string>();
const truthName = new Map<string, string>();
for (const s of truthSubjects) for (const r of s.refs) {
  truthOf.set(keyOf(r), s.id);
  truthName.set(s.id, `${s.name}${s.formerNames?.length ? ` (former ${s.formerNames.join('/')})` : ''} [${s.kind}${s.uscc ? ` ${s.uscc}` : ''}]`);
}
const memberByKey = new Map(members.map((m, i) => [keyOf(m), i]));
const nameOpts = opts;
const prepCache = new Map<number, { rec: ReturnType<typeof prepare>; cand: SubjectCandidate }>();
function prep(i: number) {
  let p = prepCache.get(i);
  if (p) return p;
  const r = (members[i] as SubjectMember).record;
  const rec = prepare(r, nameOpts, nameOpts);
  const cand = candidateOf(String(i), r, rec);
  p = { rec, cand };
  prepCache.set(i, p);
  return p;
}
const describe = (i: number) => {
  const m = members[i] as SubjectMember;
  const r = m.record;
  return `${m.sourceSystem}/${m.sourceRecordId}${m.loose ? ' (loose)' : ''}: ${r.name ?? '∅'}${r.formerNames?.length ? ` (former ${r.formerNames.join('/')})` : ''} | ${r.address ?? '∅'}${r.addresses?.length ? ` / ${r.addresses.join(' / ')}` : ''} | div ${r.divisionCode ?? '∅'} | ${r.location ? 'pt' : 'no pt'} | ${r.uscc ?? ''} ${r.subjectType ?? ''}`;
};
const simplify = (b: string) => b.replace(/-?[\d.]+/g, '#').replace(/USCC \S+ ≠ \S+/, 'USCC ≠');

/** Why the pair i, j is not an edge: a category (rule + gates) and a detail line. */
function whyNot(i: number, j: number): { cat: string; detail: string; closeness: number } {
  const shared = (keysOf[i] as string[]).some((k) => (keysOf[j] as string[]).includes(k));
  const ev = evaluate(prep(i).rec, prep(j).cand, nameOpts, nameOpts);
  const loose = (members[i] as SubjectMember).loose || (members[j] as SubjectMember).loose ? 'loose' : 'strict';
  const e = matchRecordPair(members[i] as SubjectMember, members[j] as SubjectMember, opts);
  let cat: string;
  if (e) cat = `edge ${e.rule} (split by USCC/ID-hash clash or blocking)`;
  else if (ev.decision === 'excluded') cat = `excluded ${ev.rule}`;
  else cat = `${ev.features.blockers.map(simplify).join(' + ') || ev.rule}`;
  if (!e && !shared) cat = `[no shared key] ${cat}`;
  if (!e && cat.includes('different towns')) {
    const k = prep(i).rec.names[0];
    cat = `${cat} [${k?.industryGroup ?? '?'}:${k?.industry ?? ''}]`;
  }
  cat = `${loose}: ${cat}`;
  const closeness = (e ? 10 : 0) + (shared ? 1 : 0) + (ev.decision === 'excluded' ? -5 : 0) + ev.score - ev.features.blockers.length * 0.2;
  const fx = ev.features;
  const detail = [describe(i), describe(j), `→ ${ev.rule} ${ev.score}: ${fx.name?.explanation ?? 'no name'} | ${fx.address?.explanation ?? 'no address'} | dist ${fx.distanceM ?? '∅'} | div ${fx.division?.relation ?? '∅'}`].join('\n      ');
  return { cat, detail, closeness };
}

function printTally(title: string, counts: Map<string, number>, samples: Map<string, string[]>, total: number, k: number): void {
  console.log(`\n══ ${title}: ${total} pair(s)`);
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  for (const [c, x] of sorted) console.log(`  ${String(x).padStart(6)}  ${((100 * x) / Math.max(1, total)).toFixed(1).padStart(5)} %  ${c}`);
  if (k <= 0) return;
  for (const [c] of sorted.slice(0, 25)) {
    if (values.category && !c.includes(values.category)) continue;
    console.log(`\n── ${c}`);
    for (const s of (samples.get(c) ?? []).slice(0, k)) console.log(`    ${s}`);
  }
}

const missN = values.miss === undefined ? 3 : Number(values.miss);
{
  // fragments of each true subject: for each two, the closest pair says why they were not joined
  const counts = new Map<string, number>();
  const samples = new Map<string, string[]>();
  let total = 0;
  let neverLinked = 0;
  for (const refs of truthRefs) {
    const frags = new Map<string, number[]>();
    let unlinked = 0;
    for (const r of refs) {
      const i = memberByKey.get(keyOf(r));
      if (i === undefined) {
        unlinked++;
        continue;
      }
      const s = subjectOf.get(keyOf(r)) as string;
      (frags.get(s) ?? frags.set(s, []).get(s)!).push(i);
    }
    neverLinked += unlinked * (refs.length - unlinked) + (unlinked * (unlinked - 1)) / 2;
    if (unlinked) {
      const sm = samples.get('record never linked by the hub') ?? [];
      const r = refs.find((x) => !memberByKey.has(keyOf(x)));
      if (r && sm.length < missN) sm.push(`${keyOf(r)}, truth ${truthName.get(truthOf.get(keyOf(r)) as string)} (${refs.length} refs)`);
      samples.set('record never linked by the hub', sm);
    }
    const fs = [...frags.values()];
    for (let a = 0; a < fs.length; a++) for (let b = a + 1; b < fs.length; b++) {
      const A = fs[a] as number[];
      const B = fs[b] as number[];
      let best: ReturnType<typeof whyNot> | null = null;
      for (const i of A.slice(0, 20)) for (const j of B.slice(0, 20)) {
        const w = whyNot(i, j);
        if (!best || w.closeness > best.closeness) best = w;
      }
      const pairs = A.length * B.length;
      total += pairs;
      const c = (best as ReturnType<typeof whyNot>).cat;
      counts.set(c, (counts.get(c) ?? 0) + pairs);
      const sm = samples.get(c) ?? [];
      if (sm.length < missN) sm.push(`${pairs} pairs, truth ${truthName.get(truthOf.get(keyOf(members[A[0] as number] as SubjectMember)) as string)}\n      ${(best as ReturnType<typeof whyNot>).detail}`);
      samples.set(c, sm);
    }
  }
  if (neverLinked) counts.set('record never linked by the hub', neverLinked);
  printTally('missed true pairs (by the closest pair between two fragments)', counts, samples, total + neverLinked, missN);
}
if (values.wrong !== undefined) {
  const k = Number(values.wrong);
  const counts = new Map<string, number>();
  const samples = new Map<string, string[]>();
  let total = 0;
  // the edges that joined two true subjects inside one predicted subject
  const inSubject = new Map<string, SubjectEdge[]>();
  for (const e of edges) {
    const [a, b] = [e.a, e.b].map((x) => x.replace('\u001f', '/')) as [string, string];
    if (subjectOf.get(a) !== subjectOf.get(b)) continue;
    if (!truthOf.has(a) || !truthOf.has(b) || truthOf.get(a) === truthOf.get(b)) continue;
    const key = [truthOf.get(a), truthOf.get(b)].sort().join('|');
    (inSubject.get(key) ?? inSubject.set(key, []).get(key)!).push(e);
  }
  for (const c of clusters) {
    const byT = new Map<string, number>();
    for (const m of c) {
      const t = truthOf.get(keyOf(m));
      if (t) byT.set(t, (byT.get(t) ?? 0) + 1);
    }
    const ts = [...byT.entries()];
    for (let a = 0; a < ts.length; a++) for (let b = a + 1; b < ts.length; b++) {
      const pairs = (ts[a] as [string, number])[1] * (ts[b] as [string, number])[1];
      total += pairs;
      const es = inSubject.get([(ts[a] as [string, number])[0], (ts[b] as [string, number])[0]].sort().join('|')) ?? [];
      const e = es[0];
      const cat = e ? `${e.rule}${e.features.address ? ` addr:${e.features.address.rule}` : ''}${e.features.distanceM !== null ? ' pt' : ''}` : 'transitive (no direct edge)';
      counts.set(cat, (counts.get(cat) ?? 0) + pairs);
      const sm = samples.get(cat) ?? [];
      if (e && sm.length < k) {
        const i = memberByKey.get(e.a.replace('\u001f', '/')) as number;
        const j = memberByKey.get(e.b.replace('\u001f', '/')) as number;
        sm.push(`${pairs} pairs: ${truthName.get((ts[a] as [string, number])[0])} ~ ${truthName.get((ts[b] as [string, number])[0])}\n      ${describe(i)}\n      ${describe(j)}\n      → ${e.score}: ${e.features.name?.explanation ?? ''} | ${e.features.address?.explanation ?? ''} | dist ${e.features.distanceM ?? '∅'} | div ${e.features.division?.relation ?? '∅'}`);
      }
      samples.set(cat, sm);
    }
  }
  printTally('wrong predicted pairs (by the edge joining two true subjects)', counts, samples, total, k);
}
void idOf;
