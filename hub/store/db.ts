/** The hub's PostgreSQL connection (knex over pg) and its migrations. */
import knexFactory, { type Knex } from 'knex';
import { migrations } from './migrations/index.js';
import { createLogger } from '../../core/log.js';

export type Db = Knex;

/** The application name of a hub's connections: one per hub schema, whatever the instance. */
export function hubApplicationName(schema: string | undefined): string {
  return `countyhub:${(schema ?? 'public').replace(/[^A-Za-z0-9_.-]/g, '_')}`.slice(0, 63);
}

function urlNamesApplication(databaseUrl: string): boolean {
  try {
    return new URL(databaseUrl).searchParams.has('application_name');
  } catch {
    return false;
  }
}

export function createDb(databaseUrl: string, opts: { schema?: string; poolMax?: number } = {}): Db {
  const log = createLogger('db');
  return knexFactory({
    client: 'pg',
    connection: { connectionString: databaseUrl },
    // knex's own warnings (pool, deprecations) as JSON lines of our logger, not bare console output
    log: {
      warn: (m: unknown) => log.warn({ knex: m }, 'knex warning'),
      error: (m: unknown) => log.error({ knex: m }, 'knex error'),
      deprecate: (method: string, alternative: string) => log.warn({ method, alternative }, 'knex deprecation'),
      debug: (m: unknown) => log.debug({ knex: m }, 'knex debug'),
    },
    searchPath: opts.schema ? [opts.schema, 'public'] : undefined,
    pool: {
      min: 0,
      max: opts.poolMax ?? 10,
      // a schema of its own (tests, several hubs on one database) is created before first use; every
      // connection of one hub (all its instances) carries the same application name, which is how the
      // change stream tells the hub's own open transactions from other users' of the server
      // (an application name given in the database URL is kept: it is then the hub's name)
      afterCreate: (conn: { query: (q: string, cb: (err: Error | null) => void) => void }, done: (err: Error | null, conn: unknown) => void) =>
        conn.query(
          [urlNamesApplication(databaseUrl) ? '' : `SET application_name = '${hubApplicationName(opts.schema)}'`, opts.schema ? `SET search_path TO "${opts.schema}", public` : ''].filter(Boolean).join('; ') || 'SELECT 1',
          (err) => done(err, conn),
        ),
    },
  });
}

/**
 * Brings the schema up to date. Safe to run from several hub instances at once: knex takes a lock,
 * but on a fresh schema two instances can race to create knex's own tables (CREATE TABLE IF NOT
 * EXISTS is not atomic in PostgreSQL); the loser tries again and finds the work done.
 */
