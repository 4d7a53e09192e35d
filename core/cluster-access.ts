/**
 * How every service reaches a county's existing, secured clusters: Kafka over TLS and/or SASL
 * (SCRAM-SHA-512/256, PLAIN), a schema registry behind basic or bearer authentication, and the
 * layout of the topics it creates or checks. Declared once, read from the environment by the
 * Kafka and registry clients themselves, so no call site can forget them.
 *
 * PostgreSQL TLS needs nothing here: `DATABASE_URL` takes `?sslmode=verify-full&sslrootcert=…`
 * (node-postgres reads both). A private CA for the registry's HTTPS goes in Node's own
 * NODE_EXTRA_CA_CERTS, which every HTTPS client of the process then trusts.
 */
import { readFileSync } from 'node:fs';
import type { KafkaAccess } from './kafka/client.js';
import { ConfigError } from './errors.js';
import { int, oneOf, readSettings, text, type Settings } from './settings.js';

export const KAFKA_SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export const KAFKA_SASL_MECHANISMS = ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'] as const;

export const CLUSTER_ACCESS_SETTINGS = {
  KAFKA_SECURITY_PROTOCOL: oneOf({ values: KAFKA_SECURITY_PROTOCOLS, default: 'PLAINTEXT', description: "How clients talk to the brokers, as in Kafka's own security.protocol" }),
  KAFKA_SASL_MECHANISM: oneOf({ values: KAFKA_SASL_MECHANISMS, default: 'SCRAM-SHA-512', description: 'SASL mechanism (with SASL_PLAINTEXT or SASL_SSL)' }),
  KAFKA_SASL_USERNAME: text({ description: 'SASL user (required with SASL_PLAINTEXT or SASL_SSL)' }),
  KAFKA_SASL_PASSWORD: text({ secret: true, description: 'SASL password (required with SASL_PLAINTEXT or SASL_SSL)' }),
  KAFKA_SSL_CA_FILE: text({ description: "PEM file of the CA that signed the brokers' certificates (with SSL or SASL_SSL; default: the system's CAs)" }),
  KAFKA_SSL_CERT_FILE: text({ description: "PEM client certificate, when the brokers require one (mutual TLS; with KAFKA_SSL_KEY_FILE)" }),
  KAFKA_SSL_KEY_FILE: text({ secret: true, description: 'PEM private key of KAFKA_SSL_CERT_FILE' }),
  SCHEMA_REGISTRY_USERNAME: text({ description: 'Basic-authentication user of the schema registry (with SCHEMA_REGISTRY_PASSWORD)' }),
  SCHEMA_REGISTRY_PASSWORD: text({ secret: true, description: 'Basic-authentication password of the schema registry' }),
  SCHEMA_REGISTRY_TOKEN: text({ secret: true, description: 'Bearer token for the schema registry (instead of a user and password)' }),
  TOPIC_PARTITIONS: int({ default: 3, min: 1, max: 1000, description: "Partitions of each record topic, created with it; an existing topic with another count stops the service, naming it (partitions decide which records keep their order)" }),
  TOPIC_REPLICATION_FACTOR: int({ min: 1, max: 16, description: "Replicas of each topic the services create (default: the brokers' default.replication.factor); 3 on a production cluster" }),
};

type Env = Record<string, string | undefined>;
type Access = Settings<typeof CLUSTER_ACCESS_SETTINGS>;

function read(env: Env): Access {
  const s = readSettings(CLUSTER_ACCESS_SETTINGS, env);
  const sasl = s.KAFKA_SECURITY_PROTOCOL.startsWith('SASL_');
  if (sasl && (!s.KAFKA_SASL_USERNAME || !s.KAFKA_SASL_PASSWORD)) {
    throw new ConfigError('KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD', `KAFKA_SECURITY_PROTOCOL=${s.KAFKA_SECURITY_PROTOCOL} needs both (the user the county's Kafka administrators created for CountyHub)`);
  }
  if (!s.KAFKA_SECURITY_PROTOCOL.endsWith('SSL') && (s.KAFKA_SSL_CA_FILE || s.KAFKA_SSL_CERT_FILE)) {
    throw new ConfigError('KAFKA_SECURITY_PROTOCOL', `it is ${s.KAFKA_SECURITY_PROTOCOL} but TLS files are set: use SSL or SASL_SSL, or unset KAFKA_SSL_*`);
  }
  if (Boolean(s.KAFKA_SSL_CERT_FILE) !== Boolean(s.KAFKA_SSL_KEY_FILE)) throw new ConfigError('KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE', 'a client certificate needs its key, and a key its certificate');
  if (Boolean(s.SCHEMA_REGISTRY_USERNAME) !== Boolean(s.SCHEMA_REGISTRY_PASSWORD)) throw new ConfigError('SCHEMA_REGISTRY_USERNAME, SCHEMA_REGISTRY_PASSWORD', 'set both, or neither');
  if (s.SCHEMA_REGISTRY_TOKEN && s.SCHEMA_REGISTRY_USERNAME) throw new ConfigError('SCHEMA_REGISTRY_TOKEN', 'set a token or a user and password, not both');
  return s;
}

