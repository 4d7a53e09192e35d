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

export interface LiveMode {
  set(everyMs: number, batch: number): void;
  readonly everyMs: number;
  stop(): void;
}

/** Every `everyMs`: `batch` procedure steps, and a new clue now and then (about one per five steps). */
export function liveMode(db: EnforcementDatabase, onError: (err: unknown) => void): LiveMode {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let every = 0;
  let batch = 1;
  const tick = async () => {
    if (running) return; // the previous tick is still waiting (e.g. on a locked table)
    running = true;
    try {
      await db.advance(batch);
      if (Math.random() < 0.2 * batch) await db.create(1);
    } catch (err) {
      onError(err);
    } finally {
      running = false;
    }
  };
  const live: LiveMode = {
    get everyMs() {
      return every;
    },
    set(everyMs: number, n: number) {
      if (timer) clearInterval(timer);
      timer = undefined;
      every = everyMs;
      batch = Math.max(1, n);
      if (everyMs > 0) timer = setInterval(() => void tick(), everyMs);
    },
    stop() {
      live.set(0, 1);
    },
  };
  return live;
}

export function buildEnforcementServer(db: EnforcementDatabase, live: LiveMode): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/health', async () => ({ status: 'ok', database: db.where, table: db.table }));
  app.get('/__sim/stats', async () => ({ ...(await db.stats()), liveEveryMs: live.everyMs }));
  app.post<{ Body: { count?: number } | null }>('/__sim/advance', async (req) => ({ advanced: await db.advance(req.body?.count ?? 1) }));
  app.post<{ Body: { count?: number } | null }>('/__sim/create', async (req) => ({ created: await db.create(req.body?.count ?? 1) }));
  app.post<{ Body: { everyMs?: number; batch?: number } | null }>('/__sim/live', async (req) => {
    live.set(req.body?.everyMs ?? 0, req.body?.batch ?? 1);
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
