/**
 * Runs the environment department's simulator as its own process (the pattern of
 * simulators/shared/main.ts, with the pusher's options added):
 *   tsx simulators/environment/main.ts [--port N] [--host H] [--seed S]
 *       [--webhook URL] [--webhook-secret S]   (or ENVIRONMENT_ALARMS_WEBHOOK_SECRET)
 *       [--alarms-every-ms N] [--complaints-every-ms N] [--retry-base-ms N] [--retry-max-ms N]
 *       [--app-key K] [--app-secret S]
 * Prints one JSON line {"simulator":"environment","url":…} on stdout when listening.
 */
import { parseArgs } from 'node:util';
import { AlarmPlatform } from './alarms.js';
import { ComplaintStore } from './complaints.js';
import { buildEnvironmentServer, DEMO_APP_KEY, DEMO_APP_SECRET } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string', default: '1' },
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
const app = buildEnvironmentServer({
  complaints: new ComplaintStore({ seed }),
  alarms,
  appKey: values['app-key'],
  appSecret: values['app-secret'],
  alarmsEveryMs: Number(values['alarms-every-ms']),
  complaintsEveryMs: Number(values['complaints-every-ms']),
});
const url = await app.listen({ host: values.host, port: Number(values.port) });
process.stdout.write(JSON.stringify({ simulator: 'environment', url }) + '\n');
const close = () => void app.close().then(() => process.exit(0));
process.once('SIGTERM', close);
process.once('SIGINT', close);
