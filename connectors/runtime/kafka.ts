/** Kafka client set-up shared by connectors and hub: one place for client options and topic creation. */
import { Kafka, logLevel, type Admin, type ITopicConfig } from 'kafkajs';
import type { Topics } from '../../schemas/index.js';
import { RECORD_KINDS } from '../../schemas/index.js';

export function createKafka(brokers: string[], clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: process.env.KAFKAJS_LOG === 'debug' ? logLevel.DEBUG : logLevel.NOTHING,
    retry: { initialRetryTime: 200, retries: 8 },
  });
}

export interface TopicLayout {
  partitions: number;
}

/**
 * Creates the canonical topics if missing. The cursor topic is compacted: only the latest cursor
 * of each connector matters. Dead letters are kept long (they are worked off by people).
 */
export async function ensureTopics(admin: Admin, names: Topics, layout: TopicLayout = { partitions: 3 }): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const wanted: ITopicConfig[] = [
    ...RECORD_KINDS.map((k) => ({ topic: names.records(k), numPartitions: layout.partitions })),
    { topic: names.deadLetters, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: String(90 * 24 * 3600 * 1000) }] },
    {
      topic: names.cursors,
      numPartitions: 1,
      configEntries: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'min.compaction.lag.ms', value: '60000' },
      ],
    },
  ].filter((t) => !existing.has(t.topic));
  if (wanted.length === 0) return;
  try {
    await admin.createTopics({ topics: wanted, waitForLeaders: true });
  } catch (err) {
    // two workers starting together may race to create the same topic
    if (!/already exists/i.test(String((err as Error).message))) throw err;
  }
}
