import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  // What the matchers were not sure enough to do on their own: two matters (or two subjects) that
  // are probably one, for an operator to accept (merge) or dismiss. One row per unordered pair;
  // its id derives from the pair, so every hub instance and every re-run raises the same row.
  await db.schema.createTable('merge_proposals', (t) => {
    t.bigInteger('id').primary();
    t.text('kind').notNullable(); // matter | subject
    t.bigInteger('a_id').notNullable(); // the smaller id of the pair
    t.bigInteger('b_id').notNullable();
    t.text('source_system').notNullable(); // the record whose arrival raised it
    t.text('source_record_id').notNullable();
    t.text('rule').notNullable();
    t.double('score').notNullable();
    t.text('explanation').notNullable();
    t.timestamp('raised_at', { useTz: true }).notNullable();
    t.text('status').notNullable().defaultTo('open'); // open | accepted | dismissed
    t.text('decided_by');
    t.timestamp('decided_at', { useTz: true });
    t.text('note');
    t.unique(['kind', 'a_id', 'b_id']);
    t.index(['kind', 'status', 'raised_at']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('merge_proposals');
}
