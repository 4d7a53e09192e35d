/**
 * The local-process stack for machines without Docker: Kafka (KRaft, single node) and Apicurio
 * Registry from Maven Central, run with the machine's Java 17, and PostgreSQL on 127.0.0.1:5432.
 * Downloads are cached in .stack/ so the second start takes seconds; each run gets its own ports,
 * data folder, log folder and database.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { StackError } from '../core/errors.js';
import { freePort, waitFor } from './net.js';
import type { Stack, StackOptions } from './types.js';

export const KAFKA_VERSION = '4.1.1';
export const APICURIO_VERSION = '3.0.9';

const ROOT = resolve(import.meta.dirname, '..');
export const STACK_HOME = process.env.COUNTYHUB_STACK_HOME ?? join(ROOT, '.stack');

function log(opts: StackOptions, msg: string): void {
  (opts.log ?? ((m: string) => process.stderr.write(`[stack] ${m}\n`)))(msg);
}

function requireTool(cmd: string, args: string[], what: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new StackError(
      `${what} is needed to run the local stack but \`${cmd} ${args.join(' ')}\` failed. ` +
        `Install it (Debian: apt-get install openjdk-17-jdk-headless maven), or set KAFKA_BROKERS, ` +
        `SCHEMA_REGISTRY_URL and DATABASE_URL to use servers you already run.`,
    );
  }
  return `${r.stdout}${r.stderr}`;
}

function checkJava(): void {
  const out = requireTool('java', ['-version'], 'Java 17 or newer');
  const m = /version "(\d+)/.exec(out);
  if (!m || Number(m[1]) < 17) {
    throw new StackError(`Java 17 or newer is needed to run Kafka ${KAFKA_VERSION} and Apicurio; found: ${out.split('\n')[0]}`);
  }
}

function mvn(args: string[], what: string, opts: StackOptions): void {
  log(opts, `downloading ${what} from Maven Central (first run only)…`);
  const started = Date.now();
  const r = spawnSync('mvn', ['-q', '-B', ...args], { encoding: 'utf8', cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    throw new StackError(`Maven could not fetch ${what}:\n${(r.stdout + r.stderr).slice(-2000)}`);
  }
  log(opts, `${what} fetched in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Builds `dir` once, safely when several test runs or stacks start on one machine at the same time
 * (a shared COUNTYHUB_STACK_HOME): each builds in a directory of its own and renames it into place;
 * the first rename wins and the others discard theirs.
 */
