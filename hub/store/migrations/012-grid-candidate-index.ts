import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  // The grid path of matter candidates filters by grid, family and time (hub/ingest/matter-candidates.ts):
  // with the family outside the index, PostgreSQL combined the grid index with the family
  // index, which reads every matter of the family (thousands on a county day).
  await db.raw('CREATE INDEX matters_grid_family_time ON matters (grid_code, family, last_report_at)');
  await db.raw('DROP INDEX matters_grid_time');
}

export async function down(db: Knex): Promise<void> {
  await db.raw('CREATE INDEX matters_grid_time ON matters (grid_code, last_report_at)');
  await db.raw('DROP INDEX matters_grid_family_time');
}
