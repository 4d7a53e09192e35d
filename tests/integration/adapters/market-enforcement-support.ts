/**
 * What the market-registry and enforcement-cases integration tests share: running a simulator and
 * workers as child processes, reading the source table as it is, reading what Kafka committed, and
 * comparing the two — every row at its current version, mapped exactly as the table has it, and no
 * (record id, version) twice.
 */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from '../../../core/kafka/client.js';
import { expect } from 'vitest';
import type { Adapter } from '../../../connectors/adapters/index.js';
import { readToEnd } from '../../../core/read-to-end.js';
import { categoryMapper } from '../../../connectors/sdk/categories.js';
import type { Emitted, MappingContext } from '../../../connectors/sdk/types.js';
import { SqlPollSource, type SqlPollSettings } from '../../../connectors/sources/sql-poll.js';
import { loadCatalogue } from '../../../core/catalogue.js';
import type { Envelope, RecordKind } from '../../../schemas/index.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { TEST_PERSONAL_DATA_KEY, type TestContext } from '../../support/context.js';

export const WORKER = 'tests/integration/adapters/market-enforcement-worker.ts';

export interface KafkaRecord {
  key: string;
  value: { envelope: Envelope } & Record<string, unknown>;
}

/** POST (with a body) or GET a simulator control route. */
export async function control<T>(sim: RunningProcess, path: string, body?: unknown, method?: string): Promise<T> {
  const res = await fetch(`${String(sim.ready.url)}${path}`, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const workers: RunningProcess[] = [];

/** A worker process for `adapter` reading the simulator's table. */
export function workerStarter(ctx: TestContext, adapter: 'market' | 'enforcement', connectorId: string, source: Partial<SqlPollSettings>, extra: Record<string, string> = {}) {
  return async () => {
    const w = await startProcess(`${adapter} worker`, WORKER, [], {
      ...ctx.env,
      ADAPTER: adapter,
      CONNECTOR_ID: connectorId,
      SOURCE_SETTINGS: JSON.stringify(source),
      ...extra,
    });
    workers.push(w);
    return w;
  };
}

/** Kills every worker a test left running (a test that timed out never reaches its own clean-up). */
export async function stopWorkers(): Promise<void> {
  await Promise.all(workers.splice(0).map((w) => w.stop('SIGKILL')));
}

/** Every row of the table as the sql-poll source serves it (no safety lag), in keyset order. */
export async function readTable(settings: SqlPollSettings): Promise<Array<{ id: string; payload: unknown }>> {
  const source = new SqlPollSource({ ...settings, safetyLagMs: 0, pageSize: 5000 });
  const out: Array<{ id: string; payload: unknown }> = [];
  try {
    let cursor;
    for (;;) {
      const page = await source.nextPage(cursor, new AbortController().signal);
      for (const r of page.records) out.push({ id: r.id as string, payload: r.payload });
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
  } finally {
    await source.close();
  }
  return out;
}

/** What the adapter makes of each row now: kind → record id → emitted record (ingest time zeroed). */
export function expectedFromTable(adapter: Adapter, rows: Array<{ payload: unknown }>): Map<RecordKind, Map<string, KafkaRecord>> {
  const ctx: MappingContext = {
    connectorId: '',
    sourceSystem: adapter.manifest.sourceSystem,
    department: adapter.manifest.department,
    ingestTime: Date.now(),
    personalDataKey: TEST_PERSONAL_DATA_KEY,
    mapCategory: categoryMapper(loadCatalogue(), adapter.manifest.department),
  };
  const out = new Map<RecordKind, Map<string, KafkaRecord>>(adapter.manifest.emits.map((k) => [k, new Map()]));
  for (const r of rows) {
    for (const e of adapter.mapping(r.payload, ctx) as Emitted[]) {
      const value = e.value as unknown as KafkaRecord['value'];
      out.get(e.kind)!.set(value.envelope.sourceRecordId, { key: e.key, value: normalise(value) });
    }
  }
  return out;
}

/** Ingest time and connector id differ per run: not part of what the table determines. */
function normalise(v: KafkaRecord['value']): KafkaRecord['value'] {
  return { ...v, envelope: { ...v.envelope, ingestTime: 0, connector: '' } };
}

/** Every committed record of a kind's topic, with its key, as a read_committed consumer sees it. */
export async function kafkaRecords(kafka: Kafka, ctx: TestContext, kind: RecordKind): Promise<KafkaRecord[]> {
  const registry = new SchemaRegistry({ host: ctx.stack.schemaRegistryUrl });
  const raw: Array<{ key: string; value: Buffer }> = [];
  await readToEnd(kafka, ctx.topics.records(kind), (m) => void (m.value && raw.push({ key: m.key?.toString() ?? '', value: m.value })));
  return Promise.all(raw.map(async (m) => ({ key: m.key, value: (await registry.decode(m.value)) as KafkaRecord['value'] })));
}

/** The latest version per record id. */
export function latest(records: KafkaRecord[]): Map<string, KafkaRecord> {
  const out = new Map<string, KafkaRecord>();
  for (const r of records) {
    const id = r.value.envelope.sourceRecordId;
    const had = out.get(id);
    if (!had || had.value.envelope.sourceVersion < r.value.envelope.sourceVersion) out.set(id, r);
  }
  return out;
}

/** (record id, version) pairs that appear more than once. */
export function duplicates(records: KafkaRecord[]): string[] {
  const seen = new Map<string, number>();
  for (const r of records) {
    const k = `${r.value.envelope.sourceRecordId}@${r.value.envelope.sourceVersion}`;
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k}×${n}`);
}

/**
 * Waits until the worker's committed cursor has reached the table's last row (in keyset order), then
 * reads what Kafka committed, once: the records per kind, and what the table says they must be.
 * (Reading whole topics is slow on a busy machine; the cursor is cheap to ask for.)
 */
export async function caughtUp(kafka: Kafka, ctx: TestContext, adapter: Adapter, settings: SqlPollSettings, worker: RunningProcess, timeoutMs = 120_000) {
  const rows = await readTable(settings);
  const expected = expectedFromTable(adapter, rows);
  const last = rows.at(-1)!;
  const target = { updatedAt: String((last.payload as Record<string, unknown>)[settings.updatedAtColumn]), id: last.id };
  await eventually(
    `the worker's cursor to reach the last row (${target.updatedAt}, ${target.id})`,
    async () => {
      const [view] = (await (await fetch(`${String(worker.ready.statusUrl)}/status`)).json()) as Array<{ cursor: { updatedAt: string; id: string } | null }>;
      return view?.cursor?.updatedAt === target.updatedAt && view.cursor.id === target.id ? true : undefined;
    },
    timeoutMs,
    500,
  );
  const records = new Map<RecordKind, KafkaRecord[]>();
  for (const kind of adapter.manifest.emits) records.set(kind, await kafkaRecords(kafka, ctx, kind));
  return { rows, expected, records };
}

/** Kafka equals the table exactly: the same ids, each latest record as the adapter maps the row now, no duplicates. */
export function expectKafkaEqualsTable(expected: Map<RecordKind, Map<string, KafkaRecord>>, records: Map<RecordKind, KafkaRecord[]>): void {
  for (const [kind, want] of expected) {
    const all = records.get(kind)!;
    expect(duplicates(all), `${kind}: (id, version) delivered more than once`).toEqual([]);
    const last = latest(all);
    expect(new Set(last.keys())).toEqual(new Set(want.keys()));
    for (const [id, e] of want) {
      const got = last.get(id)!;
      expect({ key: got.key, value: normalise(got.value) }, `${kind} ${id}`).toEqual(e);
    }
  }
}

/** Status views of a worker, sampled every 100 ms until stopped. */
export function watchStatus(worker: RunningProcess): { states: string[]; retries: () => number; stop: () => void } {
  const states: string[] = [];
  let retries = 0;
  const timer = setInterval(() => {
    void fetch(`${String(worker.ready.statusUrl)}/status`)
      .then((r) => r.json() as Promise<Array<{ state: string; retries: number }>>)
      .then((v) => {
        if (states.at(-1) !== v[0]!.state) states.push(v[0]!.state);
        retries = v[0]!.retries;
      })
      .catch(() => undefined);
  }, 100);
  return { states, retries: () => retries, stop: () => clearInterval(timer) };
}
