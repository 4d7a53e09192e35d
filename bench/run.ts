/**
 * npm run bench -- <connectors|hub|api|e2e> [--json]
 *   hub: [--scale 0.1] [--instances N] (N hub instances in one consumer group, each in a worker thread)
 *        [--warm-up S] (first applies another county day of scale S in a schema of its own, in this process)
 *   e2e: [--rates 5,10,20,40] (changes/s per step) [--step-seconds 20]
 *   api: [--matters N] (default 1,000,000) [--keep] (keep the seeded schema) [--schema NAME] (reuse one)
 * Each benchmark prints its figure next to a ceiling measured in the same run on the same
 * servers, and their ratio. With --json, one JSON line per benchmark.
 */
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { json: { type: 'boolean' }, records: { type: 'string' }, scale: { type: 'string' }, matters: { type: 'string' }, schema: { type: 'string' }, keep: { type: 'boolean' }, rates: { type: 'string' }, 'step-seconds': { type: 'string' }, instances: { type: 'string' }, 'warm-up': { type: 'string' } } });
const which = positionals[0] ?? 'connectors';
const benches: Record<string, () => Promise<{ bench: string; value: number; ceiling: number; ratio: number; unit: string; [k: string]: unknown }>> = {
  connectors: async () => (await import('./connectors.js')).benchConnectors({ records: Number(values.records ?? 50_000), quiet: Boolean(values.json) }),
  hub: async () => (await import('./hub.js')).benchHub({ scale: Number(values.scale ?? 0.1), quiet: Boolean(values.json), instances: Number(values.instances ?? 1), warmUp: Number(values['warm-up'] ?? 0) }),
  e2e: async () => (await import('./e2e.js')).benchE2e({ rates: (values.rates ?? '5,10,20,40').split(',').map(Number), stepSeconds: Number(values['step-seconds'] ?? 20), quiet: Boolean(values.json) }),
  api: async () => (await import('./api.js')).benchApi({ matters: Number(values.matters ?? 1_000_000), schema: values.schema, keep: Boolean(values.keep), quiet: Boolean(values.json) }),
};
const run = benches[which];
if (!run) {
  console.error(`unknown benchmark "${which}"; known: ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
const result = await run();
if (values.json) console.log(JSON.stringify(result));
process.exit(0);
