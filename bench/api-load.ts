/**
 * HTTP load for the API benchmark, over undici's Pool (keep-alive connections; far cheaper per
 * request than global fetch, so the generator is not what saturates).
 *
 * openLoop sends on a fixed schedule whatever the responses do, and measures each latency from the
 * request's scheduled send time: a stalled server then shows as the queueing delay every request
 * behind the stall suffers (no coordinated omission). closedLoop keeps N requests in flight as fast
 * as the server answers: its throughput is the saturation rate.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';

export interface Target {
  path: string;
  /** what the request is, for the per-kind latency breakdown */
  kind?: string;
  /** called with the body of a 2xx response (e.g. to collect a nextCursor) */
  onBody?: (body: string) => void;
}

export interface LoadResult {
  sent: number;
  ok: number;
  errors: number;
  seconds: number;
  /** successful responses per second over the run */
  rps: number;
  p50: number;
  p99: number;
  max: number;
  /** first error seen, to say what went wrong */
  firstError?: string;
  byKind: Record<string, { n: number; p50: number; p99: number }>;
  /** when (seconds into the run, by schedule) the slowest request was due */
  maxAt: number;
  /** the slowest latency among the requests due in each second of the run */
  maxBySecond: number[];
}

export function createPool(origin: string, connections: number): Pool {
  return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
}

function percentile(sorted: Float64Array, p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

class Recorder {
  private lat: number[] = [];
  private kinds = new Map<string, number[]>();
  ok = 0;
  errors = 0;
  firstError?: string;
  private maxMs = -1;
  private maxAt = NaN;
  constructor(private readonly start: number) {}
  private maxBySecond: number[] = [];
  record(ms: number, kind = 'other', since = 0) {
    if (ms > this.maxMs) [this.maxMs, this.maxAt] = [ms, (since - this.start) / 1000];
    const sec = Math.max(0, Math.floor((since - this.start) / 1000));
    this.maxBySecond[sec] = Math.max(this.maxBySecond[sec] ?? 0, ms);
    this.lat.push(ms);
    this.ok += 1;
    const k = this.kinds.get(kind);
    if (k) k.push(ms);
    else this.kinds.set(kind, [ms]);
  }
  fail(why: string) {
    this.errors += 1;
    this.firstError ??= why;
  }
  result(sent: number, seconds: number): LoadResult {
    const s = Float64Array.from(this.lat).sort();
    const byKind: LoadResult['byKind'] = {};
    for (const [k, v] of this.kinds) {
      const ks = Float64Array.from(v).sort();
      byKind[k] = { n: ks.length, p50: percentile(ks, 50), p99: percentile(ks, 99) };
    }
    return { sent, ok: this.ok, errors: this.errors, seconds, rps: this.ok / seconds, p50: percentile(s, 50), p99: percentile(s, 99), max: s.length ? s[s.length - 1]! : NaN, firstError: this.firstError, byKind, maxAt: this.maxAt, maxBySecond: Array.from(this.maxBySecond, (v) => v ?? 0) };
  }
}

async function send(pool: Pool, t: Target, headers: Record<string, string>, since: number, rec: Recorder): Promise<void> {
  try {
    const res = await pool.request({ method: 'GET', path: t.path, headers });
    const body = await res.body.text();
    if (res.statusCode >= 200 && res.statusCode < 300) {
      rec.record(performance.now() - since, t.kind, since);
      t.onBody?.(body);
    } else rec.fail(`${res.statusCode} ${t.path}: ${body.slice(0, 200)}`);
  } catch (err) {
    rec.fail(`${t.path}: ${(err as Error).message}`);
  }
}

/** `rate` requests/s for `seconds`, on schedule; waits for the stragglers (at most `drainSeconds`). */
export async function openLoop(pool: Pool, opts: { rate: number; seconds: number; next: () => Target; headers: Record<string, string>; drainSeconds?: number }): Promise<LoadResult> {
  const start = performance.now();
  const rec = new Recorder(start);
  const total = Math.round(opts.rate * opts.seconds);
  const interval = 1000 / opts.rate;
  const inflight = new Set<Promise<void>>();
  let i = 0;
  while (i < total) {
    const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
    for (; i < due; i++) {
      const p = send(pool, opts.next(), opts.headers, start + i * interval, rec);
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    await sleep(1);
  }
  const drained = Promise.all(inflight);
  await Promise.race([drained, sleep((opts.drainSeconds ?? 10) * 1000)]);
  const seconds = (performance.now() - start) / 1000;
  const r = rec.result(total, seconds);
  // requests still unanswered after the drain count as errors: they were never served
  r.errors += total - r.ok - rec.errors;
  return r;
}

/** `concurrency` requests in flight for `seconds`: the saturation throughput. */
export async function closedLoop(pool: Pool, opts: { concurrency: number; seconds: number; next: () => Target; headers: Record<string, string> }): Promise<LoadResult> {
  const start = performance.now();
  const rec = new Recorder(start);
  let sent = 0;
  const end = start + opts.seconds * 1000;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (performance.now() < end) {
        sent += 1;
        await send(pool, opts.next(), opts.headers, performance.now(), rec);
      }
    }),
  );
  return rec.result(sent, (performance.now() - start) / 1000);
}
