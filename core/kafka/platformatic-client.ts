/**
 * The producer of our Kafka interface (client.ts) on @platformatic/kafka — pure JavaScript, with
 * transactions — the only module that imports it. The default, KAFKA_CLIENT=platformatic
 * (core/kafka.ts), pairs it with kafkajs's consumers and admin client: this adapter covers
 * the produce path, where the connectors spend their Kafka time (docs/decisions/004-kafka-client.md).
 *
 * Kept as kafkajs behaves, so the worker's exactly-once and fencing logic is unchanged:
 * - keys go to the partitions Java's and kafkajs's default partitioner picks (murmur2 & 0x7fffffff),
 *   so switching clients keeps every key on its partition, in order;
 * - the first transaction of a session calls InitProducerId as a new producer (id and epoch -1),
 *   which fences an older session of the same transactional id and completes what it left open
 *   (the client's default, id 0 epoch 0, is refused as fenced once the id has a session);
 * - a transaction that sent nothing ends without a request (the broker refuses EndTxn on an
 *   empty transaction), as kafkajs's does;
 * - errors carry Kafka's error name in `type` (PRODUCER_FENCED, MESSAGE_TOO_LARGE, …) and
 *   `retriable`, read by core/kafka/errors.ts and the worker.
 */
import { compatibilityPartitioner, Producer as PltProducer, type MessageToProduce, type ProducerOptions as PltProducerOptions } from '@platformatic/kafka';
import type { KafkaClientConfig, Message, Producer, ProducerOptions, ProducerRecord, TopicMessages, Transaction } from './client.js';

/** A client error in the shape the services read: Kafka's error name in `type`, `retriable`. */
export class KafkaClientError extends Error {
  override readonly name = 'KafkaClientError';
  constructor(
    message: string,
    readonly type: string | undefined,
    readonly retriable: boolean,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

interface PltError extends Error {
  code?: string;
  apiId?: string;
  canRetry?: boolean;
  errors?: PltError[];
}

/** The first Kafka protocol error in a (nested) client error, else the error itself. */
function protocolError(err: PltError, depth = 0): PltError | undefined {
  if (!err || depth > 6) return undefined;
  if (err.apiId) return err;
  for (const e of err.errors ?? []) {
    const found = protocolError(e, depth + 1);
    if (found) return found;
  }
  return err.cause ? protocolError(err.cause as PltError, depth + 1) : undefined;
}

/** The messages of the innermost errors of a nested client error. */
function leaves(err: PltError, depth = 0): string[] {
  if (!err || depth > 6) return [];
  if (!err.errors?.length) return [err.message];
  return err.errors.flatMap((e) => leaves(e, depth + 1));
}

/** A @platformatic/kafka error as a KafkaClientError (other errors unchanged). */
export function translate(err: unknown): unknown {
  if (err instanceof KafkaClientError || !(err instanceof Error)) return err;
  const e = err as PltError;
  if (!e.code?.startsWith('PLT_KFK_')) return err;
  const p = protocolError(e);
  const network = e.code === 'PLT_KFK_NETWORK' || e.code === 'PLT_KFK_TIMEOUT';
  const retriable = p ? Boolean(p.canRetry) : network || Boolean(e.canRetry);
  const inner = leaves(e).filter((m) => m !== e.message);
  const detail = p && p !== e ? `${e.message}: ${p.apiId} (${p.message})` : inner.length ? `${e.message}: ${[...new Set(inner)].join('; ')}` : e.message;
  return new KafkaClientError(detail, p?.apiId, retriable, { cause: err });
}

async function call<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw translate(err);
  }
}

const bytes = (v: Buffer | string | null | undefined): Buffer | undefined => (v === null || v === undefined ? undefined : typeof v === 'string' ? Buffer.from(v) : v);

