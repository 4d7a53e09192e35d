/** Reading what connectors committed, as a read_committed consumer sees it. */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { canonical } from '../../hub/ingest/source-records.js';
import type { Kafka } from '../../core/kafka/client.js';
import { readToEnd } from '../../core/read-to-end.js';
import type { DeadLetter } from '../../connectors/runtime/dead-letters.js';
import type { Envelope } from '../../schemas/index.js';

export async function committedRecords<T extends { envelope: Envelope }>(kafka: Kafka, registryUrl: string, topic: string): Promise<T[]> {
  const registry = new SchemaRegistry({ host: registryUrl });
  const values: Buffer[] = [];
  await readToEnd(kafka, topic, (m) => void (m.value && values.push(m.value)));
  return Promise.all(values.map(async (v) => (await registry.decode(v)) as T));
}

export async function deadLetters(kafka: Kafka, topic: string): Promise<DeadLetter[]> {
  const out: DeadLetter[] = [];
  await readToEnd(kafka, topic, (m) => void (m.value && out.push(JSON.parse(m.value.toString()) as DeadLetter)));
  return out;
}

/**
 * The offending keys when any change — (record id, version) and content, since platforms that
 * version by an update time to the second give two changes within one second one version — appears
 * more than once.
 */
export function duplicates(records: Array<{ envelope: Envelope }>): string[] {
  const seen = new Map<string, number>();
  for (const r of records) {
    const k = `${r.envelope.sourceRecordId}@${r.envelope.sourceVersion}`;
    const change = `${k}#${canonical(r)}`;
    seen.set(change, (seen.get(change) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k.slice(0, k.indexOf('#'))}×${n}`);
}
