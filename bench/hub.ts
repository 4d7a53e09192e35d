/**
 * The hub's apply path — decode (registry), merge (candidate queries + matching), route (tasks with
 * SLA deadlines), link subjects, all in PostgreSQL transactions with the consumed offsets — in
 * records/s over the records it applied (new records and new versions; redeliveries and stale
 * versions are counted apart) from the consumer's group join to its last commit (and, beside it,
 * from the hub's start, Kafka's group start-up included), against PostgreSQL COPY FROM STDIN of the same rows (the
 * source_records the run wrote) into a table of the same shape on an already open connection,
 * measured in the same run on the same server. Prints where the apply time goes per phase.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKafka } from '../core/kafka.js';
import { createLogger } from '../core/log.js';
import { replayDataset } from '../connectors/runtime/replay-dataset.js';
import { HubConsumer } from '../hub/ingest/consumer.js';
import { phaseTimes, resetPhases } from '../hub/ingest/phase-clock.js';
import { HubRouting } from '../hub/ingest/routing.js';
import { createDb, hubApplicationName, migrate } from '../hub/store/db.js';
import { topics } from '../schemas/index.js';
import { SchemaCodec } from '../schemas/registry.js';
import { generateDataset } from '../simulators/county/generate.js';
import { startStack, type Stack } from '../stack/index.js';
import { QueryProfile } from './query-profile.js';
import { BackendCpu, mainThreadCpuMs } from './process-cpu.js';
import type { HubInstanceData, HubInstanceResult } from './hub-instance.js';
import { Worker } from 'node:worker_threads';

/** Several instances' counts as one: records summed, from the first join to the last commit. */
function combinedStats(all: Array<HubConsumer['stats']>): Pick<HubConsumer['stats'], 'applied' | 'batches' | 'joinedAt' | 'lastAppliedAt'> {
  const times = (xs: Array<number | null>) => xs.filter((x): x is number => x !== null);
  const joined = times(all.map((x) => x.joinedAt));
  const last = times(all.map((x) => x.lastAppliedAt));
  return {
    applied: { new: sum(all.map((x) => x.applied.new)), updated: sum(all.map((x) => x.applied.updated)), stale: sum(all.map((x) => x.applied.stale)), duplicate: sum(all.map((x) => x.applied.duplicate)) },
    batches: sum(all.map((x) => x.batches)),
    joinedAt: joined.length ? Math.min(...joined) : null,
    lastAppliedAt: last.length ? Math.max(...last) : null,
  };
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * Hub instances of one consumer group, started in worker threads of their own (--instances N); the
 * TypeScript loader is registered in each (a worker does not inherit the tsx command's).
 */
async function startInstances(n: number, data: Omit<HubInstanceData, 'index'>): Promise<{ stop(): Promise<HubInstanceResult[]> }> {
  const workers = Array.from({ length: n }, (_, index) => new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./hub-instance.ts', import.meta.url).href)}); })`, { eval: true, workerData: { ...data, index } satisfies HubInstanceData }));
  await Promise.all(
    workers.map((w) => new Promise<void>((resolve, reject) => {
      w.once('error', reject);
      w.once('message', () => resolve());
    })),
  );
  return {
    stop: () => Promise.all(workers.map((w) => new Promise<HubInstanceResult>((resolve, reject) => {
      w.once('error', reject);
      w.once('message', (m: HubInstanceResult) => void w.terminate().then(() => resolve(m)));
      w.postMessage('stop');
    }))),
  };
}

/** A generated county day's records, replayed through the connectors' mapping onto a schema's own topics. */
async function countyOnTopics(stack: Stack, dir: string, seed: number, scale: number, schema: string, log: ReturnType<typeof createLogger>) {
  const { manifest } = generateDataset({ seed, scale }, dir);
  const names = topics(`bench.${schema}`);
  const kafka = createKafka(stack.kafkaBrokers, 'bench-hub');
  const codec = new SchemaCodec(stack.schemaRegistryUrl, names);
  const routing = HubRouting.load({ divisionsFile: join(dir, 'geo/divisions.json') });
  const { departments } = await replayDataset(dir, manifest, { kafka, codec, topics: names, personalDataKey: 'bench-county-key-0123456789', catalogue: routing.catalogue, log }, { idPrefix: 'bench' });
  return { names, kafka, codec, routing, produced: departments.reduce((n, d) => n + d.produced, 0) };
}

/**
 * Applies another county day (another seed) in a schema of its own until the hub has no lag, in
 * this process, before the measured run: a hub runs for months, and a cold process spends a large
 * part of its first seconds in V8's optimising compiler (measured: as much CPU as the main thread
 * itself at scale 0.1, functions deoptimised and compiled again as new shapes of records arrive).
 */
async function warmUp(stack: Stack, scale: number, log: ReturnType<typeof createLogger>): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'countyhub-bench-warm-'));
  const schema = `bench_warm_${randomBytes(3).toString('hex')}`;
  const db = createDb(stack.databaseUrl, { schema });
  try {
    await migrate(db, schema);
    const { names, kafka, codec, routing } = await countyOnTopics(stack, dir, 8, scale, schema, log);
    const hub = new HubConsumer({ kafka, db, codec, topics: names, log, routing, groupId: `bench-${schema}`, runRecords: Number(process.env.HUB_RUN_RECORDS) || undefined });
    await hub.start();
    while (Object.values(await hub.lag()).some((behind) => behind > 0)) await sleep(250);
    await hub.stop();
    return hub.stats.applied.new + hub.stats.applied.updated;
  } finally {
    await db.raw(`drop schema if exists "${schema}" cascade`).catch(() => undefined);
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchHub(opts: { scale: number; quiet: boolean; instances?: number; warmUp?: number }) {
  const instances = Math.max(1, opts.instances ?? 1);
  // instances in worker threads compile their code afresh: a warm-up in this thread would not warm them
  if (opts.warmUp && instances > 1) throw new Error('--warm-up warms the hub in this process: use it with one instance');
  const say = (m: string) => (opts.quiet ? undefined : console.log(m));
  const dir = mkdtempSync(join(tmpdir(), 'countyhub-bench-hub-'));
  const stack = await startStack({ log: opts.quiet ? () => undefined : undefined });
  const schema = `bench_${randomBytes(3).toString('hex')}`;
  const db = createDb(stack.databaseUrl, { schema });
  const log = createLogger('bench');
  try {
    await migrate(db, schema);
    if (opts.warmUp) {
      const warmed = await warmUp(stack, opts.warmUp, log);
      say(`warm-up: ${warmed} records applied in another schema first, so that the figures below are those of a hub that has been running (its code compiled by V8's optimiser; its caches hold another day's records)`);
    }
    const { names, kafka, codec, routing, produced } = await countyOnTopics(stack, dir, 7, opts.scale, schema, log);
    say(`${produced} canonical records in Kafka; the hub starts now`);
    const hub = new HubConsumer({ kafka, db, codec, topics: names, log, routing, groupId: `bench-${schema}`, partitionsConcurrently: Number(process.env.HUB_PARTITIONS_CONCURRENTLY) || undefined, runRecords: Number(process.env.HUB_RUN_RECORDS) || undefined });
    // the heap the hub keeps (caches, memo tables) after applying the run: a hub runs for years
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const profile = new QueryProfile(db);
    resetPhases();
    const t0 = performance.now();
    const wall0 = Date.now();
    // the hub's own CPU (this process): on a machine shared with other work the wall time says how
    // busy the machine was as much as what the hub costs
    const cpu0 = process.cpuUsage();
    const main0 = mainThreadCpuMs();
    const backendCpu = new BackendCpu(stack.databaseUrl, hubApplicationName(schema));
    await backendCpu.start();
    // one instance in this process (its CPU profile and per-statement times are this process's);
    // several in worker threads of their own, in one consumer group
    const group = instances > 1
      ? await startInstances(instances, { brokers: stack.kafkaBrokers, registryUrl: stack.schemaRegistryUrl, databaseUrl: stack.databaseUrl, schema, topicPrefix: `bench.${schema}`, divisionsFile: join(dir, 'geo/divisions.json'), groupId: `bench-${schema}` })
      : (await hub.start(), undefined);
    // until it has applied everything on the topics it consumes (cases and approvals are produced but not applied yet)
    while (Object.values(await hub.lag()).some((behind) => behind > 0)) await sleep(250);
    const secs = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const mainCpuMs = main0 === null || group ? null : mainThreadCpuMs()! - main0;
    const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
    const pgCpuMs = await backendCpu.stop();
    const results = group ? await group.stop() : (await hub.stop(), [{ index: 0, stats: hub.stats, phases: phaseTimes() }]);
    profile.stop();
    gc?.();
    const heapKeptMb = gc && !group ? (process.memoryUsage().heapUsed - heap0) / 2 ** 20 : null;
    const phases: Record<string, number> = {};
    for (const r of results) for (const [k, v] of Object.entries(r.phases)) phases[k] = (phases[k] ?? 0) + v;
    const s = combinedStats(results.map((r) => r.stats));
    const a = s.applied;
    const applied = a.new + a.updated;
    // the apply itself: from the group join (Kafka holds a new group's first join for
    // group.initial.rebalance.delay.ms, 3 s by default — a hub's start-up, not its apply path) to
    // the last commit; and, as before, from the hub's start until the lag polls read 0
    const startupSecs = ((s.joinedAt ?? wall0) - wall0) / 1000;
    const applySecs = Math.max(0.001, ((s.lastAppliedAt ?? Date.now()) - (s.joinedAt ?? wall0)) / 1000);
    const value = applied / applySecs;
    const valueFromStart = applied / secs;
    // the apply window on the monotonic clock of a V8 CPU profile (node --cpu-prof), for
    // bench/cpu-profile-summary.ts --window
    const monoUs = Number(process.hrtime.bigint() / 1000n);
    const nowMs = Date.now();
    const window = [s.joinedAt ?? wall0, s.lastAppliedAt ?? nowMs].map((ms) => monoUs - (nowMs - ms) * 1000);

    // ceiling: COPY FROM STDIN of the very rows the hub wrote, into a table of the same shape, on an open connection
    const rows = (await db.raw(`select kind, source_system, source_record_id, source_version, department, payload, topic, partition, "offset" from source_records`)).rows as Array<Record<string, unknown>>;
    const csv = rows.map((r) => Object.values(r).map((v) => `"${String(typeof v === 'object' ? JSON.stringify(v) : v).replace(/"/g, '""')}"`).join(',')).join('\n') + '\n';
    await db.raw(`create table copy_ceiling (like source_records including defaults including indexes)`);
    const client = new pg.Client({ connectionString: stack.databaseUrl });
    await client.connect();
    let copySecs: number;
    try {
      await client.query(`set search_path to "${schema}", public`);
      const c0 = performance.now();
      await pipeline(Readable.from([csv]), client.query(copyFrom(`copy copy_ceiling (kind, source_system, source_record_id, source_version, department, payload, topic, partition, "offset") from stdin with (format csv)`)));
      copySecs = (performance.now() - c0) / 1000;
    } finally {
      await client.end();
    }
    const ceiling = rows.length / copySecs;
    const ratio = value / ceiling;
    say(`hub${instances > 1 ? ` (${instances} instances in one consumer group, each in a worker thread: ${results.map((r) => `${r.stats.applied.new + r.stats.applied.updated}`).join(' + ')} records)` : ''}: ${applied} records applied to PostgreSQL in ${applySecs.toFixed(1)} s from the group join to the last commit = ${value.toFixed(0)} records/s; ${secs.toFixed(1)} s = ${valueFromStart.toFixed(0)} records/s from the hub's start (group join after ${startupSecs.toFixed(1)} s) until no lag (${s.applied.new} new, ${s.applied.updated} new versions; apart: ${s.applied.stale} stale, ${s.applied.duplicate} redelivered; ${s.batches} transactions)`);
    say(`apply window (monotonic µs, for cpu-profile-summary --window): ${window.join('-')}`);
    say(`ceiling (PostgreSQL COPY FROM STDIN of the same ${rows.length} rows on an open connection): ${ceiling.toFixed(0)} records/s`);
    say(`ratio: ${ratio.toFixed(3)}`);
    const phaseMs = Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v)]));
    say(`hub process CPU: ${(cpuMs / 1000).toFixed(1)} s = ${((cpuMs / Math.max(1, applied)) ).toFixed(2)} ms per record (${(applied / Math.max(0.001, cpuMs / 1000)).toFixed(0)} records per CPU-second); load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    say(heapKeptMb === null ? 'heap kept by the hub: run with node --expose-gc (one instance) to see it' : `heap kept by the hub after the run: ${heapKeptMb.toFixed(0)} MB (${((heapKeptMb * 2 ** 20) / Math.max(1, applied) / 1024).toFixed(1)} KiB per record applied)`);
    if (pgCpuMs !== null) {
      // the hub and its PostgreSQL backends, per record: what the cores must give for each record
      const perRecord = (cpuMs + pgCpuMs) / Math.max(1, applied);
      say(`PostgreSQL backends serving the hub: ${(pgCpuMs / 1000).toFixed(1)} s of CPU = ${(pgCpuMs / Math.max(1, applied)).toFixed(2)} ms per record; hub + PostgreSQL ${perRecord.toFixed(2)} ms per record: this machine's ${availableParallelism()} cores could apply at most ${((availableParallelism() * 1000) / perRecord).toFixed(0)} records/s with nothing else running`);
    }
    if (mainCpuMs !== null) say(`of which the main thread (JavaScript: matching, knex, drivers; not GC helpers or libuv): ${(mainCpuMs / 1000).toFixed(1)} s = ${(mainCpuMs / Math.max(1, applied)).toFixed(2)} ms per record`);
    say(`per phase (s): ${Object.entries(phases).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ')} — of ${secs.toFixed(1)} s (the rest: Kafka fetches, lag polls, idle)`);
    // the ceiling's own statements are not the hub's
    const pgMs = profile.totalMs();
    if (group) say('(statements are profiled with one instance only: the instances run in threads of their own)');
    else say(`where the time goes: ${profile.count()} statements (${(profile.count() / Math.max(1, applied)).toFixed(2)} per record) took ${(pgMs / 1000).toFixed(1)} s = ${((pgMs / 10 / secs)).toFixed(0)} % of the run waiting on PostgreSQL; the rest is Node (decode, matching, knex) and Kafka (not counted: ${profile.outside} statements outside a transaction, the bench's lag polls)`);
    if (!group) for (const c of profile.statements().slice(0, Number(process.env.BENCH_STATEMENTS) || 12)) say(`  ${c.statement.padEnd(32)} ${String(c.count).padStart(8)} × ${(c.ms / c.count).toFixed(2)} ms = ${(c.ms / 1000).toFixed(1)} s`);
    return {
      bench: 'hub',
      instances,
      warm_up_scale: opts.warmUp ?? 0,
      value: Math.round(value),
      ceiling: Math.round(ceiling),
      ratio: Number(ratio.toFixed(4)),
      unit: 'records/s',
      applied,
      seconds: Number(applySecs.toFixed(2)),
      startup_seconds: Number(startupSecs.toFixed(2)),
      value_from_start: Math.round(valueFromStart),
      seconds_from_start: Number(secs.toFixed(2)),
      statements_per_record: Number((profile.count() / Math.max(1, applied)).toFixed(3)),
      phases_ms: phaseMs,
      cpu_ms: cpuMs,
      main_thread_cpu_ms: mainCpuMs,
      postgres_cpu_ms: pgCpuMs === null ? null : Math.round(pgCpuMs),
      heap_kept_mb: heapKeptMb === null ? null : Math.round(heapKeptMb),
      load_average: loadavg().map((x) => Number(x.toFixed(1))),
    };
  } finally {
    // (the bench's schema is its own: a shared server keeps no copy of every run)
    await db.raw(`drop schema if exists "${schema}" cascade`).catch(() => undefined);
    await db.destroy();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
