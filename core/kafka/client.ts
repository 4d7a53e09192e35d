/**
 * Our Kafka interface: the one every module of CountyHub talks to. A client library lives behind
 * it in an adapter module of this folder (kafkajs-client.ts, …), and only there — a unit test
 * (tests/unit/architecture/kafka-client.test.ts) fails if any other module imports a client
 * package. docs/decisions/004-kafka-client.md says which adapters exist and which is the default.
 *
 * The shapes follow what the services need, no more: a transactional producer (records, dead
 * letters, ledger and cursor in one transaction; sendOffsets for consume-transform-produce), a
 * consumer group with batch handling (resolveOffset, heartbeat, isRunning/isStale while a long
 * apply runs, seek and manual offset commits) and rebalance/crash callbacks, and the admin calls
 * for topics, offsets and groups. Offsets are decimal strings, as on the wire; errors are the
 * client's own, with Kafka's protocol error name in `type` where the broker answered one and
 * `retriable` where the client knows (core/kafka/errors.ts reads them).
 */

import type { KAFKA_LOG_LEVELS } from '../log.js';

/** A record to produce. */
export interface Message {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  partition?: number;
  headers?: Record<string, Buffer | string>;
  timestamp?: string;
}

export interface TopicMessages {
  topic: string;
  messages: Message[];
}

export interface ProducerRecord {
  topic: string;
  messages: Message[];
  /** -1: all in-sync replicas (the default). */
  acks?: -1 | 0 | 1;
  timeout?: number;
}

export interface ProducerBatch {
  topicMessages: TopicMessages[];
  acks?: -1 | 0 | 1;
  timeout?: number;
}

/** Consumed positions committed with a transaction (consume-transform-produce). */
export interface TransactionOffsets {
  consumerGroupId: string;
  topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;
}

export interface Transaction {
  send(record: ProducerRecord): Promise<unknown>;
  sendBatch(batch: ProducerBatch): Promise<unknown>;
  sendOffsets(offsets: TransactionOffsets): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
  isActive(): boolean;
}

export interface ProducerOptions {
  /** Set for a transactional producer: a second producer with the same id fences this one. */
  transactionalId?: string;
  idempotent?: boolean;
  maxInFlightRequests?: number;
  transactionTimeout?: number;
  allowAutoTopicCreation?: boolean;
}

export interface Producer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(record: ProducerRecord): Promise<unknown>;
  sendBatch(batch: ProducerBatch): Promise<unknown>;
  /**
   * Begins a transaction (transactional producers only). The first call of a session also
   * completes whatever an earlier session of the same id left open — committed or aborted by
   * the broker — and fences that session.
   */
  transaction(): Promise<Transaction>;
}

/** A consumed record. */
export interface KafkaMessage {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
  timestamp: string;
  headers?: Record<string, Buffer | string | Array<Buffer | string> | undefined>;
}

export interface Batch {
  topic: string;
  partition: number;
  highWatermark: string;
  messages: KafkaMessage[];
}

export interface EachBatchPayload {
  batch: Batch;
  /** Marks a record processed: the next fetch of this partition starts after it. */
  resolveOffset(offset: string): void;
  /** Tells the group this member is alive (at most one request per heartbeat interval). */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping. */
  isRunning(): boolean;
  /** True once the partition was revoked or sought elsewhere: the batch is to be left. */
  isStale(): boolean;
}

export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: KafkaMessage;
  heartbeat(): Promise<void>;
}

export interface ConsumerOptions {
  groupId: string;
  /** Read records of open and aborted transactions too (false: read_committed, which we always want). */
  readUncommitted?: boolean;
  allowAutoTopicCreation?: boolean;
  sessionTimeout?: number;
  heartbeatInterval?: number;
  rebalanceTimeout?: number;
}

