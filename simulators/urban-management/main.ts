/**
 * Runs the 数字化城管 SOAP simulator as its own process:
 *   tsx simulators/urban-management/main.ts [--port N] [--host H] [--seed S] [--count 200] [--fault-every 0]
 * POST /__sim/advance moves every open case one stage on (立案 → 派遣 → 处置 → 核查 → 结案).
 */
import { runSimulator } from '../shared/main.js';
import { buildUrbanServer, UrbanStore } from './server.js';

await runSimulator(
  'urban-management',
  (opts) => buildUrbanServer(new UrbanStore({ seed: opts.seed, count: Number(opts.args.count ?? 200) }), { faultEvery: Number(opts.args['fault-every'] ?? 0) }),
  { count: { type: 'string' }, 'fault-every': { type: 'string' } },
);
