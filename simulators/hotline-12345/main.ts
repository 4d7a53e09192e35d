/**
 * Runs the 12345 simulator as its own process:
 *   tsx simulators/hotline-12345/main.ts [--port N] [--host H] [--seed S] [--dataset <folder>] [--call-back <share unsatisfied>]
 * With --dataset it starts with departments/hotline.jsonl of a county dataset (simulators/county/cli.ts)
 * as its history; new work orders come from POST /__sim/generate. With --call-back the operators call
 * each citizen back a minute after a result closed the order (回访), that share of them not satisfied.
 */
import { readDepartment } from '../county/dataset.js';
import { buildHotlineServer, HotlineStore, type WorkOrder } from './server.js';
import { runSimulator } from '../shared/main.js';

await runSimulator('hotline-12345', (opts) => {
  const store = new HotlineStore({ seed: opts.seed });
  if (typeof opts.args.dataset === 'string') store.loadWorkOrders(readDepartment<WorkOrder>(opts.args.dataset, 'hotline').map((l) => l.record));
  const share = typeof opts.args['call-back'] === 'string' ? Number(opts.args['call-back']) : null;
  return buildHotlineServer(store, share === null ? {} : { callBack: { afterMs: 60_000, unsatisfiedShare: share, seed: opts.seed } });
}, { dataset: { type: 'string' }, 'call-back': { type: 'string' } });
