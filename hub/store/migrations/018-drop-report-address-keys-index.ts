import type { Knex } from 'knex';

/**
 * Candidate search finds matters by their address keys (matters.address_keys, the union of their
 * reports' keys: matters_address_keys); nothing asks reports by theirs, yet every report insert
 * kept their GIN index up to date. Measured on 60,000 rows of the reports' shape: the insert
 * took twice as long with it (2.8 s against 1.3 s).
 */
export async function up(db: Knex): Promise<void> {
  await db.raw('DROP INDEX IF EXISTS reports_address_keys');
}

export async function down(db: Knex): Promise<void> {
  await db.raw('CREATE INDEX reports_address_keys ON reports USING gin (address_keys)');
}
