/**
 * Runs the grid-platform simulator as its own process:
 *   tsx simulators/grid/main.ts [--port N] [--host H] [--seed N] [--dataset <folder>] [--generate N] [--duplicate-rate 0.02] [--verify-fail 0.2]
 * With --dataset it serves departments/grid.jsonl of a county dataset (simulators/county/cli.ts);
 * otherwise it starts with --generate live events (default 50) from the seeded demo county.
 * A verification (核查) the center asks for is answered on the feed 20 minutes after it arrives; --verify-fail is the
 * share the grid workers fail (问题仍然存在), which sends the matter back to its lead (重办).
 * Prints one JSON line {"simulator":"grid","url":…,"events":n} on stdout.
 */
import { parseArgs } from 'node:util';
import { readDepartment } from '../county/dataset.js';
import { buildGridServer, GridStore } from './server.js';
import type { GridEvent } from './types.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string', default: '1' },
    dataset: { type: 'string' },
    generate: { type: 'string', default: '50' },
    'duplicate-rate': { type: 'string', default: '0.02' },
    'verify-fail': { type: 'string', default: '0.2' },
  },
});

const store = new GridStore({ seed: Number(values.seed), duplicateRate: Number(values['duplicate-rate']), verification: { failureRate: Number(values['verify-fail']) } });
if (values.dataset) store.load(readDepartment<GridEvent>(values.dataset, 'grid').map((l) => l.record));
else for (let i = 0; i < Number(values.generate); i++) store.generate();

const app = buildGridServer(store);
const url = await app.listen({ host: values.host, port: Number(values.port) });
process.stdout.write(JSON.stringify({ simulator: 'grid', url, events: store.size }) + '\n');
const close = () => void app.close().then(() => process.exit(0));
process.once('SIGTERM', close);
process.once('SIGINT', close);
