/**
 * The hub's HTTP server: the unified API under /api/v1 plus /health, /ready, /metrics and /docs.
 * Every other route needs credentials (auth/authenticate.ts); requests are rate-limited per
 * principal, bodies are capped, responses carry security headers, and each request leaves one
 * structured access-log line (who, what, status, time) — never its query string, which may hold
 * names or an access token.
 */
import { randomUUID } from 'node:crypto';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { FastifyBaseLogger } from 'fastify';
import { auditRoutes } from './audit/routes.js';
import { registerAuthentication } from './auth/authenticate.js';
import { authRoutes } from './auth/routes.js';
import { isConnectionDbError, type Db } from '../store/db.js';
import type { HubConsumer } from '../ingest/consumer.js';
import { HubMetrics } from '../metrics.js';
import { readinessChecks, type ReadinessTargets } from './readiness.js';
import { matterRoutes } from './matters.js';
import { taskRoutes } from './tasks.js';
import { subjectRoutes } from './subjects.js';
import { statisticsRoutes } from './statistics.js';
import { streamRoutes } from './stream.js';
import { decisionRoutes } from './decisions.js';
import { proposalRoutes } from './proposals.js';
import { DecisionError, type DecisionOps } from '../ops/types.js';
import { connectorControlRoutes } from './connector-control.js';
import { connectorRoutes } from './connectors.js';
import { reconciliationRoutes } from './reconciliation.js';
import { geoRoutes, type GeoData } from './geo.js';
import { installValidation } from './validation.js';
import { webRoutes } from './web.js';
import { installResponseSchemas } from './response-schemas.js';

export interface ApiDeps {
  db: Db;
  consumer?: HubConsumer;
  /** Where access logs and errors go; none in tests. */
  logger?: FastifyBaseLogger;
  /** HS256 secret for JWTs (HUB_JWT_SECRET); without it only API keys authenticate. */
  jwtSecret?: string;
  /** Shapes of towns, villages and grids for the map routes. */
  geo?: GeoData;
  /** Connector workers' status endpoints (CONNECTOR_STATUS_URLS). */
  connectorStatusUrls?: string[];
  /** The workers' control token (CONNECTOR_CONTROL_TOKEN): admins may pause, resume, reset and replay. */
  connectorControlToken?: string;
  /** The center's decisions (write API); without it those routes answer 503. */
  decisions?: DecisionOps;
  /** Requests per principal (or address, before authentication) per minute. */
  rateLimitPerMinute?: number;
  /** Prometheus metrics served at /metrics; none in tests that do not look at them. */
  metrics?: HubMetrics;
  /** Servers /ready checks besides PostgreSQL: Kafka and the schema registry. */
  readiness?: ReadinessTargets;
}

/** What every route answers while PostgreSQL cannot be reached (503, with Retry-After). */
const DATABASE_UNAVAILABLE = { error: 'database_unavailable', message: '数据库暂时无法连接，请稍后重试 (the database is not reachable at the moment; try again shortly)' } as const;

