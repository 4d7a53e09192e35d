/**
 * Control routes of the enforcement simulator (the platform itself is the database table; these are
 * for tests and the demo):
 *   GET    /health
 *   GET    /__sim/stats                      rows, open cases, rows per status, latest 更新时间, outage
 *   POST   /__sim/advance  {"count": n}      n random open cases one step along the procedure
 *   POST   /__sim/create   {"count": n}      n new clues (线索登记)
 *   POST   /__sim/live     {"everyMs", "batch"}  live mode (everyMs 0 stops it)
 *   POST   /__sim/outage   {"mode": "lock"|"terminate"|"revoke", "ms": n}
 *   DELETE /__sim/outage                     ends the outage now
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { OUTAGE_MODES, type EnforcementDatabase, type OutageMode } from './database.js';
import { liveMode, type LiveMode } from '../shared/live-mode.js';

/** Every `everyMs`: `batch` procedure steps, and a new clue now and then (about one per five steps). */
export function enforcementLiveMode(db: EnforcementDatabase, onError: (err: unknown) => void): LiveMode {
  return liveMode(
    async (batch) => {
      await db.advance(batch);
      if (Math.random() < 0.2 * batch) await db.create(1);
    },
    onError,
  );
}

export function buildEnforcementServer(db: EnforcementDatabase, live: LiveMode): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/health', async () => ({ status: 'ok', database: db.where, table: db.table }));
  app.get('/__sim/stats', async () => ({ ...(await db.stats()), liveEveryMs: live.everyMs }));
  app.post<{ Body: { count?: number } | null }>('/__sim/advance', async (req) => ({ advanced: await db.advance(req.body?.count ?? 1) }));
  app.post<{ Body: { count?: number } | null }>('/__sim/create', async (req) => ({ created: await db.create(req.body?.count ?? 1) }));
  app.post<{ Body: { everyMs?: number; batch?: number } | null }>('/__sim/live', async (req) => {
    live.set(req.body?.everyMs ?? 0, req.body?.batch ?? 1);
    // stopped: answer once the change under way has committed, so that stats read next count it
    if (live.everyMs === 0) await live.settled();
    return { liveEveryMs: live.everyMs };
  });
  app.post<{ Body: { mode?: string; ms?: number } | null }>('/__sim/outage', async (req, reply) => {
    const mode = req.body?.mode as OutageMode;
    if (!OUTAGE_MODES.includes(mode)) return reply.code(400).send({ error: `mode must be one of ${OUTAGE_MODES.join(', ')}` });
    try {
      return await db.outage(mode, req.body?.ms ?? 5000);
    } catch (err) {
      return reply.code(409).send({ error: (err as Error).message });
    }
  });
  app.delete('/__sim/outage', async () => ({ ended: await db.endOutage() }));
  return app;
}
