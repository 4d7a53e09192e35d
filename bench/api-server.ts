/**
 * The API under benchmark, in a process of its own so that the load generator does not share its
 * event loop: the hub's fastify app (buildApi) on one port and, on a second port, a bare fastify
 * route that returns a constant — the ceiling of the HTTP stack alone on this machine.
 * Reads BENCH_DATABASE_URL and BENCH_SCHEMA; prints one JSON line {"api":port,"constant":port} when ready.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Fastify from 'fastify';
import { buildApi } from '../hub/api/server.js';
import { createDb } from '../hub/store/db.js';

const url = process.env.BENCH_DATABASE_URL;
const schema = process.env.BENCH_SCHEMA;
if (!url || !schema) throw new Error('BENCH_DATABASE_URL and BENCH_SCHEMA must be set');

const db = createDb(url, { schema, poolMax: Number(process.env.BENCH_POOL_MAX ?? 10) });
// the bench is one principal at saturation: a production rate limit would measure the limiter's 429s
const api = await buildApi({ db, rateLimitPerMinute: 100_000_000 });
const constant = Fastify({ logger: false });
constant.get('/constant', async () => ({ status: 'ok' }));

const apiUrl = new URL(await api.listen({ host: '127.0.0.1', port: 0 }));
const constantUrl = new URL(await constant.listen({ host: '127.0.0.1', port: 0 }));
process.stdout.write(JSON.stringify({ api: Number(apiUrl.port), constant: Number(constantUrl.port) }) + '\n');

// reported at exit: tells a stall of this process (GC, a synchronous hot spot) from one of the database
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

const stop = async () => {
  loopDelay.disable();
  process.stderr.write(`api server: event-loop delay p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms\n`);
  await Promise.allSettled([api.close(), constant.close()]);
  await db.destroy();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
// the parent's death closes stdin: do not outlive it
process.stdin.on('end', () => void stop());
process.stdin.resume();
