/**
 * Linux pressure-stall information for the CPU: the share of wall time during which some runnable
 * task waited for a core. The benchmarks share a two-core machine with other work; a latency figure
 * measured while this is high says more about the neighbours than about the code.
 */
import { readFileSync } from 'node:fs';

function someTotalMicros(): number | null {
  try {
    const m = /^some .*total=(\d+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null; // not Linux, or PSI disabled
  }
}

/** Starts a measurement; the returned function gives the stalled share (0–1) since, or null where PSI is unavailable. */
export function cpuPressure(): () => number | null {
  const t0 = performance.now();
  const s0 = someTotalMicros();
  return () => {
    const s1 = someTotalMicros();
    if (s0 === null || s1 === null) return null;
    return (s1 - s0) / 1000 / (performance.now() - t0);
  };
}