function installOnce(dir: string, build: (tmp: string) => void): void {
  if (existsSync(join(dir, '.complete'))) return;
  const tmp = `${dir}.partial-${process.pid}-${randomBytes(3).toString('hex')}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    build(tmp);
    writeFileSync(join(tmp, '.complete'), new Date().toISOString());
    if (existsSync(join(dir, '.complete'))) return; // another run finished first
    rmSync(dir, { recursive: true, force: true }); // an incomplete copy left by an interrupted run
    try {
      renameSync(tmp, dir);
    } catch (err) {
      if (!existsSync(join(dir, '.complete'))) throw err;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Kafka jars (broker + tools), fetched once. Also used by the benchmarks for kafka-producer-perf-test. */
export function ensureKafkaJars(opts: StackOptions = {}): string {
  const dir = join(STACK_HOME, `kafka-${KAFKA_VERSION}`);
  installOnce(dir, (tmp) => {
    requireTool('mvn', ['-v'], 'Apache Maven');
    checkJava();
    mvn(['-f', 'stack/pom.xml', 'dependency:copy-dependencies', `-DoutputDirectory=${join(tmp, 'libs')}`, '-DincludeScope=runtime'], `Kafka ${KAFKA_VERSION}`, opts);
  });
  return join(dir, 'libs', '*');
}

/**
 * Apicurio Registry's runnable app. The `zip:all` artifact is what Maven Central serves for 3.0.x;
 * it unpacks to a Quarkus runner jar plus lib/.
 */
export function ensureApicurio(opts: StackOptions = {}): string {
  const dir = join(STACK_HOME, `apicurio-${APICURIO_VERSION}`);
  installOnce(dir, (tmp) => {
    requireTool('mvn', ['-v'], 'Apache Maven');
    checkJava();
    const dl = join(tmp, '.download');
    mvn(['dependency:copy', `-Dartifact=io.apicurio:apicurio-registry-app:${APICURIO_VERSION}:zip:all`, `-DoutputDirectory=${dl}`], `Apicurio Registry ${APICURIO_VERSION}`, opts);
    const zip = join(dl, `apicurio-registry-app-${APICURIO_VERSION}-all.zip`);
    // `jar` ships with every JDK, so no unzip binary is required.
    const r = spawnSync('jar', ['xf', zip], { cwd: tmp, encoding: 'utf8' });
    if (r.status !== 0) throw new StackError(`could not unpack ${zip}: ${r.stderr}`);
    rmSync(dl, { recursive: true, force: true });
  });
  const runner = readdirSync(dir).find((f) => f.endsWith('-runner.jar')) ?? 'quarkus-run.jar';
  return join(dir, runner);
}

/** What a single-node broker of ours sets besides its listeners and log folder. */
export const SINGLE_NODE_PROPS = [
  'process.roles=broker,controller',
  'node.id=1',
  'controller.listener.names=CONTROLLER',
  'num.partitions=3',
  // one broker: internal topics cannot have more than one replica
  'offsets.topic.replication.factor=1',
  'offsets.topic.num.partitions=5',
  'transaction.state.log.replication.factor=1',
  'transaction.state.log.min.isr=1',
  'transaction.state.log.num.partitions=5',
  'share.coordinator.state.topic.replication.factor=1',
  'share.coordinator.state.topic.min.isr=1',
  // Kafka's own default: instances of one consumer group started together join one first
  // generation and share the partitions from the start (with 0, the first to join took every
  // partition and a fast hub applied everything before the second had joined)
  'group.initial.rebalance.delay.ms=3000',
  'auto.create.topics.enable=false',
  'log.cleaner.backoff.ms=5000',
];

/** Kafka's cluster id is a base64url-encoded 16-byte UUID without padding. */
export function kafkaClusterId(): string {
  return randomBytes(16).toString('base64url');
}

export interface Proc {
  name: string;
  child: ChildProcess;
}

export function startJava(name: string, args: string[], logFile: string, cwd: string): Proc {
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn('java', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  return { name, child };
}

export async function stopProc(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Apicurio keeps its schemas in PostgreSQL (SQL storage), not in memory: a registry restarted
 * under running connectors and hubs still knows every schema id they hold in their records.
 * `jdbcUrl` names a database of its own on the stack's PostgreSQL server.
 */
export interface RegistryProcess {
  /** Base URL of the Confluent-compatible API. */
  readonly url: string;
  readonly port: number;
  pid(): number | undefined;
  /** Stops (SIGTERM, SIGKILL after 10 s) and starts it again on the same port and storage. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Starts it again after a stop. */
  start(): Promise<void>;
}

export interface RegistryOptions {
  database: { host: string; port: number; name: string; user: string; password?: string };
  port?: number;
  logFile: string;
  cwd: string;
  startTimeoutMs?: number;
  /** Told when the process exits without being asked to. */
  onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

export function registryJavaArgs(jar: string, port: number, db: RegistryOptions['database']): string[] {
  return [
    '-Xms128m',
    '-Xmx512m',
    // a schema registry answers few, small requests: start fast and lean on a busy machine
    // (C1 only, one GC thread) rather than compile for peak throughput
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    `-Dquarkus.http.port=${port}`,
    '-Dquarkus.http.host=127.0.0.1',
    '-Dapicurio.storage.kind=sql',
    '-Dapicurio.storage.sql.kind=postgresql',
    `-Dapicurio.datasource.url=jdbc:postgresql://${db.host}:${db.port}/${db.name}`,
    `-Dapicurio.datasource.username=${db.user}`,
    `-Dapicurio.datasource.password=${db.password ?? ''}`,
    '-jar',
    jar,
  ];
}

