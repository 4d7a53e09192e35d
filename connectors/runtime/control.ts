/**
 * What an operator does to a running connector, on the worker's status port: pause, resume,
 * reset the cursor to the beginning, list and replay dead letters — the same operations as the
 * `countyhub` CLI, for the hub's admin API (hub/api/connector-control.ts) to call on every worker.
 *
 * Enabled only with CONTROL_TOKEN (a shared secret the hub sends as a bearer token): the status
 * port is often reachable from the whole data-centre network, and these change what a county
 * ingests. Dead letters are listed without their payloads (personal data stays in Kafka; the CLI
 * on the worker's host shows them to whoever may read them).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { listDeadLetters, replayDeadLetters } from '../cli/dead-letters.js';
import { CountyHubError } from '../../core/errors.js';
import type { ConnectorEnvironment } from './environment.js';
import type { ConnectorWorker } from './worker.js';

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function registerControl(app: FastifyInstance, env: ConnectorEnvironment, workers: ConnectorWorker[], token: string | undefined): void {
  const find = (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): ConnectorWorker | undefined => {
    if (!token) {
      void reply.code(403).send({ error: 'control_disabled', message: '此连接器进程未开放管理操作：设置 CONTROL_TOKEN 后重启 (set CONTROL_TOKEN to enable control)' });
      return undefined;
    }
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (!same(given, token)) {
      void reply.code(401).send({ error: 'unauthorized', message: 'control token missing or wrong' });
      return undefined;
    }
    const w = workers.find((x) => x.status.view().id === req.params.id);
    if (!w) void reply.code(404).send({ error: 'not_found', message: `no connector ${req.params.id} in this worker` });
    return w;
  };
  const fail = (reply: FastifyReply, err: unknown) => {
    const e = err as CountyHubError;
    const status = e.code === 'CH_STATE' ? 409 : e.code === 'CH_CONFIG' ? 400 : e.retriable ? 503 : 500;
    return reply.code(status).send({ error: e.code ?? 'internal', message: e.message });
  };

  app.post<{ Params: { id: string } }>('/connectors/:id/pause', async (req, reply) => {
    const w = find(req, reply);
    if (!w) return reply;
    await w.pause();
    return w.status.view();
  });
  app.post<{ Params: { id: string } }>('/connectors/:id/resume', async (req, reply) => {
    const w = find(req, reply);
    if (!w) return reply;
    w.resume();
    return w.status.view();
  });
  app.post<{ Params: { id: string }; Body: { to?: string } | null }>('/connectors/:id/cursor', async (req, reply) => {
    const w = find(req, reply);
    if (!w) return reply;
    if ((req.body?.to ?? 'beginning') !== 'beginning') return reply.code(400).send({ error: 'CH_CONFIG', message: 'a cursor can be reset to "beginning" (the manifest\'s initial position)' });
    try {
      const stored = await w.resetCursor();
      return { reset: true, committedAt: stored.committedAt, status: w.status.view() };
    } catch (err) {
      return fail(reply, err);
    }
  });
  app.get<{ Params: { id: string } }>('/connectors/:id/dead-letters', async (req, reply) => {
    const w = find(req, reply);
    if (!w) return reply;
    const letters = await listDeadLetters(env, req.params.id);
    return letters.map((l) => ({
      partition: l.partition,
      offset: l.offset,
      replayed: l.replayed,
      sourceRecordId: l.letter.sourceRecordId,
      code: l.letter.code,
      field: l.letter.field,
      reason: l.letter.reason,
      failedAt: l.letter.failedAt,
      truncated: l.letter.truncated ?? null,
    }));
  });
  app.post<{ Params: { id: string }; Body: { offsets?: string[]; payload?: unknown } | null }>('/connectors/:id/dead-letters/replay', async (req, reply) => {
    const w = find(req, reply);
    if (!w) return reply;
    const offsets = req.body?.offsets;
    if (offsets !== undefined && (!Array.isArray(offsets) || offsets.some((o) => typeof o !== 'string'))) return reply.code(400).send({ error: 'CH_CONFIG', message: 'offsets must be a list of dead-letter offsets (text)' });
    try {
      return await replayDeadLetters(env, { connector: req.params.id, offsets, payload: req.body?.payload });
    } catch (err) {
      return fail(reply, err);
    }
  });
}
