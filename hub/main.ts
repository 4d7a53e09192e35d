/**
 * The hub process: migrate the database, consume canonical records, serve the API.
 * Settings from the environment (see README): KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL,
 * TOPIC_PREFIX, HUB_PORT, HUB_HOST, DB_SCHEMA, HUB_GROUP_ID, HUB_INSTANCE_ID, HUB_SESSION_TIMEOUT_MS,
 * HUB_SLA_CHECK_MS, HUB_JWT_SECRET, HUB_RATE_LIMIT (requests per principal per minute), DIVISIONS_FILE and GRIDS_FILE
 * (map shapes), GAZETTEER_FILE (the county's address gazetteer, docs/gazetteer-format.md), CONNECTOR_STATUS_URLS. Principals and API keys: `npm run hub:admin` (hub/admin.ts).
 */
import { createKafka } from '../connectors/runtime/kafka.js';
import { createLogger } from '../connectors/runtime/log.js';
import { topics } from '../schemas/index.js';
import { SchemaCodec } from '../schemas/registry.js';
import { buildApi } from './api/server.js';
import { loadGeo } from './api/geo.js';
import { PgDecisionOps } from './ops/decisions.js';
import { OutboxPublisher } from './ops/publisher.js';
import { SlaWatcher } from './routing/sla-watch.js';
import { HubConsumer } from './ingest/consumer.js';
import { HubRouting } from './ingest/routing.js';
import { createDb, migrate } from './store/db.js';
import { requireEnv } from '../connectors/runtime/config.js';

const log = createLogger('hub');
const env = requireEnv(['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'DATABASE_URL']);
const names = topics(process.env.TOPIC_PREFIX ?? 'countyhub');
const schema = process.env.DB_SCHEMA;
const db = createDb(env.DATABASE_URL, { schema });
await migrate(db, schema);
// HUB_INSTANCE_ID names one instance among several in the group (its Kafka client id, seen in the group's members)
const kafka = createKafka(env.KAFKA_BROKERS.split(','), process.env.HUB_INSTANCE_ID ? `countyhub-hub-${process.env.HUB_INSTANCE_ID}` : 'countyhub-hub');
const routing = HubRouting.load({ rulesPath: process.env.RULES_FILE || undefined, divisionsFile: process.env.DIVISIONS_FILE || undefined, gazetteerFile: process.env.GAZETTEER_FILE || undefined, catalogueDir: process.env.CATALOGUE_DIR || undefined });
const stopWatching = routing.rules.watch(); // the county edits its responsibility list; no deploy needed
const codec = new SchemaCodec(env.SCHEMA_REGISTRY_URL, names);
const consumer = new HubConsumer({ kafka, db, codec, topics: names, groupId: process.env.HUB_GROUP_ID, log, routing, sessionTimeoutMs: Number(process.env.HUB_SESSION_TIMEOUT_MS) || undefined, partitionsConcurrently: Number(process.env.HUB_PARTITIONS_CONCURRENTLY) || undefined });
await consumer.start();
const publisher = new OutboxPublisher({ db, kafka, codec, topics: names, log });
await publisher.start();
// HUB_SLA_CHECK_MS=0 turns breach marking off (e.g. replaying history whose deadlines are long past)
const slaEveryMs = process.env.HUB_SLA_CHECK_MS === undefined ? 30_000 : Number(process.env.HUB_SLA_CHECK_MS);
const slaWatcher = new SlaWatcher(db, log, slaEveryMs || 30_000);
if (slaEveryMs > 0) slaWatcher.start();
const app = await buildApi({
  db,
  consumer,
  decisions: new PgDecisionOps(db, routing),
  logger: log,
  jwtSecret: process.env.HUB_JWT_SECRET || undefined,
  geo: loadGeo(process.env.DIVISIONS_FILE || undefined, process.env.GRIDS_FILE || undefined),
  connectorStatusUrls: (process.env.CONNECTOR_STATUS_URLS ?? '').split(',').filter(Boolean),
  rateLimitPerMinute: process.env.HUB_RATE_LIMIT ? Number(process.env.HUB_RATE_LIMIT) : undefined,
});
const url = await app.listen({ host: process.env.HUB_HOST ?? '127.0.0.1', port: Number(process.env.HUB_PORT ?? 8080) });
log.info({ url }, 'hub API listening');
process.stdout.write(JSON.stringify({ hub: 'ready', url }) + '\n');

const shutdown = async () => {
  await app.close();
  stopWatching();
  await publisher.stop();
  await slaWatcher.stop();
  await consumer.stop();
  await db.destroy();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
