/**
 * A county's own clusters are secured: Kafka only over SASL_SSL (a CA of the county's, SCRAM or
 * PLAIN users), the schema registry behind basic authentication. The 12345 connector and the hub
 * run against such a broker (a real one, started here with a SASL_SSL listener) and a registry
 * behind an authenticating proxy (the real registry of the test stack behind it), configured by
 * settings alone; every work order arrives. Wrong credentials, a missing CA and a topic layout that
 * differs from the cluster's are refused with the reason.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../../core/kafka.js';
import { kafkaAccess } from '../../../core/cluster-access.js';
import { createDb } from '../../../hub/store/db.js';
import { freePort } from '../../../stack/net.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { startSecuredKafka, type SecuredKafka } from '../../../stack/secured-kafka.js';
import { testContext } from '../../support/context.js';

const hasJava = spawnSync('java', ['-version']).status === 0 && spawnSync('openssl', ['version']).status === 0;
const ctx = testContext('secured');
const dir = mkdtempSync(join(tmpdir(), 'countyhub-secured-'));
const REGISTRY_USER = { username: 'county-registry', password: 'registry-secret-0123' };
let secured: SecuredKafka;
let proxy: Server;
const seen = { served: 0, refused: 0 };
let sim: RunningProcess;
const running: RunningProcess[] = [];
let env: Record<string, string>;

/** The real registry behind a proxy that wants basic authentication, as a county's gateway does. */
async function startRegistryProxy(target: string): Promise<string> {
  const origin = new URL(target).origin;
  const expected = `Basic ${Buffer.from(`${REGISTRY_USER.username}:${REGISTRY_USER.password}`).toString('base64')}`;
  proxy = createServer((req, res) => {
    if (req.headers.authorization !== expected) {
      seen.refused++;
      res.writeHead(401, { 'www-authenticate': 'Basic realm="registry"' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'authorization', 'content-length', 'connection'].includes(k)) as Array<[string, string]>);
      void fetch(`${origin}${req.url}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined })
        .then(async (r) => {
          seen.served++;
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await r.arrayBuffer()));
        })
        .catch((err: Error) => res.writeHead(502).end(err.message));
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
  return `http://127.0.0.1:${port}${new URL(target).pathname}`;
}

const statusOf = async (w: RunningProcess) => ((await (await fetch(`${String(w.ready.statusUrl)}/status`)).json()) as Array<{ state: string }>)[0]!;
const workerEnv = (extra: Record<string, string> = {}) => ({
  ...env,
  CONNECTOR_CONFIG: JSON.stringify({ 'hotline-12345': { source: { url: `${String(sim.ready.url)}/api/v2/workorders`, pagination: { size: 5 } }, pollIntervalMs: 200 } }),
  ...extra,
});

describe.skipIf(!hasJava)('a secured county cluster: SASL_SSL Kafka and an authenticating registry', () => {
  beforeAll(async () => {
    secured = await startSecuredKafka(join(dir, 'kafka'));
    env = {
      ...ctx.env,
      KAFKA_BROKERS: secured.brokers.join(','),
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: secured.scram.username,
      KAFKA_SASL_PASSWORD: secured.scram.password,
      KAFKA_SSL_CA_FILE: secured.caFile,
      SCHEMA_REGISTRY_URL: await startRegistryProxy(ctx.stack.schemaRegistryUrl),
      SCHEMA_REGISTRY_USERNAME: REGISTRY_USER.username,
      SCHEMA_REGISTRY_PASSWORD: REGISTRY_USER.password,
    };
    sim = await startProcess('12345 simulator', 'simulators/hotline-12345/main.ts', ['--seed', '57'], {});
  });

  afterAll(async () => {
    await Promise.all([...running.map((p) => p.stop()), sim?.stop()]);
    await secured?.stop();
    await new Promise((r) => (proxy ? proxy.close(r) : r(undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  it('the connector and the hub run on settings alone, and the hub applies every work order', async () => {
    const [hub, worker] = await Promise.all([
      startProcess('hub', 'hub/main.ts', [], { ...env, HUB_PORT: '0' }),
      startProcess('connector worker', 'connectors/cli.ts', ['run', 'hotline-12345'], workerEnv()),
    ]);
    running.push(hub, worker);
    const res = await fetch(`${String(sim.ready.url)}/__sim/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: 12 }) });
    expect(res.ok).toBe(true);
    const platform = ((await (await fetch(`${String(sim.ready.url)}/__sim/workorders`)).json()) as Array<{ gdbh: string }>).map((o) => o.gdbh);
    const db = createDb(ctx.stack.databaseUrl, { schema: ctx.dbSchema });
    try {
      const applied = await eventually('every work order applied by the hub', async () => {
        const got = new Set((await db('reports').select('source_record_id')).map((r: { source_record_id: string }) => r.source_record_id));
        return platform.every((id) => got.has(id)) ? got : undefined;
      }).catch((err: Error) => {
        throw new Error(`${err.message}\nworker: ${worker.output().slice(-2000)}\nhub: ${hub.output().slice(-2000)}`);
      });
      expect(applied.size).toBe(platform.length);
    } finally {
      await db.destroy();
    }
    expect((await statusOf(worker)).state).toBe('running');
    // every request of the services carried the registry's credentials
    expect(seen.served).toBeGreaterThan(0);
    expect(seen.refused).toBe(0);
    expect((await fetch(env.SCHEMA_REGISTRY_URL! + '/subjects')).status).toBe(401); // and the proxy does refuse without them
  });

  it('PLAIN users work as well; a wrong password and an unknown CA are refused, saying why', async () => {
    const access = (extra: Record<string, string>) =>
      kafkaAccess({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: secured.plain.username, KAFKA_SASL_PASSWORD: secured.plain.password, KAFKA_SSL_CA_FILE: secured.caFile, ...extra });
    const connect = async (extra: Record<string, string>) => {
      const admin = createKafka(secured.brokers, 'secured-test', access(extra)).admin();
      try {
        await admin.connect();
        return await admin.listTopics();
      } finally {
        await admin.disconnect();
      }
    };
    expect(await connect({})).toContain(ctx.topics.records('report'));
    await expect(connect({ KAFKA_SASL_PASSWORD: 'not-the-password' })).rejects.toThrow(/authentication failed/i);
    await expect(connect({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SSL_CA_FILE: '' })).rejects.toThrow(/certificate/i);
  });

  it('a worker whose Kafka password is wrong never claims to run: it stops at start naming the settings (exit 78)', async () => {
    const start = startProcess('connector worker', 'connectors/cli.ts', ['run', 'hotline-12345'], workerEnv({ KAFKA_SASL_PASSWORD: 'not-the-password' }));
    await expect(start).rejects.toThrow(/exited with code 78[\s\S]*KAFKA_SASL_PASSWORD[\s\S]*refused these credentials/);
  });

  it('a hub whose brokers cannot be trusted stops at start naming KAFKA_SSL_CA_FILE (exit 78)', async () => {
    const start = startProcess('hub', 'hub/main.ts', [], { ...env, HUB_PORT: '0', KAFKA_SSL_CA_FILE: '' });
    await expect(start).rejects.toThrow(/exited with code 78[\s\S]*KAFKA_SSL_CA_FILE[\s\S]*not trusted/);
  });

  it('a hub told another partition count than the cluster has stops at start, naming TOPIC_PARTITIONS (exit 78)', async () => {
    const start = startProcess('hub', 'hub/main.ts', [], { ...env, HUB_PORT: '0', TOPIC_PARTITIONS: '6' });
    await expect(start).rejects.toThrow(/exited with code 78[\s\S]*TOPIC_PARTITIONS[\s\S]*has 3/);
  });
});
