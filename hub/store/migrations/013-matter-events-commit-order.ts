import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  // The change stream (hub/api/stream.ts) must not skip an event whose transaction commits after an
  // event with a higher id was sent. Each event records the transaction that wrote it; the stream
  // sends only events of transactions older than the oldest one still in progress, by (xid, id).
  // Existing rows get 0 (committed long ago) without rewriting the table; new rows their own xid.
  await db.raw(`ALTER TABLE matter_events ADD COLUMN xid xid8 NOT NULL DEFAULT '0'`);
  await db.raw('ALTER TABLE matter_events ALTER COLUMN xid SET DEFAULT pg_current_xact_id()');
  await db.raw('CREATE INDEX matter_events_xid_id ON matter_events (xid, id)');
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP INDEX matter_events_xid_id');
  await db.raw('ALTER TABLE matter_events DROP COLUMN xid');
}
