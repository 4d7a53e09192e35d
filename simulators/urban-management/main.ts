/**
 * Runs the 数字化城管 SOAP simulator as its own process:
 *   tsx simulators/urban-management/main.ts [--port N] [--host H] [--seed S] [--count 200] [--fault-every 0] [--dataset <folder>]
 * With --dataset it also serves departments/urban_management.jsonl of a county dataset (simulators/county/cli.ts).
 * POST /__sim/advance moves every open case one stage on (立案 → 派遣 → 处置 → 核查 → 结案).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readDepartment } from '../county/dataset.js';
import type { UrbanCaseRecord } from '../county/native/urban_management.js';
import { runSimulator } from '../shared/main.js';
import { buildUrbanServer, UrbanStore } from './server.js';

await runSimulator(
  'urban-management',
  (opts) => {
    const store = new UrbanStore({ seed: opts.seed, count: Number(opts.args.count ?? 200) });
    const dataset = opts.args.dataset as string | undefined;
    if (dataset && existsSync(join(dataset, 'departments', 'urban_management.jsonl'))) store.load(readDepartment<UrbanCaseRecord>(dataset, 'urban_management').map((l) => l.record));
    return buildUrbanServer(store, { faultEvery: Number(opts.args['fault-every'] ?? 0) });
  },
  { count: { type: 'string' }, 'fault-every': { type: 'string' }, dataset: { type: 'string' } },
);
