/**
 * The read API under load: matter list (several filters, cursor paging) and matter detail, on a
 * database of a million matters, served by the hub's fastify app in a child process. The figure is
 * the saturation throughput of those routes (closed loop); the ceiling is the saturation throughput
 * of a fastify route returning a constant, served by the same process, measured in the same run;
 * the latency figure is p99 of an open-loop run at 70% of the routes' saturation rate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createPrincipal, issueApiKey } from '../hub/api/auth/principals.js';
import { createDb, migrate, type Db } from '../hub/store/db.js';
import { startStack } from '../stack/index.js';
import { closedLoop, createPool, openLoop, type LoadResult, type Target } from './api-load.js';
import { seedMatters, TOWNS, VILLAGES_PER_TOWN } from './api-seed.js';
import { cpuPressure } from './cpu-pressure.js';

export interface ApiBenchOptions {
  matters: number;
  /** reuse this already seeded schema instead of seeding a new one */
  schema?: string;
  /** keep the schema afterwards (and print its name) */
  keep: boolean;
  quiet: boolean;
  /** seconds of each saturation run and of the 70% open-loop run */
  saturationSeconds?: number;
  steadySeconds?: number;
}

const CONCURRENCY = 32;
const STATUSES = ['IN_PROGRESS', 'DISPATCHED', 'FOLLOW_UP', 'RECEIVED', 'REJECTED'];

async function startServer(databaseUrl: string, schema: string): Promise<{ child: ChildProcess; api: number; constant: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./api-server.ts', import.meta.url))], {
    env: { ...process.env, BENCH_DATABASE_URL: databaseUrl, BENCH_SCHEMA: schema },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`API server exited with ${code} before it listened`)));
  });
  const ports = JSON.parse(line) as { api: number; constant: number };
  return { child, ...ports };
}

function pick<T>(xs: readonly T[]): T {
  return xs[Math.floor(Math.random() * xs.length)]!;
}

/**
 * Half detail of a random existing matter, half list: no filter, a town, a village, a status, a town
 * and a status, or the next page of an earlier list (the cursor its response returned).
 */
function requestMix(minId: number, maxId: number): () => Target {
  const cursors: string[] = [];
  const keepCursor = (base: string) => (body: string) => {
    const next = (JSON.parse(body) as { nextCursor: string | null }).nextCursor;
    if (next) cursors[Math.floor(Math.random() * 256)] = `${base}&cursor=${encodeURIComponent(next)}`;
  };
  const village = () => `${pick(TOWNS)}${201 + Math.floor(Math.random() * VILLAGES_PER_TOWN)}`;
  const list = (kind: string, q: string): Target => {
    const path = `/api/v1/matters?limit=20${q}`;
    // parse one list response in four for its cursor: enough to page, cheap for the generator
    return Math.random() < 0.25 ? { kind, path, onBody: keepCursor(path) } : { kind, path };
  };
  return () => {
    const r = Math.random();
    if (r < 0.5) return { kind: 'detail', path: `/api/v1/matters/${minId + Math.floor(Math.random() * (maxId - minId + 1))}` };
    if (r < 0.58) return list('list', '');
    if (r < 0.66) return list('list town', `&division=${pick(TOWNS)}`);
    if (r < 0.74) return list('list village', `&division=${village()}`);
    if (r < 0.82) return list('list status', `&status=${pick(STATUSES)}`);
    if (r < 0.9) return list('list town+status', `&division=${pick(TOWNS)}&status=${pick(STATUSES)}`);
    const c = cursors.length ? cursors[Math.floor(Math.random() * cursors.length)] : undefined;
    return c ? { kind: 'list next page', path: c } : list('list', '');
  };
}

function fmt(r: LoadResult): string {
  return `${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms (due at ${r.maxAt.toFixed(1)} s), ${r.ok} ok, ${r.errors} errors${r.firstError ? ` (first: ${r.firstError})` : ''}`;
}

function fmtKinds(r: LoadResult): string {
  return Object.entries(r.byKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `    ${k.padEnd(16)} ${String(v.n).padStart(6)} ok  p50 ${v.p50.toFixed(1).padStart(7)} ms  p99 ${v.p99.toFixed(1).padStart(7)} ms`)
    .join('\n');
}

