/**
 * A connector worker process: runs one or more adapters, serves /health, /status and /metrics,
 * and on SIGTERM/SIGINT lets each in-flight page finish (commit or abort) before exiting.
 */
import Fastify from 'fastify';
import { topics } from '../../schemas/index.js';
import { SchemaCodec } from '../../schemas/registry.js';
import { findAdapter, sourceFor } from '../adapters/index.js';
import { applyOverrides, loadOverrides, personalDataKey, requireEnv } from './config.js';
import { createKafka } from './kafka.js';
import { createLogger } from './log.js';
import { renderMetrics } from './status.js';
import { ConnectorWorker } from './worker.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../sdk/retry.js';

export async function runWorkers(ids: string[]): Promise<void> {
  const log = createLogger('connectors');
  const env = requireEnv(['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL']);
  const key = personalDataKey();
  const overrides = loadOverrides();
  const names = topics(process.env.TOPIC_PREFIX ?? 'countyhub');
  const kafka = createKafka(env.KAFKA_BROKERS.split(','), `countyhub-connectors`);
  const codec = new SchemaCodec(env.SCHEMA_REGISTRY_URL, names);

  const workers = ids.map((id) => {
    const adapter = findAdapter(id);
    const manifest = applyOverrides(adapter.manifest, overrides);
    return new ConnectorWorker(manifest, sourceFor(manifest), adapter.mapping, {
      kafka,
      codec,
      topics: names,
      personalDataKey: key,
      log,
      degradedBackoffMs: Number(process.env.DEGRADED_BACKOFF_MS ?? 30_000),
      retry: retryPolicyFromEnv(),
    });
  });

  const app = Fastify({ logger: false });
  app.get('/health', async (_req, reply) => {
    const views = workers.map((w) => w.status.view());
    const ok = views.every((v) => v.state === 'running' || v.state === 'starting');
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', connectors: views.map((v) => ({ id: v.id, state: v.state, stateLabel: v.stateLabel })) });
  });
  app.get('/status', async () => workers.map((w) => w.status.view()));
  app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4').send(renderMetrics(workers.map((w) => w.status))));
  const statusUrl = await app.listen({ host: process.env.STATUS_HOST ?? '127.0.0.1', port: Number(process.env.STATUS_PORT ?? 0) });

  for (const w of workers) await w.connect();
  for (const w of workers) w.start();
  log.info({ connectors: ids, statusUrl }, 'connector worker running');
  process.stdout.write(JSON.stringify({ worker: 'ready', connectors: ids, statusUrl }) + '\n');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: finishing in-flight pages');
    await Promise.all(workers.map((w) => w.stop()));
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

/** CONNECTOR_RETRIES, CONNECTOR_RETRY_MIN_MS, CONNECTOR_RETRY_MAX_MS tune the bounded retry of one page. */
function retryPolicyFromEnv(): RetryPolicy {
  const n = (name: string, d: number) => (process.env[name] ? Number(process.env[name]) : d);
  return {
    retries: n('CONNECTOR_RETRIES', DEFAULT_RETRY.retries),
    minTimeoutMs: n('CONNECTOR_RETRY_MIN_MS', DEFAULT_RETRY.minTimeoutMs),
    maxTimeoutMs: n('CONNECTOR_RETRY_MAX_MS', DEFAULT_RETRY.maxTimeoutMs),
  };
}
