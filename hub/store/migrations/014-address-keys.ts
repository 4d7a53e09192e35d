import type { Knex } from 'knex';

/**
 * Address keys and geocoded positions (issue 13). A 12345 work order often carries an address but
 * no coordinates and no town code; the county gazetteer (hub/gazetteer) turns the address into
 * keys (door:<road>#<n>, compound:…, crossing:…, landmark:…) and a position with its level and
 * uncertainty. Reports keep what the department sent in lng/lat/division_code; what the hub
 * derived is stored beside it, so matching reads back exactly the features it decided on.
 * A matter carries the union of its reports' keys: the run engine finds candidates by them
 * (`address_keys && :keys`, GIN) as well as by position, division and grid.
 */
export async function up(db: Knex): Promise<void> {
  await db.raw(`ALTER TABLE reports
      ADD COLUMN address_keys text[] NOT NULL DEFAULT '{}',
      ADD COLUMN geocoded_lng double precision,
      ADD COLUMN geocoded_lat double precision,
      ADD COLUMN location_origin text,
      ADD COLUMN location_uncertainty_m integer,
      ADD COLUMN geocoded_division_code text`);
  await db.raw(`ALTER TABLE matters ADD COLUMN address_keys text[] NOT NULL DEFAULT '{}'`);
  await db.raw('CREATE INDEX reports_address_keys ON reports USING gin (address_keys)');
  await db.raw('CREATE INDEX matters_address_keys ON matters USING gin (address_keys)');
}

export async function down(db: Knex): Promise<void> {
  await db.raw('DROP INDEX matters_address_keys');
  await db.raw('DROP INDEX reports_address_keys');
  await db.raw('ALTER TABLE matters DROP COLUMN address_keys');
  await db.raw(`ALTER TABLE reports DROP COLUMN address_keys, DROP COLUMN geocoded_lng, DROP COLUMN geocoded_lat,
      DROP COLUMN location_origin, DROP COLUMN location_uncertainty_m, DROP COLUMN geocoded_division_code`);
}
