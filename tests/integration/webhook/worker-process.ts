/**
 * A connector worker process for the environment alarms adapter with a webhook source, for the
 * kill -9 tests (the CLI's adapter list is not touched by them). Environment: the usual
 * KAFKA_BROKERS, SCHEMA_REGISTRY_URL, TOPIC_PREFIX, PERSONAL_DATA_KEY, plus
 *   CONNECTOR_ID, WEBHOOK_PORT, WEBHOOK_SECRET
 *   TEST_HOLD_ENCODE_MS  hold each page before its transaction (kill lands before the commit)
 *   TEST_HOLD_ACK_MS     hold the acknowledgement of pages with records after their commit
 *                        (kill lands after the commit, before the pusher has its 200)
 * Prints {"worker":"ready","url":…} when listening; SIGTERM stops it cleanly.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { alarmsManifest, mapAlarm } from '../../../connectors/adapters/environment/index.js';
import { createKafka } from '../../../core/kafka.js';
import { createLogger } from '../../../core/log.js';
import { ConnectorWorker } from '../../../connectors/runtime/worker.js';
import { withRetry } from '../../../connectors/sdk/retry.js';
import type { SourcePage } from '../../../connectors/sdk/types.js';
import { WebhookSource, type WebhookCursor, type WebhookSettings } from '../../../connectors/sources/webhook.js';
import { loadCatalogue } from '../../../core/catalogue.js';
import { topics, type RecordKind } from '../../../schemas/index.js';
import { SchemaCodec } from '../../../schemas/registry.js';

const env = process.env;
const holdEncode = Number(env.TEST_HOLD_ENCODE_MS ?? 0);
const holdAck = Number(env.TEST_HOLD_ACK_MS ?? 0);
const names = topics(env.TOPIC_PREFIX);

class HeldCodec extends SchemaCodec {
  override async encode(kind: RecordKind, value: unknown): Promise<Buffer> {
    if (holdEncode) await sleep(holdEncode);
    return super.encode(kind, value);
  }
}

class HeldAckSource extends WebhookSource {
  private lastHadRecords = false;
  override async nextPage(cursor: WebhookCursor | undefined, signal: AbortSignal): Promise<SourcePage<WebhookCursor>> {
    const page = await super.nextPage(cursor, signal);
    this.lastHadRecords = page.records.length > 0;
    return page;
  }
  override async committed(cursor: WebhookCursor): Promise<void> {
    if (holdAck && this.lastHadRecords) {
      process.stdout.write(JSON.stringify({ event: 'committed-holding-ack' }) + '\n');
      await sleep(holdAck);
    }
    return super.committed(cursor);
  }
}

const settings: WebhookSettings = { ...alarmsManifest.source, port: Number(env.WEBHOOK_PORT ?? 0), signature: { secret: env.WEBHOOK_SECRET }, maxWaitMs: 200 };
const source = new HeldAckSource(settings);
const log = createLogger('webhook-worker-process');
const worker = new ConnectorWorker({ ...alarmsManifest, id: env.CONNECTOR_ID ?? alarmsManifest.id, source: settings }, source, mapAlarm, {
  kafka: createKafka(env.KAFKA_BROKERS!.split(','), 'webhook-worker-process'),
  codec: new HeldCodec(env.SCHEMA_REGISTRY_URL!, names),
  topics: names,
  personalDataKey: env.PERSONAL_DATA_KEY!,
  log,
  catalogue: loadCatalogue(),
  retry: { retries: 3, minTimeoutMs: 50, maxTimeoutMs: 500 },
  degradedBackoffMs: 500,
});
// right after creating topics a busy broker may still answer "does not host this topic-partition" (retriable)
await withRetry(() => worker.connect(), { retries: 5, minTimeoutMs: 200, maxTimeoutMs: 2000 });
worker.start();
process.stdout.write(JSON.stringify({ worker: 'ready', url: source.url }) + '\n');
process.once('SIGTERM', () => void worker.stop().then(() => process.exit(0)));
