/** GET /api/v1/matters and /api/v1/matters/:id — the command center's list of matters (一件事). */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../store/db.js';
import { decodeCursor, encodeCursor, PAGE_PROPERTIES } from './cursor.js';
import { CHANNEL_LABELS, MATTER_STATUS_LABELS } from './labels.js';

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
}

interface ReportRow {
  matter_id: string;
  source_system: string;
  source_record_id: string;
  source_version: string;
  department: string;
  channel: string;
  status: string;
  source_status: string | null;
  title: string | null;
  event_time: Date;
}

// The columns the views read: `select *` would also fetch and parse the jsonb payloads, routes and
// merge decisions, which the list and detail do not show (with the API bench's small payloads ~10%
// of the API's CPU for a list page; a real source payload is larger).
const MATTER_COLUMNS = ['id', 'title', 'description', 'category_code', 'source_category', 'status', 'division_code', 'grid_code', 'lng', 'lat', 'address', 'report_count', 'first_reported_at', 'updated_at'];
const REPORT_COLUMNS = ['matter_id', 'source_system', 'source_record_id', 'source_version', 'department', 'channel', 'status', 'source_status', 'title', 'event_time'];

function reportView(r: ReportRow) {
  return {
    sourceSystem: r.source_system,
    sourceRecordId: r.source_record_id,
    sourceVersion: r.source_version,
    department: r.department,
    channel: r.channel,
    channelLabel: CHANNEL_LABELS[r.channel] ?? r.channel,
    status: r.status,
    sourceStatus: r.source_status,
    title: r.title,
    eventTime: r.event_time.toISOString(),
  };
}

function matterView(m: MatterRow, reports: ReportRow[]) {
  return {
    id: m.id,
    title: m.title,
    description: m.description,
    categoryCode: m.category_code,
    sourceCategory: m.source_category,
    status: m.status,
    statusLabel: MATTER_STATUS_LABELS[m.status] ?? m.status,
    divisionCode: m.division_code,
    gridCode: m.grid_code,
    location: m.lng !== null && m.lat !== null ? { lng: m.lng, lat: m.lat } : null,
    address: m.address,
    reportCount: m.report_count,
    firstReportedAt: m.first_reported_at.toISOString(),
    updatedAt: m.updated_at.toISOString(),
    reports: reports.map(reportView),
  };
}

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...PAGE_PROPERTIES,
    division: { type: 'string', pattern: '^[0-9]{2,12}$', description: 'division-code prefix (6 county, 9 town, 12 village)' },
    status: { type: 'string', enum: Object.keys(MATTER_STATUS_LABELS) },
  },
} as const;

export async function matterRoutes(app: FastifyInstance, opts: { db: Db }): Promise<void> {
  const { db } = opts;

  async function reportsFor(ids: string[]): Promise<Map<string, ReportRow[]>> {
    const rows = ids.length ? await db('reports').select<ReportRow[]>(REPORT_COLUMNS).whereIn('matter_id', ids).orderBy('event_time') : [];
    const by = new Map<string, ReportRow[]>();
    for (const r of rows) by.set(String(r.matter_id), [...(by.get(String(r.matter_id)) ?? []), r]);
    return by;
  }

  app.get<{ Querystring: { limit: number; cursor?: string; division?: string; status?: string } }>(
    '/matters',
    { schema: { querystring: listQuery, tags: ['matters'], summary: '事项列表 (matters, newest change first)' } },
    async (req) => {
      const { limit, cursor, division, status } = req.query;
      const q = db('matters').select<MatterRow[]>(MATTER_COLUMNS).orderBy([{ column: 'updated_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit + 1);
      // Each form lets an index of migration 007 serve the page in time order. Division codes have at
      // most 12 digits, so a 12-digit prefix is the village's code itself.
      if (division?.length === 12) q.where('division_code', division);
      else if (division) {
        q.where('division_code', 'like', `${division}%`);
        // implied by the prefix
        if (division.length >= 9) q.whereRaw('left(division_code, 9) = ?', [division.slice(0, 9)]);
      }
      if (status) q.where({ status });
      if (cursor) {
        const [at, id] = decodeCursor(cursor);
        q.whereRaw('(updated_at, id) < (?::timestamptz, ?::bigint)', [at, id]);
      }
      const rows = await q;
      const page = rows.slice(0, limit);
      const reports = await reportsFor(page.map((m) => String(m.id)));
      const last = page[page.length - 1];
      return {
        items: page.map((m) => matterView({ ...m, id: String(m.id) }, reports.get(String(m.id)) ?? [])),
        nextCursor: rows.length > limit && last ? encodeCursor(last.updated_at.toISOString(), String(last.id)) : null,
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/matters/:id',
    { schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9]{1,18}$' } }, required: ['id'] }, tags: ['matters'] } },
    async (req, reply) => {
      const m = await db('matters').where({ id: req.params.id }).first<MatterRow | undefined>(MATTER_COLUMNS);
      if (!m) return reply.code(404).send({ error: 'not_found', message: `事项 ${req.params.id} 不存在 (no such matter)` });
      const reports = await reportsFor([String(m.id)]);
      return matterView({ ...m, id: String(m.id) }, reports.get(String(m.id)) ?? []);
    },
  );
}