const DECISION_STATUS = { not_found: 404, conflict: 409, invalid: 400 } as const;

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    // one access-log line per request instead, below; one id per request across every log line it causes
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    bodyLimit: 64 << 10, // decisions are small JSON documents
    requestIdHeader: 'x-request-id', // taken from a proxy in front when it sends one
    genReqId: () => randomUUID(),
    routerOptions: { maxParamLength: 8_000 }, // long ids reach the schema and get its 400, not a bare 414
  });
  // an API without the ingest side (tests, a read-only replica) still exports its own series
  const metrics = deps.metrics ?? new HubMetrics({ db: deps.db });
  installValidation(app);
  installResponseSchemas(app);
  await app.register(helmet, { global: true, contentSecurityPolicy: false });
  registerAuthentication(app, { db: deps.db, jwtSecret: deps.jwtSecret });
  await app.register(rateLimit, {
    hook: 'preHandler', // after authentication, so the budget is the principal's, not a shared NAT address's
    max: deps.rateLimitPerMinute ?? 1200,
    timeWindow: 60_000,
    keyGenerator: (req) => req.principal?.id ?? req.ip,
    errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, error: 'too_many_requests', message: `请求过于频繁，请 ${Math.ceil(ctx.ttl / 1000)} 秒后再试 (rate limit of ${ctx.max} requests per minute reached)` }),
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id); // an operator quotes it; the hub log finds every line of that request
  });
  app.addHook('onResponse', async (req, reply) => {
    // by route pattern, never by path: ids in paths would make a series per matter
    metrics.request(req.routeOptions.url ?? 'unmatched', req.method, reply.statusCode, reply.elapsedTime / 1000);
    req.log.info(
      { principal: req.principal?.id ?? null, method: req.method, route: req.routeOptions.url ?? null, path: req.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime), ip: req.ip },
      'access',
    );
  });

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    if (isConnectionDbError(err)) {
      // PostgreSQL down or restarting: a condition that passes, not a fault of the hub or the request
      req.log.warn({ err: err.message }, 'database not reachable');
      return reply.code(503).header('retry-after', '5').send(DATABASE_UNAVAILABLE);
    }
    const status = err instanceof DecisionError ? DECISION_STATUS[err.code] : (err.statusCode ?? 500);
    if (status >= 500) {
      req.log.error({ err }, 'request failed');
      return reply.code(status).send({ error: 'internal', requestId: req.id, message: `服务器内部错误，请稍后重试 (internal error; the hub log has the details under request id ${req.id})` });
    }
    const v = (err as { validation?: Array<{ keyword?: string; params?: { additionalProperty?: string } }> }).validation?.[0];
    if (v?.keyword === 'additionalProperties') err.message = `未知参数 (unknown parameter "${v.params?.additionalProperty}"): ${err.message}`;
    const error = err.validation ? 'bad_request' : ({ 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 413: 'payload_too_large', 429: 'too_many_requests' } as Record<number, string>)[status] ?? 'bad_request';
    return reply.code(status).send({ error, message: err.message });
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'CountyHub unified API (县级指挥中心统一接口)', version: '1' },
      tags: [
        { name: 'matters', description: '事项 (一件事)' },
        { name: 'tasks', description: '部门任务' },
        { name: 'subjects', description: '主体 (一企一档)' },
        { name: 'statistics', description: '统计与考核' },
        { name: 'decisions', description: '指挥中心决策：派单、办结、合并、拆分' },
        { name: 'audit', description: '个人信息访问审计' },
        { name: 'geo', description: '区划与网格 (GeoJSON)' },
        { name: 'operations', description: '连接器与同步状态' },
        { name: 'auth', description: '身份与令牌' },
      ],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API key (chk_…) or JWT' },
        },
      },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_req, reply) => {
    // each server the hub needs, by name: an operator sees which one is missing
    const checks = await readinessChecks(deps.db, deps.readiness ?? {});
    const failed = Object.entries(checks).filter(([, c]) => !c.ok);
    if (!failed.length) return { status: 'ready', checks };
    const message = failed.map(([name, c]) => (name === 'postgresql' ? DATABASE_UNAVAILABLE.message : `${name}: ${c.error}`)).join('; ');
    return reply.code(503).header('retry-after', '5').send({ status: 'not_ready', message, checks });
  });
  app.get('/metrics', async (_req, reply) => {
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).send(body);
  });
  await app.register(matterRoutes, { prefix: '/api/v1', db: deps.db });
  await app.register(taskRoutes, { prefix: '/api/v1', db: deps.db });
  await app.register(subjectRoutes, { prefix: '/api/v1', db: deps.db });
  await app.register(statisticsRoutes, { prefix: '/api/v1', db: deps.db });
  await app.register(streamRoutes, { prefix: '/api/v1', db: deps.db });
  await app.register(auditRoutes, { prefix: '/api/v1', db: deps.db });
  await app.register(decisionRoutes, { prefix: '/api/v1', db: deps.db, ops: deps.decisions });
  await app.register(proposalRoutes, { prefix: '/api/v1', db: deps.db, decisions: deps.decisions });
  await app.register(geoRoutes, { prefix: '/api/v1', geo: deps.geo ?? { divisions: [], grids: [] } });
  await app.register(connectorRoutes, { prefix: '/api/v1', statusUrls: deps.connectorStatusUrls ?? [], hubLag: deps.consumer ? () => deps.consumer!.lag() : undefined });
  await app.register(reconciliationRoutes, { prefix: '/api/v1', db: deps.db });
  await app.register(connectorControlRoutes, { prefix: '/api/v1', db: deps.db, statusUrls: deps.connectorStatusUrls ?? [], token: deps.connectorControlToken });
  await app.register(authRoutes, { prefix: '/api/v1', db: deps.db, jwtSecret: deps.jwtSecret });
  await app.register(webRoutes, {}); // the command center's screen at /
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'not_found', message: `没有这个接口 (no route ${req.method} ${req.url.split('?')[0]}); see /docs` }));
  return app;
}
