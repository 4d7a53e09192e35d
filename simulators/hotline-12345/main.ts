/** Runs the 12345 simulator as its own process: `tsx simulators/hotline-12345/main.ts [--port N]`. */
import { buildHotlineServer, HotlineStore } from './server.js';
import { runSimulator } from '../shared/main.js';

await runSimulator('hotline-12345', (opts) => buildHotlineServer(new HotlineStore({ seed: opts.seed })));
