/**
 * The chaos suite's own servers: Kafka, the schema registry and a PRIVATE PostgreSQL cluster, each
 * a process this suite can kill -9 and start again on the same ports and data — which the shared
 * stack (stack/local.ts) cannot, because a test must never take down servers other tests use.
 *
 * - Kafka uses the jars stack/local.ts fetched (same version, same settings) and one more listener,
 *   SLOW, that advertises the address of a TCP proxy: connector workers bootstrap through the proxy
 *   and are told to stay on it, so the suite can delay and cut only their connections (the machine
 *   has no sch_netem, so `tc netem` in a network namespace is not an option; see slow-network fault).
 *   The hub and the checker use the direct PLAINTEXT listener.
 * - The registry is Apicurio started with stack/local.ts's arguments (registryJavaArgs), its schemas kept
 *   in the private cluster's `registry` database, so a registry restart keeps every schema id.
 * - PostgreSQL is a throw-away cluster made with initdb from the machine's binaries, on a free port;
 *   never the machine's own service (restarting that would break every other user of it).
 *
 * Process ids are written to <run>/pids.json in stack/local.ts's format, so a chaos run killed with
 * -9 has its servers stopped by the next stack start.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { StackError } from '../../core/errors.js';
import { freePort, waitFor } from '../../stack/net.js';
import { ensureApicurio, ensureKafkaJars, registryJavaArgs, SINGLE_NODE_PROPS, STACK_HOME } from '../../stack/local.js';
import { TcpFaultProxy } from '../../stack/tcp-fault-proxy.js';

const ROOT = resolve(import.meta.dirname, '../..');

interface Server {
  name: string;
  start(): Promise<void>;
  kill(): Promise<void>;
  alive(): boolean;
  pid(): number | undefined;
}

export interface ChaosStack {
  runDir: string;
  logsDir: string;
  /** Direct listener: the hub, sinks, the checker. */
  kafkaBrokers: string[];
  /** Through the fault proxy: connector workers. */
  workerBrokers: string[];
  schemaRegistryUrl: string;
  databaseUrl: string;
  kafka: Server;
  registry: Server;
  postgres: Server & { restart(downMs: number): Promise<void> };
  workerLink: TcpFaultProxy;
  stop(): Promise<void>;
}

function javaServer(name: string, args: () => string[], logFile: string, cwd: string, ready: () => Promise<void>, onChange: () => void): Server {
  let child: ChildProcess | undefined;
  const alive = () => !!child && child.exitCode === null && child.signalCode === null;
  return {
    name,
    alive,
    pid: () => child?.pid,
    async start() {
      if (alive()) return;
      const out = createWriteStream(logFile, { flags: 'a' });
      child = spawn('java', args(), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.pipe(out);
      child.stderr?.pipe(out);
      onChange();
      await ready();
    },
    async kill() {
      if (!alive()) return;
      const c = child!;
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGKILL');
      await exited;
    },
  };
}

/** PostgreSQL refuses to run as root; as root the cluster belongs to the `postgres` user. */
function asPostgresUser(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

function postgresOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  if (!Number.isInteger(uid) || uid <= 0) throw new StackError('running as root, the chaos suite needs a `postgres` user to own its PostgreSQL cluster (PostgreSQL refuses root)');
  return { uid, gid: id('-g') };
}

function pgBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length) return join(base, versions[0]!, 'bin');
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return resolve(which.stdout.trim(), '..');
  throw new StackError('the chaos suite starts a PostgreSQL cluster of its own and needs initdb and pg_ctl (PostgreSQL 15+ server binaries); none found');
}

function run(cmd: string, args: string[], what: string): void {
  const [c, a] = asPostgresUser(cmd, args);
  const r = spawnSync(c, a, { encoding: 'utf8' });
  if (r.status !== 0) throw new StackError(`${what} failed: ${(r.stderr || r.stdout).slice(-1500)}`);
}

