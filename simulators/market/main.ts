/**
 * The market-regulation platform as the county sees it: the registry table of the data-sharing
 * exchange (市场主体登记信息, Chinese column names) in a PostgreSQL schema of its own, plus HTTP control
 * routes (server.ts).
 *
 *   tsx simulators/market/main.ts [--database-url postgres://…] [--schema market_exchange]
 *       [--dataset <folder> | --generate N] [--seed S] [--live-every-ms N] [--live-batch N]
 *       [--keep] [--cleanup] [--reader-password P] [--port N] [--host H]
 *
 * --database-url  default $DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres (the stack's)
 * --schema        schema of the exchange table (created; a read-only role <schema>_reader is granted SELECT)
 * --dataset       load departments/market.jsonl of a county dataset (simulators/county/cli.ts)
 * --generate      without --dataset: this many generated registrations (default 200)
 * --live-every-ms every N ms change --live-batch registrations (renames → 曾用名, status changes …)
 *                 and now and then register a new one; 0 (default) = only on request
 * --keep          keep an existing table and its rows (default: recreate and seed)
 * --cleanup       drop the schema and the role when stopped (SIGTERM/SIGINT)
 *
 * Prints one JSON line when ready:
 *   {"simulator":"market","url":…,"connection":<read-only URL for the connector>,"table":"<schema>.市场主体登记信息","rows":n}
 */
import { parseArgs } from 'node:util';
import { readDepartment } from '../county/dataset.js';
import type { MarketEntityRow } from '../county/native/market.js';
import { MarketDatabase } from './database.js';
import { tableRow } from './rows.js';
import { buildMarketServer, marketLiveMode } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string', default: '1' },
    'database-url': { type: 'string', default: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    schema: { type: 'string', default: 'market_exchange' },
    dataset: { type: 'string' },
    generate: { type: 'string', default: '200' },
    'live-every-ms': { type: 'string', default: '0' },
    'live-batch': { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
    cleanup: { type: 'boolean', default: false },
    'reader-password': { type: 'string' },
  },
});

const password = values['reader-password'];
if (password !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(password)) {
  console.error('--reader-password: letters, digits, _ and - only');
  process.exit(2);
}
const db = new MarketDatabase({ databaseUrl: values['database-url'], schema: values.schema, seed: Number(values.seed), ...(password ? { readerPassword: password } : {}) });
const { existing } = await db.setup(values.keep);
if (!values.keep || existing === 0) {
  const rows = values.dataset ? readDepartment<MarketEntityRow>(values.dataset, 'market').map((l) => tableRow(l.record)) : db.generate(Number(values.generate));
  await db.insert(rows);
}
const connection = (await db.ensureReader()) ?? values['database-url'];
const live = marketLiveMode(db, (err) => process.stderr.write(`live change failed: ${(err as Error).message}\n`));
live.set(Number(values['live-every-ms']), Number(values['live-batch']));

const app = buildMarketServer(db, live);
const url = await app.listen({ host: values.host, port: Number(values.port) });
const { rows } = await db.stats();
process.stdout.write(JSON.stringify({ simulator: 'market', url, connection, table: db.table, rows }) + '\n');

let stopping = false;
const close = async () => {
  if (stopping) return;
  stopping = true;
  live.stop();
  await app.close();
  if (values.cleanup) await db.drop().catch((err) => process.stderr.write(`cleanup failed: ${(err as Error).message}\n`));
  await db.close();
  process.exit(0);
};
process.once('SIGTERM', () => void close());
process.once('SIGINT', () => void close());
