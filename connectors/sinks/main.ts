/**
 * The sink process: delivers the center's decisions to department platforms.
 *   SINK_CONFIG='[{"id":"environment","url":"http://…/api/12369/dispatches","departments":["environment"]},
 *                 {"id":"hotline","url":"…","departments":["*"],"exceptDepartments":["environment","town:*"]}]'
 * plus KAFKA_BROKERS, SCHEMA_REGISTRY_URL, TOPIC_PREFIX. Each sink is its own consumer group, so a
 * platform that is down holds back only its own deliveries.
 */
import { createKafka } from '../../core/kafka.js';
import { createLogger } from '../../core/log.js';
import { exitOnConfigError } from '../../core/settings.js';
import { sinkSettings } from '../runtime/settings.js';
import { topics } from '../../schemas/index.js';
import { SchemaCodec } from '../../schemas/registry.js';
import { DispatchSink, type SinkConfig } from './dispatch-sink.js';

const log = createLogger('sink');
let env: ReturnType<typeof sinkSettings>;
try {
  env = sinkSettings();
} catch (err) {
  exitOnConfigError('sink', err);
}
let configs: SinkConfig[];
try {
  configs = JSON.parse(env.SINK_CONFIG) as SinkConfig[];
  if (!Array.isArray(configs) || configs.some((c) => !c.id || !c.url || !Array.isArray(c.departments))) throw new Error('each sink needs id, url and departments[]');
} catch (err) {
  console.error(`SINK_CONFIG is not valid: ${(err as Error).message}. Expected a JSON list of {id, url, departments, exceptDepartments?, reportsFrom?, headers?}.`);
  process.exit(2);
}
const names = topics(env.TOPIC_PREFIX);
const kafka = createKafka(env.KAFKA_BROKERS, 'countyhub-sink');
const codec = new SchemaCodec(env.SCHEMA_REGISTRY_URL, names);
const sinks = configs.map((c) => new DispatchSink(c, { kafka, codec, topics: names, log }));
for (const s of sinks) await s.start().catch((err: unknown) => exitOnConfigError('sink', err));
log.info({ sinks: configs.map((c) => c.id) }, 'sinks running');
process.stdout.write(JSON.stringify({ sink: 'ready', sinks: configs.map((c) => c.id) }) + '\n');

const shutdown = async () => {
  await Promise.all(sinks.map((s) => s.stop()));
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
