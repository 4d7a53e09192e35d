/**
 * Recorded fixtures for mappings: each `fixtures/*.json` of an adapter holds one source record as
 * the platform served it and what the mapping must make of it —
 *   { "description": "...", "input": {...}, "expected": [ { "kind", "key", "value" } ] }
 * or, for records that must be dead-lettered,
 *   { "description": "...", "input": {...}, "error": { "code": "CH_VALIDATION", "field": "gdbh" } }
 * Keyed hashes depend on the key and the algorithm of the machine, so expected values may write
 * { "$hashOf": "<normalised value>" } instead of a hash.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CountyHubError } from '../../core/errors.js';
import { keyedHash } from '../../core/normalise/personal-data.js';
import { categoryMapper } from './categories.js';
import { loadCatalogue } from '../../core/catalogue.js';
import type { Emitted, Mapping, MappingContext } from './types.js';

export interface Fixture {
  file: string;
  description: string;
  input: unknown;
  expected?: unknown[];
  error?: { code: string; field?: string; message?: string };
}

export const FIXTURE_KEY = 'fixture-key-not-for-production-0001';

export function fixtureContext(manifest: { id: string; sourceSystem: string; department: string }): MappingContext {
  return {
    connectorId: manifest.id,
    sourceSystem: manifest.sourceSystem,
    department: manifest.department,
    ingestTime: Date.UTC(2026, 0, 1),
    personalDataKey: FIXTURE_KEY,
    mapCategory: categoryMapper(loadCatalogue(), manifest.department),
  };
}

export function loadFixtures(dir: string): Fixture[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, ...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as Omit<Fixture, 'file'>) }));
}

function resolveHashes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(resolveHashes);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$hashOf === 'string' && Object.keys(o).length === 1) return keyedHash(o.$hashOf, FIXTURE_KEY);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolveHashes(x)]));
  }
  return v;
}

export type FixtureOutcome = { ok: true; emitted: Emitted[]; expected: unknown[] } | { ok: false; error: CountyHubError | Error; expectedError: Fixture['error'] };

/** Runs one fixture through a mapping; the caller's test framework compares. */
export function runFixture(f: Fixture, mapping: Mapping, ctx: MappingContext): FixtureOutcome {
  try {
    const emitted = mapping(f.input, ctx);
    if (f.error) return { ok: false, error: new Error(`expected ${f.error.code} but the mapping succeeded`), expectedError: f.error };
    return { ok: true, emitted, expected: resolveHashes(f.expected ?? []) as unknown[] };
  } catch (err) {
    if (!f.error) throw err;
    return { ok: false, error: err as Error, expectedError: f.error };
  }
}
