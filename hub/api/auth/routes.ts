/**
 * /api/v1/me, /api/v1/auth/token and the administrator's principal management. The first
 * administrator is created from the command line (`npm run hub:admin -- add …`); after that,
 * administrators manage principals here. Plain API keys appear once, in the response that made them.
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../store/db.js';
import { DEPARTMENT_ID } from '../params.js';
import { ROLES } from '../principal.js';
import { principalOf, requireRole } from '../read-scope.js';
import { signToken } from './authenticate.js';
import { createPrincipal, disablePrincipal, issueApiKey, type NewPrincipal } from './principals.js';

const principalBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'role'],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9_.-]{3,64}$' },
    name: { type: 'string', minLength: 1, maxLength: 100 },
    role: { type: 'string', enum: [...ROLES] },
    jurisdiction: { type: 'string', pattern: '^([0-9]{2,12})?$' },
    department: { ...DEPARTMENT_ID, type: ['string', 'null'] },
    canUnmask: { type: 'boolean' },
  },
} as const;

const idParams = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', pattern: '^[a-z0-9_.-]{3,64}$' } } } as const;

export async function authRoutes(app: FastifyInstance, opts: { db: Db; jwtSecret?: string }): Promise<void> {
  const { db } = opts;
  app.get('/me', { schema: { tags: ['auth'], summary: '当前身份 (who you are: role, jurisdiction, department)' } }, async (req) => principalOf(req));

  app.post('/auth/token', { schema: { tags: ['auth'], summary: '换取 15 分钟有效的 JWT (exchange your credentials for a short-lived JWT)' } }, async (req, reply) => {
    const p = principalOf(req);
    if (!opts.jwtSecret) return reply.code(404).send({ error: 'not_found', message: 'JWT 未启用 (this hub has no HUB_JWT_SECRET; use the API key)' });
    return { token: signToken(opts.jwtSecret, p.id), expiresIn: 900 };
  });

  app.get('/principals', { schema: { tags: ['auth'], summary: '用户列表（管理员）' } }, async (req) => {
    requireRole(req, ['admin']);
    return { items: await db('principals').select('id', 'name', 'role', 'jurisdiction', 'department', 'can_unmask as canUnmask', 'created_at as createdAt', 'disabled_at as disabledAt').orderBy('id') };
  });

  app.post<{ Body: NewPrincipal }>('/principals', { schema: { body: principalBody, tags: ['auth'], summary: '新建用户并签发 API key（管理员）' } }, async (req, reply) => {
    requireRole(req, ['admin']);
    const principal = await createPrincipal(db, req.body);
    return reply.code(201).send({ principal, apiKey: await issueApiKey(db, principal.id) });
  });

  app.post<{ Params: { id: string } }>('/principals/:id/disable', { schema: { params: idParams, tags: ['auth'], summary: '停用用户（管理员）' } }, async (req, reply) => {
    const admin = requireRole(req, ['admin']);
    if (admin.id === req.params.id) return reply.code(400).send({ error: 'bad_request', message: '不能停用自己 (you cannot disable yourself)' });
    await disablePrincipal(db, req.params.id);
    return { id: req.params.id, disabled: true };
  });
}
