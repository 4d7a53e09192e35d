/**
 * The write API: the center's decisions. Each route validates, checks that the caller may decide
 * on every matter or subject it names (role, and jurisdiction through the same scope functions as
 * the read routes — out of scope looks like absent), and calls DecisionOps, which applies the
 * decision and queues the Dispatch record the departments receive through the sink connectors.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../store/db.js';
import { DecisionError, type Actor, type DecisionOps } from '../ops/types.js';
import { DEPARTMENT_ID, ROW_ID, TIMESTAMP } from './params.js';
import type { Principal } from './principal.js';
import { requireRole, scopedMatters, scopedSubjects } from './read-scope.js';

/** Operational roles decide; auditors and administrators do not (separation of duties, MLPS 2.0). */
export const DECIDERS = ['commander', 'town_operator'] as const;

export const REASON = { type: 'string', minLength: 2, maxLength: 500 } as const;
const REF = {
  type: 'object',
  additionalProperties: false,
  required: ['sourceSystem', 'sourceRecordId'],
  properties: { sourceSystem: { type: 'string', minLength: 1, maxLength: 64 }, sourceRecordId: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;
const idParams = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: ROW_ID } } as const;
const mergeBody = {
  type: 'object',
  additionalProperties: false,
  required: ['into', 'from', 'reason'],
  properties: { into: ROW_ID, from: { type: 'array', items: ROW_ID, minItems: 1, maxItems: 50, uniqueItems: true }, reason: REASON },
} as const;

interface DispatchBody {
  leadDepartment: string;
  cooperatingDepartments?: string[];
  level?: 'NORMAL' | 'URGENT' | 'EMERGENCY';
  firstResponseDeadline?: string;
  onSiteDeadline?: string;
  closureDeadline?: string;
  instructions?: string;
  reason?: string;
}

export function actorOf(req: FastifyRequest, p: Principal): Actor {
  // departments see who decided, masked like any personal name: 李**
  return { principalId: p.id, role: p.role, nameMasked: p.name ? `${[...p.name][0]}**` : null, from: req.ip };
}

export class DecisionsUnavailableError extends Error {
  readonly statusCode = 503;
  constructor() {
    super('决策服务未启用 (this API server has no decision service; run it inside the hub)');
  }
}

export async function decisionRoutes(app: FastifyInstance, opts: { db: Db; ops?: DecisionOps }): Promise<void> {
  const { db } = opts;
  const ops = (): DecisionOps => {
    if (!opts.ops) throw new DecisionsUnavailableError();
    return opts.ops;
  };
  const decider = (req: FastifyRequest) => requireRole(req, DECIDERS);

  async function mattersVisible(p: Principal, ids: string[]): Promise<void> {
    const found = new Set(((await scopedMatters(db, p).whereIn('m.id', ids).pluck('m.id')) as string[]).map(String));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) throw new DecisionError('not_found', `事项 ${missing.join('、')} 不存在或不在您的辖区内 (no such matter in your jurisdiction)`);
  }
  async function subjectsVisible(p: Principal, ids: string[]): Promise<void> {
    const found = new Set(((await scopedSubjects(db, p).whereIn('s.id', ids).pluck('s.id')) as string[]).map(String));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) throw new DecisionError('not_found', `主体 ${missing.join('、')} 不存在或不在您的辖区内 (no such subject in your jurisdiction)`);
  }

  app.post<{ Params: { id: string }; Body: DispatchBody }>(
    '/matters/:id/dispatch',
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['leadDepartment'],
          properties: {
            leadDepartment: DEPARTMENT_ID,
            cooperatingDepartments: { type: 'array', items: DEPARTMENT_ID, maxItems: 20, uniqueItems: true },
            level: { type: 'string', enum: ['NORMAL', 'URGENT', 'EMERGENCY'] },
            firstResponseDeadline: TIMESTAMP,
            onSiteDeadline: TIMESTAMP,
            closureDeadline: TIMESTAMP,
            instructions: { type: 'string', maxLength: 2000 },
            reason: REASON,
          },
        },
        tags: ['decisions'],
        summary: '派单 / 改派：牵头与协办部门、时限 (dispatch or redispatch a matter)',
      },
    },
    async (req) => {
      const p = decider(req);
      await mattersVisible(p, [req.params.id]);
      const b = req.body;
      const ms = (s?: string) => (s === undefined ? undefined : Date.parse(s));
      return ops().dispatch(
        req.params.id,
        { leadDepartment: b.leadDepartment, cooperatingDepartments: b.cooperatingDepartments ?? [], level: b.level, firstResponseDeadline: ms(b.firstResponseDeadline), onSiteDeadline: ms(b.onSiteDeadline), closureDeadline: ms(b.closureDeadline), instructions: b.instructions, reason: b.reason },
        actorOf(req, p),
      );
    },
  );

  app.post<{ Params: { id: string }; Body: { result: string; reason?: string } }>(
    '/matters/:id/close',
    {
      schema: {
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['result'], properties: { result: { type: 'string', minLength: 2, maxLength: 2000 }, reason: REASON } },
        tags: ['decisions'],
        summary: '办结：统一出件的办理结果 (close a matter with its one result)',
      },
    },
    async (req) => {
      const p = decider(req);
      await mattersVisible(p, [req.params.id]);
      return ops().close(req.params.id, req.body, actorOf(req, p));
    },
  );

  app.post<{ Body: { into: string; from: string[]; reason: string } }>(
    '/matters/merge',
    { schema: { body: mergeBody, tags: ['decisions'], summary: '合并事项：报告与任务并入保留的事项 (merge matters)' } },
    async (req) => {
      const p = decider(req);
      await mattersVisible(p, [req.body.into, ...req.body.from]);
      return ops().mergeMatters(req.body, actorOf(req, p));
    },
  );

  app.post<{ Params: { id: string }; Body: { reports: Array<{ sourceSystem: string; sourceRecordId: string }>; reason: string } }>(
    '/matters/:id/split',
    {
      schema: {
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['reports', 'reason'], properties: { reports: { type: 'array', items: REF, minItems: 1, maxItems: 200 }, reason: REASON } },
        tags: ['decisions'],
        summary: '拆分事项：选中的报告成为新事项 (split reports off into a new matter)',
      },
    },
    async (req) => {
      const p = decider(req);
      await mattersVisible(p, [req.params.id]);
      return ops().splitMatter(req.params.id, req.body, actorOf(req, p));
    },
  );

  app.post<{ Body: { into: string; from: string[]; reason: string } }>(
    '/subjects/merge',
    { schema: { body: mergeBody, tags: ['decisions'], summary: '合并主体：同一企业/场所的档案合一 (merge subjects)' } },
    async (req) => {
      const p = decider(req);
      await subjectsVisible(p, [req.body.into, ...req.body.from]);
      return ops().mergeSubjects(req.body, actorOf(req, p));
    },
  );

  app.post<{ Params: { id: string }; Body: { links: Array<{ sourceSystem: string; sourceRecordId: string }>; reason: string } }>(
    '/subjects/:id/split',
    {
      schema: {
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['links', 'reason'], properties: { links: { type: 'array', items: REF, minItems: 1, maxItems: 200 }, reason: REASON } },
        tags: ['decisions'],
        summary: '拆分主体：误并的记录另立档案 (split records off into a new subject)',
      },
    },
    async (req) => {
      const p = decider(req);
      await subjectsVisible(p, [req.params.id]);
      return ops().splitSubject(req.params.id, req.body, actorOf(req, p));
    },
  );
}
