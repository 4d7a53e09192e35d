/**
 * The demo pipeline as the chaos suite runs it: department simulators (behind HTTP fault proxies),
 * one connector worker process per connector (through the TCP fault proxy to Kafka), the hub (with
 * its outbox publisher), one sink process per department platform, all supervised like the
 * deployment supervises them, and a driver that keeps the departments busy.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateDataset } from '../../simulators/county/generate.js';
import { freePort } from '../../stack/net.js';
import { startProcess, type RunningProcess } from '../../stack/processes.js';
import type { ChaosStack } from './chaos-stack.js';
import { HttpFaultProxy } from './http-fault-proxy.js';
import { PLATFORMS, type PlatformSpec } from './platforms.js';
import { Supervised, type Crash } from './supervisor.js';

export const PERSONAL_DATA_KEY = 'chaos-county-key-not-a-secret';
export const TOPIC_PREFIX = 'chaos';
export const DB_SCHEMA = 'countyhub';

export interface PlatformRun {
  spec: PlatformSpec;
  simulator: RunningProcess;
  /** The simulator itself (control routes, truth). */
  directUrl: string;
  proxy: HttpFaultProxy;
  worker: Supervised;
  statusUrl: string;
}

export interface Pipeline {
  platforms: PlatformRun[];
  hub: Supervised;
  sinks: Supervised[];
  crashes: Crash[];
  /** Every supervised process, by name. */
  processes(): Supervised[];
  pauseActivity(): void;
  resumeActivity(): void;
  stop(): Promise<void>;
}

export async function startPipeline(stack: ChaosStack, opts: { scale: number; activityEveryMs: number; dir: string; log: (m: string) => void }): Promise<Pipeline> {
  const history = join(opts.dir, 'history');
  rmSync(history, { recursive: true, force: true });
  mkdirSync(history, { recursive: true });
  generateDataset({ seed: 2026, scale: opts.scale }, history);

  const crashes: Crash[] = [];
  const onCrash = (c: Crash) => {
    crashes.push(c);
    opts.log(`${c.name} exited unexpectedly (code ${c.code}, signal ${c.signal}); restarting it as the deployment would. Last lines:\n${c.lastLines}`);
  };
  const common = {
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    TOPIC_PREFIX,
    PERSONAL_DATA_KEY,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };

  const simulators = await Promise.all(PLATFORMS.map((p) => startProcess(`${p.name} simulator`, p.simulator.entry, p.simulator.args(history), {})));
  const platforms: PlatformRun[] = [];
  for (const [i, spec] of PLATFORMS.entries()) {
    const simulator = simulators[i]!;
    const directUrl = String(simulator.ready.url);
    const proxy = new HttpFaultProxy(spec, directUrl);
    const proxyUrl = await proxy.start();
    const statusPort = await freePort();
    const config = { [spec.connector]: { source: { url: `${proxyUrl}${spec.listPath}` } } };
    const worker = new Supervised(`worker ${spec.connector}`, 'connectors/cli.ts', ['run', spec.connector], () => ({
      ...common,
      KAFKA_BROKERS: stack.workerBrokers.join(','),
      STATUS_PORT: String(statusPort),
      CONNECTOR_CONFIG: JSON.stringify(config),
    }), onCrash);
    platforms.push({ spec, simulator, directUrl, proxy, worker, statusUrl: `http://127.0.0.1:${statusPort}` });
  }

  const hubPort = await freePort();
  const hub = new Supervised('hub', 'hub/main.ts', [], () => ({
    ...common,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    DATABASE_URL: stack.databaseUrl,
    DB_SCHEMA,
    HUB_PORT: String(hubPort),
    DIVISIONS_FILE: join(history, 'geo', 'divisions.json'),
    CONNECTOR_STATUS_URLS: platforms.map((p) => p.statusUrl).join(','),
    HUB_SLA_CHECK_MS: '0',
    // a killed hub's partitions go to the new one sooner than the default session time-out
    HUB_SESSION_TIMEOUT_MS: '10000',
  }), onCrash);
  // the hub first: it creates the topics' consumers and migrates its schema
  await hub.start();

  const byName = new Map(platforms.map((p) => [p.spec.name, p]));
  const sinkConfigs = [
    { id: 'environment', url: `${byName.get('environment')!.directUrl}/api/12369/dispatches`, departments: ['environment'] },
    { id: 'grid', url: `${byName.get('grid')!.directUrl}/api/grid/v1/assignments`, departments: ['town:*', 'grid'] },
    { id: 'hotline', url: `${byName.get('hotline')!.directUrl}/api/v2/dispatches`, departments: ['*'], exceptDepartments: ['environment', 'town:*', 'grid'] },
  ];
  const sinks = sinkConfigs.map(
    (c) =>
      new Supervised(`sink ${c.id}`, 'connectors/sinks/main.ts', [], () => ({
        ...common,
        KAFKA_BROKERS: stack.kafkaBrokers.join(','),
        SINK_CONFIG: JSON.stringify([c]),
      }), onCrash),
  );
  await Promise.all(platforms.map((p) => p.worker.start()));
  // one after another: the first registers the schemas they share (see the report's start-up crashes)
  for (const s of sinks) await s.start();

  // the departments at work: new records and progress every second or two
  let active = true;
  let stopped = false;
  const driver = (async () => {
    while (!stopped) {
      await sleep(opts.activityEveryMs);
      if (!active) continue;
      await Promise.all(
        platforms.flatMap((p) =>
          p.spec.activity.map((a) => fetch(`${p.directUrl}${a.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(a.body) }).catch(() => undefined)),
        ),
      );
    }
  })();

  return {
    platforms,
    hub,
    sinks,
    crashes,
    processes: () => [hub, ...platforms.map((p) => p.worker), ...sinks],
    pauseActivity: () => void (active = false),
    resumeActivity: () => void (active = true),
    async stop() {
      stopped = true;
      await driver;
      await Promise.all([...platforms.map((p) => p.worker.stop()), ...sinks.map((s) => s.stop())]);
      await hub.stop();
      await Promise.all(platforms.map((p) => Promise.all([p.proxy.stop(), p.simulator.stop()])));
    },
  };
}
