/**
 * One hub instance of the hub bench in a worker thread of its own (its own event loop and heap, as
 * a second hub process would have): `npm run bench -- hub --instances N` runs N of them in one
 * consumer group. Started with what the bench prepared; answers "stop" with its counts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createKafka } from '../core/kafka.js';
import { createLogger } from '../core/log.js';
import { HubConsumer } from '../hub/ingest/consumer.js';
import { phaseTimes } from '../hub/ingest/phase-clock.js';
import { HubRouting } from '../hub/ingest/routing.js';
import { createDb } from '../hub/store/db.js';
import { topics } from '../schemas/index.js';
import { SchemaCodec } from '../schemas/registry.js';

export interface HubInstanceData {
  index: number;
  brokers: string[];
  registryUrl: string;
  databaseUrl: string;
  schema: string;
  topicPrefix: string;
  divisionsFile: string;
  groupId: string;
}

export interface HubInstanceResult {
  index: number;
  stats: HubConsumer['stats'];
  phases: Record<string, number>;
}

const d = workerData as HubInstanceData;
const names = topics(d.topicPrefix);
const db = createDb(d.databaseUrl, { schema: d.schema });
const hub = new HubConsumer({
  kafka: createKafka(d.brokers, `bench-hub-${d.index}`),
  db,
  codec: new SchemaCodec(d.registryUrl, names),
  topics: names,
  log: createLogger(`bench-hub-${d.index}`),
  routing: HubRouting.load({ divisionsFile: d.divisionsFile }),
  groupId: d.groupId,
  runRecords: Number(process.env.HUB_RUN_RECORDS) || undefined,
});
parentPort!.on('message', (m: unknown) => {
  if (m !== 'stop') return;
  void (async () => {
    await hub.stop();
    await db.destroy();
    parentPort!.postMessage({ index: d.index, stats: hub.stats, phases: phaseTimes() } satisfies HubInstanceResult);
  })();
});
await hub.start();
parentPort!.postMessage('started');
