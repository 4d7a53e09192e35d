/**
 * Failure modes real department platforms have, switched on by tests and the demo through
 * POST /__sim/faults: {"mode": "...", "count": n, "delayMs": ms}. Each affects the next `count`
 * requests to the platform's own API (never the /__sim control routes).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';

export type FaultMode = 'http500' | 'busy' | 'timeout' | 'slow' | 'truncated';

interface Fault {
  mode: FaultMode;
  remaining: number;
  delayMs: number;
}

export function installFaults(app: FastifyInstance, busyBody: () => unknown): void {
  let queue: Fault[] = [];
  app.post<{ Body: { mode: FaultMode; count?: number; delayMs?: number } }>('/__sim/faults', async (req) => {
    const { mode, count = 1, delayMs = 0 } = req.body;
    queue.push({ mode, remaining: count, delayMs });
    return { queued: queue.length };
  });
  app.delete('/__sim/faults', async () => {
    queue = [];
    return { cleared: true };
  });
  app.addHook('onRequest', async (req, reply: FastifyReply) => {
    if (req.url.startsWith('/__sim')) return;
    const f = queue[0];
    if (!f) return;
    f.remaining -= 1;
    if (f.remaining <= 0) queue.shift();
    switch (f.mode) {
      case 'http500':
        return reply.code(500).type('text/html').send('<html><body><h1>500 Internal Server Error</h1></body></html>');
      case 'busy':
        return reply.code(200).send(busyBody());
      case 'timeout':
        await sleep(f.delayMs || 30_000);
        return reply.code(504).send('gateway timeout');
      case 'slow':
        await sleep(f.delayMs || 3000);
        return; // then answer normally
      case 'truncated':
        return reply.code(200).type('application/json').send('{"code":"0000","data":{"rows":[{"gdbh":');
    }
  });
}
