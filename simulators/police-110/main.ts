/**
 * 110 接处警 handover pusher: POSTs non-police incidents to the county's webhook in signed batches
 * and keeps each batch until it is answered 2xx (an outbox), re-sending on errors and, with
 * --lost-answers R, sometimes although it was accepted (the answer lost on the way back):
 *   tsx simulators/police-110/main.ts --target <webhook url> --secret <s> [--count 200] [--batch 10]
 *       [--seed 1] [--interval-ms 200] [--lost-answers 0.2] [--start-ms <epoch ms of the first call; default an hour ago>]
 *       [--state-changes 0.3: the share of incidents pushed once more, signed for or returned, after all first pushes]
 *       [--dataset <folder>: push the county dataset's departments/police_110.jsonl first (a demo's history)]
 * Prints {"simulator":"police-110","target":…} at start and {"done":true,…} when every batch is accepted.
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { signWebhookRequest } from '../../connectors/sources/webhook-signature.js';
import { seededRandom } from '../shared/county.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readDepartment } from '../county/dataset.js';
import { planHandovers, stateChanges, type Handover } from './handovers.js';

const { values } = parseArgs({
  options: {
    target: { type: 'string' },
    secret: { type: 'string' },
    count: { type: 'string', default: '200' },
    batch: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    'interval-ms': { type: 'string', default: '200' },
    'lost-answers': { type: 'string', default: '0' },
    'start-ms': { type: 'string' },
    'state-changes': { type: 'string', default: '0' },
    dataset: { type: 'string' },
  },
});
if (!values.target || !values.secret) {
  process.stderr.write('usage: tsx simulators/police-110/main.ts --target <webhook url> --secret <s> [--count N] [--batch N] [--seed N] [--interval-ms N] [--lost-answers R]\n');
  process.exit(2);
}
const seed = Number(values.seed);
const rand = seededRandom(seed + 1000);
const planned = planHandovers(Number(values.count), seed, values['start-ms'] ? Number(values['start-ms']) : undefined);
const history = values.dataset && existsSync(join(values.dataset, 'departments', 'police_110.jsonl')) ? readDepartment<Handover>(values.dataset, 'police_110').map((l) => l.record) : [];
const all = [...history, ...planned, ...stateChanges(planned, Number(values['state-changes']))].map(({ bad: _bad, ...h }) => h);
const size = Math.max(1, Number(values.batch));

/**
 * One POST with its answer read, failed after `ms`. The timer is an ordinary one, raced with the
 * request: a request to a worker killed mid-answer can stay pending with no handle of its own, and
 * AbortSignal.timeout's timer does not keep a process alive, so this script ended with an unsettled
 * top-level await (exit 13) instead of sending the batch again.
 */
async function post(url: string, init: RequestInit, ms: number): Promise<Response> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([
      (async () => {
        const res = await fetch(url, { ...init, signal: abort.signal });
        await res.arrayBuffer();
        return res;
      })(),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
let attempts = 0;
let resent = 0;
process.stdout.write(JSON.stringify({ simulator: 'police-110', target: values.target, records: all.length }) + '\n');
for (let i = 0; i < all.length; i += size) {
  const body = JSON.stringify({ source: '110接处警系统', records: all.slice(i, i + size) });
  for (let delivered = false, tries = 0; !delivered; tries++) {
    attempts++;
    try {
      const res = await post(values.target, { method: 'POST', headers: { 'content-type': 'application/json', ...signWebhookRequest(values.secret, body) }, body }, 30_000);
      delivered = res.ok;
      if (delivered && rand() < Number(values['lost-answers'])) {
        delivered = false; // the answer never reached us: the same batch goes again
        resent++;
      }
    } catch {
      // the county's connector is down or restarting
    }
    if (!delivered) await sleep(Math.min(2000, 100 * 2 ** Math.min(tries, 4)));
  }
  await sleep(Number(values['interval-ms']));
}
process.stdout.write(JSON.stringify({ done: true, records: all.length, attempts, resent }) + '\n');
