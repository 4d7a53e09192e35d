import type { Knex } from 'knex';

/**
 * Subject linking is a function of the set of records (hub/merge/subject-clusters.ts): each link
 * records the component of record-to-record matches it belongs to, so that a new record re-forms
 * exactly the components it touches. Links made before are each their own subject's component.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('subject_links', (t) => {
    t.text('component');
    t.index(['component']);
  });
  await db.raw('update subject_links set component = subject_id::text');
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('subject_links', (t) => t.dropColumn('component'));
}
