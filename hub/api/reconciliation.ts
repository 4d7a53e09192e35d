/**
 * GET /api/v1/reconciliation — did every record each department's platform changed in an hour reach
 * the hub? Per connector and hour of the records' own update time (core/reconciliation.ts): read
 * from the platform, delivered to Kafka, dead-lettered (by reason), canonical records on Kafka,
 * applied and dead-lettered by the hub — and how many are missing between the stages.
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../store/db.js';
import { hourStartMs, HOUR_MS, STAGE_LABELS } from '../../core/reconciliation.js';
import { reconciliationHours } from '../store/reconciliation.js';
import { DEPARTMENT_ID, TIMESTAMP } from './params.js';
import { requireRole } from './read-scope.js';
import type { Role } from './principal.js';

/** Operations and oversight read every department; a department's liaison reads its own. */
const READERS: readonly Role[] = ['admin', 'commander', 'auditor', 'liaison'];
/** At most a month of hours per request: 744 hours × the county's connectors. */
const MAX_HOURS = 31 * 24;

const query = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { ...TIMESTAMP, description: '起（含）：记录在源平台的更新时间，按整点归入小时；缺省为 24 小时前' },
    to: { ...TIMESTAMP, description: '止（不含）；缺省为现在' },
    department: { ...DEPARTMENT_ID, description: '部门编码' },
    connector: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,63}$', description: '连接器编号' },
  },
} as const;

export async function reconciliationRoutes(app: FastifyInstance, opts: { db: Db; now?: () => Date }): Promise<void> {
  const now = opts.now ?? (() => new Date());
  app.get<{ Querystring: { from?: string; to?: string; department?: string; connector?: string } }>(
    '/reconciliation',
    { schema: { querystring: query, tags: ['operations'], summary: '对账：各部门每小时 源平台读取 / 送达Kafka / 死信 / 汇聚入库 的记录数与差异 (per-department hourly reconciliation)' } },
    async (req, reply) => {
      const p = requireRole(req, READERS);
      const bad = (message: string) => reply.code(400).send({ error: 'bad_request', message });
      const to = req.query.to ? new Date(req.query.to) : now();
      const from = req.query.from ? new Date(req.query.from) : new Date(to.getTime() - 24 * HOUR_MS);
      if (from >= to) return bad('from 必须早于 to (from must be before to)');
      if (to.getTime() - from.getTime() > MAX_HOURS * HOUR_MS) return bad(`时间范围最长 ${MAX_HOURS / 24} 天 (at most ${MAX_HOURS} hours per request)`);
      // a liaison sees its own department's feeds only, whatever it asks for
      if (p.role === 'liaison' && req.query.department && req.query.department !== p.department) return bad('联络员只能查看本部门 (a liaison reads its own department only)');
      const department = p.role === 'liaison' ? (p.department ?? '\u0000none') : req.query.department;
      const hours = await reconciliationHours(opts.db, { from, to, department, connector: req.query.connector });
      return {
        from: new Date(hourStartMs(from.getTime())).toISOString(),
        to: to.toISOString(),
        stageLabels: STAGE_LABELS,
        hours,
        missing: hours.reduce((n, h) => n + h.missing, 0),
      };
    },
  );
}
