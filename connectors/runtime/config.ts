/**
 * Settings of connector workers and the hub come from the environment; per-connector overrides of
 * manifest settings (URLs, credentials, page sizes) from CONNECTOR_CONFIG — a JSON file path or
 * inline JSON: {"hotline-12345": {"source": {"url": "http://…"}}}. Validated once, at start-up,
 * with errors that name the setting.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '../../core/errors.js';
import type { ConnectorManifest } from '../sdk/types.js';

export function requireEnv<K extends string>(names: K[]): Record<K, string> {
  const missing = names.filter((n) => !process.env[n]);
  if (missing.length) {
    throw new ConfigError(missing.join(', '), `required environment variable${missing.length > 1 ? 's are' : ' is'} not set (see README: Configuration)`);
  }
  return Object.fromEntries(names.map((n) => [n, process.env[n]!])) as Record<K, string>;
}

export type Overrides = Record<string, { source?: Record<string, unknown>; pollIntervalMs?: number }>;

export function loadOverrides(raw = process.env.CONNECTOR_CONFIG): Overrides {
  if (!raw) return {};
  const text = raw.trim().startsWith('{') ? raw : existsSync(raw) ? readFileSync(raw, 'utf8') : undefined;
  if (text === undefined) throw new ConfigError('CONNECTOR_CONFIG', `file not found: ${raw}`);
  try {
    return JSON.parse(text) as Overrides;
  } catch (err) {
    throw new ConfigError('CONNECTOR_CONFIG', `not valid JSON: ${(err as Error).message}`);
  }
}

function deepMerge<T>(base: T, patch: unknown): T {
  if (patch === undefined) return base;
  if (base && typeof base === 'object' && !Array.isArray(base) && patch && typeof patch === 'object' && !Array.isArray(patch)) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(patch)) out[k] = deepMerge(out[k], v);
    return out as T;
  }
  return patch as T;
}

export function applyOverrides<S>(manifest: ConnectorManifest<S>, overrides: Overrides): ConnectorManifest<S> {
  const o = overrides[manifest.id];
  if (!o) return manifest;
  const unknown = Object.keys(o).filter((k) => k !== 'source' && k !== 'pollIntervalMs');
  if (unknown.length) throw new ConfigError(`CONNECTOR_CONFIG.${manifest.id}`, `unknown setting(s) ${unknown.join(', ')}; allowed: source, pollIntervalMs`);
  return { ...manifest, source: deepMerge(manifest.source, o.source), pollIntervalMs: o.pollIntervalMs ?? manifest.pollIntervalMs };
}

/** The county's key for hashing personal identifiers. Refuses to run without one. */
export function personalDataKey(): string {
  const key = process.env.PERSONAL_DATA_KEY;
  if (!key || Buffer.byteLength(key) < 16) {
    throw new ConfigError('PERSONAL_DATA_KEY', 'set it to a secret of at least 16 bytes, the same for every connector of the county (it keys the hash of ID and phone numbers)');
  }
  return key;
}
