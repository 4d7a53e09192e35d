/**
 * The Docker path: the same three servers as images, for machines with a Docker engine.
 * Image versions match the local stack (Kafka 4.1.1 KRaft, Apicurio 3.0.9, PostgreSQL 15) and
 * docker-compose.yml, so what is tested is what is deployed.
 */
import { GenericContainer, Wait, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { APICURIO_VERSION, KAFKA_VERSION } from './local.js';
import { freePort } from './net.js';
import type { Stack, StackOptions } from './types.js';

export async function dockerAvailable(): Promise<boolean> {
  try {
    const client = await Promise.race([
      getContainerRuntimeClient(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000)),
    ]);
    return Boolean(client);
  } catch {
    return false;
  }
}

export async function startContainerStack(opts: StackOptions = {}): Promise<Stack> {
  const say = opts.log ?? ((m: string) => process.stderr.write(`[stack] ${m}\n`));
  // Kafka advertises the address clients must use; fix the host port so it can advertise it.
  const kafkaPort = await freePort();
  const kafka = new GenericContainer(`apache/kafka:${KAFKA_VERSION}`)
    .withExposedPorts({ container: kafkaPort, host: kafkaPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${kafkaPort},CONTROLLER://0.0.0.0:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${kafkaPort}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_NUM_PARTITIONS: '3',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(120_000);
  const registry = new GenericContainer(`apicurio/apicurio-registry:${APICURIO_VERSION}`)
    .withExposedPorts(8080)
    .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
    .withStartupTimeout(120_000);
  say('starting Kafka, Apicurio Registry and PostgreSQL containers…');
  const started: StartedTestContainer[] = [];
  try {
    const [k, r, p] = await Promise.all([kafka.start(), registry.start(), new PostgreSqlContainer('postgres:15').start()]);
    started.push(k, r, p);
    return {
      kind: 'containers',
      kafkaBrokers: [`127.0.0.1:${kafkaPort}`],
      schemaRegistryUrl: `http://${r.getHost()}:${r.getMappedPort(8080)}/apis/ccompat/v7`,
      databaseUrl: p.getConnectionUri(),
      stop: async () => {
        await Promise.all(started.map((c) => c.stop()));
      },
    };
  } catch (err) {
    await Promise.all(started.map((c) => c.stop().catch(() => undefined)));
    throw err;
  }
}
