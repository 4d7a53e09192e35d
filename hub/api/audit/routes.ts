/** GET /api/v1/audit and /api/v1/audit/verify — the access audit log, for auditors and administrators only. */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../store/db.js';
import { requireRole } from '../read-scope.js';
import { verifyAuditChain } from './chain.js';

const AUDIT_READERS = ['auditor', 'admin'] as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
    after: { type: 'string', pattern: '^[0-9]{1,18}$', description: '只返回此序号之后的记录 (rows after this seq)' },
    principal: { type: 'string', maxLength: 100 },
    action: { type: 'string', maxLength: 50 },
  },
} as const;

export async function auditRoutes(app: FastifyInstance, opts: { db: Db }): Promise<void> {
  const { db } = opts;
  app.get<{ Querystring: { limit: number; after?: string; principal?: string; action?: string } }>(
    '/audit',
    { schema: { querystring: listQuery, tags: ['audit'], summary: '个人信息访问审计记录 (who looked at personal data, when, why, from where)' } },
    async (req) => {
      requireRole(req, AUDIT_READERS);
      const { limit, after, principal, action } = req.query;
      const q = db('access_audit').orderBy('seq').limit(limit);
      if (after) q.where('seq', '>', after);
      if (principal) q.where('principal_id', principal);
      if (action) q.where('action', action);
      const rows = (await q) as Array<{ seq: string; at: Date; principal_id: string; action: string; target: string; purpose: string; remote_addr: string | null; detail: unknown; hash: string }>;
      return {
        items: rows.map((r) => ({ seq: String(r.seq), at: r.at.toISOString(), principalId: r.principal_id, action: r.action, target: r.target, purpose: r.purpose, remoteAddr: r.remote_addr, detail: r.detail, hash: r.hash })),
        nextAfter: rows.length === limit ? String(rows[rows.length - 1]!.seq) : null,
      };
    },
  );
  app.get('/audit/verify', { schema: { tags: ['audit'], summary: '校验审计日志哈希链 (detects altered, removed or inserted rows)' } }, async (req) => {
    requireRole(req, AUDIT_READERS);
    const v = await verifyAuditChain(db);
    return { ...v, message: v.ok ? `审计日志完整：${v.checked} 条记录哈希链校验通过` : `审计日志被篡改：第 ${v.brokenAt!.seq} 条 — ${v.brokenAt!.reason}` };
  });
}
