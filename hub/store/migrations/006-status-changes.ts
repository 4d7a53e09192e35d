import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  // Every StatusChange the hub received, one row per (target as the source named it, version, change
  // identity). A task's state is a fold over its rows (hub/ingest/task-state.ts), so rows are never
  // overwritten by "newer" deliveries; task_id is null while the target is not in the hub yet.
  await db.schema.createTable('status_changes', (t) => {
    t.bigIncrements('id');
    t.text('target_key').notNullable(); // canonical JSON of the target and acting department
    t.bigInteger('version').notNullable();
    t.text('source_system').notNullable();
    t.text('source_record_id').notNullable();
    t.bigInteger('source_version').notNullable();
    t.text('target_kind').notNullable();
    t.text('target_source_system');
    t.text('target_source_record_id');
    t.text('target_matter_id'); // as given: a hub id, or another system's id for the matter
    t.text('target_task_id');
    t.text('actor_department').notNullable();
    t.text('status').notNullable();
    t.text('source_status');
    t.timestamp('occurred_at', { useTz: true }).notNullable();
    t.jsonb('payload').notNullable();
    t.bigInteger('task_id').references('tasks.id');
    t.bigInteger('matter_id').references('matters.id');
    t.text('unresolved_reason'); // why task_id is null: kept, and applied when the target appears
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.timestamp('resolved_at', { useTz: true });
    t.unique(['target_key', 'version', 'source_system', 'source_record_id']);
    t.index(['task_id']);
  });
  // Looking up the changes that wait for a report, a matter or a task.
  await db.raw('CREATE INDEX status_changes_pending_record ON status_changes (target_source_system, target_source_record_id) WHERE task_id IS NULL');
  await db.raw('CREATE INDEX status_changes_pending_matter ON status_changes (target_matter_id) WHERE task_id IS NULL');
  await db.raw('CREATE INDEX status_changes_pending_task ON status_changes (target_task_id) WHERE task_id IS NULL');

  await db.schema.alterTable('tasks', (t) => {
    t.text('source_status'); // the department's own label of its latest status, e.g. 已签收
    t.text('outcome'); // ResultOutcome of the closure
    t.timestamp('rejected_at', { useTz: true }); // 退单 in force
    t.text('rejection_note');
  });
  await db.schema.alterTable('matters', (t) => {
    t.text('result_outcome'); // the lead task's ResultOutcome, with matters.result its text
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('matters', (t) => t.dropColumn('result_outcome'));
  await db.schema.alterTable('tasks', (t) => {
    for (const c of ['source_status', 'outcome', 'rejected_at', 'rejection_note']) t.dropColumn(c);
  });
  await db.schema.dropTableIfExists('status_changes');
}