async function prepareSchema(db: Db, schema: string, opts: ApiBenchOptions, say: (m: string) => void): Promise<void> {
  if (opts.schema) {
    const seeded = await db.raw(`select 1 from information_schema.tables where table_schema = ? and table_name = 'matters'`, [schema]);
    if (!seeded.rows.length) throw new Error(`schema ${schema} has no matters table: seed one with --keep first`);
    say(`reusing schema ${schema}`);
    await migrate(db, schema); // a migration added since it was seeded (e.g. read indexes)
    return;
  }
  await migrate(db, schema);
  say(`seeding ${opts.matters} matters into schema ${schema} …`);
  const t0 = performance.now();
  await seedMatters(db, { matters: opts.matters, say });
  // the load wrote gigabytes of WAL: have the checkpoint it forces now rather than during the measurement
  await db.raw('checkpoint');
  say(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

export async function benchApi(opts: ApiBenchOptions) {
  // with --json stdout carries the one result line; progress goes to stderr
  const say = (m: string) => (opts.quiet ? console.error(m) : console.log(m));
  const stack = await startStack({ log: opts.quiet ? () => undefined : undefined });
  const schema = opts.schema ?? `bench_api_${randomBytes(3).toString('hex')}`;
  const db = createDb(stack.databaseUrl, { schema });
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    await prepareSchema(db, schema, opts, say);
    const bounds = (await db.raw(`select min(id) as lo, max(id) as hi, count(*) as n from matters`)).rows[0] as { lo: string; hi: string; n: string };
    const [minId, maxId] = [Number(bounds.lo), Number(bounds.hi)];
    if (!Number(bounds.n)) throw new Error(`schema ${schema} has no matters`);
    say(`${bounds.n} matters in ${schema}`);

    // Sent on every request: ignored today, required once the API authenticates.
    const principal = await createPrincipal(db, { name: 'bench', role: 'commander', jurisdiction: '' });
    const headers = { authorization: `Bearer ${await issueApiKey(db, principal.id)}` };

    server = await startServer(stack.databaseUrl, schema);
    const apiPool = createPool(`http://127.0.0.1:${server.api}`, CONCURRENCY);
    const constantPool = createPool(`http://127.0.0.1:${server.constant}`, CONCURRENCY);
    const next = requestMix(minId, maxId);
    const satSecs = opts.saturationSeconds ?? 10;

    // warm-up: connections, JIT, the database's buffer cache
    await closedLoop(apiPool, { concurrency: CONCURRENCY, seconds: 3, next, headers });
    const sat = await closedLoop(apiPool, { concurrency: CONCURRENCY, seconds: satSecs, next, headers });
    say(`saturation (closed loop, ${CONCURRENCY} in flight, ${satSecs} s), list + detail: ${fmt(sat)}\n${fmtKinds(sat)}`);

    const rate = Math.max(1, Math.round(sat.rps * 0.7));
    const steadySecs = opts.steadySeconds ?? 20;
    const pressure = cpuPressure();
    // the generator's own stalls delay sends and reads, and would count against the API
    const genDelay = monitorEventLoopDelay({ resolution: 10 });
    genDelay.enable();
    const steady = await openLoop(apiPool, { rate, seconds: steadySecs, next, headers });
    genDelay.disable();
    const stalled = pressure();
    say(`open loop at 70% of saturation (${rate} req/s for ${steadySecs} s), list + detail: ${fmt(steady)}\n${fmtKinds(steady)}`);
    say(`  slowest per second: ${steady.maxBySecond.map((v) => v.toFixed(0)).join(' ')} ms`);
    say(`  load generator event-loop delay: p99 ${(genDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(genDelay.max / 1e6).toFixed(1)} ms`);
    if (stalled !== null) say(`  CPU pressure during the run: some task waited for a core ${(stalled * 100).toFixed(0)}% of the time (the machine is shared)`);
    say(`p99 at 70%: ${steady.p99.toFixed(1)} ms (aim: under 50 ms)`);

    // the ceiling last: the 70% run follows the saturation run as closely as possible, since what the
    // machine's other tenants leave of its two cores drifts
    await closedLoop(constantPool, { concurrency: CONCURRENCY, seconds: 2, next: () => ({ path: '/constant' }), headers });
    const ceil = await closedLoop(constantPool, { concurrency: CONCURRENCY, seconds: satSecs, next: () => ({ path: '/constant' }), headers });
    say(`ceiling (closed loop, constant route, same server process): ${fmt(ceil)}`);

    await Promise.all([apiPool.close(), constantPool.close()]);
    const value = sat.rps;
    const ceiling = ceil.rps;
    const ratio = value / ceiling;
    say(`ratio: ${ratio.toFixed(3)}`);
    if (opts.keep) say(`schema kept: ${schema} (rerun with --schema ${schema})`);
    return {
      bench: 'api',
      value: Math.round(value),
      ceiling: Math.round(ceiling),
      ratio: Number(ratio.toFixed(4)),
      p99_ms: Number(steady.p99.toFixed(1)),
      unit: 'req/s',
      p50_ms: Number(steady.p50.toFixed(1)),
      rate_70: rate,
      sustained_70: Math.round(steady.rps),
      errors: sat.errors + steady.errors,
      cpu_pressure_70: stalled === null ? null : Number(stalled.toFixed(2)),
      matters: Number(bounds.n),
    };
  } finally {
    if (server) {
      const { child } = server;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    }
    if (!opts.keep && !opts.schema) await db.raw(`drop schema "${schema}" cascade`);
    await db.destroy();
    await stack.stop();
  }
}
