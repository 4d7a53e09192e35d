import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  // A subject's keys are rewritten and a subject that went is deleted by its id
  // (hub/ingest/subject-link-store.ts), and deleting a subject checks the subject_keys foreign key:
  // with the primary key led by the key, each of these read every row of subject_keys (20 ms at
  // 16,000 keys on the demo county's third of a day, growing with the county).
  await db.raw('CREATE INDEX subject_keys_subject_id ON subject_keys (subject_id)');
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP INDEX subject_keys_subject_id');
}
