/**
 * A connector worker process: runs one or more adapters, serves /health, /status and /metrics,
 * and on SIGTERM/SIGINT lets each in-flight page finish (commit or abort) before exiting.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify from 'fastify';
import { connectorEnvironment, workerFor, type ConnectorEnvironment } from './environment.js';
import { registerControl } from './control.js';
import { WorkerMetrics } from './metrics.js';
import type { ConnectorWorker } from './worker.js';

/**
 * Connects and starts one connector of several, without holding up the others. One that cannot
 * start for a reason no retry fixes (a bad manifest override) is reported as refused in /status and
 * /health, logged with the reason, and tried again at the degraded back-off; one that waits for
 * something (Kafka, the registry, a drop folder not mounted yet) waits inside connect(), degraded and
 * naming it. Resolves once the connector runs or has said why it does not yet.
 */
function startAlone(w: ConnectorWorker, id: string, env: ConnectorEnvironment, stopping: () => boolean): Promise<void> {
  const attempt = async (): Promise<void> => {
    try {
      await w.connect();
      if (!stopping()) w.start();
    } catch (err) {
      if (stopping()) return;
      w.status.refused(err);
      env.log.error({ connector: id, err: (err as Error).message, retryInMs: env.degradedBackoffMs }, 'connector cannot start; the others run meanwhile — fix the cause named here, it is tried again');
      setTimeout(() => void attempt(), env.degradedBackoffMs);
    }
  };
  return Promise.race([attempt(), untilSaid(w)]);
}

async function untilSaid(w: ConnectorWorker): Promise<void> {
  while (w.status.view().state === 'starting') await sleep(100);
}

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

  let stopping = false;
  if (workers.length === 1) {
    // one connector: a refusal ends the process (exit 78 naming the setting), as an operator expects
    await workers[0]!.connect();
    workers[0]!.start();
  } else {
    // several: each on its own, so one that cannot start never keeps the others from running
    await Promise.all(workers.map((w, i) => startAlone(w, ids[i]!, env, () => stopping)));
  }
  env.log.info({ connectors: ids, statusUrl }, 'connector worker running');
  process.stdout.write(JSON.stringify({ worker: 'ready', connectors: ids, statusUrl }) + '\n');

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
