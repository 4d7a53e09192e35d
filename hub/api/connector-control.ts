/**
 * Connector control for administrators, on every worker through one API: pause, resume, reset a
 * cursor to the beginning, list and replay dead letters — the operations of the `countyhub` CLI,
 * without a shell on the worker's host. The hub finds the worker that runs the connector among
 * CONNECTOR_STATUS_URLS and calls its control routes (connectors/runtime/control.ts) with the
 * shared CONNECTOR_CONTROL_TOKEN. Every change is written to the audit chain before it is made,
 * with the administrator's reason: if the audit cannot be written, nothing is done.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConnectorStatusView } from '../../core/connector-status.js';
import type { Db } from '../store/db.js';
import { appendAudit } from './audit/chain.js';
import { requireRole } from './read-scope.js';

export interface ConnectorControlDeps {
  db: Db;
  statusUrls: string[];
  token: string | undefined;
}

type Req = FastifyRequest<{ Params: { id: string }; Body: { reason?: string; offsets?: string[]; payload?: unknown; to?: string } | null }>;

const REASON = { type: 'string', minLength: 2, maxLength: 500, description: '操作原因（写入审计日志）' } as const;
const ID_PARAMS = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[a-z0-9-]{1,64}$' } } } as const;

/** The worker running connector `id` (its status URL and the connector's state), and the workers that did not answer. */
async function workerOf(statusUrls: string[], id: string): Promise<{ found?: { url: string; state: string }; unreachable: string[] }> {
  const unreachable: string[] = [];
  const found = await Promise.all(
    statusUrls.map(async (url) => {
      try {
        // generous: a worker busy with a large page still answers, only later
        const res = await fetch(`${url.replace(/\/$/, '')}/status`, { signal: AbortSignal.timeout(15_000) });
        const c = res.ok ? ((await res.json()) as ConnectorStatusView[]).find((x) => x.id === id) : undefined;
        if (!res.ok) unreachable.push(url);
        return c ? { url, state: c.state } : undefined;
      } catch {
        unreachable.push(url);
        return undefined;
      }
    }),
  );
  return { found: found.find(Boolean), unreachable };
}

export async function connectorControlRoutes(app: FastifyInstance, opts: ConnectorControlDeps): Promise<void> {
  /** Calls the worker's control route, answering the client with the worker's status and body. */
  const forward = async (req: Req, reply: FastifyReply, method: 'GET' | 'POST', path: string, body?: unknown, audit?: { action: string; detail?: Record<string, unknown>; needsPaused?: boolean }) => {
    const p = requireRole(req, ['admin']);
    if (!opts.token) return reply.code(503).send({ error: 'control_disabled', message: '未配置连接器管理口令 (set CONNECTOR_CONTROL_TOKEN on the hub and CONTROL_TOKEN on the workers)' });
    const { found, unreachable } = await workerOf(opts.statusUrls, req.params.id);
    if (!found && unreachable.length) {
      return reply.code(503).header('retry-after', '10').send({ error: 'worker_unreachable', message: `连接器进程无应答，请稍后重试 (${unreachable.length} worker(s) did not answer; ${req.params.id} may run on one of them)` });
    }
    if (!found) return reply.code(404).send({ error: 'not_found', message: `没有连接器 ${req.params.id} (no worker in CONNECTOR_STATUS_URLS runs it)` });
    // refused before the audit row, so the chain records what was done, not what was asked in vain
    // (the worker checks again: it is the authority on its state)
    if (audit?.needsPaused && found.state !== 'paused') return reply.code(409).send({ error: 'CH_STATE', message: `连接器 ${req.params.id} 正在运行：请先暂停再重置游标 (pause the connector before resetting its cursor)` });
    const worker = found.url;
    if (audit) {
      await appendAudit(opts.db, { principalId: p.id, action: audit.action, target: `connector:${req.params.id}`, purpose: req.body?.reason ?? '', remoteAddr: req.ip, detail: { worker, ...audit.detail } });
    }
    let res: Response;
    try {
      res = await fetch(`${worker.replace(/\/$/, '')}/connectors/${encodeURIComponent(req.params.id)}/${path}`, {
        method,
        headers: { authorization: `Bearer ${opts.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(120_000), // a pause waits for the page under way; a replay maps and produces
      });
    } catch (err) {
      return reply.code(502).send({ error: 'worker_unreachable', message: `连接器进程无应答 (the worker did not answer: ${(err as Error).message})` });
    }
    const text = await res.text();
    return reply.code(res.status).type('application/json').send(text);
  };

  const change = (summary: string, withBody: Record<string, unknown> = {}) => ({
    schema: {
      tags: ['operations'],
      summary,
      params: ID_PARAMS,
      body: { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: REASON, ...withBody } },
    },
  });

  app.post('/connectors/:id/pause', change('暂停连接器（当前页提交后停止读取）(pause a connector after the page under way)'), async (req: Req, reply) => forward(req, reply, 'POST', 'pause', undefined, { action: 'connector.pause' }));
  app.post('/connectors/:id/resume', change('恢复连接器 (resume a paused connector)'), async (req: Req, reply) => forward(req, reply, 'POST', 'resume', undefined, { action: 'connector.resume' }));
  app.post(
    '/connectors/:id/cursor-reset',
    change('重置游标到起点（须先暂停；恢复后重新读取，汇聚平台按版本去重）(reset the cursor to the beginning; pause first)', { to: { type: 'string', enum: ['beginning'] } }),
    async (req: Req, reply) => forward(req, reply, 'POST', 'cursor', { to: 'beginning' }, { action: 'connector.cursor_reset', detail: { to: 'beginning' }, needsPaused: true }),
  );
  app.get('/connectors/:id/dead-letters', { schema: { tags: ['operations'], summary: '连接器的死信（不含原始内容）(dead letters without their payloads)', params: ID_PARAMS } }, async (req: Req, reply) => {
    return forward(req, reply, 'GET', 'dead-letters');
  });
  app.post(
    '/connectors/:id/dead-letters/replay',
    change('重放死信：按当前映射重新转换，或以更正后的内容替换一条 (replay dead letters; a corrected payload replaces one)', {
      offsets: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', pattern: '^[0-9]{1,20}$' } },
      payload: { description: '更正后的源记录（仅一条死信时）' },
    }),
    async (req: Req, reply) => forward(req, reply, 'POST', 'dead-letters/replay', { offsets: req.body?.offsets, payload: req.body?.payload }, { action: 'connector.dead_letter_replay', detail: { offsets: req.body?.offsets ?? 'all waiting', corrected: req.body?.payload !== undefined } }),
  );
}
