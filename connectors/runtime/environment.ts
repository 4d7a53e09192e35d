/** What every connector command needs from the environment, read and checked in one place. */
import type { Kafka } from 'kafkajs';
import { topics, type Topics } from '../../schemas/index.js';
import { SchemaCodec } from '../../schemas/registry.js';
import { findAdapter, sourceFor } from '../adapters/index.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../sdk/retry.js';
import { applyOverrides, loadOverrides, personalDataKey, requireEnv, type Overrides } from './config.js';
import { createKafka } from './kafka.js';
import { createLogger, type Logger } from './log.js';
import { ConnectorWorker } from './worker.js';
import type { ConnectorManifest } from '../sdk/types.js';
import { loadCatalogue, type Catalogue } from '../../hub/routing/catalogue.js';

export interface ConnectorEnvironment {
  kafka: Kafka;
  codec: SchemaCodec;
  topics: Topics;
  overrides: Overrides;
  log: Logger;
  personalDataKey(): string;
  retry: RetryPolicy;
  catalogue: Catalogue;
}

export function connectorEnvironment(clientId = 'countyhub-connectors'): ConnectorEnvironment {
  const env = requireEnv(['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL']);
  const names = topics(process.env.TOPIC_PREFIX ?? 'countyhub');
  return {
    kafka: createKafka(env.KAFKA_BROKERS.split(','), clientId),
    codec: new SchemaCodec(env.SCHEMA_REGISTRY_URL, names),
    topics: names,
    overrides: loadOverrides(),
    log: createLogger('connectors'),
    personalDataKey,
    retry: retryPolicyFromEnv(),
    catalogue: loadCatalogue(process.env.CATALOGUE_DIR || undefined),
  };
}

/** CONNECTOR_RETRIES, CONNECTOR_RETRY_MIN_MS, CONNECTOR_RETRY_MAX_MS tune the bounded retry of one page. */
function retryPolicyFromEnv(): RetryPolicy {
  const n = (name: string, d: number) => (process.env[name] ? Number(process.env[name]) : d);
  return {
    retries: n('CONNECTOR_RETRIES', DEFAULT_RETRY.retries),
    minTimeoutMs: n('CONNECTOR_RETRY_MIN_MS', DEFAULT_RETRY.minTimeoutMs),
    maxTimeoutMs: n('CONNECTOR_RETRY_MAX_MS', DEFAULT_RETRY.maxTimeoutMs),
  };
}

/** A worker for adapter `id`, with the county's overrides applied; `adjust` may change the manifest (back-fills). */
export function workerFor(env: ConnectorEnvironment, id: string, adjust: (m: ConnectorManifest) => ConnectorManifest = (m) => m): ConnectorWorker {
  const adapter = findAdapter(id);
  const manifest = adjust(applyOverrides(adapter.manifest, env.overrides));
  return new ConnectorWorker(manifest, sourceFor(manifest), adapter.mapping, {
    kafka: env.kafka,
    codec: env.codec,
    topics: env.topics,
    personalDataKey: env.personalDataKey(),
    catalogue: env.catalogue,
    log: env.log,
    retry: env.retry,
    degradedBackoffMs: Number(process.env.DEGRADED_BACKOFF_MS ?? 30_000),
    // set it to the broker's message.max.bytes (less headroom) when that is not the default 1 MiB
    maxMessageBytes: process.env.CONNECTOR_MAX_MESSAGE_BYTES ? Number(process.env.CONNECTOR_MAX_MESSAGE_BYTES) : undefined,
  });
}
