/** GET /api/v1/tasks — dispatched tasks per department with their SLA state (按时/临期/超时). */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../store/db.js';
import { decodeCursor, encodeCursor, PAGE_PROPERTIES } from './cursor.js';
import { DEPARTMENT_ID } from './params.js';
import { maskText } from './personal-data.js';
import { principalOf, scopedTasks } from './read-scope.js';

export const SLA_STATE_LABELS: Record<string, string> = { on_time: '按时', at_risk: '临期', breached: '超时' };
const ROLE_LABELS: Record<string, string> = { lead: '牵头', cooperating: '协办', verifier: '核查' };
/** A task is "at risk" once less than this share of its closing window remains. */
const AT_RISK_SHARE = 0.2;

/** A row of `tasks`, as the routes read it. */
export interface TaskRow {
  id: string;
  matter_id: string;
  department: string;
  role: string;
  status: string;
  dispatched_at: Date;
  first_response_by: Date;
  on_site_by: Date;
  close_by: Date;
  responded_at: Date | null;
  on_site_at: Date | null;
  done_at: Date | null;
  result: string | null;
  breaches: string[];
}

/** SLA state from the deadlines alone, so it is right even before the hub's clock marks a breach. */
export function slaState(t: Pick<TaskRow, 'dispatched_at' | 'close_by' | 'first_response_by' | 'responded_at' | 'done_at' | 'breaches'>, now: Date): 'on_time' | 'at_risk' | 'breached' {
  const end = t.done_at ?? now;
  if (t.breaches.length > 0 || end > t.close_by) return 'breached';
  if (!t.responded_at && now > t.first_response_by && !t.done_at) return 'breached';
  if (t.done_at) return 'on_time';
  const window = t.close_by.getTime() - t.dispatched_at.getTime();
  return t.close_by.getTime() - now.getTime() < window * AT_RISK_SHARE ? 'at_risk' : 'on_time';
}

/** One task as every route shows it; `text` masks (or not) the free text of its result. */
export function taskView(t: TaskRow, now: Date, text: (s: string | null) => string | null = maskText) {
  const sla = slaState(t, now);
  return {
    id: String(t.id),
    matterId: String(t.matter_id),
    department: t.department,
    role: t.role,
    roleLabel: ROLE_LABELS[t.role] ?? t.role,
    status: t.status,
    dispatchedAt: t.dispatched_at.toISOString(),
    firstResponseBy: t.first_response_by.toISOString(),
    onSiteBy: t.on_site_by.toISOString(),
    closeBy: t.close_by.toISOString(),
    respondedAt: t.responded_at?.toISOString() ?? null,
    onSiteAt: t.on_site_at?.toISOString() ?? null,
    doneAt: t.done_at?.toISOString() ?? null,
    result: text(t.result),
    sla,
    slaLabel: SLA_STATE_LABELS[sla],
    breaches: t.breaches,
  };
}

/**
 * The same states as SQL conditions on a tasks alias, for filters (matters by SLA state): breached
 * and at-risk tasks are found in the database rather than by reading every task of the county.
 */
export function slaStateSql(alias: string): Record<'breached' | 'at_risk', string> {
  const t = alias;
  const breached = `(cardinality(${t}.breaches) > 0 or coalesce(${t}.done_at, now()) > ${t}.close_by or (${t}.responded_at is null and ${t}.done_at is null and now() > ${t}.first_response_by))`;
  return {
    breached,
    at_risk: `(not ${breached} and ${t}.done_at is null and ${t}.close_by - now() < (${t}.close_by - ${t}.dispatched_at) * ${AT_RISK_SHARE})`,
  };
}

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...PAGE_PROPERTIES,
    department: DEPARTMENT_ID,
    role: { type: 'string', enum: ['lead', 'cooperating'] },
    status: { type: 'string', enum: ['DISPATCHED', 'ACCEPTED', 'ON_SITE', 'IN_PROGRESS', 'DONE', 'RETURNED', 'WITHDRAWN', 'MERGED'] },
    open: { type: 'boolean', description: 'only tasks not yet done' },
  },
} as const;

export async function taskRoutes(app: FastifyInstance, opts: { db: Db; now?: () => Date }): Promise<void> {
  const { db } = opts;
  const now = opts.now ?? (() => new Date());
  app.get<{ Querystring: { limit: number; cursor?: string; department?: string; role?: string; status?: string; open?: boolean } }>(
    '/tasks',
    { schema: { querystring: listQuery, tags: ['tasks'], summary: '部门任务 (tasks by department, earliest deadline first, with SLA state)' } },
    async (req) => {
      const { limit, cursor, department, role, status, open } = req.query;
      const q = scopedTasks(db, principalOf(req))
        .select('t.*', 'm.title', 'm.division_code')
        .orderBy([{ column: 't.close_by', order: 'asc' }, { column: 't.id', order: 'asc' }])
        .limit(limit + 1);
      if (department) q.where('t.department', department);
      if (role) q.where('t.role', role);
      if (status) q.where('t.status', status);
      if (open) q.whereNull('t.done_at');
      if (cursor) {
        const [at, id] = decodeCursor(cursor);
        q.whereRaw('(t.close_by, t.id) > (?::timestamptz, ?::bigint)', [at, id]);
      }
      const rows = (await q) as Array<TaskRow & { title: string; division_code: string | null }>;
      const page = rows.slice(0, limit);
      const at = now();
      const last = page[page.length - 1];
      return {
        items: page.map((t) => ({ ...taskView(t, at), matterTitle: maskText(t.title), divisionCode: t.division_code })),
        nextCursor: rows.length > limit && last ? encodeCursor(last.close_by.toISOString(), String(last.id)) : null,
      };
    },
  );
}
