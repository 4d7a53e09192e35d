/**
 * GET /api/v1/statistics — tasks grouped by town, department or category: counts, first-response
 * and closure time distributions (p50/p90, hours) and SLA compliance; the inputs to the towns'
 * assessment of the departments dispatched to them.
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../store/db.js';
import { principalOf, scopedTasks } from './read-scope.js';

const GROUP_COLUMNS = { town: 'm.town_code', department: 't.department', category: 'm.category_code' } as const;

const statsQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['by'],
  properties: {
    by: { type: 'string', enum: Object.keys(GROUP_COLUMNS), description: '分组：town 乡镇 / department 部门 / category 类别' },
    from: { type: 'string', format: 'date-time', description: '派单时间起 (inclusive)' },
    to: { type: 'string', format: 'date-time', description: '派单时间止 (exclusive)' },
  },
} as const;

interface StatsRow {
  group_key: string | null;
  tasks: string;
  done: string;
  responded: string;
  response_p50: number | null;
  response_p90: number | null;
  closure_p50: number | null;
  closure_p90: number | null;
  closed_on_time: string;
  open_breached: string;
}

export async function statisticsRoutes(app: FastifyInstance, opts: { db: Db; now?: () => Date }): Promise<void> {
  const { db } = opts;
  const now = opts.now ?? (() => new Date());
  app.get<{ Querystring: { by: keyof typeof GROUP_COLUMNS; from?: string; to?: string } }>(
    '/statistics',
    { schema: { querystring: statsQuery, tags: ['statistics'], summary: '统计 (counts, response/closure p50/p90, SLA compliance by town, department or category)' } },
    async (req, reply) => {
      const { by, from, to } = req.query;
      if (from && to && Date.parse(from) >= Date.parse(to)) {
        return reply.code(400).send({ error: 'bad_request', message: 'from 必须早于 to (from must be before to)' });
      }
      const col = GROUP_COLUMNS[by];
      const hours = (a: string) => `extract(epoch from (${a} - t.dispatched_at)) / 3600.0`;
      const q = scopedTasks(db, principalOf(req))
        .select(db.raw(`${col} as group_key`))
        .select(db.raw('count(*) as tasks'))
        .select(db.raw('count(t.done_at) as done'))
        .select(db.raw('count(t.responded_at) as responded'))
        .select(db.raw(`percentile_cont(0.5) within group (order by ${hours('t.responded_at')}) as response_p50`))
        .select(db.raw(`percentile_cont(0.9) within group (order by ${hours('t.responded_at')}) as response_p90`))
        .select(db.raw(`percentile_cont(0.5) within group (order by ${hours('t.done_at')}) as closure_p50`))
        .select(db.raw(`percentile_cont(0.9) within group (order by ${hours('t.done_at')}) as closure_p90`))
        .select(db.raw(`count(*) filter (where t.done_at is not null and t.done_at <= t.close_by and cardinality(t.breaches) = 0) as closed_on_time`))
        .select(db.raw(`count(*) filter (where t.done_at is null and (t.close_by < ? or cardinality(t.breaches) > 0)) as open_breached`, [now()]))
        .groupByRaw(col)
        .orderByRaw(`${col} nulls last`);
      if (from) q.where('t.dispatched_at', '>=', from);
      if (to) q.where('t.dispatched_at', '<', to);
      const rows = (await q) as StatsRow[];
      const round = (v: number | null) => (v === null ? null : Math.round(Number(v) * 100) / 100);
      return {
        by,
        items: rows.map((r) => {
          const done = Number(r.done);
          return {
            key: r.group_key,
            tasks: Number(r.tasks),
            done,
            // the response figures are over these tasks only: a median of a few is no department's figure
            responded: Number(r.responded),
            responseHours: { p50: round(r.response_p50), p90: round(r.response_p90) },
            closureHours: { p50: round(r.closure_p50), p90: round(r.closure_p90) },
            closedOnTime: Number(r.closed_on_time),
            openBreached: Number(r.open_breached),
            // share of closed tasks closed within their deadline without a breach; null when none closed
            slaCompliance: done ? Math.round((Number(r.closed_on_time) / done) * 1000) / 1000 : null,
          };
        }),
      };
    },
  );
}
