/**
 * Runs the approval platform (政务服务平台 data-sharing interface) as its own process:
 *
 *   tsx simulators/approval/main.ts [--port 0] [--host 127.0.0.1]
 *       [--dataset <county dataset folder>]            applications of departments/approval.jsonl
 *       [--seed 1] [--scale 1] [--days 1] [--start 2026-03-02]   …or a dataset generated on the spot
 *       [--app-key countyhub-demo] [--app-secret approval-demo-secret] [--max-skew-s 300]
 *       [--receive-every-ms 0] [--advance-every-ms 0]   background activity for the demo
 *
 * Prints one JSON line {"simulator":"approval","url":…,"applications":n} when listening.
 */
import { parseArgs } from 'node:util';
import type { ApprovalApplication } from '../county/native/approval.js';
import { departmentRecords } from '../natural-resources/records.js';
import { buildApprovalServer, DEMO_APP_KEY, DEMO_APP_SECRET } from './server.js';
import { ApplicationStore } from './store.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    dataset: { type: 'string' },
    seed: { type: 'string', default: '1' },
    scale: { type: 'string', default: '1' },
    days: { type: 'string', default: '1' },
    start: { type: 'string', default: '2026-03-02' },
    'app-key': { type: 'string', default: DEMO_APP_KEY },
    'app-secret': { type: 'string', default: DEMO_APP_SECRET },
    'max-skew-s': { type: 'string', default: '300' },
    'receive-every-ms': { type: 'string', default: '0' },
    'advance-every-ms': { type: 'string', default: '0' },
  },
});

const seed = Number(values.seed);
const store = new ApplicationStore({ seed });
store.load(await departmentRecords<ApprovalApplication>('approval', { dataset: values.dataset, seed, scale: Number(values.scale), days: Number(values.days), start: values.start }));
const app = buildApprovalServer({
  store,
  credentials: { [values['app-key']]: values['app-secret'] },
  maxSkewMs: Number(values['max-skew-s']) * 1000,
  receiveEveryMs: Number(values['receive-every-ms']),
  advanceEveryMs: Number(values['advance-every-ms']),
});
const url = await app.listen({ host: values.host, port: Number(values.port) });
process.stdout.write(JSON.stringify({ simulator: 'approval', url, applications: store.apps.size }) + '\n');
const close = () => void app.close().then(() => process.exit(0));
process.once('SIGTERM', close);
process.once('SIGINT', close);
