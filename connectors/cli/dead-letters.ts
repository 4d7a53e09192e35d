/**
 * countyhub dead-letters list|replay. Replay maps the stored input again with the current mapping
 * (after a fix to the mapping) or with a corrected payload from a file (after a fix to the data),
 * and produces the result together with a "replayed" mark in ONE transaction: replaying twice
 * delivers once.
 */
import { readFileSync } from 'node:fs';
import { findAdapter } from '../adapters/index.js';
import type { DeadLetter } from '../runtime/dead-letters.js';
import type { ConnectorEnvironment } from '../runtime/environment.js';
import { readToEnd } from '../../core/read-to-end.js';
import { CountyHubError } from '../../core/errors.js';
import { categoryMapper } from '../sdk/categories.js';

export interface ListedLetter {
  partition: number;
  offset: string;
  letter: DeadLetter;
  replayed: boolean;
}

const markKey = (partition: number, offset: string) => `dlq-replayed/${partition}/${offset}`;

export async function listDeadLetters(env: ConnectorEnvironment, connector?: string): Promise<ListedLetter[]> {
  const replayed = new Set<string>();
  await readToEnd(env.kafka, env.topics.cursors, (m) => {
    const k = m.key?.toString();
    if (k?.startsWith('dlq-replayed/') && m.value) replayed.add(k);
  });
  const out: ListedLetter[] = [];
  await readToEnd(env.kafka, env.topics.deadLetters, (m, partition) => {
    if (!m.value) return;
    const letter = JSON.parse(m.value.toString()) as DeadLetter;
    if (connector && letter.connector !== connector) return;
    out.push({ partition, offset: m.offset, letter, replayed: replayed.has(markKey(partition, m.offset)) });
  });
  return out;
}

export function printLetters(letters: ListedLetter[], json: boolean): void {
  if (json) {
    for (const l of letters) console.log(JSON.stringify({ partition: l.partition, offset: l.offset, replayed: l.replayed, ...l.letter }));
    return;
  }
  for (const l of letters) {
    const d = l.letter;
    console.log(`#${l.offset} ${l.replayed ? '[已重放]' : '[待处理]'} ${d.connector} ${d.sourceRecordId ?? '-'} ${d.code}${d.field ? ` 字段 ${d.field}` : ''}: ${d.reason}`);
  }
  console.log(`${letters.length} 条死信，其中 ${letters.filter((l) => !l.replayed).length} 条待处理`);
}

export interface ReplayResult {
  replayed: number;
  stillFailing: Array<{ offset: string; reason: string }>;
}

export async function replayDeadLetters(
  env: ConnectorEnvironment,
  opts: { connector: string; offsets?: string[]; payloadFile?: string; payload?: unknown },
): Promise<ReplayResult> {
  const adapter = findAdapter(opts.connector);
  const letters = (await listDeadLetters(env, opts.connector)).filter((l) => !l.replayed && (!opts.offsets || opts.offsets.includes(l.offset)));
  const corrected = opts.payload ?? (opts.payloadFile ? (JSON.parse(readFileSync(opts.payloadFile, 'utf8')) as unknown) : undefined);
  if (corrected !== undefined && letters.length !== 1) {
    throw new CountyHubError('CH_CONFIG', 'a corrected payload replaces one record: name exactly one waiting dead letter by its offset');
  }
  const result: ReplayResult = { replayed: 0, stillFailing: [] };
  if (!letters.length) return result;
  for (const kind of adapter.manifest.emits) await env.codec.ensureRegistered(kind);
  const producer = env.kafka.producer({ transactionalId: `${env.topics.prefix}.replay.${opts.connector}`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (const l of letters) {
      let messages;
      try {
        if (l.letter.truncated && corrected === undefined) {
          throw new Error(`the dead letter keeps only the beginning of a ${l.letter.truncated.originalBytes}-byte record (sha256 ${l.letter.truncated.sha256}); replay it with --payload-file`);
        }
        const input = corrected ?? (l.letter.mappingInput ? JSON.parse(l.letter.mappingInput) : JSON.parse(l.letter.payload));
        const emitted = adapter.mapping(input, {
          connectorId: opts.connector,
          sourceSystem: adapter.manifest.sourceSystem,
          department: adapter.manifest.department,
          ingestTime: Date.now(),
          personalDataKey: env.personalDataKey(),
          mapCategory: categoryMapper(env.catalogue, adapter.manifest.department),
        });
        messages = await Promise.all(emitted.map(async (e) => ({ topic: env.topics.records(e.kind), messages: [{ key: e.key, value: await env.codec.encode(e.kind, e.value) }] })));
      } catch (err) {
        result.stillFailing.push({ offset: l.offset, reason: (err as Error).message });
        continue;
      }
      const mark = { key: markKey(l.partition, l.offset), value: JSON.stringify({ replayedAt: new Date().toISOString(), corrected: corrected !== undefined }) };
      const tx = await producer.transaction();
      try {
        await tx.sendBatch({ topicMessages: [...messages, { topic: env.topics.cursors, messages: [mark] }] });
        await tx.commit();
      } catch (err) {
        await tx.abort().catch(() => undefined);
        throw err;
      }
      result.replayed += 1;
    }
  } finally {
    await producer.disconnect();
  }
  return result;
}
