/**
 * GET /api/v1/stream — server-sent events of matter changes (created, report linked, dispatched,
 * status changed, closed …) from the matter_events timeline, only for matters in the caller's
 * jurisdiction. Polling keeps the hub free of a LISTEN connection per client.
 *
 * Never skipping an event: ids are drawn at insert, so a transaction that commits late can make an
 * event with a lower id visible after higher ids were sent. Each event therefore records the
 * transaction that wrote it (matter_events.xid, migration 013), and a poll sends only events of
 * transactions older than the oldest of the hub's own transactions still in progress: that set
 * can no longer grow. Events go out ordered by (xid, id), and the event id `<xid>.<id>` is the
 * resume point for Last-Event-ID. The price: while one of the hub's own transactions stays open,
 * events of later transactions wait for it (they last seconds at most). Other sessions on the server
 * do not hold the feed back.
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../store/db.js';
import { principalOf, scopedMatters } from './read-scope.js';

export interface StreamOptions {
  db: Db;
  pollMs?: number;
  heartbeatMs?: number;
}

interface EventRow {
  id: string;
  xid: string;
  matter_id: string;
  type: string;
  at: Date;
  detail: unknown;
  division_code: string | null;
  status: string;
}

/** A position in the stream: everything up to and including (xid, id) was considered. */
export interface StreamCursor {
  xid: string;
  id: string;
}

/** Event ids are `<xid>.<id>`; a bare number (ids before migration 013) is a timeline id. */
export const EVENT_ID_PATTERN = '^[0-9]{1,20}(\\.[0-9]{1,18})?$';
const PAGE = 500;

/**
 * Below this transaction id, every transaction that can write this hub's timeline has committed or
 * aborted: the oldest transaction still in progress on one of this hub's connections (same database,
 * same application name — store/db.ts gives every connection of one hub schema the same name), else
 * the first id not yet assigned. Other users of the server (the registry, another application, another
 * hub schema) cannot write these events and must not hold the feed back. pg_stat_activity gives each
 * backend's current xid in 32 bits; the snapshot's in-progress xid8s are matched by their low 32 bits.
 * A transaction that commits between the two reads has finished, and the rows are read by a later
 * statement, whose snapshot sees it.
 */
async function horizon(db: Db): Promise<string> {
  const r = await db.raw<{ rows: Array<{ h: string }> }>(
    `with s as (select pg_current_snapshot() as snap),
          here as (select backend_xid::text::bigint as x32 from pg_stat_activity
                   where datname = current_database() and application_name = current_setting('application_name') and backend_xid is not null)
     select coalesce(
       (select min(x) from s, pg_snapshot_xip(s.snap) as x where (x::text::numeric % 4294967296)::bigint in (select x32 from here)),
       (select pg_snapshot_xmax(snap) from s)
     )::text as h`,
  );
  return r.rows[0]!.h;
}

/** Where a client resumes: after its last event, or (no resume point) at the present. */
async function startingCursor(db: Db, lastEventId: string | undefined): Promise<StreamCursor> {
  if (lastEventId?.includes('.')) {
    const [xid, id] = lastEventId.split('.') as [string, string];
    return { xid, id };
  }
  if (lastEventId) {
    const row = (await db('matter_events').where({ id: lastEventId }).first('xid')) as { xid: string } | undefined;
    if (row) return { xid: String(row.xid), id: lastEventId };
  }
  // history is what the list endpoints are for: from the present, every transaction not yet finished
  return { xid: await horizon(db), id: '0' };
}

export async function streamRoutes(app: FastifyInstance, opts: StreamOptions): Promise<void> {
  const { db } = opts;
  const pollMs = opts.pollMs ?? 1000;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;

  app.get<{ Querystring: { lastEventId?: string } }>(
    '/stream',
    {
      schema: {
        querystring: { type: 'object', additionalProperties: false, properties: { lastEventId: { type: 'string', pattern: EVENT_ID_PATTERN }, access_token: { type: 'string', maxLength: 2000, description: '浏览器 EventSource 无法设置请求头时使用 (for EventSource, which cannot send headers)' } } },
        headers: { type: 'object', properties: { 'last-event-id': { type: 'string', pattern: EVENT_ID_PATTERN } } },
        tags: ['matters'],
        summary: '事项变更推送 (server-sent events of matter changes in your jurisdiction; resume with Last-Event-ID)',
        description: '每条事件：`id: <事务号>.<序号>`，`event: <类型>`，`data: {id, matterId, type, at, divisionCode, matterStatus, detail}`。按提交顺序水位线发送，不丢事件 (events are sent once their transaction and every older one has finished, so none is skipped).',
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const header = req.headers['last-event-id'];
      let cursor = await startingCursor(db, String(header ?? req.query.lastEventId ?? '') || undefined);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      raw.write(`retry: ${Math.max(pollMs, 1000)}\n: stream from ${cursor.xid}.${cursor.id}\n\n`);
      let closed = false;
      let busy = false;
      const poll = async () => {
        if (closed || busy) return;
        busy = true;
        try {
          // first the horizon, then the rows: a later snapshot sees every transaction below it finished
          const below = await horizon(db);
          const rows = (await scopedMatters(db, p)
            .join('matter_events as e', 'e.matter_id', 'm.id')
            .whereRaw('(e.xid, e.id) > (?::xid8, ?::bigint)', [cursor.xid, cursor.id])
            .whereRaw('e.xid < ?::xid8', [below])
            .select(db.raw('e.xid::text as xid'), 'e.id', 'e.matter_id', 'e.type', 'e.at', 'e.detail', 'm.division_code', 'm.status')
            .orderBy([{ column: 'e.xid' }, { column: 'e.id' }])
            .limit(PAGE)) as EventRow[];
          for (const r of rows) {
            if (closed) return;
            const id = `${r.xid}.${r.id}`;
            const data = { id, matterId: String(r.matter_id), type: r.type, at: r.at.toISOString(), divisionCode: r.division_code, matterStatus: r.status, detail: r.detail };
            raw.write(`id: ${id}\nevent: ${r.type}\ndata: ${JSON.stringify(data)}\n\n`);
            cursor = { xid: r.xid, id: String(r.id) };
          }
          // a short page means every finished transaction below the horizon was considered, events
          // outside the jurisdiction included: the scan moves on to the horizon
          if (rows.length < PAGE && BigInt(below) > BigInt(cursor.xid)) cursor = { xid: below, id: '0' };
        } catch (err) {
          req.log.warn({ err }, 'stream poll failed; retrying');
        } finally {
          busy = false;
        }
      };
      const timer = setInterval(() => void poll(), pollMs);
      const beat = setInterval(() => raw.write(': heartbeat\n\n'), heartbeatMs);
      req.raw.on('close', () => {
        closed = true;
        clearInterval(timer);
        clearInterval(beat);
      });
      void poll();
    },
  );
}
