/**
 * npx tsx scripts/lookalike-attribution.ts <reports.jsonl> <dataset folder> <decisions.jsonl> [examples per cause]
 * Error analysis of look-alike precision: every wrong predicted pair with a look-alike matter
 * (`decoyOf`) on one side is attributed to the decision that made it — the report that joined a
 * matter holding the other — and tabulated by what that decision rested on (the first reason of its
 * explanation, the address rule, the platforms) and by what the truth's two places are (the kind
 * of place of world/places.jsonl, or public space). DECISIONS comes from
 * `DECISIONS=file scripts/matter-replay.ts` (the replay's arrival order is the file's order).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonl } from '../core/dataset.js';

const [exportFile, dataset, decisionsFile, nEx] = process.argv.slice(2) as [string, string, string, string | undefined];
const rows = new Map<string, Record<string, unknown>>();
for (const r of readJsonl<Record<string, unknown>>(exportFile)) rows.set(`${r.source_system}/${r.source_record_id}`, r);
interface TM { id: string; decoyOf: string | null; placeId: string | null; category: string; address: string; refs: Array<{ sourceSystem: string; sourceRecordId: string }> }
const tm = new Map<string, TM>();
const truth = new Map<string, string>();
for (const m of readJsonl<TM>(join(dataset, 'truth/matters.jsonl'))) {
  tm.set(m.id, m);
  for (const r of m.refs) truth.set(`${r.sourceSystem}/${r.sourceRecordId}`, m.id);
}
const places = new Map<string, { kind: string; landType?: string }>();
for (const p of readJsonl<{ id: string; kind: string; landType?: string }>(join(dataset, 'world/places.jsonl'))) places.set(p.id, p);
const placeKind = (m: TM) => (m.placeId ? (places.get(m.placeId)?.kind ?? '?') : 'public');
const members = new Map<string, string[]>();
const byCause = new Map<string, number>();
const byKind = new Map<string, number>();
const examples = new Map<string, string[]>();
let total = 0;
for (const l of readFileSync(decisionsFile, 'utf8').split('\n')) {
  if (!l) continue;
  const d = JSON.parse(l) as { report: string; decision: string; matterId?: string; explanation: string; features?: { address?: { rule: string } | null; sameSourceConflict?: string | null } };
  if (d.decision !== 'match' || !d.matterId) { members.set(d.report, [d.report]); continue; }
  const m = members.get(d.matterId)!;
  const tx = tm.get(truth.get(d.report) ?? '');
  let wrong = 0;
  const others: TM[] = [];
  for (const y of m) {
    const ty = tm.get(truth.get(y) ?? '');
    if (!tx || !ty || tx.id === ty.id) continue;
    if (!tx.decoyOf && !ty.decoyOf) continue;
    wrong++;
    others.push(ty);
  }
  m.push(d.report);
  if (wrong === 0) continue;
  total += wrong;
  const reason = d.explanation.replace(/^match \[[^\]]*\] matter \S+, score [\d.]+: /, '').split('; ')[0]!.replace(/[\d.]+( m| min| h)?/g, '#').slice(0, 70);
  const cause = `${d.features?.sameSourceConflict ? 'SAMESRC ' : ''}${d.features?.address?.rule ?? 'noaddr'} | ${reason}`;
  byCause.set(cause, (byCause.get(cause) ?? 0) + wrong);
  const kind = `${placeKind(tx!)} ~ ${placeKind(others[0]!)} ${tx!.category}`;
  byKind.set(kind, (byKind.get(kind) ?? 0) + wrong);
  const r = rows.get(d.report)!;
  const ex = examples.get(cause) ?? [];
  if (ex.length < Number(nEx ?? 2)) {
    const firstOther = m.find((y) => truth.get(y) === others[0]!.id)!;
    const o = rows.get(firstOther)!;
    ex.push(`  [${wrong}] ${d.report} ${r.category_code} ${r.address} | ${r.subject_name ?? ''} | ${String(r.description).slice(0, 70)}\n      truth ${tx!.id} ${placeKind(tx!)} ${tx!.address} decoyOf=${tx!.decoyOf}\n    ~ ${firstOther} ${o.category_code} ${o.address} | ${o.subject_name ?? ''} | ${String(o.description).slice(0, 70)}\n      truth ${others[0]!.id} ${placeKind(others[0]!)} ${others[0]!.address} decoyOf=${others[0]!.decoyOf} (matter of ${m.length} reports)\n    → ${d.explanation.slice(0, 260)}`);
    examples.set(cause, ex);
  }
}
console.log(`wrong look-alike pairs: ${total}`);
console.log('\nby the decision that made them:');
for (const [k, c] of [...byCause].sort((a, b) => b[1] - a[1])) { console.log(`${String(c).padStart(5)}  ${k}`); if (nEx !== '0') for (const e of examples.get(k) ?? []) console.log(e); }
console.log('\nby the kinds of the two true places (joining report ~ other) and category:');
for (const [k, c] of [...byKind].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${String(c).padStart(5)}  ${k}`);
