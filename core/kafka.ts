/** Kafka client set-up shared by connectors and hub: one place for client options and topic creation. */
import type { Logger } from 'pino';
import { kafkaAccess, topicLayout, type TopicLayout } from './cluster-access.js';
import type { Topics } from '../schemas/index.js';
import { ConfigError } from './errors.js';
import { RECORD_KINDS } from '../schemas/index.js';
import type { Admin, Consumer, Kafka, KafkaAccess, KafkaClientConfig, TopicSpec } from './kafka/client.js';
import { kafkajsClient } from './kafka/kafkajs-client.js';
import { platformaticProducer } from './kafka/platformatic-client.js';

export type * from './kafka/client.js';

/** The client libraries behind our Kafka interface (docs/decisions/004-kafka-client.md); the first is the default. */
export const KAFKA_CLIENTS = ['platformatic', 'kafkajs'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];

const ADAPTERS: Record<KafkaClientName, (config: KafkaClientConfig) => Kafka> = {
  kafkajs: kafkajsClient,
  // @platformatic/kafka's producer (the connectors' produce path), kafkajs's consumers and admin
  platformatic: (config) => ({ ...kafkajsClient(config), producer: (options) => platformaticProducer(config, options) }),
};

/** KAFKA_CLIENT, checked: the adapter a process uses (default platformatic: its producer, kafkajs's consumers and admin). */
export function kafkaClientName(env: Record<string, string | undefined> = process.env): KafkaClientName {
  const name = env.KAFKA_CLIENT || KAFKA_CLIENTS[0];
  if (!(KAFKA_CLIENTS as readonly string[]).includes(name)) throw new ConfigError('KAFKA_CLIENT', `is ${JSON.stringify(name)}; one of ${KAFKA_CLIENTS.join(', ')}`);
  return name as KafkaClientName;
}

/** A client of the adapter KAFKA_CLIENT names, configured in full by the caller. */
export function kafkaClient(config: KafkaClientConfig): Kafka {
  return ADAPTERS[kafkaClientName()](config);
}

export function createKafka(brokers: string[], clientId: string, access: KafkaAccess = kafkaAccess()): Kafka {
  // KAFKA_LOG_LEVEL (checked with the service's settings): the client retries through broker
  // restarts and logs each failed attempt as an error, so services default to "error" and tests,
  // which restart brokers on purpose, to nothing
  const level = (process.env.KAFKA_LOG_LEVEL ?? (process.env.VITEST ? 'nothing' : 'error')) as KafkaClientConfig['logLevel'];
  return kafkaClient({
    clientId,
    brokers,
    logLevel: level,
    retries: 8,
    initialRetryTimeMs: 200,
    // TLS and SASL of a secured cluster (KAFKA_SECURITY_PROTOCOL …), for every client alike
    access,
  });
}

/**
 * Creates the canonical topics if missing, with TOPIC_PARTITIONS partitions (records) and
 * TOPIC_REPLICATION_FACTOR replicas. The cursor topic is compacted: only the latest cursor of each
 * connector matters. Dead letters are kept long (they are worked off by people). A record topic that
 * exists with another partition count stops the service: the count decides which records keep their
 * order, and a county that changed it on purpose says so in TOPIC_PARTITIONS.
 */
export async function ensureTopics(admin: Admin, names: Topics, layout: TopicLayout = topicLayout()): Promise<void> {
  const replication = layout.replicationFactor ? { replicationFactor: layout.replicationFactor } : {};
  const existing = new Set(await admin.listTopics());
  const recordTopics = RECORD_KINDS.map((k) => names.records(k));
  const wanted: TopicSpec[] = [
    ...recordTopics.map((topic) => ({ topic, numPartitions: layout.partitions, ...replication })),
    { topic: names.deadLetters, numPartitions: 1, ...replication, configEntries: [{ name: 'retention.ms', value: String(90 * 24 * 3600 * 1000) }] },
    {
      topic: names.cursors,
      numPartitions: 1,
      ...replication,
      configEntries: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'min.compaction.lag.ms', value: '60000' },
      ],
    },
    {
      // one cumulative message per connector and hour: compaction keeps the latest, retention never drops it
      topic: names.reconciliation,
      numPartitions: 1,
      ...replication,
      configEntries: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'min.compaction.lag.ms', value: '60000' },
      ],
    },
  ].filter((t) => !existing.has(t.topic));
  const present = recordTopics.filter((t) => existing.has(t));
  if (present.length) {
    const { topics } = await admin.fetchTopicMetadata({ topics: present });
    const other = topics.filter((t) => t.partitions.length !== layout.partitions);
    if (other.length) {
      throw new ConfigError(
        'TOPIC_PARTITIONS',
        `is ${layout.partitions}, but ${other.map((t) => `${t.name} has ${t.partitions.length}`).join(', ')} on the cluster: set TOPIC_PARTITIONS to the count the county's topics have (every service of the county the same)`,
      );
    }
  }
  if (wanted.length === 0) return;
  try {
    await admin.createTopics({ topics: wanted, waitForLeaders: true });
  } catch (err) {
    // two workers starting together may race to create the same topic
    if (/already exists/i.test(String((err as Error).message))) return;
    // a busy broker may take longer to give new partitions their leaders than kafkajs waits
    // (UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE: retriable); wait for them rather than stop
    if (!(err as { retriable?: boolean }).retriable) throw err;
    await untilTopicsServed(admin, wanted);
  }
}

/** How long a starting service waits for its new topics to be served before it gives up. */
const TOPICS_SERVED_WITHIN_MS = 180_000;

/**
 * Until every partition of the topics has a leader: creating again what the cluster does not list
 * (a create that failed before it reached the controller), asking again on retriable answers.
 */
export async function untilTopicsServed(admin: Pick<Admin, 'listTopics' | 'createTopics' | 'fetchTopicMetadata'>, wanted: TopicSpec[], withinMs = TOPICS_SERVED_WITHIN_MS, everyMs = 500): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    let last: unknown;
    try {
      const listed = new Set(await admin.listTopics());
      const missing = wanted.filter((t) => !listed.has(t.topic));
      if (missing.length) await admin.createTopics({ topics: missing }).catch((e: Error) => { if (!/already exists/i.test(e.message)) throw e; });
      const { topics } = await admin.fetchTopicMetadata({ topics: wanted.map((t) => t.topic) });
      if (topics.length === wanted.length && topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      if (!(err as { retriable?: boolean }).retriable) throw err;
      last = err;
    }
    if (Date.now() >= deadline) throw new Error(`the cluster did not serve the topics ${wanted.map((t) => t.topic).join(', ')} within ${withinMs / 1000} s${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Says loudly when the consumer's group also holds another deployment's consumers: kafkajs hands
 * this member partitions of topics it did not subscribe to and drops them, so the other deployment's
 * records on them are read by nobody until the group changes. The client itself at most warns,
 * which services do not log by default.
 */
export function reportSharedGroup(consumer: Consumer, log: Logger, setting: string): void {
  consumer.on('unsubscribedTopics', (e) => {
    log.error(
      { groupId: e.groupId, topicsNotSubscribed: e.topicsNotSubscribed },
      `another deployment's consumers share this consumer group, and its partitions handed to us go unread: give each county its own TOPIC_PREFIX (or ${setting})`,
    );
  });
}
