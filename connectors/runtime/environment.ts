/** What every connector command needs from the environment, read and checked in one place. */
import type { Kafka } from '../../core/kafka/client.js';
import { topics, type Topics } from '../../schemas/index.js';
import { SchemaCodec } from '../../schemas/registry.js';
import { findAdapter, sourceFor } from '../adapters/index.js';
import type { RetryPolicy } from '../sdk/retry.js';
import { applyOverrides, loadOverrides, personalDataKey, type Overrides } from './config.js';
import { connectorSettings } from './settings.js';
import { createKafka } from '../../core/kafka.js';
import { createLogger, type Logger } from '../../core/log.js';
import { ConnectorWorker } from './worker.js';
import type { ConnectorManifest } from '../sdk/types.js';
import { loadCatalogue, type Catalogue } from '../../core/catalogue.js';

export interface ConnectorEnvironment {
  kafka: Kafka;
  codec: SchemaCodec;
  topics: Topics;
  overrides: Overrides;
  log: Logger;
  personalDataKey(): string;
  retry: RetryPolicy;
  catalogue: Catalogue;
  degradedBackoffMs: number;
  /** The broker's message.max.bytes less headroom, when that is not the default 1 MiB. */
  maxMessageBytes: number | undefined;
  /** Where the worker process serves /health, /status and /metrics. */
  status: { host: string; port: number };
  /** Enables pause, resume, cursor reset and dead-letter replay on the status port (connectors/runtime/control.ts). */
  controlToken: string | undefined;
}

export function connectorEnvironment(clientId = 'countyhub-connectors'): ConnectorEnvironment {
  const s = connectorSettings();
  const names = topics(s.TOPIC_PREFIX);
  return {
    kafka: createKafka(s.KAFKA_BROKERS, clientId),
    codec: new SchemaCodec(s.SCHEMA_REGISTRY_URL, names),
    topics: names,
    overrides: loadOverrides(s.CONNECTOR_CONFIG),
    log: createLogger('connectors'),
    personalDataKey,
    retry: { retries: s.CONNECTOR_RETRIES, minTimeoutMs: s.CONNECTOR_RETRY_MIN_MS, maxTimeoutMs: s.CONNECTOR_RETRY_MAX_MS },
    catalogue: loadCatalogue(s.CATALOGUE_DIR),
    degradedBackoffMs: s.DEGRADED_BACKOFF_MS,
    maxMessageBytes: s.CONNECTOR_MAX_MESSAGE_BYTES,
    status: { host: s.STATUS_HOST, port: s.STATUS_PORT },
    controlToken: s.CONTROL_TOKEN,
  };
}

/** A worker for adapter `id`, with the county's overrides applied; `adjust` may change the manifest (back-fills). */
export function workerFor(env: ConnectorEnvironment, id: string, adjust: (m: ConnectorManifest) => ConnectorManifest = (m) => m): ConnectorWorker {
  const adapter = findAdapter(id);
  const manifest = adjust(applyOverrides(adapter.manifest, env.overrides));
  return new ConnectorWorker(manifest, sourceFor(manifest, adapter), adapter.mapping, {
    kafka: env.kafka,
    codec: env.codec,
    topics: env.topics,
    personalDataKey: env.personalDataKey(),
    catalogue: env.catalogue,
    log: env.log,
    retry: env.retry,
    degradedBackoffMs: env.degradedBackoffMs,
    maxMessageBytes: env.maxMessageBytes,
  });
}
