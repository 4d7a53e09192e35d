/**
 * Connector cursors live in a compacted Kafka topic and are written inside the same transaction
 * as the records they cover (as Kafka Connect does for exactly-once sources), so the cursor and
 * the data can never disagree, whatever moment a worker dies at.
 */
import type { Kafka, Message } from '../../core/kafka/client.js';
import { readToEnd } from '../../core/read-to-end.js';

export interface StoredCursor<C = unknown> {
  connector: string;
  cursor: C;
  committedAt: string;
  /** Records produced by this connector since it first ran (for status and reconciliation). */
  produced: number;
  deadLettered: number;
}

export function cursorMessage(c: StoredCursor): Message {
  return { key: c.connector, value: JSON.stringify(c) };
}

/** The last committed cursor of `connector`, or undefined on its first run. */
export async function loadCursor<C>(kafka: Kafka, topic: string, connector: string): Promise<StoredCursor<C> | undefined> {
  let latest: StoredCursor<C> | undefined;
  await readToEnd(kafka, topic, (m) => {
    if (m.key?.toString() !== connector) return;
    latest = m.value ? (JSON.parse(m.value.toString()) as StoredCursor<C>) : undefined;
  });
  return latest;
}
