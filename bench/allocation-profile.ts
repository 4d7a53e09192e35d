/**
 * Where a process allocates, by function: V8's sampling heap profiler with the objects the
 * garbage collector has already freed kept in the samples (node's --heap-prof drops them, so it
 * shows what is alive at the end, not the churn that fills the young generation).
 *
 * Record (the file is written when the process exits):
 *   ALLOCATION_PROFILE=/tmp/hub.heapprofile node --import tsx --import ./bench/allocation-sampling.ts bench/run.ts hub
 * Read:
 *   npx tsx bench/allocation-profile.ts /tmp/hub.heapprofile [top N] [--callers replace,join]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface HeapProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapProfileNode[];
}

export interface AllocationSummary {
  total: number;
  /** Bytes sampled with the function as the allocating frame. */
  self: Map<string, number>;
  /** Bytes sampled with the function anywhere on the stack (once per stack). */
  inclusive: Map<string, number>;
  /** Bytes of the named built-ins (`replace`, `join`…) by the function that called them. */
  callers: Map<string, number>;
}

const frameName = (n: HeapProfileNode): string => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '')}`;

export function summariseAllocations(head: HeapProfileNode, callersOf: ReadonlySet<string> = new Set()): AllocationSummary {
  const s: AllocationSummary = { total: 0, self: new Map(), inclusive: new Map(), callers: new Map() };
  const onStack = new Map<string, number>();
  const walk = (n: HeapProfileNode, parent: HeapProfileNode | null): number => {
    const key = frameName(n);
    s.total += n.selfSize;
    s.self.set(key, (s.self.get(key) ?? 0) + n.selfSize);
    if (callersOf.has(n.callFrame.functionName)) {
      const k = `${n.callFrame.functionName} ← ${parent ? frameName(parent) : '(root)'}`;
      s.callers.set(k, (s.callers.get(k) ?? 0) + n.selfSize);
    }
    onStack.set(key, (onStack.get(key) ?? 0) + 1);
    let sum = n.selfSize;
    for (const c of n.children) sum += walk(c, n);
    const depth = onStack.get(key)! - 1;
    onStack.set(key, depth);
    // a recursive function counts its subtree once, at its outermost frame
    if (depth === 0) s.inclusive.set(key, (s.inclusive.get(key) ?? 0) + sum);
    return sum;
  };
  walk(head, null);
  return s;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { callers: { type: 'string' } } });
  const [file, topArg] = positionals;
  if (!file) {
    console.error('usage: npx tsx bench/allocation-profile.ts <file.heapprofile> [top N] [--callers replace,join]');
    process.exit(2);
  }
  const top = Number(topArg ?? 30);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapProfileNode };
  const s = summariseAllocations(profile.head, new Set((values.callers ?? '').split(',').filter(Boolean)));
  const mb = (x: number) => `${(x / 1048576).toFixed(1).padStart(8)} MB ${((100 * x) / s.total).toFixed(1).padStart(5)} %`;
  const print = (title: string, m: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${mb(v)}  ${k}`);
  };
  console.log(`allocated (sampled): ${(s.total / 1048576).toFixed(1)} MB`);
  print(`allocating frame, top ${top}:`, s.self);
  print(`on the stack, top ${top}:`, s.inclusive);
  if (values.callers) print('built-ins by caller:', s.callers);
}
