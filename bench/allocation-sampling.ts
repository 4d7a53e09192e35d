/**
 * Preload (`--import ./bench/allocation-sampling.ts`): samples allocations from the start of the
 * process, freed objects included, and writes the profile to $ALLOCATION_PROFILE at exit. Read it
 * with bench/allocation-profile.ts. ALLOCATION_INTERVAL: mean bytes between samples (32 KiB).
 */
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';

const out = process.env.ALLOCATION_PROFILE;
if (out) {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  session.post('HeapProfiler.startSampling', {
    samplingInterval: Number(process.env.ALLOCATION_INTERVAL ?? 32768),
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  // the session answers synchronously on the main thread, so the profile is written before exit
  process.on('exit', () => {
    session.post('HeapProfiler.stopSampling', (err, result) => {
      if (err) console.error(`allocation profile not written: ${err.message}`);
      else writeFileSync(out, JSON.stringify(result.profile));
    });
  });
}
