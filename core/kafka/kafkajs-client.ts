/**
 * Our Kafka interface (client.ts) on kafkajs 2.2.4 — the only module that imports kafkajs.
 * The interface follows kafkajs's shapes where they fit, so most calls pass straight through and
 * the behaviour (transactions, fencing, heartbeats, batch resolution) is kafkajs's own; only the
 * consumer's events and the group descriptions are translated.
 */
import { AssignerProtocol, Kafka as KafkaJs, logLevel, type Consumer as KafkaJsConsumer, type KafkaConfig, type logCreator } from 'kafkajs';
import { createLogger } from '../log.js';
import type { Admin, Consumer, ConsumerEvents, ConsumerOptions, Kafka, KafkaClientConfig, Producer, ProducerOptions } from './client.js';

const LEVEL: Record<KafkaClientConfig['logLevel'], logLevel> = { nothing: logLevel.NOTHING, error: logLevel.ERROR, warn: logLevel.WARN, info: logLevel.INFO, debug: logLevel.DEBUG };

/** kafkajs's own log lines, as JSON lines of our logger (name "kafka"), with its namespace and broker. */
const toPino: logCreator = () => {
  const log = createLogger('kafka');
  return ({ namespace, level, log: { message, ...extra } }) => {
    const fields = { namespace, ...extra };
    if (level === logLevel.ERROR) log.error(fields, message);
    else if (level === logLevel.WARN) log.warn(fields, message);
    else if (level === logLevel.INFO) log.info(fields, message);
    else log.debug(fields, message);
  };
};

export function kafkajsClient(config: KafkaClientConfig): Kafka {
  const kafka = new KafkaJs({
    clientId: config.clientId,
    brokers: config.brokers,
    logLevel: LEVEL[config.logLevel] ?? logLevel.ERROR,
    logCreator: toPino,
    retry: { initialRetryTime: config.initialRetryTimeMs, retries: config.retries },
    ...(config.access as Pick<KafkaConfig, 'ssl' | 'sasl'>),
  });
  return {
    producer: (options: ProducerOptions = {}): Producer => kafka.producer(options),
    consumer: (options: ConsumerOptions): Consumer => wrapConsumer(kafka.consumer(options), options.groupId),
    admin: (options = {}): Admin => {
      const admin = kafka.admin(options.retries === undefined ? undefined : { retry: { retries: options.retries } });
      return {
        connect: () => admin.connect(),
        disconnect: () => admin.disconnect(),
        listTopics: () => admin.listTopics(),
        createTopics: (r) => admin.createTopics(r),
        deleteTopics: (r) => admin.deleteTopics(r),
        fetchTopicMetadata: (r) => admin.fetchTopicMetadata(r),
        fetchTopicOffsets: (topic) => admin.fetchTopicOffsets(topic),
        describeCluster: () => admin.describeCluster(),
        describeGroups: async (ids) => {
          const { groups } = await admin.describeGroups(ids);
          return {
            groups: groups.map((g) => ({
              groupId: g.groupId,
              state: g.state,
              members: g.members.map((m) => ({
                memberId: m.memberId,
                clientId: m.clientId,
                clientHost: m.clientHost,
                assignment: (m.memberAssignment.length ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment : undefined) ?? {},
              })),
            })),
          };
        },
        fetchOffsets: (r) => admin.fetchOffsets(r),
        resetOffsets: (r) => admin.resetOffsets({ earliest: false, ...r }),
      };
    },
  };
}

function wrapConsumer(consumer: KafkaJsConsumer, groupId: string): Consumer {
  const { GROUP_JOIN, CRASH, END_BATCH_PROCESS, RECEIVED_UNSUBSCRIBED_TOPICS } = consumer.events;
  const listen: { [E in keyof ConsumerEvents]: (l: (e: ConsumerEvents[E]) => void) => () => void } = {
    groupJoin: (l) => consumer.on(GROUP_JOIN, (e) => l({ groupId: e.payload.groupId, memberId: e.payload.memberId, memberAssignment: e.payload.memberAssignment })),
    crash: (l) => consumer.on(CRASH, (e) => l({ groupId: e.payload.groupId, error: e.payload.error, restart: e.payload.restart })),
    batchEnd: (l) => consumer.on(END_BATCH_PROCESS, (e) => l({ topic: e.payload.topic, partition: e.payload.partition, lastOffset: e.payload.lastOffset, highWatermark: e.payload.highWatermark })),
    unsubscribedTopics: (l) => consumer.on(RECEIVED_UNSUBSCRIBED_TOPICS, (e) => l({ groupId: e.payload.groupId ?? groupId, topicsNotSubscribed: e.payload.topicsNotSubscribed })),
  };
  return {
    connect: () => consumer.connect(),
    disconnect: () => consumer.disconnect(),
    subscribe: (s) => consumer.subscribe(s),
    run: (o) => consumer.run(o),
    seek: (p) => consumer.seek(p),
    commitOffsets: (o) => consumer.commitOffsets(o),
    on: (event, listener) => listen[event](listener as never),
  };
}
