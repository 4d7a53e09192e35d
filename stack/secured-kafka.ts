/**
 * A single Kafka broker secured the way a county's production cluster is: clients reach it only
 * over SASL_SSL (TLS with a certificate from a CA of its own; SCRAM-SHA-512 and PLAIN users). For
 * the tests that show CountyHub's services run against such a cluster. The broker talks to itself
 * on a plaintext listener the clients are never given.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StackError } from '../core/errors.js';
import { ensureKafkaJars, kafkaClusterId, kafkaReady, SINGLE_NODE_PROPS, startJava, stopProc } from './local.js';
import { freePort, waitFor } from './net.js';

export interface KafkaUser {
  username: string;
  password: string;
}

export interface SecuredKafka {
  /** The SASL_SSL listener: the only one clients are given. */
  brokers: string[];
  /** PEM of the CA that signed the broker's certificate (what a county's KAFKA_SSL_CA_FILE holds). */
  caFile: string;
  scram: KafkaUser;
  plain: KafkaUser;
  stop(): Promise<void>;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new StackError(`openssl ${args[0]} failed (is openssl installed?): ${r.stderr || r.stdout || r.error?.message}`);
}

/** A CA and a broker certificate for 127.0.0.1 signed by it; returns the broker's PEM keystore (key + chain). */
function makeCertificates(dir: string): { caFile: string; keystore: string } {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=CountyHub test CA'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'broker.key', '-out', 'broker.csr', '-subj', '/CN=127.0.0.1'], dir);
  writeFileSync(join(dir, 'broker.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(['x509', '-req', '-in', 'broker.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'broker.crt', '-days', '2', '-extfile', 'broker.ext'], dir);
  const keystore = join(dir, 'broker-keystore.pem');
  writeFileSync(keystore, readFileSync(join(dir, 'broker.key'), 'utf8') + readFileSync(join(dir, 'broker.crt'), 'utf8') + readFileSync(join(dir, 'ca.pem'), 'utf8'));
  return { caFile: join(dir, 'ca.pem'), keystore };
}

export async function startSecuredKafka(dir: string): Promise<SecuredKafka> {
  mkdirSync(dir, { recursive: true });
  const kafkaCp = ensureKafkaJars();
  const { caFile, keystore } = makeCertificates(dir);
  const scram = { username: 'countyhub', password: 'scram-secret-0123' };
  const plain = { username: 'countyhub-plain', password: 'plain-secret-0123' };
  const [port, internalPort, controllerPort] = [await freePort(), await freePort(), await freePort()];
  const props = [
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=SASL_SSL://127.0.0.1:${port},INTERNAL://127.0.0.1:${internalPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=SASL_SSL://127.0.0.1:${port},INTERNAL://127.0.0.1:${internalPort}`,
    'inter.broker.listener.name=INTERNAL',
    'listener.security.protocol.map=SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    `listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${plain.username}="${plain.password}";`,
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${keystore}`,
    `log.dirs=${join(dir, 'kafka-data')}`,
    ...SINGLE_NODE_PROPS,
  ];
  const propsFile = join(dir, 'server.properties');
  writeFileSync(propsFile, props.join('\n') + '\n');
  // SCRAM users of a KRaft cluster are written with the storage format, before the first start
  const fmt = spawnSync('java', ['-cp', kafkaCp, 'kafka.tools.StorageTool', 'format', `--cluster-id=${kafkaClusterId()}`, '-c', propsFile, '--add-scram', `SCRAM-SHA-512=[name=${scram.username},password=${scram.password}]`], { encoding: 'utf8' });
  if (fmt.status !== 0) throw new StackError(`formatting the secured broker's log folder failed: ${fmt.stderr || fmt.stdout}`);
  const logFile = join(dir, 'kafka.log');
  const proc = startJava('secured kafka', ['-Xms128m', '-Xmx512m', '-cp', kafkaCp, 'kafka.Kafka', propsFile], logFile, dir);
  const stop = async () => {
    await stopProc(proc);
    rmSync(join(dir, 'kafka-data'), { recursive: true, force: true });
  };
  try {
    await waitFor(`the secured broker on 127.0.0.1:${port}`, () => kafkaReady(`127.0.0.1:${internalPort}`), 600_000, () => proc.child.exitCode !== null, logFile);
  } catch (err) {
    await stop();
    throw err;
  }
  return { brokers: [`127.0.0.1:${port}`], caFile, scram, plain, stop };
}
