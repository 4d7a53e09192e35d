import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors.js';
import { checkClusterAccess, explainAccessError, kafkaAccess, registryAuthorization, topicLayout } from '../../../core/cluster-access.js';

const refused = (env: Record<string, string>) => {
  try {
    checkClusterAccess(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('settings of a secured cluster', () => {
  it('plaintext by default: no TLS, no SASL, three partitions, the brokers\' replication', () => {
    expect(kafkaAccess({})).toEqual({});
    expect(registryAuthorization({})).toBeUndefined();
    expect(topicLayout({})).toEqual({ partitions: 3 });
  });

  it('SASL_SSL with SCRAM gives the client its mechanism, user and TLS', () => {
    const access = kafkaAccess({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' });
    expect(access).toEqual({ ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } });
    expect(kafkaAccess({ KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toEqual({ sasl: { mechanism: 'plain', username: 'u', password: 'p' } });
  });

  it('refuses what cannot work, naming the settings and never echoing a secret', () => {
    expect(refused({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_USERNAME: 'u' })).toMatch(/KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD.*needs both/);
    expect(refused({ KAFKA_SECURITY_PROTOCOL: 'TLS' })).toMatch(/KAFKA_SECURITY_PROTOCOL.*PLAINTEXT.*SASL_SSL/);
    expect(refused({ KAFKA_SASL_MECHANISM: 'GSSAPI' })).toMatch(/KAFKA_SASL_MECHANISM/);
    expect(refused({ KAFKA_SSL_CA_FILE: '/ca.pem' })).toMatch(/KAFKA_SECURITY_PROTOCOL.*PLAINTEXT but TLS files are set/);
    expect(refused({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT_FILE: '/c.pem' })).toMatch(/KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE/);
    expect(refused({ SCHEMA_REGISTRY_USERNAME: 'u' })).toMatch(/SCHEMA_REGISTRY_USERNAME, SCHEMA_REGISTRY_PASSWORD/);
    expect(refused({ SCHEMA_REGISTRY_TOKEN: 'secret-token', SCHEMA_REGISTRY_USERNAME: 'u', SCHEMA_REGISTRY_PASSWORD: 'secret-pw' })).not.toMatch(/secret/);
    expect(refused({ TOPIC_PARTITIONS: '0' })).toMatch(/TOPIC_PARTITIONS/);
    expect(() => kafkaAccess({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: '/nowhere/ca.pem' })).toThrow(/KAFKA_SSL_CA_FILE.*cannot be read \(ENOENT\)/);
  });

  it('the registry gets basic or bearer credentials', () => {
    expect(registryAuthorization({ SCHEMA_REGISTRY_USERNAME: 'county', SCHEMA_REGISTRY_PASSWORD: 'pw' })).toBe(`Basic ${Buffer.from('county:pw').toString('base64')}`);
    expect(registryAuthorization({ SCHEMA_REGISTRY_TOKEN: 't0k' })).toBe('Bearer t0k');
  });

  it('a refused login or an untrusted certificate becomes a configuration error naming what to change; other errors pass', () => {
    const sasl = Object.assign(new Error('SASL SCRAM SHA512 authentication failed'), { name: 'KafkaJSSASLAuthenticationError' });
    expect(explainAccessError(sasl)).toBeInstanceOf(ConfigError);
    expect(String((explainAccessError(sasl) as Error).message)).toMatch(/KAFKA_SASL_PASSWORD/);
    const tls = Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    expect((explainAccessError(tls) as Error).message).toMatch(/KAFKA_SSL_CA_FILE/);
    const other = new Error('ECONNREFUSED');
    expect(explainAccessError(other)).toBe(other);
  });
});
