/**
 * npx tsx bench/cpu-profile-summary.ts <file.cpuprofile> [top N] [--from S] [--to S]
 * Sums a V8 CPU profile (node --cpu-prof) per function: self time (samples whose top frame it is)
 * and total time (samples with it anywhere on the stack, counted once per sample), so the hub
 * bench's matching CPU can be read without a browser. --from/--to keep the samples between two
 * times (seconds since the profile started), --window A-B between two monotonic times in µs (as
 * the hub bench prints its apply window), e.g. the hub's apply without the bench's dataset
 * generation and replay; --timeline prints the busy, GC and idle milliseconds of each second.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  startTime: number;
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { from: { type: 'string' }, to: { type: 'string' }, window: { type: 'string' }, timeline: { type: 'boolean' } } });
const [file, topArg] = positionals;
let from = Number(values.from ?? 0) * 1e6;
let to = values.to === undefined ? Infinity : Number(values.to) * 1e6;
if (!file) {
  console.error('usage: npx tsx bench/cpu-profile-summary.ts <file.cpuprofile> [top N]');
  process.exit(2);
}
const top = Number(topArg ?? 40);
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
if (values.window) [from, to] = values.window.split('-').map((us) => Number(us) - p.startTime) as [number, number];
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n: Node) => {
  const url = n.callFrame.url.replace(/^file:\/\//, '').replace(/^.*?\/(hub|bench|connectors|schemas|node_modules)\//, '$1/');
  return `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
};
const self = new Map<string, number>();
const total = new Map<string, number>();
let all = 0;
let at = 0;
const seconds = new Map<number, { busy: number; gc: number; idle: number }>();
p.samples.forEach((id, i) => {
  at += p.timeDeltas[i] ?? 0;
  if (at < from || at > to) return;
  const dt = (p.timeDeltas[i] ?? 0) / 1000;
  all += dt;
  const n = byId.get(id)!;
  const l = label(n);
  const second = seconds.get(Math.floor(at / 1e6)) ?? { busy: 0, gc: 0, idle: 0 };
  const name = n.callFrame.functionName;
  second[name === '(idle)' ? 'idle' : name === '(garbage collector)' ? 'gc' : 'busy'] += dt;
  seconds.set(Math.floor(at / 1e6), second);
  self.set(l, (self.get(l) ?? 0) + dt);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const k = label(byId.get(cur)!);
    if (seen.has(k)) continue;
    seen.add(k);
    total.set(k, (total.get(k) ?? 0) + dt);
  }
});
const idle = ['(idle) :0', '(program) :0', '(garbage collector) :0'].map((k) => `${k}: ${((self.get(k) ?? 0) / 1000).toFixed(1)} s`).join(', ');
if (values.timeline) for (const [sec, b] of seconds) console.log(`${String(sec).padStart(4)} s: busy ${Math.round(b.busy)} ms, gc ${Math.round(b.gc)} ms, idle ${Math.round(b.idle)} ms`);
console.log(`profile: ${(all / 1000).toFixed(1)} s sampled; ${idle}`);
console.log(`\nself time, top ${top}:`);
for (const [k, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(ms / 1000).toFixed(2).padStart(8)} s ${((100 * ms) / all).toFixed(1).padStart(5)} %  ${k}`);
console.log(`\ntotal (inclusive) time, top ${top}:`);
for (const [k, ms] of [...total].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(ms / 1000).toFixed(2).padStart(8)} s ${((100 * ms) / all).toFixed(1).padStart(5)} %  ${k}`);
