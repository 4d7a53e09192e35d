import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mainThreadCpuMs, procCpuMs } from '../../../bench/process-cpu.js';

const linux = existsSync('/proc/self/stat');

describe('CPU time read from /proc for the hub bench', () => {
  it.runIf(linux)("counts this thread's work and not its waiting", async () => {
    const before = mainThreadCpuMs()!;
    const t0 = performance.now();
    // spin until the counter shows 200 ms of this thread's CPU: on a busy machine that takes longer, never forever
    let x = 0;
    while (mainThreadCpuMs()! - before < 200 && performance.now() - t0 < 60_000) for (let i = 0; i < 1e5; i++) x += Math.sqrt(x + i);
    const wall = performance.now() - t0;
    const afterSpin = mainThreadCpuMs()!;
    await new Promise((r) => setTimeout(r, 300));
    const afterSleep = mainThreadCpuMs()!;
    expect(x).toBeGreaterThan(0);
    expect(afterSpin - before).toBeGreaterThanOrEqual(200);
    // one thread cannot run longer than the time that passed (ticks are 10 ms)
    expect(afterSpin - before).toBeLessThanOrEqual(wall + 20);
    // a 300 ms sleep costs next to nothing
    expect(afterSleep - afterSpin).toBeLessThan(100);
  });

  it('gives null for a process this machine does not show (a server elsewhere)', () => {
    // pid_max is at most 2^22 on Linux: this pid cannot exist
    expect(procCpuMs(2 ** 22 + 17)).toBeNull();
  });
});
