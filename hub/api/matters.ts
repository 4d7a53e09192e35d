/**
 * GET /api/v1/matters and /api/v1/matters/:id — the command center's list of matters (一件事) and
 * one matter with the timeline of every linked report, its tasks and deadlines. Every query starts
 * from scopedMatters (the caller's jurisdiction). Free text is masked; the detail route unmasks it
 * for a caller allowed to, with a stated purpose, and writes that look to the audit log first.
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../store/db.js';
import { appendAudit } from './audit/chain.js';
import { decodeCursor, encodeCursor, PAGE_PROPERTIES } from './cursor.js';
import { CHANNEL_LABELS, MATTER_STATUS_LABELS } from './labels.js';
import { CATEGORY_CODE, DEPARTMENT_ID, ROW_ID, TIMESTAMP } from './params.js';
import { holdsPersonalData, maskText } from './personal-data.js';
import { escapeLike, ForbiddenError, principalOf, scopedMatters, withinDivision } from './read-scope.js';
import { slaStateSql, taskView, type TaskRow } from './tasks.js';

interface MatterRow {
  id: string;
  title: string;
  description: string;
  category_code: string | null;
  source_category: string | null;
  status: string;
  division_code: string | null;
  grid_code: string | null;
  lng: number | null;
  lat: number | null;
  address: string | null;
  report_count: number;
  first_reported_at: Date;
  updated_at: Date;
  lead_department: string | null;
  cooperating_departments: string[];
  closed_at: Date | null;
  result: string | null;
  subject_id: string | null;
  reports: ReportRow[];
}

/** A report as the matter's row carries it (json_agg): times are ISO strings there. */
interface ReportRow {
  source_system: string;
  source_record_id: string;
  source_version: string;
  department: string;
  channel: string;
  status: string;
  source_status: string | null;
  title: string | null;
  description: string;
  event_time: string;
  merge_rule: string | null;
  merge_score: number | null;
}

// The columns the views read: `select m.*` would also fetch and parse the jsonb routes and payloads.
const MATTER_COLUMNS = ['id', 'title', 'description', 'category_code', 'source_category', 'status', 'division_code', 'grid_code', 'lng', 'lat', 'address', 'report_count', 'first_reported_at', 'updated_at', 'lead_department', 'cooperating_departments', 'closed_at', 'result', 'subject_id'].map((c) => `m.${c}`);
// A matter's reports, oldest first, as a JSON array in the matter's own row: one query (one round
// trip) per page or detail instead of two — on a million matters a third of the API's CPU went to
// the second round trip's socket writes (bench/api.ts).
const WITH_REPORTS = `(select coalesce(json_agg(r order by r.event_time, r.source_system, r.source_record_id), '[]'::json) from (
    select source_system, source_record_id, source_version::text as source_version, department, channel, status, source_status, title, description, event_time,
           merge_decision->>'rule' as merge_rule, (merge_decision->>'score')::float as merge_score
      from reports where reports.matter_id = m.id) r) as reports`;

type Text = (s: string | null) => string | null;

function reportView(r: ReportRow, text: Text) {
  return {
    sourceSystem: r.source_system,
    sourceRecordId: r.source_record_id,
    sourceVersion: String(r.source_version),
    department: r.department,
    channel: r.channel,
    channelLabel: CHANNEL_LABELS[r.channel] ?? r.channel,
    status: r.status,
    statusLabel: MATTER_STATUS_LABELS[r.status] ?? r.status,
    sourceStatus: r.source_status,
    title: text(r.title),
    description: text(r.description),
    eventTime: new Date(r.event_time).toISOString(),
    mergeRule: r.merge_rule,
    mergeScore: r.merge_score,
  };
}

function matterView(m: MatterRow, text: Text) {
  return {
    id: String(m.id),
    title: text(m.title)!,
    description: text(m.description)!,
    categoryCode: m.category_code,
    sourceCategory: m.source_category,
    status: m.status,
    statusLabel: MATTER_STATUS_LABELS[m.status] ?? m.status,
    divisionCode: m.division_code,
    gridCode: m.grid_code,
    location: m.lng !== null && m.lat !== null ? { lng: m.lng, lat: m.lat } : null,
    address: m.address,
    leadDepartment: m.lead_department,
    cooperatingDepartments: m.cooperating_departments,
    subjectId: m.subject_id === null ? null : String(m.subject_id),
    reportCount: m.report_count,
    firstReportedAt: m.first_reported_at.toISOString(),
    updatedAt: m.updated_at.toISOString(),
    closedAt: m.closed_at?.toISOString() ?? null,
    result: text(m.result),
    reports: m.reports.map((r) => reportView(r, text)),
  };
}

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...PAGE_PROPERTIES,
    division: { type: 'string', pattern: '^[0-9]{2,12}$', description: '区划代码前缀 (6 county, 9 town, 12 village)' },
    grid: { type: 'string', pattern: '^[0-9A-Za-z-]{1,40}$', description: '网格编码' },
    category: { ...CATEGORY_CODE, description: '县级事项分类代码（前缀），如 construction.site_safety' },
    status: { type: 'string', enum: Object.keys(MATTER_STATUS_LABELS) },
    lead: { ...DEPARTMENT_ID, description: '牵头部门' },
    department: { ...DEPARTMENT_ID, description: '牵头或协办部门' },
    from: { ...TIMESTAMP, description: '首次上报时间不早于 (ISO 8601)' },
    to: { ...TIMESTAMP, description: '首次上报时间早于 (ISO 8601)' },
    sla: { type: 'string', enum: ['on_time', 'at_risk', 'breached'], description: '时限状态：按时 / 临期 / 超时（任一任务）' },
  },
} as const;