export async function migrate(db: Db, schema?: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(db, schema);
    } catch (err) {
      const raced = /already exists|duplicate key value|Migration table is already locked/i.test((err as Error).message);
      if (!raced || attempt >= 10) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

async function migrateOnce(db: Db, schema?: string): Promise<void> {
  if (schema) await db.raw(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  await db.migrate.latest({
    migrationSource: {
      getMigrations: async () => migrations.map((m) => m.name),
      getMigrationName: (name: string) => name,
      getMigration: async (name: string) => migrations.find((m) => m.name === name)!,
    },
    schemaName: schema,
  });
}

/**
 * Why a database call failed, and whether trying the same transaction again helps:
 * - `conflict`: PostgreSQL aborted one of two transactions that each did nothing wrong (deadlock
 *   40P01, serialization failure 40001, lock not available 55P03) — a retry a moment later succeeds;
 * - `connection`: the database could not be reached or dropped the connection (refused, reset,
 *   terminated by an administrator or a restart, a pool that cannot hand out a connection) — nothing
 *   was wrong with the records; wait until the database answers again, however long that takes;
 * - `permanent`: the statement itself failed (a constraint, bad data, a bug) — a retry fails again.
 */
export type DbFailure = 'conflict' | 'connection' | 'permanent';

const CONFLICT_SQLSTATES = new Set(['40P01', '40001', '55P03']);
/**
 * 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up or shutting
 * down); class 53, insufficient resources (53300 too many connections, 53100 disk full, 53200 out
 * of memory): conditions of the server that pass, never faults of the records — wait, do not
 * dead-letter (a hub beside other clients of one server met "too many clients" and dead-lettered).
 */
const CONNECTION_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53000', '53100', '53200', '53300', '53400']);
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN', 'ENOTFOUND']);
const CONNECTION_MESSAGES = [
  /Connection terminated/i, // pg: the server closed the socket (restart, pg_terminate_backend, a cut network)
  /Client has encountered a connection error and is not queryable/i,
  /Client was closed and is not queryable/i,
  /timeout exceeded when trying to connect/i,
  /Timeout acquiring a connection/i, // knex: no connection could be made within the pool's acquire time
  /terminating connection due to administrator command/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /Connection ended unexpectedly/i,
  /too many clients already|remaining connection slots are reserved/i,
  /read ECONNRESET|connect ECONNREFUSED|write EPIPE/i,
];

export function classifyDbError(err: unknown): DbFailure {
  // pg and knex wrap: an AggregateError (several addresses tried), a `cause`, a KnexTimeoutError
  const seen = new Set<unknown>();
  const visit = (e: unknown): DbFailure => {
    if (typeof e !== 'object' || e === null || seen.has(e)) return 'permanent';
    seen.add(e);
    const code = String((e as { code?: unknown }).code ?? '');
    if (CONFLICT_SQLSTATES.has(code)) return 'conflict';
    if (CONNECTION_SQLSTATES.has(code) || code.startsWith('08') || CONNECTION_ERRNOS.has(code)) return 'connection';
    if ((e as { name?: unknown }).name === 'KnexTimeoutError') return 'connection';
    const message = String((e as { message?: unknown }).message ?? '');
    if (CONNECTION_MESSAGES.some((re) => re.test(message))) return 'connection';
    for (const inner of [(e as { cause?: unknown }).cause, ...(((e as { errors?: unknown }).errors as unknown[] | undefined) ?? [])]) {
      const kind = visit(inner);
      if (kind !== 'permanent') return kind;
    }
    return 'permanent';
  };
  return visit(err);
}

/**
 * PostgreSQL's shared lock table is full (53200 "out of shared memory", hinting at
 * max_locks_per_transaction). The table is sized by the server (max_locks_per_transaction ×
 * max_connections, 6,400 by default) and shared by every session: a transaction taking thousands of
 * locks (a run's status targets and subject keys) meets it when other sessions hold theirs, and
 * meets it again on every retry if it alone needs more than the table holds. A smaller transaction
 * needs fewer locks; waiting alone may never cure it.
 */
export function isLockTableFull(err: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (e: unknown): boolean => {
    if (typeof e !== 'object' || e === null || seen.has(e)) return false;
    seen.add(e);
    const { code, message, hint } = e as { code?: unknown; message?: unknown; hint?: unknown };
    if (code === '53200' && (/shared memory/i.test(String(message ?? '')) || /max_locks_per_transaction/i.test(String(hint ?? '')))) return true;
    return [(e as { cause?: unknown }).cause, ...(((e as { errors?: unknown }).errors as unknown[] | undefined) ?? [])].some(visit);
  };
  return visit(err);
}

/** A retry of the same transaction can cure it: a conflict with another transaction, or a lost connection. */
export function isTransientDbError(err: unknown): boolean {
  return classifyDbError(err) !== 'permanent';
}

/** The database could not be reached or dropped the connection: wait for it, never blame the records. */
export function isConnectionDbError(err: unknown): boolean {
  return classifyDbError(err) === 'connection';
}

/**
 * A transaction that PostgreSQL may abort for a conflict with another one (a deadlock with the
 * consumer applying the same matter, a serialization failure): run again, a few times, a moment
 * later — what a deadlock means. Anything else is thrown at once. For the center's decisions, which
 * an operator makes while the departments' progress is applied to the same matter.
 */
export async function transactionRetryingConflicts<T>(db: Knex, fn: (tx: Knex.Transaction) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(fn);
    } catch (err) {
      if (attempt >= attempts || classifyDbError(err) !== 'conflict') throw err;
      await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 50));
    }
  }
}
