import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summariseAllocations, type HeapProfileNode } from '../../../bench/allocation-profile.js';

const node = (functionName: string, selfSize: number, children: HeapProfileNode[] = []): HeapProfileNode => ({ callFrame: { functionName, url: 'file:///x/hub.ts', lineNumber: 0 }, selfSize, children });

describe('allocation profile of the hub bench', () => {
  it('sums bytes per allocating function, per function on the stack (a recursion once), and built-ins by caller', () => {
    const head = node('(root)', 0, [node('a', 10, [node('b', 5, [node('a', 3)])]), node('c', 7, [node('replace', 4)])]);
    const s = summariseAllocations(head, new Set(['replace']));
    expect(s.total).toBe(29);
    expect(s.self.get('a /x/hub.ts')).toBe(13);
    expect(s.inclusive.get('a /x/hub.ts')).toBe(18);
    expect(s.inclusive.get('b /x/hub.ts')).toBe(8);
    expect(s.inclusive.get('c /x/hub.ts')).toBe(11);
    expect(s.callers.get('replace ← c /x/hub.ts')).toBe(4);
  });

  it('counts objects the collector has already freed: the churn that fills the young generation', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alloc-'));
    try {
      const script = join(dir, 'churn.mjs');
      // ~80 MB of short-lived arrays, none kept
      writeFileSync(script, 'function churn() { let n = 0; for (let i = 0; i < 20000; i++) n += new Array(500).fill(i).length; return n; }\nconsole.log(churn());\n');
      const out = join(dir, 'churn.heapprofile');
      const preload = new URL('../../../bench/allocation-sampling.ts', import.meta.url).pathname;
      execFileSync(process.execPath, ['--import', 'tsx', '--import', preload, script], { env: { ...process.env, ALLOCATION_PROFILE: out }, stdio: 'pipe', timeout: 120_000 });
      const s = summariseAllocations((JSON.parse(readFileSync(out, 'utf8')) as { head: HeapProfileNode }).head);
      const churn = [...s.inclusive].find(([k]) => k.startsWith('churn '))?.[1] ?? 0;
      // sampling: the figure is an estimate; without freed objects it would be close to nothing
      expect(churn).toBeGreaterThan(30 * 1048576);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
