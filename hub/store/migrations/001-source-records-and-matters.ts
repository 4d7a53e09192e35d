import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  // Every version of every source record, for lineage; the unique key makes re-delivery harmless.
  await db.schema.createTable('source_records', (t) => {
    t.bigIncrements('id');
    t.text('kind').notNullable();
    t.text('source_system').notNullable();
    t.text('source_record_id').notNullable();
    t.bigInteger('source_version').notNullable();
    t.text('department').notNullable();
    t.jsonb('payload').notNullable();
    t.text('topic').notNullable();
    t.integer('partition').notNullable();
    t.bigInteger('offset').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.unique(['source_system', 'source_record_id', 'source_version']);
  });

  await db.schema.createTable('matters', (t) => {
    t.bigIncrements('id');
    t.text('title').notNullable();
    t.text('description').notNullable();
    t.text('category_code');
    t.text('source_category');
    t.text('status').notNullable();
    t.text('division_code');
    t.text('town_code');
    t.text('grid_code');
    t.double('lng');
    t.double('lat');
    t.text('address');
    t.integer('report_count').notNullable().defaultTo(0);
    t.timestamp('first_reported_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['division_code']);
    t.index(['updated_at', 'id']);
  });

  // The latest version of each report, linked to its matter.
  await db.schema.createTable('reports', (t) => {
    t.text('source_system').notNullable();
    t.text('source_record_id').notNullable();
    t.bigInteger('source_version').notNullable();
    t.text('department').notNullable();
    t.text('channel').notNullable();
    t.text('status').notNullable();
    t.text('source_status');
    t.text('title');
    t.text('description').notNullable();
    t.text('category_code');
    t.text('source_category');
    t.text('division_code');
    t.text('grid_code');
    t.double('lng');
    t.double('lat');
    t.text('address');
    t.timestamp('event_time', { useTz: true }).notNullable();
    t.bigInteger('matter_id').notNullable().references('matters.id');
    t.jsonb('payload').notNullable();
    t.primary(['source_system', 'source_record_id']);
    t.index(['matter_id']);
  });

  // Where each consumer group is, written in the same transaction as the effects of the batch.
  await db.schema.createTable('consumed_offsets', (t) => {
    t.text('group_id').notNullable();
    t.text('topic').notNullable();
    t.integer('partition').notNullable();
    t.bigInteger('next_offset').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.primary(['group_id', 'topic', 'partition']);
  });

  // Records the hub could not read (unknown schema, corrupt bytes): kept with the reason.
  await db.schema.createTable('hub_dead_letters', (t) => {
    t.bigIncrements('id');
    t.text('topic').notNullable();
    t.integer('partition').notNullable();
    t.bigInteger('offset').notNullable();
    t.text('reason').notNullable();
    t.binary('value');
    t.timestamp('failed_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.unique(['topic', 'partition', 'offset']);
  });
}

export async function down(db: Knex): Promise<void> {
  for (const t of ['hub_dead_letters', 'consumed_offsets', 'reports', 'matters', 'source_records']) await db.schema.dropTableIfExists(t);
}