interface ListQuery {
  limit: number;
  cursor?: string;
  division?: string;
  grid?: string;
  category?: string;
  status?: string;
  lead?: string;
  department?: string;
  from?: string;
  to?: string;
  sla?: 'on_time' | 'at_risk' | 'breached';
}

const detailQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    unmask: { type: 'boolean', default: false, description: '显示未脱敏的个人信息（需授权并说明用途，留痕审计）' },
    purpose: { type: 'string', minLength: 4, maxLength: 200, description: '查看个人信息的用途，如“回访来电群众”' },
  },
} as const;

/** Roles whose principals may be granted unmasking at all; the grant itself is per principal. */
const UNMASK_ROLES = new Set(['commander', 'town_operator', 'admin']);

export async function matterRoutes(app: FastifyInstance, opts: { db: Db; now?: () => Date }): Promise<void> {
  const { db } = opts;
  const now = opts.now ?? (() => new Date());

  app.get<{ Querystring: ListQuery }>(
    '/matters',
    { schema: { querystring: listQuery, tags: ['matters'], summary: '事项列表 (matters in your jurisdiction, newest change first)' } },
    async (req) => {
      const { limit, cursor, division, grid, category, status, lead, department, from, to, sla } = req.query;
      const q = scopedMatters(db, principalOf(req))
        .select([...MATTER_COLUMNS, db.raw(WITH_REPORTS)])
        .orderBy([
          { column: 'm.updated_at', order: 'desc' },
          { column: 'm.id', order: 'desc' },
        ])
        .limit(limit + 1);
      if (division) withinDivision(q, 'm.division_code', division);
      if (grid) q.where('m.grid_code', grid);
      if (category) q.where('m.category_code', 'like', `${escapeLike(category)}%`);
      if (status) q.where('m.status', status);
      if (lead) q.where('m.lead_department', lead);
      if (department) q.where((w) => w.where('m.lead_department', department).orWhereRaw('? = any(m.cooperating_departments)', [department]));
      if (from) q.where('m.first_reported_at', '>=', new Date(from));
      if (to) q.where('m.first_reported_at', '<', new Date(to));
      if (sla) {
        const cond = slaStateSql('st');
        const anyTask = (c: string) => db('tasks as st').whereRaw('st.matter_id = m.id').whereRaw(c);
        if (sla === 'breached') q.whereExists(anyTask(cond.breached));
        else if (sla === 'at_risk') q.whereExists(anyTask(cond.at_risk)).whereNotExists(anyTask(cond.breached));
        else q.whereNotExists(anyTask(`(${cond.breached} or ${cond.at_risk})`));
      }
      if (cursor) {
        const [at, id] = decodeCursor(cursor);
        q.whereRaw('(m.updated_at, m.id) < (?::timestamptz, ?::bigint)', [at, id]);
      }
      const rows = (await q) as MatterRow[];
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map((m) => matterView({ ...m, id: String(m.id) }, maskText)),
        nextCursor: rows.length > limit && last ? encodeCursor(last.updated_at.toISOString(), String(last.id)) : null,
      };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { unmask: boolean; purpose?: string } }>(
    '/matters/:id',
    {
      schema: {
        params: { type: 'object', additionalProperties: false, properties: { id: ROW_ID }, required: ['id'] },
        querystring: detailQuery,
        tags: ['matters'],
        summary: '事项详情：全部关联报告的时间线、任务与时限 (one matter: reports, tasks, deadlines, timeline)',
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const m = (await scopedMatters(db, p).select([...MATTER_COLUMNS, db.raw(WITH_REPORTS)]).where('m.id', req.params.id).first()) as MatterRow | undefined;
      // outside the jurisdiction looks exactly like absent: a town learns nothing of another's matters
      if (!m) return reply.code(404).send({ error: 'not_found', message: `事项 ${req.params.id} 不存在或不在您的辖区内 (no such matter in your jurisdiction)` });
      const [tasks, events] = await Promise.all([
        db('tasks').where({ matter_id: m.id }).orderBy(['role', 'department']) as Promise<TaskRow[]>,
        db('matter_events').where({ matter_id: m.id }).orderBy('id').limit(1000) as Promise<Array<{ id: string; type: string; at: Date; detail: unknown }>>,
      ]);
      let text: Text = maskText;
      if (req.query.unmask) {
        if (!p.canUnmask || !UNMASK_ROLES.has(p.role)) throw new ForbiddenError('无权查看未脱敏个人信息 (your principal may not unmask personal data; ask an administrator for the grant)');
        if (!req.query.purpose) return reply.code(400).send({ error: 'bad_request', message: '查看个人信息须说明用途 (purpose is required with unmask=true)' });
        const own = m.reports;
        const fields = [
          ...(['title', 'description', 'result'] as const).filter((f) => holdsPersonalData(m[f])).map((f) => `matter.${f}`),
          ...own.filter((r) => holdsPersonalData(r.description) || holdsPersonalData(r.title)).map((r) => `report:${r.source_system}/${r.source_record_id}`),
        ];
        // the look is on record before the data leaves: if the audit cannot be written, nothing is shown
        await appendAudit(db, { principalId: p.id, action: 'unmask', target: `matter:${m.id}`, purpose: req.query.purpose, remoteAddr: req.ip, detail: { fields } });
        text = (s) => s;
      }
      const at = now();
      return {
        ...matterView({ ...m, id: String(m.id) }, text),
        masked: text === maskText,
        tasks: tasks.map((t) => taskView(t, at, text)),
        timeline: events.map((e) => ({ id: String(e.id), type: e.type, at: e.at.toISOString(), detail: e.detail })),
      };
    },
  );
}
