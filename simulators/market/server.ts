/**
 * Control routes of the market-regulation simulator (the platform itself is the database table;
 * these are for tests and the demo):
 *   GET    /health
 *   GET    /__sim/stats                      rows, latest 更新时间, changes made, outage
 *   POST   /__sim/mutate   {"count": n}      n changes to random registrations
 *   POST   /__sim/create   {"count": n}      n new registrations
 *   POST   /__sim/live     {"everyMs", "batch"}  live mode (everyMs 0 stops it)
 *   POST   /__sim/outage   {"mode": "lock"|"terminate"|"revoke", "ms": n}
 *   DELETE /__sim/outage                     ends the outage now
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { OUTAGE_MODES, type MarketDatabase, type OutageMode } from './database.js';
import { liveMode, type LiveMode } from '../shared/live-mode.js';

/** Every `everyMs`: `batch` changes, and now and then a new registration. */
export function marketLiveMode(db: MarketDatabase, onError: (err: unknown) => void): LiveMode {
  return liveMode(
    async (batch) => {
      await db.mutate(batch);
      if (Math.random() < 0.1) await db.create(1);
    },
    onError,
  );
}

export function buildMarketServer(db: MarketDatabase, live: LiveMode): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/health', async () => ({ status: 'ok', table: db.table }));
  app.get('/__sim/stats', async () => ({ ...(await db.stats()), liveEveryMs: live.everyMs }));
  app.post<{ Body: { count?: number } | null }>('/__sim/mutate', async (req) => ({ mutated: await db.mutate(req.body?.count ?? 1) }));
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
