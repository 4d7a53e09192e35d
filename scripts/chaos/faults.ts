/**
 * The faults of the chaos suite, each bounded in time. A fault injects, lasts, and undoes itself
 * (restarts what it killed, heals what it broke); the suite then checks the whole pipeline.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { ChaosStack } from './chaos-stack.js';
import { DB_SCHEMA, type Pipeline, type PlatformRun } from './pipeline.js';
import type { Supervised } from './supervisor.js';

export interface FaultContext {
  stack: ChaosStack;
  pipeline: Pipeline;
  rand: () => number;
  quick: boolean;
  registryDownMs: number;
  log: (m: string) => void;
}

export interface Fault {
  name: string;
  /** What is done, in a few words (the table's second column). */
  what: string;
  /** Runs the fault to its end; returns notes worth reporting (e.g. what was in flight). */
  run(ctx: FaultContext): Promise<string | void>;
}

const between = (ctx: FaultContext, min: number, max: number) => Math.round(min + ctx.rand() * (max - min));

async function killAtRandom(ctx: FaultContext, proc: Supervised, kills: number): Promise<string> {
  const at: number[] = [];
  for (let i = 0; i < kills; i++) {
    const wait = between(ctx, 1000, ctx.quick ? 4000 : 8000);
    await sleep(wait);
    await proc.kill9(between(ctx, 0, 2000));
    at.push(wait);
  }
  return `kill -9 after ${at.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}`;
}

async function untilConsumed(ctx: FaultContext, runs: PlatformRun[], boundMs: number): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (runs.some((r) => r.proxy.pending() > 0) && Date.now() < deadline) await sleep(500);
  for (const r of runs) r.proxy.clear();
}

function injected(runs: PlatformRun[], mode: string): string {
  return runs.map((r) => `${r.spec.name} ${r.proxy.injected[mode] ?? 0}`).join(', ');
}

async function unpublishedDecisions(databaseUrl: string): Promise<number> {
  const c = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>(`select count(*) as n from "${DB_SCHEMA}".dispatch_outbox where published_at is null`);
    return Number(r.rows[0]?.n ?? 0);
  } finally {
    await c.end().catch(() => undefined);
  }
}

export function allFaults(p: Pipeline): Fault[] {
  const faults: Fault[] = [];
  for (const run of p.platforms) {
    faults.push({ name: `kill-worker-${run.spec.name}`, what: `kill -9 the ${run.spec.connector} worker`, run: (ctx) => killAtRandom(ctx, run.worker, ctx.quick ? 1 : 2) });
  }
  faults.push({ name: 'kill-hub', what: 'kill -9 the hub (consumer, API, publisher)', run: (ctx) => killAtRandom(ctx, ctx.pipeline.hub, ctx.quick ? 1 : 2) });
  faults.push({
    name: 'kill-publisher',
    what: 'kill -9 the hub while decisions wait in its outbox',
    async run(ctx) {
      // the publisher runs inside the hub: it is killed when decisions are queued and not yet sent
      const deadline = Date.now() + 30_000;
      let waiting = 0;
      while (Date.now() < deadline) {
        waiting = await unpublishedDecisions(ctx.stack.databaseUrl).catch(() => 0);
        if (waiting > 0) break;
        await sleep(50);
      }
      await ctx.pipeline.hub.kill9(between(ctx, 0, 2000));
      return waiting > 0 ? `killed with ${waiting} decision(s) unpublished` : 'no decision was waiting within 30 s; killed anyway';
    },
  });
  for (const sink of p.sinks) {
    faults.push({ name: `kill-${sink.name.replace(' ', '-')}`, what: `kill -9 the ${sink.name.replace('sink ', '')} dispatch sink`, run: (ctx) => killAtRandom(ctx, sink, 1) });
  }
  faults.push({
    name: 'kafka-restart',
    what: 'kill -9 the Kafka broker, start it again',
    async run(ctx) {
      await sleep(between(ctx, 1000, 4000));
      await ctx.stack.kafka.kill();
      const down = between(ctx, 5000, ctx.quick ? 8000 : 15_000);
      await sleep(down);
      await ctx.stack.kafka.start();
      return `down ${(down / 1000).toFixed(1)} s`;
    },
  });
  faults.push({
    name: 'registry-down',
    what: 'schema registry killed, down, started again',
    async run(ctx) {
      await ctx.stack.registry.kill();
      await sleep(ctx.registryDownMs);
      await ctx.stack.registry.start();
      return `down ${(ctx.registryDownMs / 1000).toFixed(0)} s`;
    },
  });
  faults.push({
    name: 'postgres-restart',
    what: 'PostgreSQL stopped (immediate), started again',
    async run(ctx) {
      await sleep(between(ctx, 1000, 4000));
      const down = between(ctx, 3000, ctx.quick ? 6000 : 12_000);
      await ctx.stack.postgres.restart(down);
      return `down ${(down / 1000).toFixed(1)} s`;
    },
  });
  const platformFault = (name: string, what: string, inject: (r: PlatformRun) => void, mode: string): Fault => ({
    name,
    what,
    async run(ctx) {
      const runs = ctx.pipeline.platforms;
      for (const r of runs) inject(r);
      await untilConsumed(ctx, runs, 90_000);
      return `answered: ${injected(runs, mode)}`;
    },
  });
  faults.push(platformFault('platform-500', 'platforms answer 500 with an HTML page (8×)', (r) => r.proxy.inject({ mode: 'http500', count: 8 }), 'http500'));
  faults.push(platformFault('platform-429', 'platforms answer 429 Retry-After: 2 (6×)', (r) => r.proxy.inject({ mode: 'http429', count: 6 }), 'http429'));
  faults.push(platformFault('platform-timeout', 'platforms hang past the client time-out (2×)', (r) => r.proxy.inject({ mode: 'timeout', count: 2, holdMs: 15_000 }), 'timeout'));
  faults.push(platformFault('platform-html', 'platforms answer 200 with an HTML page instead of JSON (4×)', (r) => r.proxy.inject({ mode: 'html', count: 4 }), 'html'));
  faults.push({
    name: 'platform-page-shift',
    what: '12345: 500 orders in one second; page 1 changes before page 2',
    async run(ctx) {
      const run = ctx.pipeline.platforms.find((r) => r.spec.paging)!;
      run.proxy.inject({ mode: 'page-shift', count: 1, touch: 100 });
      // a bulk operation: many orders with one update time, more than one page of them
      await fetch(`${run.directUrl}/__sim/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: 500 }) });
      await untilConsumed(ctx, [run], 60_000);
      return `${run.proxy.touched} record(s) changed between pages`;
    },
  });
  faults.push({
    name: 'slow-network',
    what: 'workers↔Kafka: +300 ms ±200 per chunk, connections cut twice',
    async run(ctx) {
      const link = ctx.stack.workerLink;
      const lasts = ctx.quick ? 12_000 : 30_000;
      link.setQuality({ delayMs: 300, jitterMs: 200 });
      await sleep(lasts / 3);
      const first = link.cut();
      await sleep(lasts / 3);
      link.refuse(true);
      const second = link.cut();
      await sleep(3000);
      link.refuse(false);
      await sleep(lasts / 3);
      link.heal();
      return `${(lasts / 1000).toFixed(0)} s slow; cut ${first} then ${second} connection(s), refused 3 s`;
    },
  });
  return faults;
}

export const QUICK_FAULTS = ['kill-worker-hotline', 'kill-hub', 'kafka-restart', 'registry-down', 'postgres-restart', 'platform-500', 'platform-page-shift', 'slow-network'];