function toRecord(topic: string, m: Message): MessageToProduce {
  return {
    topic,
    key: bytes(m.key),
    value: bytes(m.value),
    ...(m.partition === undefined ? {} : { partition: m.partition }),
    ...(m.timestamp === undefined ? {} : { timestamp: BigInt(m.timestamp) }),
    // header names as bytes too: the client's serializers take Buffers only (a string name fails the whole request)
    ...(m.headers ? { headers: new Map(Object.entries(m.headers).map(([k, v]) => [Buffer.from(k), bytes(v)!])) } : {}),
  };
}

const flatten = (topicMessages: TopicMessages[]): MessageToProduce[] => topicMessages.flatMap(({ topic, messages }) => messages.map((m) => toRecord(topic, m)));

export function platformaticProducer(config: KafkaClientConfig, options: ProducerOptions = {}): Producer {
  const transactional = Boolean(options.transactionalId);
  const pltOptions: PltProducerOptions<Buffer, Buffer, Buffer, Buffer> = {
    clientId: config.clientId,
    bootstrapBrokers: config.brokers,
    retries: config.retries,
    retryDelay: config.initialRetryTimeMs,
    // the InitProducerId request's transaction time-out is this client's request time-out
    timeout: transactional ? (options.transactionTimeout ?? 60_000) : 30_000,
    idempotent: transactional || Boolean(options.idempotent),
    acks: -1,
    autocreateTopics: options.allowAutoTopicCreation ?? false,
    partitioner: compatibilityPartitioner,
    ...(options.transactionalId ? { transactionalId: options.transactionalId } : {}),
    ...(config.access.ssl ? { tls: config.access.ssl === true ? {} : { ...(config.access.ssl.ca ? { ca: config.access.ssl.ca } : {}), ...(config.access.ssl.cert ? { cert: config.access.ssl.cert, key: config.access.ssl.key } : {}) } } : {}),
    ...(config.access.sasl ? { sasl: { mechanism: config.access.sasl.mechanism.toUpperCase() as 'PLAIN', username: config.access.sasl.username, password: config.access.sasl.password } } : {}),
  };
  let producer: PltProducer<Buffer, Buffer, Buffer, Buffer> | undefined;
  const client = () => (producer ??= new PltProducer(pltOptions));
  const sendAll = (messages: MessageToProduce[], acks: number | undefined) => (messages.length ? call(() => client().send({ messages, ...(acks === undefined ? {} : { acks }) })) : Promise.resolve(undefined));

  return {
    connect: async () => {
      // a connection and the cluster's metadata now, so an unreachable cluster fails here as with kafkajs
      await call(() => client().metadata({ topics: [] }));
    },
    disconnect: async () => {
      const p = producer;
      producer = undefined;
      await p?.close().catch(() => undefined);
    },
    send: (r: ProducerRecord) => sendAll(flatten([r]), r.acks),
    sendBatch: (b) => sendAll(flatten(b.topicMessages), b.acks),
    transaction: async (): Promise<Transaction> => {
      // a new session: no producer id and epoch of its own yet (-1, as Java's client asks), so the
      // broker bumps the epoch and fences the older session instead of refusing this one as fenced
      const tx = await call(() => client().beginTransaction({ producerId: -1n, producerEpoch: -1 }));
      let sent = false;
      let active = true;
      const end = async (commit: boolean) => {
        if (!active) throw new KafkaClientError('the transaction has already ended', 'INVALID_TXN_STATE', false, { cause: undefined });
        if (!sent) {
          await tx.cancel(); // nothing reached the broker: nothing to commit or abort
        } else {
          await call(() => (commit ? tx.commit() : tx.abort()));
        }
        active = false;
      };
      const sendTx = async (messages: MessageToProduce[]) => {
        if (!messages.length) return undefined;
        sent = true;
        return call(() => tx.send({ messages }));
      };
      return {
        send: (r) => sendTx(flatten([r])),
        sendBatch: (b) => sendTx(flatten(b.topicMessages)),
        sendOffsets: () => Promise.reject(new KafkaClientError('sendOffsets is not available with KAFKA_CLIENT=platformatic (its transactions take offsets only from its own consumers); use kafkajs', undefined, false, { cause: undefined })),
        commit: () => end(true),
        abort: () => end(false),
        isActive: () => active,
      };
    },
  };
}
