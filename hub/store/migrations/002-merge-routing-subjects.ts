import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('matters', (t) => {
    t.text('family');
    t.bigInteger('last_report_at'); // epoch ms of the newest linked report (candidate blocking)
    t.bigInteger('first_report_ms');
    t.text('lead_department');
    t.specificType('cooperating_departments', 'text[]').notNullable().defaultTo('{}');
    t.text('route_level');
    t.jsonb('route'); // the responsibility rule applied, for explanation
    t.timestamp('closed_at', { useTz: true });
    t.text('result');
    t.bigInteger('merged_into').references('matters.id');
    t.bigInteger('recurrence_of');
    t.bigInteger('subject_id');
    t.index(['town_code', 'family', 'last_report_at']);
    t.index(['lead_department']);
    t.index(['status']);
  });
  await db.schema.alterTable('reports', (t) => {
    t.jsonb('merge_decision'); // rule, score, features: why this report joined (or opened) its matter
    t.bigInteger('subject_id');
  });

  // One task per department per matter: the lead's and each cooperating department's, with SLA clocks.
  await db.schema.createTable('tasks', (t) => {
    t.bigIncrements('id');
    t.bigInteger('matter_id').notNullable().references('matters.id');
    t.text('department').notNullable();
    t.text('role').notNullable(); // lead | cooperating
    t.text('status').notNullable(); // DISPATCHED, ACCEPTED, ON_SITE, IN_PROGRESS, DONE, RETURNED
    t.bigInteger('status_version').notNullable().defaultTo(0);
    t.timestamp('dispatched_at', { useTz: true }).notNullable();
    t.timestamp('first_response_by', { useTz: true }).notNullable();
    t.timestamp('on_site_by', { useTz: true }).notNullable();
    t.timestamp('close_by', { useTz: true }).notNullable();
    t.timestamp('responded_at', { useTz: true });
    t.timestamp('on_site_at', { useTz: true });
    t.timestamp('done_at', { useTz: true });
    t.text('result');
    t.specificType('breaches', 'text[]').notNullable().defaultTo('{}');
    t.unique(['matter_id', 'department']);
    t.index(['department', 'status']);
  });

  // The timeline of a matter: reports linked, dispatch, status changes, breaches, merges, closure.
  await db.schema.createTable('matter_events', (t) => {
    t.bigIncrements('id');
    t.bigInteger('matter_id').notNullable().references('matters.id');
    t.text('type').notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.jsonb('detail').notNullable().defaultTo('{}');
    t.index(['matter_id', 'id']);
  });

  // Golden subjects (一企一档) and the source records linked to them.
  await db.schema.createTable('subjects', (t) => {
    t.bigIncrements('id');
    t.text('subject_type').notNullable();
    t.text('uscc');
    t.text('id_hash');
    t.text('name').notNullable();
    t.text('name_core');
    t.text('address');
    t.text('division_code');
    t.text('town_code');
    t.double('lng');
    t.double('lat');
    t.jsonb('golden').notNullable().defaultTo('{}'); // field → { value, provenance }
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['uscc']);
    t.index(['id_hash']);
    t.index(['town_code']);
    t.index(['name_core']);
  });
  await db.schema.createTable('subject_links', (t) => {
    t.text('source_system').notNullable();
    t.text('source_record_id').notNullable();
    t.text('kind').notNullable();
    t.bigInteger('subject_id').notNullable().references('subjects.id');
    t.bigInteger('source_version').notNullable();
    t.jsonb('record').notNullable(); // the subject-ish fields as the source gave them
    t.jsonb('decision').notNullable(); // rule, score, features
    t.timestamp('linked_at', { useTz: true }).notNullable();
    t.primary(['source_system', 'source_record_id']);
    t.index(['subject_id']);
  });
  await db.schema.createTable('merge_audit', (t) => {
    t.bigIncrements('id');
    t.text('kind').notNullable(); // matter | subject
    t.text('action').notNullable(); // merge | split
    t.jsonb('detail').notNullable();
    t.text('actor').notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
  });
}

export async function down(db: Knex): Promise<void> {
  for (const t of ['merge_audit', 'subject_links', 'subjects', 'matter_events', 'tasks']) await db.schema.dropTableIfExists(t);
}
