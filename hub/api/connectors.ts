/**
 * GET /api/v1/connectors — is every department feed healthy? Each connector worker serves its own
 * /status (connectors/runtime/runner.ts); the hub asks the workers it is told about
 * (CONNECTOR_STATUS_URLS) and adds its own view: how far behind the hub is on each record topic.
 * A worker that does not answer is listed as unreachable, not left out.
 */
import type { FastifyInstance } from 'fastify';
import type { ConnectorStatusView } from '../../core/connector-status.js';
import { principalOf } from './read-scope.js';

export interface ConnectorsDeps {
  statusUrls: string[];
  /** Records in Kafka not yet applied by the hub, per topic. */
  hubLag?: () => Promise<Record<string, number>>;
}

async function workerStatus(url: string): Promise<{ url: string; reachable: boolean; error?: string; connectors: ConnectorStatusView[] }> {
  try {
    const res = await fetch(`${url.replace(/\/$/, '')}/status`, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return { url, reachable: false, error: `HTTP ${res.status}`, connectors: [] };
    return { url, reachable: true, connectors: (await res.json()) as ConnectorStatusView[] };
  } catch (err) {
    return { url, reachable: false, error: `无法连接 (unreachable: ${(err as Error).message})`, connectors: [] };
  }
}

export async function connectorRoutes(app: FastifyInstance, opts: ConnectorsDeps): Promise<void> {
  app.get('/connectors', { schema: { tags: ['operations'], summary: '连接器状态：健康、延迟、最近成功、死信数 (connector health, lag, last success, dead letters)' } }, async (req) => {
    principalOf(req);
    const [workers, lag] = await Promise.all([Promise.all(opts.statusUrls.map(workerStatus)), opts.hubLag?.().catch(() => null) ?? Promise.resolve(null)]);
    return {
      connectors: workers.flatMap((w) =>
        w.connectors.map((c) => ({ id: c.id, title: c.title, department: c.department, state: c.state, stateLabel: c.stateLabel, lastSuccessAt: c.lastSuccessAt, secondsSinceLastSuccess: c.secondsSinceLastSuccess, recordsRead: c.recordsRead, produced: c.produced, deadLettered: c.deadLettered, errors: c.errors, lastError: c.lastError, worker: w.url })),
      ),
      unreachableWorkers: workers.filter((w) => !w.reachable).map((w) => ({ url: w.url, error: w.error })),
      hubLag: lag,
    };
  });
}
