/**
 * The project's layering, checked on the import graph (docs/architecture.md):
 *   core, schemas  ← the shared base: errors, logging, configuration, Kafka and registry clients,
 *                    normalisation, catalogues, the dataset format, record schemas
 *   connectors     ← builds on the base; never on the hub
 *   hub            ← builds on the base; never on connectors
 *   simulators, tests, scripts, bench, stack ← may use anything; production code never uses them.
 * Test files (*.test.ts) beside production code are test code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const PRODUCTION = ['core', 'schemas', 'connectors', 'hub'] as const;
type Layer = string;

/** What each production layer may import, besides itself and packages. */
const ALLOWED: Record<(typeof PRODUCTION)[number], Layer[]> = {
  core: ['schemas'],
  schemas: ['core'],
  connectors: ['core', 'schemas'],
  hub: ['core', 'schemas'],
};

export interface Violation {
  file: string;
  imports: string;
  rule: string;
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

const layerOf = (path: string): Layer => path.split('/')[0]!;
const isTest = (path: string) => path.endsWith('.test.ts') || layerOf(path) === 'tests';

/** Violations in `files` (repository-relative path → source text). */
export function layeringViolations(files: Map<string, string>): Violation[] {
  const out: Violation[] = [];
  for (const [file, text] of files) {
    const from = layerOf(file) as (typeof PRODUCTION)[number];
    if (!PRODUCTION.includes(from) || isTest(file)) continue;
    // template literals hold code for other files (the adapter scaffold), not this file's imports
    for (const m of text.replace(/`(?:\\.|[^`\\])*`/g, '``').matchAll(SPECIFIER)) {
      const target = normalize(join(dirname(file), m[1]!));
      const to = layerOf(target);
      if (to === from || ALLOWED[from].includes(to)) continue;
      out.push({ file, imports: target, rule: `${from}/ may import ${['itself', ...ALLOWED[from]].join(', ')}; not ${to}/` });
    }
  }
  return out;
}

/** Files under `dir` whose names match, by repository-relative path (dependencies, dot folders and builds left out). */
function sourcesUnder(root: string, dir: string, name: RegExp, out = new Map<string, string>()): Map<string, string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.') || e.name === 'dist') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) sourcesUnder(root, p, name, out);
    else if (name.test(e.name)) out.set(relative(root, p), readFileSync(p, 'utf8'));
  }
  return out;
}

/** Every TypeScript file of the repository's production layers, for layeringViolations. */
export function repositorySources(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const layer of PRODUCTION) sourcesUnder(root, join(root, layer), /\.ts$/, out);
  return out;
}

/** Every TypeScript and JavaScript file of the repository, tests, scripts and benches included. */
export function allSources(root: string): Map<string, string> {
  return sourcesUnder(root, root, /\.(ts|mts|cts|js|mjs|cjs)$/);
}

/** The Kafka client packages: only the adapter modules of our Kafka interface may import them. */
export const KAFKA_CLIENT_PACKAGES = ['kafkajs', '@platformatic/kafka', '@confluentinc/kafka-javascript'] as const;

const PACKAGE_SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"./][^'"]*)['"]/g;

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`, `name/sub` → `name`). */
const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/** Imports of a Kafka client package by files other than `adapters` (repository-relative paths). */
export function kafkaClientImports(files: Map<string, string>, adapters: readonly string[]): Violation[] {
  const out: Violation[] = [];
  for (const [file, text] of files) {
    if (adapters.includes(file)) continue;
    for (const m of text.replace(/`(?:\\.|[^`\\])*`/g, '``').matchAll(PACKAGE_SPECIFIER)) {
      const pkg = packageOf(m[1]!);
      if ((KAFKA_CLIENT_PACKAGES as readonly string[]).includes(pkg)) out.push({ file, imports: m[1]!, rule: `only the Kafka adapter modules (${adapters.join(', ')}) import a Kafka client package; use core/kafka/client.ts` });
    }
  }
  return out;
}
