/**
 * kill -9 at random moments: starts a connector worker process, kills it with SIGKILL after a
 * random delay, restarts it, a given number of times, then lets the last one catch up. Used for
 * every source kind; the assertions (source == Kafka, no duplicates) are the caller's.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { seededRandom } from '../../simulators/shared/county.js';
import type { RunningProcess } from '../../stack/processes.js';

export interface KillPlan {
  kills: number;
  minMs: number;
  maxMs: number;
  seed?: number;
}

export async function killRepeatedly(start: () => Promise<RunningProcess>, plan: KillPlan): Promise<{ last: RunningProcess; killedAtMs: number[] }> {
  const rand = seededRandom(plan.seed ?? Date.now());
  const killedAtMs: number[] = [];
  let p = await start();
  for (let i = 0; i < plan.kills; i++) {
    const wait = Math.round(plan.minMs + rand() * (plan.maxMs - plan.minMs));
    await sleep(wait);
    await p.stop('SIGKILL');
    killedAtMs.push(wait);
    p = await start();
  }
  return { last: p, killedAtMs };
}
