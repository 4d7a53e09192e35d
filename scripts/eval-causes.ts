/**
 * npx tsx scripts/eval-causes.ts <reports.jsonl> <dataset folder> <assign.json> [examples per cause]
 *
 * Error analysis by cause in the data (not by the hub's rule): each true report pair the merge
 * missed, and each wrong pair it made, is tagged with the properties of the two records that make
 * it hard — same platform, no division code and no coordinates, categories in different families,
 * positions far apart, a landmark or crossing address, days apart, a look-alike — and counted under
 * its first (primary) cause. Inputs: the report export of a kept eval:merge run (see
 * scripts/matter-replay.ts) and the predicted matter of each report (matter-replay's ASSIGN file,
 * or the hub's own reports.matter_id exported the same way).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [exportFile, dataset, assignFile, nArg] = process.argv.slice(2);
if (!exportFile || !dataset || !assignFile) {
  console.error('usage: npx tsx scripts/eval-causes.ts <reports.jsonl> <dataset folder> <assign.json> [examples]');
  process.exit(2);
}
const examples = Number(nArg ?? 3);
interface Row { source_system: string; source_record_id: string; category_code: string | null; event_time: number; lng: number | null; lat: number | null; division_code: string | null; description: string; address: string | null; subject_name: string | null }
interface Truth { id: string; decoyOf: string | null; category: string; refs: Array<{ sourceSystem: string; sourceRecordId: string }> }
const key = (s: string, id: string): string => `${s}/${id}`;
const rows = new Map<string, Row>();
for (const l of readFileSync(exportFile, 'utf8').split('\n')) if (l) { const r = JSON.parse(l) as Row; rows.set(key(r.source_system, r.source_record_id), r); }
const assign = new Map(Object.entries(JSON.parse(readFileSync(assignFile, 'utf8')) as Record<string, string>));
const truth: Truth[] = readFileSync(join(dataset, 'truth/matters.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Truth);
const matterOf = new Map<string, Truth>();
for (const m of truth) for (const r of m.refs) matterOf.set(key(r.sourceSystem, r.sourceRecordId), m);

function metres(a: Row, b: Row): number | null {
  if (a.lng === null || a.lat === null || b.lng === null || b.lat === null) return null;
  const dx = (a.lng - b.lng) * 111_320 * Math.cos(((a.lat + b.lat) / 2) * (Math.PI / 180));
  const dy = (a.lat - b.lat) * 110_540;
  return Math.hypot(dx, dy);
}
const located = (r: Row): boolean => r.lng !== null && r.lat !== null;
const LANDMARK = /对面|隔壁|旁边|旁|门口|楼上|后面|桥头/;
const CROSSING = /交叉口|路口/;

/** The properties of a pair that make it hard, most telling first. */
function tags(a: Row, b: Row, wrong: boolean): string[] {
  const t: string[] = [];
  const ma = matterOf.get(key(a.source_system, a.source_record_id));
  const mb = matterOf.get(key(b.source_system, b.source_record_id));
  if (wrong && ma && mb && (ma.decoyOf === mb.id || mb.decoyOf === ma.id)) t.push('look-alike of each other');
  if (wrong && ma && mb && ma.category !== mb.category) t.push('different true categories');
  const lost = (r: Row) => !located(r) && (r.division_code === null || r.division_code.endsWith('000'));
  if (!wrong && (lost(a) || lost(b))) t.push(`no coordinates and no village code (${[a, b].filter(lost).map((r) => r.source_system).join('+')})`);
  if (a.source_system === b.source_system) t.push(`same platform (${a.source_system})`);
  const fa = a.category_code?.split('.')[0];
  const fb = b.category_code?.split('.')[0];
  if (fa !== fb) t.push(`filed in different families (${[a.category_code, b.category_code].sort().join(' / ')})`);
  else if (a.category_code !== b.category_code) t.push('filed under different categories of one family');
  const d = metres(a, b);
  if (d !== null && d > 150) t.push('positions > 150 m apart');
  else if (d !== null && d > 50) t.push('positions 50–150 m apart');
  if (!located(a) && !located(b)) t.push('neither has coordinates');
  if (Math.abs(a.event_time - b.event_time) > 86_400_000) t.push('more than a day apart');
  if ([a, b].some((r) => LANDMARK.test(`${r.address ?? ''}`))) t.push('address by landmark');
  if ([a, b].some((r) => CROSSING.test(`${r.address ?? ''}`))) t.push('address by crossing');
  if (!t.length) t.push('none of the above');
  return t;
}

function report(title: string, pairs: Array<[Row, Row]>, wrong: boolean): void {
  const primary = new Map<string, Array<[Row, Row]>>();
  const any = new Map<string, number>();
  for (const [a, b] of pairs) {
    const t = tags(a, b, wrong);
    const p = t[0] as string;
    (primary.get(p) ?? primary.set(p, []).get(p)!).push([a, b]);
    for (const x of new Set(t.map((s) => s.replace(/ \(.*\)$/, '')))) any.set(x, (any.get(x) ?? 0) + 1);
  }
  console.log(`\n== ${title}: ${pairs.length} pairs`);
  console.log('  by primary cause:');
  for (const [p, list] of [...primary].sort((x, y) => y[1].length - x[1].length)) {
    console.log(`  ${String(list.length).padStart(6)}  ${((100 * list.length) / Math.max(1, pairs.length)).toFixed(1).padStart(5)} %  ${p}`);
    for (const [a, b] of list.slice(0, examples)) {
      for (const r of [a, b]) console.log(`            ${r.source_system} ${r.category_code} div=${r.division_code ?? '-'} ${located(r) ? 'xy' : 'no-xy'} | ${r.address ?? ''} | ${r.subject_name ?? ''} | ${r.description.slice(0, 60)}`);
      console.log('');
    }
  }
  console.log('  pairs with each property (a pair may have several):');
  for (const [p, n] of [...any].sort((x, y) => y[1] - x[1])) console.log(`  ${String(n).padStart(6)}  ${((100 * n) / Math.max(1, pairs.length)).toFixed(1).padStart(5)} %  ${p}`);
}

const byTruth = new Map<string, Row[]>();
const byPred = new Map<string, Row[]>();
for (const [k, r] of rows) {
  const m = matterOf.get(k);
  if (m) (byTruth.get(m.id) ?? byTruth.set(m.id, []).get(m.id)!).push(r);
  const p = assign.get(k) ?? k;
  (byPred.get(p) ?? byPred.set(p, []).get(p)!).push(r);
}
const predOf = (r: Row) => assign.get(key(r.source_system, r.source_record_id)) ?? key(r.source_system, r.source_record_id);
const truthOf = (r: Row) => matterOf.get(key(r.source_system, r.source_record_id))?.id;
const missed: Array<[Row, Row]> = [];
for (const rs of byTruth.values()) for (let i = 0; i < rs.length; i++) for (let j = i + 1; j < rs.length; j++) if (predOf(rs[i] as Row) !== predOf(rs[j] as Row)) missed.push([rs[i] as Row, rs[j] as Row]);
const wrong: Array<[Row, Row]> = [];
for (const rs of byPred.values()) for (let i = 0; i < rs.length; i++) for (let j = i + 1; j < rs.length; j++) if (truthOf(rs[i] as Row) !== truthOf(rs[j] as Row)) wrong.push([rs[i] as Row, rs[j] as Row]);
report('missed true pairs', missed, false);
report('wrong predicted pairs', wrong, true);
