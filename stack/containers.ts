/**
 * The Docker path: the same three servers as images, for machines with a Docker engine.
 * Image versions match the local stack (Kafka 4.1.1 KRaft, Apicurio 3.0.9, PostgreSQL 15) and
 * docker-compose.yml, so what is tested is what is deployed.
 */
import { GenericContainer, Network, Wait, getContainerRuntimeClient, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { APICURIO_VERSION, KAFKA_VERSION, createDatabase } from './local.js';
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
  say('starting Kafka, Apicurio Registry and PostgreSQL containers…');
  const started: StartedTestContainer[] = [];
  let network: StartedNetwork | undefined;
  try {
    network = await new Network().start();
    const [k, p] = await Promise.all([kafka.start(), new PostgreSqlContainer('postgres:15').withNetwork(network).withNetworkAliases('postgres').start()]);
    started.push(k, p);
    // the registry keeps its schemas in a database of its own on the PostgreSQL container (as in
    // docker-compose.yml), so a registry restart loses no schema id
    await createDatabase(p.getConnectionUri(), 'registry');
    const r = await new GenericContainer(`apicurio/apicurio-registry:${APICURIO_VERSION}`)
      .withNetwork(network)
      .withEnvironment({
        APICURIO_STORAGE_KIND: 'sql',
        APICURIO_STORAGE_SQL_KIND: 'postgresql',
        APICURIO_DATASOURCE_URL: 'jdbc:postgresql://postgres:5432/registry',
        APICURIO_DATASOURCE_USERNAME: p.getUsername(),
        APICURIO_DATASOURCE_PASSWORD: p.getPassword(),
      })
      .withExposedPorts(8080)
      .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
      .withStartupTimeout(180_000)
      .start();
    started.push(r);
    return {
      kind: 'containers',
      kafkaBrokers: [`127.0.0.1:${kafkaPort}`],
      schemaRegistryUrl: `http://${r.getHost()}:${r.getMappedPort(8080)}/apis/ccompat/v7`,
      databaseUrl: p.getConnectionUri(),
      stop: async () => {
        await Promise.all(started.map((c) => c.stop()));
        await network?.stop();
      },
    };
  } catch (err) {
    await Promise.all(started.map((c) => c.stop().catch(() => undefined)));
    await network?.stop().catch(() => undefined);
    throw err;
  }
}
