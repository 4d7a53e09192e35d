import type { Knex } from 'knex';

/** Indexes for the merge engine's candidate queries (by village, by grid, by position), see ingest/candidates.ts. */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('matters', (t) => {
    t.index(['division_code', 'family', 'last_report_at'], 'matters_village_family_time');
    t.index(['grid_code', 'last_report_at'], 'matters_grid_time');
    t.index(['family', 'lng', 'lat'], 'matters_family_position');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('matters', (t) => {
    t.dropIndex([], 'matters_village_family_time');
    t.dropIndex([], 'matters_grid_time');
    t.dropIndex([], 'matters_family_position');
  });
}
