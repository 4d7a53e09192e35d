/** The hub's HTTP server: the unified API under /api/v1 plus /health, /ready and /metrics. */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Db } from '../store/db.js';
import type { HubConsumer } from '../ingest/consumer.js';
import { matterRoutes } from './matters.js';
import { taskRoutes } from './tasks.js';
import { subjectRoutes } from './subjects.js';
import { statisticsRoutes } from './statistics.js';
import { streamRoutes } from './stream.js';

export interface ApiDeps {
  db: Db;
  consumer?: HubConsumer;
  logger?: boolean;
}

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: 1 << 20,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  });

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      req.log.error({ err }, 'request failed');
      return reply.code(status).send({ error: 'internal', message: '服务器内部错误，请稍后重试 (internal error; the details are in the hub log)' });
    }
    return reply.code(status).send({ error: err.validation ? 'bad_request' : 'error', message: err.message });
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'CountyHub unified API (县级指挥中心统一接口)', version: '1' },
      tags: [
        { name: 'matters', description: '事项 (一件事)' },
        { name: 'tasks', description: '部门任务' },
        { name: 'subjects', description: '主体 (一企一档)' },
        { name: 'statistics', description: '统计与考核' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_req, reply) => {
    try {
      await deps.db.raw('select 1');
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'not_ready', message: 'database not reachable' });
    }
  });
  app.get('/metrics', async (_req, reply) => {
    const s = deps.consumer?.stats;
    const lines = s
      ? [
          '# HELP countyhub_hub_batches_total Batches applied to PostgreSQL.',
          '# TYPE countyhub_hub_batches_total counter',
          `countyhub_hub_batches_total ${s.batches}`,
          '# HELP countyhub_hub_records_total Records applied, by outcome.',
          '# TYPE countyhub_hub_records_total counter',
          ...Object.entries(s.applied).map(([k, v]) => `countyhub_hub_records_total{outcome="${k}"} ${v}`),
          '# HELP countyhub_hub_dead_letters_total Records the hub could not decode.',
          '# TYPE countyhub_hub_dead_letters_total counter',
          `countyhub_hub_dead_letters_total ${s.deadLettered}`,
        ]
      : [];
    return reply.type('text/plain; version=0.0.4').send(lines.join('\n') + '\n');
  });
  await app.register(matterRoutes, { prefix: '/api/v1', db: deps.db });
  await app.register(taskRoutes, { prefix: '/api/v1', db: deps.db });
  await app.register(subjectRoutes, { prefix: '/api/v1', db: deps.db });
  await app.register(statisticsRoutes, { prefix: '/api/v1', db: deps.db });
  await app.register(streamRoutes, { prefix: '/api/v1', db: deps.db });
  return app;
}
