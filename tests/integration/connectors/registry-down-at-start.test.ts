/**
 * The schema registry down when a worker starts (issue 19, finding 5): the worker must say which
 * server it waits for, keep trying with back-off instead of exiting, and run once the registry is back.
 * The registry is reached through a TCP relay the test closes and opens; Kafka and the registry are real.
 */
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../schemas/index.js';
import { buildHotlineServer, HotlineStore } from '../../../simulators/hotline-12345/server.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { TcpFaultProxy } from '../../../stack/tcp-fault-proxy.js';
import { kafkaFor, testContext } from '../../support/context.js';
import { committedRecords } from '../../support/kafka-records.js';

let app: FastifyInstance | undefined;
let worker: RunningProcess | undefined;
let proxy: TcpFaultProxy | undefined;
afterAll(async () => {
  await worker?.stop();
  await proxy?.stop();
  await app?.close();
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('registry down when a worker starts', () => {
  it('status names the registry, the worker keeps retrying (it does not exit), and runs once the registry is back', async () => {
    const ctx = testContext('regdown');
    const store = new HotlineStore({ seed: 5 });
    app = buildHotlineServer(store);
    const simUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    const orders = Array.from({ length: 20 }, () => store.generate().gdbh);

    const registry = new URL(ctx.stack.schemaRegistryUrl);
    proxy = new TcpFaultProxy(registry.hostname, Number(registry.port));
    const port = await proxy.start();
    await proxy.stop(); // the registry is "down": nothing listens on its port
    const statusPort = await freePort();
    const starting = startProcess(
      'connector worker',
      'connectors/cli.ts',
      ['run', 'hotline-12345'],
      {
        ...ctx.env,
        SCHEMA_REGISTRY_URL: `${registry.protocol}//127.0.0.1:${port}${registry.pathname}`,
        STATUS_PORT: String(statusPort),
        CONNECTOR_RETRIES: '1',
        CONNECTOR_RETRY_MIN_MS: '100',
        CONNECTOR_RETRY_MAX_MS: '200',
        DEGRADED_BACKOFF_MS: '1000',
        CONNECTOR_CONFIG: JSON.stringify({ 'hotline-12345': { source: { url: `${simUrl}/api/v2/workorders` }, pollIntervalMs: 100 } }),
      },
      180_000,
    );
    starting.catch(() => undefined);
    const statusOf = async () => ((await (await fetch(`http://127.0.0.1:${statusPort}/status`)).json()) as Array<{ state: string; lastError: string | null }>)[0]!;
    const waiting = await eventually('the status to name the registry', async () => {
      const s = await statusOf().catch(() => undefined);
      return s && /模式注册中心不可达/.test(s.lastError ?? '') ? s : undefined;
    }, 60_000);
    expect(waiting.state).toBe('degraded');
    // with one retry of 100–200 ms the old worker gave up and exited within seconds; this one waits
    await new Promise((r) => setTimeout(r, 8_000));
    expect((await statusOf()).lastError).toMatch(/模式注册中心不可达/);

    await proxy.start(); // the registry is back
    worker = await starting;
    const kafka = kafkaFor(ctx);
    await eventually('all orders in Kafka', async () => {
      const rs = await committedRecords<Report>(kafka, ctx.stack.schemaRegistryUrl, ctx.topics.records('report'));
      return orders.every((id) => rs.some((r) => r.envelope.sourceRecordId === id)) ? true : undefined;
    }, 60_000);
    expect((await statusOf()).state).toBe('running');
  });
});
