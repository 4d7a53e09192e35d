import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors.js';
import { connectorSettings } from '../../../connectors/runtime/settings.js';
import { hubSettings } from '../../../hub/settings.js';
import { CONFIGURATION_DOC, configurationDoc } from '../../../scripts/settings-doc.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const BASE = { KAFKA_BROKERS: 'k1:9092, k2:9092', SCHEMA_REGISTRY_URL: 'http://registry:8080/apis/ccompat/v7', DATABASE_URL: 'postgres://hub:s3cret@db/hub' };

function refusal(env: Record<string, string>, read: (e: Record<string, string>) => unknown = hubSettings): ConfigError {
  try {
    read(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('the settings were accepted');
}

describe('settings: typed, defaulted, refused by name', () => {
  it('reads values and fills defaults', () => {
    const s = hubSettings({ ...BASE, HUB_SLA_CHECK_MS: '0', HUB_PORT: '0', CONNECTOR_STATUS_URLS: 'http://a:1,,http://b:2' });
    expect(s.KAFKA_BROKERS).toEqual(['k1:9092', 'k2:9092']);
    expect(s.HUB_SLA_CHECK_MS).toBe(0); // 0 is a value (breach marking off), not "unset"
    expect(s.HUB_PORT).toBe(0);
    expect(s.TOPIC_PREFIX).toBe('countyhub');
    expect(s.HUB_HOST).toBe('127.0.0.1');
    expect(s.HUB_SESSION_TIMEOUT_MS).toBeUndefined();
    expect(s.CONNECTOR_STATUS_URLS).toEqual(['http://a:1', 'http://b:2']);
    expect(hubSettings(BASE).HUB_SLA_CHECK_MS).toBe(30_000);
  });

  it('refuses a bad value with the setting name and what it expects, every bad one at once', () => {
    const err = refusal({ ...BASE, HUB_SLA_CHECK_MS: 'abc', HUB_PORT: '70000', LOG_LEVEL: 'loud', HUB_SESSION_TIMEOUT_MS: '1.5' });
    expect(err.field!.split(', ').sort()).toEqual(['HUB_PORT', 'HUB_SESSION_TIMEOUT_MS', 'HUB_SLA_CHECK_MS', 'LOG_LEVEL']);
    for (const name of ['HUB_SLA_CHECK_MS', 'HUB_PORT', 'LOG_LEVEL', 'HUB_SESSION_TIMEOUT_MS']) expect(err.message).toContain(name);
    expect(err.message).toMatch(/HUB_SLA_CHECK_MS="abc": expected a whole number of milliseconds ≥ 0/);
    expect(err.message).toMatch(/HUB_PORT="70000": expected a whole number from 0 to 65535/);
    expect(err.message).toMatch(/LOG_LEVEL="loud": expected one of fatal, error, warn, info/);
  });

  it('names missing required settings and never repeats a secret', () => {
    const missing = refusal({ KAFKA_BROKERS: 'k:9092', SCHEMA_REGISTRY_URL: 'registry:8080' });
    expect(missing.message).toMatch(/DATABASE_URL is not set/);
    expect(missing.message).toMatch(/SCHEMA_REGISTRY_URL="registry:8080": expected an http:\/\/ or https:\/\/ URL/);
    const secret = refusal({ ...BASE, SCHEMA_REGISTRY_URL: 'postgres://x', HUB_JWT_SECRET: 'hunter2-hunter2' });
    expect(secret.message).not.toContain('hunter2');
    expect(refusal({ KAFKA_BROKERS: 'k:9092', SCHEMA_REGISTRY_URL: 'http://r', CONNECTOR_RETRIES: '-1' }, connectorSettings).message).toMatch(/CONNECTOR_RETRIES="-1": expected a whole number from 0 to 100/);
  });

  it('the hub process stops at start with exit code 78 and the setting named, before it touches anything', async () => {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = execFile(process.execPath, ['--import', 'tsx', resolve(ROOT, 'hub/main.ts')], { cwd: ROOT, env: { ...process.env, ...BASE, DATABASE_URL: 'postgres://127.0.0.1:1/none', HUB_SLA_CHECK_MS: 'abc' }, timeout: 120_000 }, (_err, _out, stderr) => done({ code: child.exitCode, stderr }));
    });
    expect(code).toBe(78);
    expect(stderr).toMatch(/configuration error \(配置错误\)/);
    expect(stderr).toMatch(/HUB_SLA_CHECK_MS="abc": expected a whole number of milliseconds ≥ 0/);
    expect(stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('docs/configuration.md is the table the declarations generate (npx tsx scripts/settings-doc.ts)', () => {
    expect(readFileSync(CONFIGURATION_DOC, 'utf8')).toBe(configurationDoc());
  });
});