export async function startChaosStack(log: (m: string) => void): Promise<ChaosStack> {
  const started = Date.now();
  const kafkaCp = ensureKafkaJars({ log });
  const apicurioJar = ensureApicurio({ log });
  const runId = `chaos-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
  const runDir = join(STACK_HOME, 'runs', runId);
  const logsDir = join(runDir, 'logs');
  mkdirSync(logsDir, { recursive: true });
  const [kafkaPort, slowPort, controllerPort, registryPort, pgPort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];

  // the workers' road to Kafka: a proxy in front of the SLOW listener, which advertises the proxy
  const workerLink = new TcpFaultProxy('127.0.0.1', slowPort);
  const proxyPort = await workerLink.start();

  const props = [
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${kafkaPort},SLOW://127.0.0.1:${slowPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${kafkaPort},SLOW://127.0.0.1:${proxyPort}`,
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SLOW:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${join(runDir, 'kafka-data')}`,
    ...SINGLE_NODE_PROPS,
    // the faults restart single instances: a rejoining hub gets its partitions at once (the last value wins)
    'group.initial.rebalance.delay.ms=0',
  ];
  const propsFile = join(runDir, 'server.properties');
  writeFileSync(propsFile, props.join('\n') + '\n');
  const fmt = spawnSync('java', ['-cp', kafkaCp, 'kafka.tools.StorageTool', 'format', `--cluster-id=${randomBytes(16).toString('base64url')}`, '-c', propsFile], { encoding: 'utf8' });
  if (fmt.status !== 0) {
    rmSync(runDir, { recursive: true, force: true });
    throw new StackError(`formatting the Kafka log folder failed: ${fmt.stderr || fmt.stdout}`);
  }

  // PostgreSQL: a cluster of our own
  const bin = pgBinDir();
  const pgData = join(runDir, 'pg-data');
  const pgSock = join(runDir, 'pg-sock');
  mkdirSync(pgData, { recursive: true });
  mkdirSync(pgSock, { recursive: true });
  const owner = postgresOwner();
  if (owner) for (const d of [pgData, pgSock]) chownSync(d, owner.uid, owner.gid);
  chmodSync(pgData, 0o700);
  try {
    run(join(bin, 'initdb'), ['-D', pgData, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'], 'initdb');
  } catch (err) {
    rmSync(runDir, { recursive: true, force: true });
    throw err;
  }
  const pgLog = join(logsDir, 'postgres.log');
  writeFileSync(pgLog, '');
  if (owner) chownSync(pgLog, owner.uid, owner.gid);
  const databaseUrl = `postgres://postgres@127.0.0.1:${pgPort}/postgres`;
  const pgReady = async () => {
    await waitFor(`PostgreSQL on 127.0.0.1:${pgPort}`, async () => {
      const c = new pg.Client({ connectionString: databaseUrl });
      try {
        await c.connect();
        await c.query('select 1');
        return true;
      } finally {
        await c.end().catch(() => undefined);
      }
    }, 60_000, () => false, pgLog);
  };
  const pgCtl = (args: string[]) => run(join(bin, 'pg_ctl'), ['-D', pgData, ...args], `pg_ctl ${args[0]}`);
  const pgOptions = `-p ${pgPort} -k ${pgSock} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off`;
  const postmasterPid = () => {
    const f = join(pgData, 'postmaster.pid');
    return existsSync(f) ? Number(readFileSync(f, 'utf8').split('\n')[0]) : undefined;
  };

  let stopped = false;
  const writePids = () => {
    if (stopped) return;
    const pids = [kafka.pid(), registry.pid(), postmasterPid()].filter((p): p is number => !!p);
    writeFileSync(join(runDir, 'pids.json'), JSON.stringify({ owner: process.pid, pids }));
  };
  const kafkaLog = join(logsDir, 'kafka.log');
  const kafka = javaServer(
    'kafka',
    () => ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${join(ROOT, 'stack', 'log4j2.properties')}`, `-Dcountyhub.log.file=${kafkaLog}`, '-cp', kafkaCp, 'kafka.Kafka', propsFile],
    join(logsDir, 'kafka.out'),
    runDir,
    () => waitFor(`Kafka on 127.0.0.1:${kafkaPort}`, () => kafkaReady(`127.0.0.1:${kafkaPort}`), 300_000, () => !kafka.alive(), kafkaLog),
    () => writePids(),
  );
  const registryUrl = `http://127.0.0.1:${registryPort}/apis/ccompat/v7`;
  const registry = javaServer(
    'registry',
    () => registryJavaArgs(apicurioJar, registryPort, { host: '127.0.0.1', port: pgPort, name: 'registry', user: 'postgres' }),
    join(logsDir, 'registry.log'),
    runDir,
    () => waitFor(`Apicurio Registry on port ${registryPort}`, async () => (await fetch(`${registryUrl}/subjects`)).ok, 300_000, () => !registry.alive(), join(logsDir, 'registry.log')),
    () => writePids(),
  );
  let pgUp = false;
  const postgres = {
    name: 'postgres',
    alive: () => pgUp,
    pid: postmasterPid,
    async start() {
      pgCtl(['-o', pgOptions, '-l', pgLog, '-w', '-t', '60', 'start']);
      pgUp = true;
      writePids();
      await pgReady();
    },
    async kill() {
      // immediate: no checkpoint, every backend killed — what a crash or an OOM kill looks like
      pgCtl(['-m', 'immediate', '-w', 'stop']);
      pgUp = false;
    },
    async restart(downMs: number) {
      await postgres.kill();
      await new Promise((r) => setTimeout(r, downMs));
      await postgres.start();
    },
  };

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all([kafka.kill(), registry.kill()]);
    if (pgUp) spawnSync(...asPostgresUser(join(bin, 'pg_ctl'), ['-D', pgData, '-m', 'immediate', 'stop']));
    await workerLink.stop();
    rmSync(runDir, { recursive: true, force: true });
  };
  process.once('exit', () => {
    // last resort on a crash: no Java or postgres process may outlive the suite
    for (const p of [kafka.pid(), registry.pid()]) if (p) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
    if (pgUp) spawnSync(...asPostgresUser(join(bin, 'pg_ctl'), ['-D', pgData, '-m', 'immediate', 'stop']));
  });

  try {
    // the registry keeps its schemas in the private cluster: that comes first
    await postgres.start();
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      await admin.query('create database registry');
    } finally {
      await admin.end();
    }
    await Promise.all([kafka.start(), registry.start()]);
  } catch (err) {
    await stop();
    throw err;
  }
  log(`chaos stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s (Kafka :${kafkaPort}, workers via proxy :${proxyPort}, registry :${registryPort}, private PostgreSQL :${pgPort}; logs ${logsDir})`);
  return {
    runDir,
    logsDir,
    kafkaBrokers: [`127.0.0.1:${kafkaPort}`],
    workerBrokers: [`127.0.0.1:${proxyPort}`],
    schemaRegistryUrl: registryUrl,
    databaseUrl,
    kafka,
    registry,
    postgres,
    workerLink,
    stop,
  };
}

async function kafkaReady(broker: string): Promise<boolean> {
  const { kafkaClient } = await import('../../core/kafka.js');
  const admin = kafkaClient({ clientId: 'countyhub-stack', brokers: [broker], access: {}, logLevel: 'nothing', retries: 0, initialRetryTimeMs: 200 }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } finally {
    await admin.disconnect();
  }
}
