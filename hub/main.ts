/**
 * The hub process: migrate the database, consume canonical records, serve the API.
 * Settings from the environment, declared and checked in hub/settings.ts (table: docs/configuration.md);
 * a bad value stops the hub at start with exit code 78, naming the setting.
 * Principals and API keys: `npm run hub:admin` (hub/admin.ts).
 */
import { createKafka } from '../core/kafka.js';
import { createLogger } from '../core/log.js';
import { explainAccessError } from '../core/cluster-access.js';
import { exitOnConfigError } from '../core/settings.js';
import { topics } from '../schemas/index.js';
import { SchemaCodec } from '../schemas/registry.js';
import { buildApi } from './api/server.js';
import { loadGeo } from './api/geo.js';
import { PgDecisionOps } from './ops/decisions.js';
import { OutboxPublisher } from './ops/publisher.js';
import { SlaWatcher } from './routing/sla-watch.js';
import { HubConsumer } from './ingest/consumer.js';
import { ConnectorLedgerReader } from './ingest/connector-ledger.js';
import { HubRouting } from './ingest/routing.js';
import { HubMetrics } from './metrics.js';
import { hubSettings } from './settings.js';
import { createDb, migrate } from './store/db.js';

let s: ReturnType<typeof hubSettings>;
try {
  s = hubSettings();
} catch (err) {
  exitOnConfigError('hub', err);
}
const log = createLogger('hub');
const names = topics(s.TOPIC_PREFIX);
const schema = s.DB_SCHEMA;
const db = createDb(s.DATABASE_URL, { schema });
await migrate(db, schema);
const kafka = createKafka(s.KAFKA_BROKERS, s.HUB_INSTANCE_ID ? `countyhub-hub-${s.HUB_INSTANCE_ID}` : 'countyhub-hub');
const routing = HubRouting.load({ rulesPath: s.RULES_FILE, divisionsFile: s.DIVISIONS_FILE, gazetteerFile: s.GAZETTEER_FILE, textWeightsFile: s.TEXT_WEIGHTS_FILE, positionSpreadFile: s.POSITION_SPREAD_FILE, catalogueDir: s.CATALOGUE_DIR });
const stopWatching = routing.rules.watch(); // the county edits its responsibility list; no deploy needed
const codec = new SchemaCodec(s.SCHEMA_REGISTRY_URL, names);
const consumer: HubConsumer = new HubConsumer({
  kafka, db, codec, topics: names, groupId: s.HUB_GROUP_ID, log, routing,
  sessionTimeoutMs: s.HUB_SESSION_TIMEOUT_MS,
  partitionsConcurrently: s.HUB_PARTITIONS_CONCURRENTLY,
  runRecords: s.HUB_RUN_RECORDS,
  onApplied: (...run) => metrics.applied(...run),
});
const metrics = new HubMetrics({ db, ingest: consumer });
await consumer.start().catch((err: unknown) => exitOnConfigError('hub', explainAccessError(err)));
// The connectors' per-hour counts, next to the hub's own (GET /api/v1/reconciliation, metrics).
// Not awaited: joining its group waits out the session of a member killed with -9, and the hub's
// API and publisher must not wait for that.
const ledger = new ConnectorLedgerReader({ kafka, db, topics: names, hubGroupId: consumer.groupId, log, sessionTimeoutMs: s.HUB_SESSION_TIMEOUT_MS });
void ledger.start().catch((err: unknown) => log.error({ err: (err as Error).message }, 'reconciliation ledger reader did not start; the connectors\' counts are not copied until the hub restarts'));
const publisher = new OutboxPublisher({ db, kafka, codec, topics: names, log });
await publisher.start();
const slaWatcher = new SlaWatcher(db, log, s.HUB_SLA_CHECK_MS || 30_000);
if (s.HUB_SLA_CHECK_MS > 0) slaWatcher.start();
const app = await buildApi({
  db,
  consumer,
  decisions: new PgDecisionOps(db, routing),
  logger: log,
  jwtSecret: s.HUB_JWT_SECRET,
  geo: loadGeo(s.DIVISIONS_FILE, s.GRIDS_FILE),
  connectorStatusUrls: s.CONNECTOR_STATUS_URLS,
  connectorControlToken: s.CONNECTOR_CONTROL_TOKEN,
  rateLimitPerMinute: s.HUB_RATE_LIMIT,
  metrics,
  readiness: { kafka, registryUrl: s.SCHEMA_REGISTRY_URL },
});
const url = await app.listen({ host: s.HUB_HOST, port: s.HUB_PORT });
log.info({ url }, 'hub API listening');
process.stdout.write(JSON.stringify({ hub: 'ready', url }) + '\n');

const shutdown = async () => {
  await app.close();
  stopWatching();
  await publisher.stop();
  await slaWatcher.stop();
  await consumer.stop();
  await ledger.stop();
  await db.destroy();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
