/** The hub's PostgreSQL connection (knex over pg) and its migrations. */
import knexFactory, { type Knex } from 'knex';
import { migrations } from './migrations/index.js';

export type Db = Knex;

export function createDb(databaseUrl: string, opts: { schema?: string; poolMax?: number } = {}): Db {
  return knexFactory({
    client: 'pg',
    connection: { connectionString: databaseUrl },
    searchPath: opts.schema ? [opts.schema, 'public'] : undefined,
    pool: {
      min: 0,
      max: opts.poolMax ?? 10,
      // a schema of its own (tests, several hubs on one database) is created before first use
      afterCreate: opts.schema
        ? (conn: { query: (q: string, cb: (err: Error | null) => void) => void }, done: (err: Error | null, conn: unknown) => void) =>
            conn.query(`SET search_path TO "${opts.schema}", public`, (err) => done(err, conn))
        : undefined,
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
 * PostgreSQL errors a retry of the same transaction can cure: a deadlock (40P01) or a
 * serialization failure (40001) aborts one of two transactions that each did nothing wrong.
 */
const TRANSIENT_SQLSTATES = new Set(['40P01', '40001', '55P03']);

export function isTransientDbError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && TRANSIENT_SQLSTATES.has(String((err as { code?: unknown }).code));
}
