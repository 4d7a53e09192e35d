/**
 * GET /api/v1/stream — server-sent events of matter changes (created, report linked, dispatched,
 * status changed, closed …) from the matter_events timeline, only for matters in the caller's
 * jurisdiction. The event id is the timeline id, so a client reconnecting with Last-Event-ID
 * resumes where it stopped. Polling by id keeps the hub free of a LISTEN connection per client.
 * Known limit: ids are assigned at insert, so an event of a long transaction that commits after a
 * later id was already sent is skipped; the hub applies in short transactions, which keeps this rare.
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
  matter_id: string;
  type: string;
  at: Date;
  detail: unknown;
  division_code: string | null;
  status: string;
}

export async function streamRoutes(app: FastifyInstance, opts: StreamOptions): Promise<void> {
  const { db } = opts;
  const pollMs = opts.pollMs ?? 1000;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;

  app.get<{ Querystring: { lastEventId?: string } }>(
    '/stream',
    {
      schema: {
        querystring: { type: 'object', additionalProperties: false, properties: { lastEventId: { type: 'string', pattern: '^[0-9]{1,18}$' }, access_token: { type: 'string', maxLength: 2000, description: '浏览器 EventSource 无法设置请求头时使用 (for EventSource, which cannot send headers)' } } },
        headers: { type: 'object', properties: { 'last-event-id': { type: 'string', pattern: '^[0-9]{1,18}$' } } },
        tags: ['matters'],
        summary: '事项变更推送 (server-sent events of matter changes in your jurisdiction; resume with Last-Event-ID)',
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const header = req.headers['last-event-id'];
      // Without a resume point the stream starts at "now": history is what the list endpoints are for.
      let last = String(header ?? req.query.lastEventId ?? '') || String((await db('matter_events').max('id as max').first())?.max ?? 0);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      raw.write(`retry: ${Math.max(pollMs, 1000)}\n: stream from ${last}\n\n`);
      let closed = false;
      let busy = false;
      const poll = async () => {
        if (closed || busy) return;
        busy = true;
        try {
          // the newest id first: events outside the jurisdiction up to it advance the scan too
          const ceiling = String((await db('matter_events').max('id as max').first())?.max ?? last);
          const rows = (await scopedMatters(db, p)
            .join('matter_events as e', 'e.matter_id', 'm.id')
            .where('e.id', '>', last)
            .where('e.id', '<=', ceiling)
            .select('e.id', 'e.matter_id', 'e.type', 'e.at', 'e.detail', 'm.division_code', 'm.status')
            .orderBy('e.id')
            .limit(500)) as EventRow[];
          for (const r of rows) {
            const data = { id: String(r.id), matterId: String(r.matter_id), type: r.type, at: r.at.toISOString(), divisionCode: r.division_code, matterStatus: r.status, detail: r.detail };
            raw.write(`id: ${r.id}\nevent: ${r.type}\ndata: ${JSON.stringify(data)}\n\n`);
            last = String(r.id);
          }
          if (rows.length < 500 && BigInt(ceiling) > BigInt(last)) last = ceiling;
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
