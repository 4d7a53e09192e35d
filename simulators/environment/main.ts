/**
 * Runs the environment department's simulator as its own process (the pattern of
 * simulators/shared/main.ts, with the pusher's options added):
 *   tsx simulators/environment/main.ts [--port N] [--host H] [--seed S] [--dataset <folder>]
 *       [--webhook URL] [--webhook-secret S]   (or ENVIRONMENT_ALARMS_WEBHOOK_SECRET)
 *       [--alarms-every-ms N] [--complaints-every-ms N] [--retry-base-ms N] [--retry-max-ms N]
 *       [--app-key K] [--app-secret S]
 * With --dataset the 12369 list serves departments/environment.jsonl of a county dataset
 * (simulators/county/cli.ts; native EnvironmentComplaint rows); otherwise it starts empty and
 * complaints are generated on request (POST /__sim/generate) or with --complaints-every-ms.
 * Prints one JSON line {"simulator":"environment","url":…,"complaints":n} on stdout when listening.
 */
import { parseArgs } from 'node:util';
import { readDepartment } from '../county/dataset.js';
import { AlarmPlatform } from './alarms.js';
import { ComplaintStore, type EnvironmentComplaint } from './complaints.js';
import { buildEnvironmentServer, DEMO_APP_KEY, DEMO_APP_SECRET } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string', default: '1' },
    dataset: { type: 'string' },
    webhook: { type: 'string' },
    'webhook-secret': { type: 'string' },
    'alarms-every-ms': { type: 'string', default: '0' },
    'complaints-every-ms': { type: 'string', default: '0' },
    'retry-base-ms': { type: 'string', default: '500' },
    'retry-max-ms': { type: 'string', default: '30000' },
    'app-key': { type: 'string', default: DEMO_APP_KEY },
    'app-secret': { type: 'string', default: DEMO_APP_SECRET },
  },
});

const seed = Number(values.seed);
const alarms = new AlarmPlatform({ seed, retryBaseMs: Number(values['retry-base-ms']), retryMaxMs: Number(values['retry-max-ms']) });
const secret = values['webhook-secret'] ?? process.env.ENVIRONMENT_ALARMS_WEBHOOK_SECRET;
if (values.webhook) {
  if (!secret) {
    console.error('--webhook needs --webhook-secret (or ENVIRONMENT_ALARMS_WEBHOOK_SECRET): pushes are signed with it');
    process.exit(2);
  }
  alarms.setTarget(values.webhook, secret);
}
const complaints = new ComplaintStore({ seed });
if (values.dataset) complaints.load(readDepartment<EnvironmentComplaint>(values.dataset, 'environment').map((l) => l.record));
const app = buildEnvironmentServer({
  complaints,
  alarms,
  appKey: values['app-key'],
  appSecret: values['app-secret'],
  alarmsEveryMs: Number(values['alarms-every-ms']),
  complaintsEveryMs: Number(values['complaints-every-ms']),
});
const url = await app.listen({ host: values.host, port: Number(values.port) });
process.stdout.write(JSON.stringify({ simulator: 'environment', url, complaints: complaints.complaints.size }) + '\n');
const close = () => void app.close().then(() => process.exit(0));
process.once('SIGTERM', close);
process.once('SIGINT', close);
