import type { Knex } from 'knex';

/** Blocking keys of every record linked to a subject (uscc:…, name:…, addr:…), so later spellings find it. */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('subject_keys', (t) => {
    t.text('key').notNullable();
    t.bigInteger('subject_id').notNullable().references('subjects.id');
    t.primary(['key', 'subject_id']);
  });
  await db.schema.alterTable('matters', (t) => t.index(['subject_id']));
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('subject_keys');
}