export interface ConsumerRunOptions {
  autoCommit?: boolean;
  eachBatchAutoResolve?: boolean;
  partitionsConsumedConcurrently?: number;
  eachBatch?: (payload: EachBatchPayload) => Promise<void>;
  eachMessage?: (payload: EachMessagePayload) => Promise<void>;
}

/** What a consumer tells its listeners. */
export interface ConsumerEvents {
  /** Joined (or re-joined after a rebalance) its group, with the partitions it now holds. */
  groupJoin: { groupId: string; memberId: string; memberAssignment: Record<string, number[]> };
  /** The consumer stopped on an error; `restart`: the client restarts it by itself. */
  crash: { groupId: string; error: Error; restart: boolean };
  /**
   * A fetched batch was handled. `lastOffset` is the batch's last offset including transaction
   * control records (which take offsets but are never delivered).
   */
  batchEnd: { topic: string; partition: number; lastOffset: string; highWatermark: string };
  /** The group handed this member partitions of topics it did not subscribe to (a shared group). */
  unsubscribedTopics: { groupId: string; topicsNotSubscribed: string[] };
}

export interface Consumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(subscription: { topics: string[]; fromBeginning?: boolean } | { topic: string; fromBeginning?: boolean }): Promise<void>;
  /** Starts fetching; resolves once running (handlers are called in the background). */
  run(options: ConsumerRunOptions): Promise<void>;
  seek(position: { topic: string; partition: number; offset: string }): void;
  commitOffsets(offsets: Array<{ topic: string; partition: number; offset: string }>): Promise<void>;
  /** Adds a listener; returns its removal. */
  on<E extends keyof ConsumerEvents>(event: E, listener: (event: ConsumerEvents[E]) => void): () => void;
}

export interface TopicSpec {
  topic: string;
  numPartitions?: number;
  replicationFactor?: number;
  configEntries?: Array<{ name: string; value: string }>;
}

export interface TopicMetadata {
  name: string;
  partitions: Array<{ partitionId: number; leader: number }>;
}

export interface PartitionOffsets {
  partition: number;
  /** The high watermark (also given as `high`). */
  offset: string;
  high: string;
  low: string;
}

export interface GroupDescription {
  groupId: string;
  state: string;
  members: Array<{ memberId: string; clientId: string; clientHost: string; assignment: Record<string, number[]> }>;
}

export interface AdminOptions {
  /** Attempts after a failed request (default: the client's configured retries). */
  retries?: number;
}

export interface Admin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  /** False when every topic existed already. */
  createTopics(request: { topics: TopicSpec[]; waitForLeaders?: boolean }): Promise<boolean>;
  deleteTopics(request: { topics: string[] }): Promise<void>;
  fetchTopicMetadata(request: { topics: string[] }): Promise<{ topics: TopicMetadata[] }>;
  fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]>;
  describeCluster(): Promise<{ brokers: Array<{ nodeId: number; host: string; port: number }>; controller: number | null; clusterId: string }>;
  describeGroups(groupIds: string[]): Promise<{ groups: GroupDescription[] }>;
  fetchOffsets(request: { groupId: string; topics: string[] }): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>>;
  resetOffsets(request: { groupId: string; topic: string; earliest?: boolean }): Promise<void>;
}

/** A client for one cluster: makes producers, consumers and admin clients. */
export interface Kafka {
  producer(options?: ProducerOptions): Producer;
  consumer(options: ConsumerOptions): Consumer;
  admin(options?: AdminOptions): Admin;
}

/** TLS and SASL of a secured cluster (core/cluster-access.ts reads them from the settings). */
export interface KafkaAccess {
  ssl?: true | { ca?: string[]; cert?: string; key?: string };
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

export interface KafkaClientConfig {
  clientId: string;
  brokers: string[];
  access: KafkaAccess;
  logLevel: (typeof KAFKA_LOG_LEVELS)[number];
  /** Retries of a failed request inside the client, with back-off from initialRetryTimeMs. */
  retries: number;
  initialRetryTimeMs: number;
}