export async function startRegistryProcess(opts: RegistryOptions): Promise<RegistryProcess> {
  const jar = ensureApicurio();
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}/apis/ccompat/v7`;
  let proc: Proc | undefined;
  let stopping = false;
  const start = async (): Promise<void> => {
    stopping = false;
    const p = startJava('registry', registryJavaArgs(jar, port, opts.database), opts.logFile, opts.cwd);
    proc = p;
    p.child.once('exit', (code, signal) => {
      if (!stopping && proc === p) opts.onUnexpectedExit?.(code, signal);
    });
    await waitFor(`Apicurio Registry on port ${port}`, async () => (await fetch(`${url}/subjects`)).ok, opts.startTimeoutMs ?? 600_000, () => p.child.exitCode !== null, opts.logFile);
  };
  const stop = async (): Promise<void> => {
    stopping = true;
    if (proc) await stopProc(proc);
  };
  await start();
  return { url, port, pid: () => proc?.child.pid, start, stop, restart: async () => (await stop(), await start()) };
}

/** Where a postgres:// URL points, for a JDBC URL. */
export function pgAddress(url: string, database: string): RegistryOptions['database'] {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || 5432), name: database, user: decodeURIComponent(u.username || 'postgres'), password: u.password ? decodeURIComponent(u.password) : undefined };
}

/** A run killed with -9 leaves its Java processes and its database behind; clean them up before starting anew. */
async function reapOrphans(runsDir: string, adminUrl: string, opts: StackOptions): Promise<void> {
  if (!existsSync(runsDir)) return;
  for (const run of readdirSync(runsDir)) {
    const pidFile = join(runsDir, run, 'pids.json');
    if (!existsSync(pidFile)) continue;
    try {
      const { owner, pids, database, databases } = JSON.parse(readFileSync(pidFile, 'utf8')) as { owner: number; pids: number[]; database?: string; databases?: string[] };
      if (isAlive(owner)) continue;
      for (const pid of pids) {
        if (isAlive(pid)) {
          log(opts, `stopping process ${pid} left by an earlier run (${run})`);
          process.kill(pid, 'SIGKILL');
        }
      }
      for (const name of databases ?? (database ? [database] : [])) await dropDatabase(adminUrl, name).catch(() => undefined);
      rmSync(join(runsDir, run), { recursive: true, force: true });
    } catch {
      // an unreadable pid file is not worth failing a start for
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function createDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  try {
    await client.connect();
  } catch (err) {
    throw new StackError(
      `PostgreSQL is not reachable at ${adminUrl.replace(/\/\/[^@]*@/, '//')}: start it (PostgreSQL 15+, trust auth on 127.0.0.1:5432) or set DATABASE_URL.`,
      err,
    );
  }
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export async function startLocalStack(opts: StackOptions = {}): Promise<Stack> {
  const started = Date.now();
  const kafkaCp = ensureKafkaJars(opts);
  const apicurioJar = ensureApicurio(opts);
  checkJava();

  const runsDir = join(STACK_HOME, 'runs');
  const adminUrl = process.env.POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  await reapOrphans(runsDir, adminUrl, opts);
  const runId = `${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
  const runDir = join(runsDir, runId);
  const logsDir = join(runDir, 'logs');
  mkdirSync(logsDir, { recursive: true });

  const [kafkaPort, controllerPort, registryPort] = [await freePort(), await freePort(), await freePort()];
  const props = [
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${kafkaPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${kafkaPort}`,
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${join(runDir, 'kafka-data')}`,
    ...SINGLE_NODE_PROPS,
  ];
  const propsFile = join(runDir, 'server.properties');
  writeFileSync(propsFile, props.join('\n') + '\n');

  const fmt = spawnSync('java', ['-cp', kafkaCp, 'kafka.tools.StorageTool', 'format', `--cluster-id=${kafkaClusterId()}`, '-c', propsFile], { encoding: 'utf8' });
  if (fmt.status !== 0) throw new StackError(`formatting the Kafka log folder failed: ${fmt.stderr || fmt.stdout}`);

  const kafkaLog = join(logsDir, 'kafka.log');
  const databaseName = `countyhub_${runId.replace(/-/g, '_')}`;
  // the registry's schemas live in a database of their own, so they survive a registry restart
  const registryDatabase = `${databaseName}_registry`;
  await createDatabase(adminUrl, databaseName);
  await createDatabase(adminUrl, registryDatabase).catch(async (err: unknown) => {
    await dropDatabase(adminUrl, databaseName).catch(() => undefined);
    throw err;
  });
  const procs: Proc[] = [
    startJava(
      'kafka',
      ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${join(ROOT, 'stack', 'log4j2.properties')}`, `-Dcountyhub.log.file=${kafkaLog}`, '-cp', kafkaCp, 'kafka.Kafka', propsFile],
      join(logsDir, 'kafka.out'),
      runDir,
    ),
    startJava('registry', registryJavaArgs(apicurioJar, registryPort, pgAddress(adminUrl, registryDatabase)), join(logsDir, 'registry.log'), runDir),
  ];
  writeFileSync(join(runDir, 'pids.json'), JSON.stringify({ owner: process.pid, pids: procs.map((p) => p.child.pid), databases: [databaseName, registryDatabase] }));

  const databaseUrl = adminUrl.replace(/\/[^/?]*(\?|$)/, `/${databaseName}$1`);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(procs.map(stopProc));
    for (const name of [databaseName, registryDatabase]) await dropDatabase(adminUrl, name).catch(() => undefined);
    if (!opts.keepRunDir) rmSync(join(runDir, 'kafka-data'), { recursive: true, force: true });
    rmSync(join(runDir, 'pids.json'), { force: true });
  };

  try {
    for (const p of procs) {
      p.child.once('exit', (code, signal) => {
        if (!stopped) log(opts, `${p.name} exited unexpectedly (code ${code}, signal ${signal}); see ${logsDir}`);
      });
    }
    const registryUrl = `http://127.0.0.1:${registryPort}/apis/ccompat/v7`;
    await Promise.all([
      waitFor(`Kafka on 127.0.0.1:${kafkaPort}`, () => kafkaReady(`127.0.0.1:${kafkaPort}`), 600_000, () => procs[0]!.child.exitCode !== null, kafkaLog),
      waitFor(`Apicurio Registry on port ${registryPort}`, async () => (await fetch(`${registryUrl}/subjects`)).ok, 600_000, () => procs[1]!.child.exitCode !== null, join(logsDir, 'registry.log')),
    ]);
  } catch (err) {
    await stop();
    throw err;
  }

  log(opts, `local stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s (Kafka 127.0.0.1:${kafkaPort}, registry :${registryPort} keeping its schemas in database ${registryDatabase}, database ${databaseName}; logs ${logsDir})`);
  return {
    kind: 'local',
    kafkaBrokers: [`127.0.0.1:${kafkaPort}`],
    schemaRegistryUrl: `http://127.0.0.1:${registryPort}/apis/ccompat/v7`,
    databaseUrl,
    logsDir,
    stop,
  };
}

export async function kafkaReady(broker: string): Promise<boolean> {
  const { kafkaClient } = await import('../core/kafka.js');
  const admin = kafkaClient({ clientId: 'countyhub-stack', brokers: [broker], access: {}, logLevel: 'nothing', retries: 0, initialRetryTimeMs: 200 }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } finally {
    await admin.disconnect();
  }
}
