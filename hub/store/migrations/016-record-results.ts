import type { Knex } from 'knex';

/**
 * What each reporting channel was last told about its own record (统一出件): the result of which
 * matter, or that the matter is open again. A merge or split after closure compares what now
 * applies to a record with this, so a channel hears of a change once and of no change never
 * (hub/ops/channel-results.ts).
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('record_results', (t) => {
    t.text('source_system').notNullable();
    t.text('source_record_id').notNullable();
    t.bigInteger('matter_id').notNullable();
    t.text('told').notNullable(); // closed | reopened
    t.text('result');
    t.bigInteger('version').notNullable();
    t.primary(['source_system', 'source_record_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('record_results');
}
