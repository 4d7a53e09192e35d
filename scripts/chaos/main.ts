/**
 * `npm run chaos`: the demo pipeline under a sequence of faults, each bounded in time; after each,
 * the sequence checker (checker.ts) compares the platforms' records with Kafka and the hub.
 *
 *   npm run chaos [-- --json] [--quick] [--faults a,b|all] [--list] [--seed N] [--registry-minute] [--recover-s N]
 *
 * Exit code 1 when anything is lost, duplicated or not recovered; 2 when the suite itself could
 * not run (stack, pipeline). See README "Chaos suite".
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKafka } from '../../core/kafka.js';
import { seededRandom } from '../../simulators/shared/county.js';
import { startChaosStack, type ChaosStack } from './chaos-stack.js';
import { converged, SequenceChecker, type Observation } from './checker.js';
import { allFaults, QUICK_FAULTS, type Fault } from './faults.js';
import { DB_SCHEMA, startPipeline, TOPIC_PREFIX, type Pipeline } from './pipeline.js';
import { printTable, type FaultResult } from './report.js';
import { crashSummary } from './supervisor.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    faults: { type: 'string' },
    list: { type: 'boolean', default: false },
    seed: { type: 'string' },
    'registry-minute': { type: 'boolean', default: false },
    'recover-s': { type: 'string' },
  },
});
const json = values.json;
const quick = values.quick;
const say = (m: string) => process.stderr.write(`[chaos] ${m}\n`);
const seed = Number(values.seed ?? Date.now() % 100_000);
const recoverMs = Number(values['recover-s'] ?? (quick ? 150 : 240)) * 1000;

let stack: ChaosStack | undefined;
let pipeline: Pipeline | undefined;
const cleanup = async () => {
  await pipeline?.stop().catch(() => undefined);
  await stack?.stop().catch(() => undefined);
};
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    say(`${sig}: stopping…`);
    void cleanup().finally(() => process.exit(130));
  });
}

try {
  process.exitCode = await main();
} catch (err) {
  say(`the suite could not run: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 2;
} finally {
  await cleanup();
}
process.exit(process.exitCode);

async function main(): Promise<number> {
  const t0 = Date.now();
  if (values.list) {
    // the names do not depend on the running pipeline's details, only on the platforms and sinks
    for (const n of faultNames()) console.log(n);
    return 0;
  }
  const wanted = values.faults === 'all' ? undefined : values.faults ? values.faults.split(',').map((s) => s.trim()).filter(Boolean) : quick ? QUICK_FAULTS : undefined;
  const unknown = (wanted ?? []).filter((n) => !faultNames().includes(n));
  if (unknown.length) {
    say(`unknown fault(s): ${unknown.join(', ')}; known: ${faultNames().join(', ')}`);
    return 2;
  }
  say(`seed ${seed}${quick ? ', quick' : ''}; starting a stack of its own (Kafka, registry, private PostgreSQL)…`);
  stack = await startChaosStack(say);
  pipeline = await startPipeline(stack, { activityEveryMs: quick ? 2000 : 1000, scale: quick ? 0.02 : 0.05, dir: join(stack.runDir, 'data'), log: say });
  const checker = new SequenceChecker(createKafka(stack.kafkaBrokers, 'chaos-checker'), stack.schemaRegistryUrl, stack.databaseUrl, DB_SCHEMA, TOPIC_PREFIX);
  const faults = allFaults(pipeline).filter((f) => !wanted || wanted.includes(f.name));
  const rand = seededRandom(seed);

  say(`pipeline running; waiting for the history to flow through (up to ${Math.round(recoverMs / 1000) + 120} s)…`);
  pipeline.pauseActivity();
  const base = await untilConverged(checker, pipeline, Date.now(), recoverMs + 120_000);
  if (!base.ok) {
    say(`the pipeline did not settle before any fault: ${explain(base.last)}`);
  } else say(`settled: ${base.last.truth} platform records in Kafka and the hub (${(base.seconds ?? 0).toFixed(1)} s)`);

  const startupCrashes = pipeline.crashes.map(crashSummary);
  const results: FaultResult[] = [];
  const reported = { missing: new Set<string>(), duplicates: duplicateCount(base.last) };
  for (const fault of faults) {
    const r = await runFault(fault, checker, pipeline, stack, rand, reported);
    results.push(r);
    if (json) console.log(JSON.stringify({ chaos: 'fault', ...r }));
    else say(`${r.name}: ${r.recovered ? `recovered in ${r.recoverSeconds} s` : 'NOT recovered'}, lost ${r.lost}, duplicated ${r.duplicated}, re-read ${r.reRead}`);
  }
  const total = {
    chaos: 'total',
    faults: results.length,
    lost: results.reduce((n, r) => n + r.lost, 0),
    duplicated: results.reduce((n, r) => n + r.duplicated, 0),
    unrecovered: results.filter((r) => !r.recovered).length,
    crashes: results.reduce((n, r) => n + r.crashes.length, 0),
    startupCrashes,
    seconds: Math.round((Date.now() - t0) / 1000),
    seed,
  };
  if (json) console.log(JSON.stringify(total));
  else printTable(results, total);
  for (const c of startupCrashes) say(`start-up crash (restarted): ${c}`);
  return total.lost || total.duplicated || total.unrecovered || !base.ok ? 1 : 0;
}

function faultNames(): string[] {
  const names = ['hotline', 'grid', 'environment', 'approval'].map((p) => `kill-worker-${p}`);
  names.push('kill-hub', 'kill-publisher', 'kill-sink-environment', 'kill-sink-grid', 'kill-sink-hotline', 'kafka-restart', 'registry-down', 'postgres-restart');
  names.push('platform-500', 'platform-429', 'platform-timeout', 'platform-html', 'platform-page-shift', 'slow-network');
  return names;
}

async function runFault(
  fault: Fault,
  checker: SequenceChecker,
  p: Pipeline,
  s: ChaosStack,
  rand: () => number,
  reported: { missing: Set<string>; duplicates: number },
): Promise<FaultResult> {
  say(`— ${fault.name}: ${fault.what}`);
  p.resumeActivity();
  await sleep(3000);
  const reReadBefore = p.platforms.reduce((n, r) => n + r.proxy.reReads(), 0);
  const crashesBefore = p.crashes.length;
  const started = Date.now();
  const registryDownMs = values['registry-minute'] ? 60_000 : quick ? 10_000 : 20_000;
  const note = await fault.run({ stack: s, pipeline: p, rand, quick, registryDownMs, log: say }).catch((err: Error) => `the fault itself failed: ${err.message}`);
  const ended = Date.now();
  // the departments stop changing records, so the checker has a fixed truth to reach
  p.pauseActivity();
  const outcome = await untilConverged(checker, p, ended, recoverMs, reported.missing);
  const o = outcome.last;
  const unresolved = outcome.ok ? [] : explainList(o, reported.missing);
  const missing = [...o.missingInKafka.map((k) => `kafka:${k}`), ...o.missingInHub.map((k) => `hub:${k}`)].filter((k) => !reported.missing.has(k));
  for (const k of missing) reported.missing.add(k);
  const dupNow = duplicateCount(o);
  const duplicated = Math.max(0, dupNow - reported.duplicates);
  reported.duplicates = Math.max(reported.duplicates, dupNow);
  const lostIds = new Set(missing.map((k) => k.slice(k.indexOf(':') + 1)));
  return {
    name: fault.name,
    what: fault.what,
    faultSeconds: round1((ended - started) / 1000),
    recovered: outcome.ok,
    recoverSeconds: outcome.ok ? round1(outcome.seconds!) : null,
    reRead: p.platforms.reduce((n, r) => n + r.proxy.reReads(), 0) - reReadBefore,
    lost: lostIds.size,
    duplicated,
    deadLettered: o.deadLettered.length,
    records: o.truth,
    decisions: o.dispatches.queued,
    crashes: p.crashes.slice(crashesBefore).map(crashSummary),
    note: note || '',
    unresolved,
    samples: [...missing.slice(0, 5), ...o.kafkaDuplicates.slice(0, 3)],
  };
}

async function untilConverged(checker: SequenceChecker, p: Pipeline, from: number, boundMs: number, known = new Set<string>()): Promise<{ ok: boolean; seconds?: number; last: Observation }> {
  const deadline = from + boundMs;
  let last = await checker.observe(p);
  let told = Date.now();
  while (!converged(last, known) && Date.now() < deadline) {
    if (Date.now() - told > 20_000) {
      told = Date.now();
      say(`  not yet (${Math.round((Date.now() - from) / 1000)} s): ${explain(last, known)}`);
    }
    await sleep(1000);
    last = await checker.observe(p);
  }
  // "recovered at" is when the observation that passed began reading the platforms
  return converged(last, known) ? { ok: true, seconds: Math.max(0, (last.at - from) / 1000), last } : { ok: false, last };
}

function duplicateCount(o: Observation): number {
  return o.kafkaDuplicates.length + o.hubDuplicates + o.dispatches.duplicated.length;
}

function explainList(o: Observation, known = new Set<string>()): string[] {
  const out: string[] = [...o.problems];
  const kafka = o.missingInKafka.filter((k) => !known.has(`kafka:${k}`));
  const hub = o.missingInHub.filter((k) => !known.has(`hub:${k}`));
  if (kafka.length) out.push(`${kafka.length} platform record(s) not in Kafka, e.g. ${kafka.slice(0, 3).join(', ')}`);
  if (hub.length) out.push(`${hub.length} platform record(s) not in the hub, e.g. ${hub.slice(0, 3).join(', ')}`);
  if (o.lag !== 0) out.push(`hub lag ${o.lag ?? 'unknown'}`);
  if (o.notRunning.length) out.push(`connectors not running: ${o.notRunning.join('; ')}`);
  if (o.dispatches.unpublished) out.push(`${o.dispatches.unpublished} decision(s) not published`);
  if (o.dispatches.undelivered.length) out.push(`${o.dispatches.undelivered.length} decision(s) not received by a platform`);
  return out;
}

function explain(o: Observation, known = new Set<string>()): string {
  return explainList(o, known).join('; ') || 'converged';
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
