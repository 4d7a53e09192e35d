import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('matters', (t) => {
    // Dispatch.version: one more with every decision the center publishes about the matter
    t.bigInteger('decision_version').notNullable().defaultTo(0);
  });
  await db.schema.alterTable('subjects', (t) => {
    t.bigInteger('merged_into');
  });
  // Decisions to publish as Dispatch records. Written in the transaction that makes the decision
  // (the outbox pattern): a decision is never applied without being published, nor published
  // without being applied. The publisher marks rows published after Kafka acknowledged them.
  await db.schema.createTable('dispatch_outbox', (t) => {
    t.bigIncrements('id');
    t.bigInteger('matter_id').notNullable();
    t.bigInteger('version').notNullable();
    t.text('idempotency_key').notNullable().unique();
    t.text('action').notNullable();
    t.jsonb('record').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.timestamp('published_at', { useTz: true });
    t.index(['published_at', 'id']);
  });
  await db.schema.alterTable('merge_audit', (t) => {
    t.text('actor_role');
    t.text('remote_addr');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('dispatch_outbox');
  await db.schema.alterTable('merge_audit', (t) => {
    t.dropColumn('actor_role');
    t.dropColumn('remote_addr');
  });
  await db.schema.alterTable('subjects', (t) => t.dropColumn('merged_into'));
  await db.schema.alterTable('matters', (t) => t.dropColumn('decision_version'));
}
