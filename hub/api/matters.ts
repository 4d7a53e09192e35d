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
  reports: ReportRow[];
}

/** A report as the matter's row carries it (json_agg): the time is an ISO string there. */
interface ReportRow {
  source_system: string;
  source_record_id: string;
  source_version: string;
  department: string;
  channel: string;
  status: string;
  source_status: string | null;
  title: string | null;
  event_time: string;
}

// The columns the views read: `select *` would also fetch and parse the jsonb payloads, routes and
// merge decisions, which the list and detail do not show (with the API bench's small payloads ~10%
// of the API's CPU for a list page; a real source payload is larger).
const MATTER_COLUMNS = ['id', 'title', 'description', 'category_code', 'source_category', 'status', 'division_code', 'grid_code', 'lng', 'lat', 'address', 'report_count', 'first_reported_at', 'updated_at'];
// A matter's reports, oldest first, as a JSON array in the matter's own row: one query (one round trip,
// one socket write) per page or detail instead of two; socket writes are a third of the API's CPU.
const WITH_REPORTS = `(select coalesce(json_agg(r order by r.event_time), '[]'::json) from (
    select source_system, source_record_id, source_version::text as source_version, department, channel, status, source_status, title, event_time
      from reports where reports.matter_id = matters.id) r) as reports`;

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
    eventTime: new Date(r.event_time).toISOString(),
  };
}

function matterView(m: MatterRow) {
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
    reports: m.reports.map(reportView),
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

  app.get<{ Querystring: { limit: number; cursor?: string; division?: string; status?: string } }>(
    '/matters',
    { schema: { querystring: listQuery, tags: ['matters'], summary: '事项列表 (matters, newest change first)' } },
    async (req) => {
      const { limit, cursor, division, status } = req.query;
      const q = db('matters').select<MatterRow[]>([...MATTER_COLUMNS, db.raw(WITH_REPORTS)]).orderBy([{ column: 'updated_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit + 1);
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
      const last = page[page.length - 1];
      return {
        items: page.map((m) => matterView({ ...m, id: String(m.id) })),
        nextCursor: rows.length > limit && last ? encodeCursor(last.updated_at.toISOString(), String(last.id)) : null,
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/matters/:id',
    { schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9]{1,18}$' } }, required: ['id'] }, tags: ['matters'] } },
    async (req, reply) => {
      const m = await db('matters').where({ id: req.params.id }).first<MatterRow | undefined>([...MATTER_COLUMNS, db.raw(WITH_REPORTS)]);
      if (!m) return reply.code(404).send({ error: 'not_found', message: `事项 ${req.params.id} 不存在 (no such matter)` });
      return matterView({ ...m, id: String(m.id) });
    },
  );
}
