/**
 * A connector worker process for the market-registry and enforcement-cases adapters on the sql-poll
 * source, for the kill -9 and outage tests (built directly, so the CLI's adapter list is not
 * needed). Environment: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, TOPIC_PREFIX, PERSONAL_DATA_KEY, plus
 *   ADAPTER             market | enforcement
 *   CONNECTOR_ID        connector id (names the cursor and the transactional id; unique per test)
 *   SOURCE_SETTINGS     JSON merged over the manifest's sql-poll settings (connection, table …)
 *   POLL_INTERVAL_MS, CONNECTOR_RETRIES, CONNECTOR_RETRY_MIN_MS, CONNECTOR_RETRY_MAX_MS, DEGRADED_BACKOFF_MS
 * Serves GET /status (the worker's status view and committed cursor) and prints {"worker":"ready","statusUrl":…}.
 * SIGTERM stops it cleanly.
 */
import Fastify from 'fastify';
import * as enforcement from '../../../connectors/adapters/enforcement/index.js';
import * as market from '../../../connectors/adapters/market/index.js';
import { createKafka } from '../../../core/kafka.js';
import { createLogger } from '../../../core/log.js';
import { ConnectorWorker } from '../../../connectors/runtime/worker.js';
import { withRetry } from '../../../connectors/sdk/retry.js';
import { SqlPollSource, type SqlPollSettings } from '../../../connectors/sources/sql-poll.js';
import { loadCatalogue } from '../../../core/catalogue.js';
import { topics } from '../../../schemas/index.js';
import { SchemaCodec } from '../../../schemas/registry.js';

const env = process.env;
const adapter = env.ADAPTER === 'enforcement' ? enforcement : env.ADAPTER === 'market' ? market : undefined;
if (!adapter) throw new Error(`ADAPTER must be market or enforcement, got ${String(env.ADAPTER)}`);
const names = topics(env.TOPIC_PREFIX);
const settings: SqlPollSettings = { ...adapter.manifest.source, ...(JSON.parse(env.SOURCE_SETTINGS ?? '{}') as Partial<SqlPollSettings>) };
const manifest = { ...adapter.manifest, id: env.CONNECTOR_ID ?? adapter.manifest.id, source: settings, pollIntervalMs: Number(env.POLL_INTERVAL_MS ?? 200) };
const n = (name: string, d: number) => (env[name] ? Number(env[name]) : d);

const worker = new ConnectorWorker(manifest, new SqlPollSource(settings), adapter.mapping, {
  kafka: createKafka(env.KAFKA_BROKERS!.split(','), `sql-worker-${manifest.id}`),
  codec: new SchemaCodec(env.SCHEMA_REGISTRY_URL!, names),
  topics: names,
  personalDataKey: env.PERSONAL_DATA_KEY!,
  catalogue: loadCatalogue(),
  log: createLogger('sql-worker-process'),
  retry: { retries: n('CONNECTOR_RETRIES', 3), minTimeoutMs: n('CONNECTOR_RETRY_MIN_MS', 50), maxTimeoutMs: n('CONNECTOR_RETRY_MAX_MS', 500) },
  degradedBackoffMs: n('DEGRADED_BACKOFF_MS', 500),
});

const app = Fastify({ logger: false });
// the committed cursor too: tests wait for it to reach the table's last row before reading Kafka
app.get('/status', async () => [{ ...worker.status.view(), cursor: worker.cursor ?? null }]);
const statusUrl = await app.listen({ host: '127.0.0.1', port: 0 });
// right after creating topics a busy broker may still answer "does not host this topic-partition" (retriable)
await withRetry(() => worker.connect(), { retries: 5, minTimeoutMs: 200, maxTimeoutMs: 2000 });
worker.start();
process.stdout.write(JSON.stringify({ worker: 'ready', connector: manifest.id, statusUrl }) + '\n');
process.once('SIGTERM', () => void worker.stop().then(() => app.close()).then(() => process.exit(0)));
