/**
 * The comprehensive-enforcement case-handling system as the county sees it: its case table
 * (案件信息, Chinese column names, DATETIME without fractions) in a MariaDB/MySQL database of its
 * own, plus HTTP control routes (server.ts).
 *
 *   tsx simulators/enforcement/main.ts [--database-url mysql://root@127.0.0.1:3306] [--database NAME]
 *       [--dataset <folder> | --generate N] [--seed S] [--live-every-ms N] [--live-batch N]
 *       [--keep] [--cleanup] [--reader-password P] [--link-port N] [--port N] [--host H]
 *
 * --database-url  the server (default $ENFORCEMENT_DATABASE_URL, else mysql://root@127.0.0.1:3306)
 * --database      database to create (default: enforcement_<random> — one per run); a read-only
 *                 account <database>_reader is granted SELECT on the table
 * --dataset       load departments/enforcement.jsonl of a county dataset (simulators/county/cli.ts)
 * --generate      without --dataset: this many generated historic cases (default 200)
 * --live-every-ms every N ms move --live-batch open cases one step (检查/受理 → 立案 → 调查 → 审查 →
 *                 决定 → 执行 → 结案) and register a new clue now and then; 0 (default) = only on request
 * --keep          keep an existing table and its rows (default: recreate and seed)
 * --cleanup       drop the database and the account when stopped (SIGTERM/SIGINT)
 * --link-port     port of the relay in front of the database that the connector is given (default
 *                 random): the county's network link, which the "terminate" outage cuts
 *
 * Prints one JSON line when ready:
 *   {"simulator":"enforcement","url":…,"connection":<read-only URL through the link, for the connector>,
 *    "database":…,"table":"案件信息","rows":n}
 */
import { parseArgs } from 'node:util';
import { readDepartment } from '../county/dataset.js';
import type { EnforcementCase } from '../county/native/enforcement.js';
import { EnforcementDatabase, randomDatabaseName } from './database.js';
import type { EnforcementTableRow } from './rows.js';
import { buildEnforcementServer, enforcementLiveMode } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string', default: '1' },
    'database-url': { type: 'string', default: process.env.ENFORCEMENT_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306' },
    database: { type: 'string' },
    dataset: { type: 'string' },
    generate: { type: 'string', default: '200' },
    'live-every-ms': { type: 'string', default: '0' },
    'live-batch': { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
    cleanup: { type: 'boolean', default: false },
    'reader-password': { type: 'string' },
    'link-port': { type: 'string', default: '0' },
  },
});

const password = values['reader-password'];
if (password !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(password)) {
  console.error('--reader-password: letters, digits, _ and - only');
  process.exit(2);
}
const database = values.database ?? randomDatabaseName();
const db = new EnforcementDatabase({ serverUrl: values['database-url'], database, seed: Number(values.seed), ...(password ? { readerPassword: password } : {}) });
const { existing } = await db.setup(values.keep);
if (!values.keep || existing === 0) {
  const rows: EnforcementTableRow[] = values.dataset
    ? readDepartment<EnforcementCase>(values.dataset, 'enforcement').map((l) => ({ ...l.record, 立案时间: null, 处罚决定时间: null, 结案时间: null }))
    : db.generate(Number(values.generate));
  await db.insert(rows);
}
// the county reaches the database through a link the simulator can cut (outage "terminate")
const linkPort = await db.link.listen(values.host, Number(values['link-port']));
const connection = (await db.ensureReader(linkPort)) ?? db.ownerUrl(linkPort);
const live = enforcementLiveMode(db, (err) => process.stderr.write(`live step failed: ${(err as Error).message}\n`));
live.set(Number(values['live-every-ms']), Number(values['live-batch']));

const app = buildEnforcementServer(db, live);
const url = await app.listen({ host: values.host, port: Number(values.port) });
const { rows } = await db.stats();
process.stdout.write(JSON.stringify({ simulator: 'enforcement', url, connection, database, table: db.table, rows }) + '\n');

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
