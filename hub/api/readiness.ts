/**
 * /ready: can the hub do its work now? PostgreSQL, Kafka and the schema registry, each checked
 * with a short time-out and reported by name, so a duty engineer sees which one is missing.
 */
import type { Kafka } from '../../core/kafka/client.js';
import { registryHeaders } from '../../schemas/registry.js';
import type { Db } from '../store/db.js';

export interface ReadinessTargets {
  kafka?: Kafka;
  /** The registry's Confluent-compatible base URL. */
  registryUrl?: string;
}

export interface Check {
  ok: boolean;
  ms: number;
  error?: string;
}

const TIMEOUT_MS = 3000;

async function timed(what: () => Promise<unknown>): Promise<Check> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([what(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS)))]);
    return { ok: true, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    return { ok: false, ms: Math.round(performance.now() - t0), error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export async function readinessChecks(db: Db, targets: ReadinessTargets): Promise<Record<string, Check>> {
  const { kafka, registryUrl } = targets;
  const entries: Array<[string, Promise<Check>]> = [['postgresql', timed(() => db.raw('select 1'))]];
  if (kafka) {
    entries.push([
      'kafka',
      timed(async () => {
        const admin = kafka.admin({ retries: 0 });
        try {
          await admin.connect();
          await admin.describeCluster();
        } finally {
          await admin.disconnect().catch(() => undefined);
        }
      }),
    ]);
  }
  if (registryUrl) {
    entries.push([
      'registry',
      timed(async () => {
        const res = await fetch(`${registryUrl.replace(/\/$/, '')}/subjects`, { headers: registryHeaders(), signal: AbortSignal.timeout(TIMEOUT_MS) });
        if (!res.ok) throw new Error(`answered ${res.status}`);
      }),
    ]);
  }
  return Object.fromEntries(await Promise.all(entries.map(async ([name, p]) => [name, await p] as const)));
}
