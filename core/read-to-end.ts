/**
 * Reads a whole topic from the beginning up to its end as of the call, committed records only,
 * without a consumer group of its own (a throw-away group id, never committed).
 *
 * "The end" is the high watermark per partition when reading starts, reached once every transaction
 * before it is resolved; control records of transactions take offsets too, so progress is read from
 * the consumer's batch-end events, which count them.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from './kafka/client.js';

export async function readToEnd(
  kafka: Kafka,
  topic: string,
  onMessage: (m: KafkaMessage, partition: number) => void | Promise<void>,
  timeoutMs = 60_000,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return;

  const consumer = kafka.consumer({ groupId: `read-to-end-${randomUUID()}`, readUncommitted: false, allowAutoTopicCreation: false });
  const reached = new Set<number>();
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const raised = new Set<number>();
  const mark = (partition: number, lastOffset: string, highWatermark: string) => {
    // The end of a partition is its high watermark as the first fetch sees it. ListOffsets answers
    // the last stable offset, which stops before any transaction still open or completing: a record
    // committed behind one (a connector's cursor whose commit answer was lost, with another
    // connector's transaction open on the same partition) would be missed — and its page read and
    // delivered twice. Reading to the high watermark waits until those transactions are resolved.
    if (!raised.has(partition) && ends.has(partition)) {
      raised.add(partition);
      const hw = BigInt(highWatermark);
      if (hw > ends.get(partition)!) ends.set(partition, hw);
    }
    const end = ends.get(partition);
    if (end !== undefined && BigInt(lastOffset) + 1n >= end) reached.add(partition);
    if (reached.size === ends.size) done();
  };
  consumer.on('batchEnd', (e) => mark(e.partition, e.lastOffset, e.highWatermark));
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message, partition }) => {
        await onMessage(message, partition);
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      finished,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`reading ${topic} to its end took more than ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
  }
}

/**
 * Per partition of `topic` that holds records: the offset after its last record — what a consumer
 * that has applied everything records as its next offset. (The topic's end offset can be larger:
 * transaction markers take offsets too.)
 */
export async function nextOffsetsAfterLastRecord(kafka: Kafka, topic: string, timeoutMs?: number): Promise<{ next: Map<number, bigint>; records: number }> {
  const next = new Map<number, bigint>();
  let records = 0;
  await readToEnd(
    kafka,
    topic,
    (m, partition) => {
      records += 1;
      const after = BigInt(m.offset) + 1n;
      if (after > (next.get(partition) ?? 0n)) next.set(partition, after);
    },
    timeoutMs,
  );
  return { next, records };
}
