/**
 * A connector worker process for the natural-resources, emergency, approval and grid adapters, built the
 * way a worker runs in production (`new ConnectorWorker(manifest, source, mapping, deps)`), so the
 * integration tests can kill -9 it and start it again. Environment: the usual KAFKA_BROKERS,
 * SCHEMA_REGISTRY_URL, TOPIC_PREFIX, PERSONAL_DATA_KEY, plus
 *   ADAPTER             natural-resources | emergency | approval | grid, or any adapter folder
 *   SOURCE_OVERRIDES    JSON merged into the manifest's source settings (folder, settleMs, url, auth, …)
 *   POLL_INTERVAL_MS    poll interval when the source has nothing new
 *   CONNECTOR_RETRIES, CONNECTOR_RETRY_MIN_MS, CONNECTOR_RETRY_MAX_MS, DEGRADED_BACKOFF_MS
 * Serves GET /status (the worker's status view) and prints {"worker":"ready","statusUrl":…}.
 * SIGTERM lets the in-flight page commit or abort, then exits.
 */
import Fastify from 'fastify';
import { ADAPTERS } from '../../../connectors/adapters/index.js';
import * as approval from '../../../connectors/adapters/approval/index.js';
import * as emergency from '../../../connectors/adapters/emergency/index.js';
import * as grid from '../../../connectors/adapters/grid/index.js';
import * as naturalResources from '../../../connectors/adapters/natural-resources/index.js';
import { applyOverrides } from '../../../connectors/runtime/config.js';
import { createKafka } from '../../../core/kafka.js';
import { createLogger } from '../../../core/log.js';
import { ConnectorWorker } from '../../../connectors/runtime/worker.js';
import { withRetry } from '../../../connectors/sdk/retry.js';
import type { ConnectorManifest, Mapping, Source } from '../../../connectors/sdk/types.js';
import { createSource, type SourceSettings } from '../../../connectors/sources/index.js';
import { loadCatalogue } from '../../../core/catalogue.js';
import { topics } from '../../../schemas/index.js';
import { SchemaCodec } from '../../../schemas/registry.js';

const env = process.env;
const adapters: Record<string, { manifest: ConnectorManifest; mapping: Mapping }> = {
  'natural-resources': naturalResources,
  emergency,
  approval,
  grid,
};
// any other adapter by its folder, as the worker discovers it
const adapter = adapters[env.ADAPTER ?? ''] ?? ADAPTERS.find((a) => a.folder === env.ADAPTER);
if (!adapter) {
  process.stderr.write(`ADAPTER must be one of ${Object.keys(adapters).join(', ')}\n`);
  process.exit(2);
}
const manifest = applyOverrides(adapter.manifest, {
  [adapter.manifest.id]: { source: JSON.parse(env.SOURCE_OVERRIDES ?? '{}') as Record<string, unknown>, pollIntervalMs: Number(env.POLL_INTERVAL_MS ?? 200) },
});
const source: Source = createSource(manifest.source as SourceSettings);

const names = topics(env.TOPIC_PREFIX);
const n = (name: string, d: number) => (env[name] ? Number(env[name]) : d);
const retry = { retries: n('CONNECTOR_RETRIES', 3), minTimeoutMs: n('CONNECTOR_RETRY_MIN_MS', 50), maxTimeoutMs: n('CONNECTOR_RETRY_MAX_MS', 500) };
const worker = new ConnectorWorker(manifest, source, adapter.mapping, {
  kafka: createKafka(env.KAFKA_BROKERS!.split(','), `worker-${manifest.id}`),
  codec: new SchemaCodec(env.SCHEMA_REGISTRY_URL!, names),
  topics: names,
  personalDataKey: env.PERSONAL_DATA_KEY!,
  catalogue: loadCatalogue(),
  log: createLogger(`worker-${manifest.id}`),
  retry,
  degradedBackoffMs: n('DEGRADED_BACKOFF_MS', 500),
});

const app = Fastify({ logger: false });
app.get('/status', async () => worker.status.view());
const statusUrl = await app.listen({ host: '127.0.0.1', port: 0 });
// right after the topics are created a busy broker may still answer "not hosting this partition" (retriable)
await withRetry(() => worker.connect(), { retries: 5, minTimeoutMs: 200, maxTimeoutMs: 2000 });
worker.start();
process.stdout.write(JSON.stringify({ worker: 'ready', connector: manifest.id, statusUrl }) + '\n');
process.once('SIGTERM', () => void worker.stop().then(() => app.close()).then(() => process.exit(0)));
