/**
 * A connector worker process: runs one or more adapters, serves /health, /status and /metrics,
 * and on SIGTERM/SIGINT lets each in-flight page finish (commit or abort) before exiting.
 */
import Fastify from 'fastify';
import { connectorEnvironment, workerFor } from './environment.js';
import { registerControl } from './control.js';
import { WorkerMetrics } from './metrics.js';

export async function runWorkers(ids: string[]): Promise<void> {
  const env = connectorEnvironment();
  const workers = ids.map((id) => workerFor(env, id));

  const metrics = new WorkerMetrics(workers.map((w) => w.status));
  const app = Fastify({ logger: false });
  app.get('/health', async (_req, reply) => {
    const views = workers.map((w) => w.status.view());
    const ok = views.every((v) => v.state === 'running' || v.state === 'starting' || v.state === 'paused');
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', connectors: views.map((v) => ({ id: v.id, state: v.state, stateLabel: v.stateLabel })) });
  });
  app.get('/status', async () => workers.map((w) => w.status.view()));
  app.get('/metrics', async (_req, reply) => {
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).send(body);
  });
  registerControl(app, env, workers, env.controlToken);
  const statusUrl = await app.listen(env.status);

  for (const w of workers) await w.connect();
  for (const w of workers) w.start();
  env.log.info({ connectors: ids, statusUrl }, 'connector worker running');
  process.stdout.write(JSON.stringify({ worker: 'ready', connectors: ids, statusUrl }) + '\n');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    env.log.info({ signal }, 'stopping: finishing in-flight pages');
    await Promise.all(workers.map((w) => w.stop()));
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
