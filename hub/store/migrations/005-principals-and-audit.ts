import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  // Who may call the API: role, jurisdiction (division-code prefix) and, for liaisons, a department.
  await db.schema.createTable('principals', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.text('role').notNullable();
    t.text('jurisdiction').notNullable().defaultTo('');
    t.text('department');
    t.boolean('can_unmask').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.timestamp('disabled_at', { useTz: true });
  });
  // API keys are stored as SHA-256 of the secret part: a leaked table does not leak a key.
  await db.schema.createTable('api_keys', (t) => {
    t.text('id').primary(); // the public part of the key, shown in logs
    t.text('principal_id').notNullable().references('principals.id');
    t.text('secret_sha256').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.timestamp('revoked_at', { useTz: true });
    t.index(['principal_id']);
  });
  // Every look at personal data: append-only, each row chained to the previous one by hash.
  await db.schema.createTable('access_audit', (t) => {
    t.bigIncrements('seq');
    t.timestamp('at', { useTz: true }).notNullable();
    t.text('principal_id').notNullable();
    t.text('action').notNullable();
    t.text('target').notNullable();
    t.text('purpose').notNullable();
    t.text('remote_addr');
    t.jsonb('detail').notNullable().defaultTo('{}');
    t.text('prev_hash').notNullable();
    t.text('hash').notNullable();
  });
  // Append-only in the database too: updates and deletes are refused for every role but the owner's
  // explicit `ALTER TABLE … DISABLE TRIGGER` (which is itself what the hash chain then detects).
  await db.raw(`
    CREATE OR REPLACE FUNCTION access_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'access_audit is append-only'; END $$;
    CREATE TRIGGER access_audit_no_update BEFORE UPDATE OR DELETE ON access_audit
      FOR EACH ROW EXECUTE FUNCTION access_audit_append_only();
  `);
}

export async function down(db: Knex): Promise<void> {
  for (const t of ['access_audit', 'api_keys', 'principals']) await db.schema.dropTableIfExists(t);
}