/** The checks across these settings (SASL needs a user, …), for a service's start; throws a ConfigError. */
export function checkClusterAccess(env: Env = process.env): void {
  read(env);
}

const TLS_TRUST_CODES = /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|CERT_HAS_EXPIRED|ERR_TLS_CERT_ALTNAME_INVALID)$/;

/**
 * A refusal by a secured cluster as the configuration error it is (no retry helps: the county's
 * settings must change), naming the settings; any other error unchanged.
 */
export function explainAccessError(err: unknown): unknown {
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string } };
  if (e?.name === 'KafkaJSSASLAuthenticationError') {
    return new ConfigError('KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SASL_MECHANISM', `the Kafka brokers refused these credentials (${e.message}); ask the cluster's administrators for the user CountyHub was given`);
  }
  const code = e?.code ?? e?.cause?.code;
  if (code && TLS_TRUST_CODES.test(code)) {
    return new ConfigError('KAFKA_SSL_CA_FILE', `the brokers' certificate is not trusted (${code}): give the PEM of the CA that signed it`);
  }
  return err;
}

function pem(setting: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(setting, `${JSON.stringify(path)} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** The TLS and SASL part of a Kafka client's configuration. */
export function kafkaAccess(env: Env = process.env): KafkaAccess {
  const s = read(env);
  const out: KafkaAccess = {};
  if (s.KAFKA_SECURITY_PROTOCOL.endsWith('SSL')) {
    out.ssl =
      s.KAFKA_SSL_CA_FILE || s.KAFKA_SSL_CERT_FILE
        ? {
            ...(s.KAFKA_SSL_CA_FILE ? { ca: [pem('KAFKA_SSL_CA_FILE', s.KAFKA_SSL_CA_FILE)] } : {}),
            ...(s.KAFKA_SSL_CERT_FILE ? { cert: pem('KAFKA_SSL_CERT_FILE', s.KAFKA_SSL_CERT_FILE), key: pem('KAFKA_SSL_KEY_FILE', s.KAFKA_SSL_KEY_FILE!) } : {}),
          }
        : true;
  }
  if (s.KAFKA_SECURITY_PROTOCOL.startsWith('SASL_')) {
    const mechanism = s.KAFKA_SASL_MECHANISM.toLowerCase() as 'plain' | 'scram-sha-256' | 'scram-sha-512';
    out.sasl = { mechanism, username: s.KAFKA_SASL_USERNAME!, password: s.KAFKA_SASL_PASSWORD! };
  }
  return out;
}

/** The Authorization header for the schema registry, if it wants one. */
export function registryAuthorization(env: Env = process.env): string | undefined {
  const s = read(env);
  if (s.SCHEMA_REGISTRY_TOKEN) return `Bearer ${s.SCHEMA_REGISTRY_TOKEN}`;
  if (s.SCHEMA_REGISTRY_USERNAME) return `Basic ${Buffer.from(`${s.SCHEMA_REGISTRY_USERNAME}:${s.SCHEMA_REGISTRY_PASSWORD!}`).toString('base64')}`;
  return undefined;
}

export interface TopicLayout {
  partitions: number;
  /** Undefined: the brokers' default. */
  replicationFactor?: number;
}

export function topicLayout(env: Env = process.env): TopicLayout {
  const s = read(env);
  return { partitions: s.TOPIC_PARTITIONS, ...(s.TOPIC_REPLICATION_FACTOR ? { replicationFactor: s.TOPIC_REPLICATION_FACTOR } : {}) };
}
