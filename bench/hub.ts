/**
 * The hub's apply path — decode (registry), merge (candidate queries + matching), route (tasks with
 * SLA deadlines), link subjects, all in PostgreSQL transactions with the consumed offsets — in
 * records/s, against PostgreSQL COPY of the same rows (the source_records the run wrote) into a
 * table of the same shape, measured in the same run on the same server.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKafka } from '../connectors/runtime/kafka.js';
import { createLogger } from '../connectors/runtime/log.js';
import { replayDataset } from '../connectors/runtime/replay-dataset.js';
import { HubConsumer } from '../hub/ingest/consumer.js';
import { HubRouting } from '../hub/ingest/routing.js';
import { createDb, migrate } from '../hub/store/db.js';
import { topics } from '../schemas/index.js';
import { SchemaCodec } from '../schemas/registry.js';
import { generateDataset } from '../simulators/county/generate.js';
import { startStack } from '../stack/index.js';
import { QueryProfile } from './query-profile.js';

export async function benchHub(opts: { scale: number; quiet: boolean }) {
  const say = (m: string) => (opts.quiet ? undefined : console.log(m));
  const dir = mkdtempSync(join(tmpdir(), 'countyhub-bench-hub-'));
  const stack = await startStack({ log: opts.quiet ? () => undefined : undefined });
  const schema = `bench_${randomBytes(3).toString('hex')}`;
  const db = createDb(stack.databaseUrl, { schema });
  try {
    const { manifest } = generateDataset({ seed: 7, scale: opts.scale }, dir);
    await migrate(db, schema);
    const names = topics(`bench.${schema}`);
    const kafka = createKafka(stack.kafkaBrokers, 'bench-hub');
    const codec = new SchemaCodec(stack.schemaRegistryUrl, names);
    const log = createLogger('bench');
    const routing = HubRouting.load({ divisionsFile: join(dir, 'geo/divisions.json') });
    const { departments } = await replayDataset(dir, manifest, { kafka, codec, topics: names, personalDataKey: 'bench-county-key-0123456789', catalogue: routing.catalogue, log }, { idPrefix: 'bench' });
    const produced = departments.reduce((n, d) => n + d.produced, 0);
    say(`${produced} canonical records in Kafka; the hub starts now`);
    const hub = new HubConsumer({ kafka, db, codec, topics: names, log, routing, groupId: `bench-${schema}` });
    const profile = new QueryProfile(db);
    const t0 = performance.now();
    await hub.start();
    // until it has applied everything on the topics it consumes (cases and approvals are produced but not applied yet)
    while (Object.values(await hub.lag()).some((behind) => behind > 0)) await sleep(250);
    const secs = (performance.now() - t0) / 1000;
    await hub.stop();
    profile.stop();
    const a = hub.stats.applied;
    const toApply = a.new + a.updated + a.stale + a.duplicate;
    const value = toApply / secs;

    // ceiling: COPY the very rows the hub wrote, into a table of the same shape
    const csv = join(dir, 'rows.csv');
    const rows = await db.raw(`select kind, source_system, source_record_id, source_version, department, payload, topic, partition, "offset" from source_records`);
    writeFileSync(csv, (rows.rows as Array<Record<string, unknown>>).map((r) => Object.values(r).map((v) => `"${String(typeof v === 'object' ? JSON.stringify(v) : v).replace(/"/g, '""')}"`).join(',')).join('\n'));
    await db.raw(`create table copy_ceiling (like source_records including defaults including indexes)`);
    const url = new URL(stack.databaseUrl);
    const psql = (sql: string) =>
      spawnSync('psql', ['-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username || 'postgres'), '-d', url.pathname.slice(1), '-v', 'ON_ERROR_STOP=1', '-c', sql], {
        encoding: 'utf8',
        env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) },
      });
    const c0 = performance.now();
    const r = psql(`\\copy "${schema}".copy_ceiling (kind, source_system, source_record_id, source_version, department, payload, topic, partition, "offset") from '${csv}' with (format csv)`);
    const copySecs = (performance.now() - c0) / 1000;
    if (r.status !== 0) throw new Error(`COPY failed: ${r.stderr}`);
    const ceiling = toApply / copySecs;
    const ratio = value / ceiling;
    const s = hub.stats;
    say(`hub: ${toApply} records merged into PostgreSQL in ${secs.toFixed(1)} s = ${value.toFixed(0)} records/s (${s.applied.new} new, ${s.applied.updated} updated, ${s.batches} transactions)`);
    say(`ceiling (PostgreSQL COPY of the same ${toApply} rows, psql \\copy incl. process start): ${ceiling.toFixed(0)} records/s`);
    say(`ratio: ${ratio.toFixed(3)}`);
    // the ceiling's own statements are not the hub's
    const pgMs = profile.totalMs();
    say(`where the time goes: ${profile.count()} statements (${(profile.count() / toApply).toFixed(1)} per record) took ${(pgMs / 1000).toFixed(1)} s = ${((pgMs / 10 / secs)).toFixed(0)} % of the run waiting on PostgreSQL; the rest is Node (decode, matching, knex) and Kafka`);
    for (const c of profile.statements().slice(0, 12)) say(`  ${c.statement.padEnd(32)} ${String(c.count).padStart(8)} × ${(c.ms / c.count).toFixed(2)} ms = ${(c.ms / 1000).toFixed(1)} s`);
    return { bench: 'hub', value: Math.round(value), ceiling: Math.round(ceiling), ratio: Number(ratio.toFixed(4)), unit: 'records/s' };
  } finally {
    await db.destroy();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
