/** Shared by the natural-resources, emergency, approval and grid integration tests. */
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import type { ConnectorManifest, Emitted, Mapping } from '../../../connectors/sdk/types.js';
import { categoryMapper } from '../../../connectors/sdk/categories.js';
import { loadCatalogue } from '../../../core/catalogue.js';
import { startProcess, type RunningProcess } from '../../../stack/processes.js';
import { TEST_PERSONAL_DATA_KEY, type TestContext } from '../../support/context.js';
import type { LedgerEntry } from '../../../simulators/natural-resources/drop-writer.js';

export type AdapterName = 'natural-resources' | 'emergency' | 'approval' | 'grid' | 'health-inspection' | 'urban-management' | 'police-110';

const started = new Set<RunningProcess>();

/** Starts the worker script of this folder for one adapter (a child process: it can be killed with -9). */
export function workerStarter(ctx: TestContext, adapter: AdapterName, source: Record<string, unknown>, env: Record<string, string> = {}): () => Promise<RunningProcess> {
  return async () => {
    const p = await startProcess(`${adapter} worker`, 'tests/integration/adapters/nr-emergency-approval-worker.ts', [], {
      ...ctx.env,
      ADAPTER: adapter,
      SOURCE_OVERRIDES: JSON.stringify(source),
      POLL_INTERVAL_MS: '200',
      ...env,
    });
    started.add(p);
    void exited(p).then(() => started.delete(p));
    return p;
  };
}

/** Kills every worker still running (a test that failed or timed out leaves no orphan behind); for afterEach. */
export async function stopWorkers(): Promise<void> {
  await Promise.all([...started].map((p) => p.stop('SIGKILL')));
}

/** Resolves when the process has exited. */
export function exited(p: RunningProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => p.child.once('exit', () => resolve()));
}

export function readLedger(path: string): LedgerEntry[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as LedgerEntry);
}

/**
 * Plain JSON of a decoded record, without what legitimately differs between two readings (ingest
 * time), keys sorted: a mapping's output and the Avro decoding of it list fields in different orders.
 */
export function comparable(value: unknown): Record<string, unknown> {
  const v = JSON.parse(JSON.stringify(value)) as { envelope: Record<string, unknown> } & Record<string, unknown>;
  delete v.envelope.ingestTime;
  return sortKeys(v) as Record<string, unknown>;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

/** What the mapping makes of the source records, as the worker's context would (test county key, catalogue). */
export function mapAll(manifest: ConnectorManifest, mapping: Mapping, records: unknown[]): Emitted[] {
  const ctx = {
    connectorId: manifest.id,
    sourceSystem: manifest.sourceSystem,
    department: manifest.department,
    ingestTime: 0,
    personalDataKey: TEST_PERSONAL_DATA_KEY,
    mapCategory: categoryMapper(loadCatalogue(), manifest.department),
  };
  return records.flatMap((r) => mapping(r, ctx));
}

/** Ids whose Kafka record differs from the expected one (first few, with the first differing field), for a readable failure. */
export function differences(expected: Map<string, Record<string, unknown>>, actual: Map<string, Record<string, unknown>>, max = 5): string[] {
  const out: string[] = [];
  for (const [id, e] of expected) {
    const a = actual.get(id);
    if (!a) out.push(`${id}: missing`);
    else if (JSON.stringify(a) !== JSON.stringify(e)) {
      const field = [...new Set([...Object.keys(e), ...Object.keys(a)])].find((k) => JSON.stringify(a[k]) !== JSON.stringify(e[k]));
      out.push(`${id}: ${field} is ${JSON.stringify(a[field ?? ''])?.slice(0, 200)}, expected ${JSON.stringify(e[field ?? ''])?.slice(0, 200)}`);
    }
    if (out.length >= max) break;
  }
  for (const id of actual.keys()) if (!expected.has(id) && out.length < max) out.push(`${id}: not in the source`);
  return out;
}

/** File names directly in a folder (no sub-folders), sorted. */
export async function filesIn(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
}
