import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  // Per connector and hour (of the records' own update time), how many records each stage counted
  // (core/reconciliation.ts; docs/decisions/003-reconciliation-per-hour.md). The connectors' stages
  // are copied from their ledger topic (cumulative, so an upsert keeps the larger value); the hub's
  // are counted in the transaction that applies the records. `slot` is the topic/partition the hub
  // counted in ('' for the connectors' rows): each partition's transactions are serialised anyway,
  // so rows of their own mean two partitions applying records of one hour never wait on each other.
  await db.schema.createTable('reconciliation_counts', (t) => {
    t.text('connector').notNullable();
    t.timestamp('hour', { useTz: true }).notNullable();
    t.text('stage').notNullable();
    t.text('slot').notNullable().defaultTo('');
    t.text('source_system').notNullable();
    t.text('department').notNullable();
    t.bigInteger('records').notNullable().defaultTo(0);
    // dead letters by error code
    t.jsonb('detail');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.primary(['connector', 'hour', 'stage', 'slot']);
  });
  await db.raw('CREATE INDEX reconciliation_counts_hour ON reconciliation_counts (hour)');
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('reconciliation_counts');
}
