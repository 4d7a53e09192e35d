import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  // A subject is named after its smallest record, so it is renamed when a record with a smaller
  // identity joins it, and two subjects become one when a record bridges them: the old id goes.
  // Links to it (a bookmark, a ticket quoting it) are sent on to the subject its records went to.
  await db.schema.createTable('subject_redirects', (t) => {
    t.bigInteger('old_id').primary();
    t.bigInteger('new_id').notNullable();
    t.timestamp('redirected_at', { useTz: true }).notNullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('subject_redirects');
}
