/**
 * Waiting out an outage of a server the hub depends on (the schema registry, PostgreSQL) instead
 * of blaming the records: a record whose schema cannot be fetched, or that could not be stored
 * because the connection dropped, is fine — it is tried again, with backoff, for as long as the
 * outage lasts, while the partition holds still (records of a partition stay in order) and the
 * consumer keeps its group membership with heartbeats. Only a stop or a rebalance ends the wait;
 * the records are then fetched again by whoever owns the partition next.
 */
import type { Logger } from '../../core/log.js';

/** The consumer is stopping or lost the partition while waiting: leave the batch unresolved. */
export class ConsumerStoppedWhileWaiting extends Error {
  constructor(what: string) {
    super(`stopped while waiting for ${what}`);
    this.name = 'ConsumerStoppedWhileWaiting';
  }
}

export interface OutageWaitOptions {
  /** What is being waited for, for the log: 'the schema registry', 'PostgreSQL'. */
  what: string;
  log: Logger;
  /** Fields for every log line (topic, partition, offset). */
  fields: Record<string, unknown>;
  /** False once the consumer stops or the batch went stale (rebalance). */
  alive: () => boolean;
  heartbeat: () => Promise<void>;
  /** Called with the start time when an outage begins, and null when it ends (for status). */
  onOutage?: (since: number | null) => void;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/** A warning line this often while an outage lasts, so an operator sees it is still going on. */
const REMIND_EVERY_MS = 30_000;
/** Heartbeat at least this often while waiting (the group's session time-out is 30 s by default). */
const HEARTBEAT_EVERY_MS = 3_000;

/**
 * Calls `attempt` until it succeeds, or fails for a reason `isOutage` does not recognise (thrown
 * as is). During an outage: a warning at once naming the server and the reason, a reminder every
 * 30 s, and a note with the time waited when it is over.
 */
export async function untilAvailable<T>(attempt: () => Promise<T>, isOutage: (err: unknown) => boolean, opts: OutageWaitOptions): Promise<T> {
  let since: number | null = null;
  let delay = opts.firstDelayMs ?? 200;
  let remindAt = 0;
  for (;;) {
    try {
      const result = await attempt();
      if (since !== null) {
        opts.log.info({ ...opts.fields, waitedMs: Date.now() - since }, `${opts.what} is back; carrying on`);
        opts.onOutage?.(null);
      }
      return result;
    } catch (err) {
      if (!isOutage(err)) throw err;
      const now = Date.now();
      if (since === null) {
        since = now;
        remindAt = now + REMIND_EVERY_MS;
        opts.onOutage?.(since);
        opts.log.warn({ ...opts.fields, err: (err as Error).message }, `waiting for ${opts.what}: the records are kept and tried again, not dead-lettered`);
      } else if (now >= remindAt) {
        remindAt = now + REMIND_EVERY_MS;
        opts.log.warn({ ...opts.fields, waitingMs: now - since, err: (err as Error).message }, `still waiting for ${opts.what}`);
      }
      await pause(delay * (0.75 + Math.random() * 0.5), opts);
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 5_000);
    }
  }
}

/** Sleeps in short steps, heartbeating, and gives up as soon as the consumer stops. */
async function pause(ms: number, opts: OutageWaitOptions): Promise<void> {
  const end = Date.now() + ms;
  let beatAt = 0;
  for (;;) {
    if (!opts.alive()) throw new ConsumerStoppedWhileWaiting(opts.what);
    if (Date.now() >= beatAt) {
      await opts.heartbeat().catch(() => undefined);
      beatAt = Date.now() + HEARTBEAT_EVERY_MS;
    }
    const left = end - Date.now();
    if (left <= 0) return;
    await new Promise((r) => setTimeout(r, Math.min(left, 250)));
  }
}
