/** The hub process's settings (hub/main.ts), read and checked once at start; see docs/configuration.md. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_COUNTY_PROFILE_DIR, loadCountyProfile } from '../core/county-profile.js';
import { KAFKA_LOG_LEVELS } from '../core/log.js';
import { checkClusterAccess, CLUSTER_ACCESS_SETTINGS } from '../core/cluster-access.js';
import { int, list, oneOf, readSettings, text, url } from '../core/settings.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const HUB_SETTINGS = {
  KAFKA_BROKERS: list({ required: true, description: 'Kafka bootstrap servers, host:port, comma-separated' }),
  SCHEMA_REGISTRY_URL: url({ required: true, description: "The schema registry's Confluent-compatible API (Apicurio: …/apis/ccompat/v7)" }),
  DATABASE_URL: text({ required: true, secret: true, description: "The hub's PostgreSQL database, postgres://user:password@host:5432/db" }),
  DB_SCHEMA: text({ description: 'PostgreSQL schema for the hub\'s tables (default: the search path, usually public); one per county or test run' }),
  TOPIC_PREFIX: text({ default: 'countyhub', description: 'Prefix of every topic name; connectors, sinks and hub must use the same one' }),
  ...CLUSTER_ACCESS_SETTINGS,
  HUB_HOST: text({ default: '127.0.0.1', description: 'Address the API listens on; 0.0.0.0 to serve other machines' }),
  HUB_PORT: int({ default: 8080, min: 0, max: 65535, description: 'Port of the API and the screen; 0 picks a free one (printed at start)' }),
  HUB_GROUP_ID: text({ description: 'Kafka consumer group of the hub (default <TOPIC_PREFIX>.hub, countyhub-hub for the default prefix); the instances of one hub share it, another county never' }),
  HUB_INSTANCE_ID: text({ description: 'Names one instance among several in the group (its Kafka client id)' }),
  HUB_SESSION_TIMEOUT_MS: int({ min: 6000, max: 1_800_000, unit: 'milliseconds', description: 'Kafka session time-out: how soon a dead instance\'s partitions move to another (default 30000)' }),
  HUB_PARTITIONS_CONCURRENTLY: int({ min: 1, max: 64, description: 'Partitions applied at the same time by one instance, each in its own transaction (default 1)' }),
  HUB_RUN_RECORDS: int({ min: 1, max: 10_000, description: "Records applied in one PostgreSQL transaction, at most (default 200); a run whose locks do not fit in the server's lock table is split, and larger runs need a larger max_locks_per_transaction" }),
  HUB_SLA_CHECK_MS: int({ default: 30_000, min: 0, unit: 'milliseconds', description: 'How often deadlines are checked and breaches marked; 0 turns breach marking off (replaying old history)' }),
  HUB_JWT_SECRET: text({ secret: true, description: 'Signs the short-lived tokens the screen exchanges for an API key; without it the key itself is the credential' }),
  HUB_RATE_LIMIT: int({ min: 1, description: 'API requests per principal per minute (default 1200)' }),
  COUNTY_PROFILE: text({ description: "Folder of the county's profile (docs/county-profile.md); the hub takes from it, when there and not named below, geo/divisions.json, geo/grids.geojson, geo/gazetteer.jsonl, responsibility-rules.csv and catalogues/ (default: the demo county's, counties/demo)" }),
  DIVISIONS_FILE: text({ description: 'GeoJSON of the county\'s towns and villages (map shapes, division names, town isolation)' }),
  GRIDS_FILE: text({ description: 'GeoJSON of the grids (map shapes)' }),
  GAZETTEER_FILE: text({ description: "The county's address gazetteer (docs/gazetteer-format.md): geocodes addresses without coordinates and gives address keys for matching" }),
  TEXT_WEIGHTS_FILE: text({ description: "Text weights estimated from the county's own reports (scripts/text-weights.ts): how much a phrase two reports share says" }),
  POSITION_SPREAD_FILE: text({ description: "How far apart each pair of platforms places one door, estimated from the county's own reports (scripts/position-spread.ts): two measured positions much further apart are two places" }),
  RULES_FILE: text({ description: 'The county\'s responsibility list (who leads which category where); watched, edits apply without restart' }),
  CATALOGUE_DIR: text({ description: 'Folder of the category and department catalogues (default: schemas/catalogues)' }),
  MATTER_PROFILE_FILE: text({ description: 'Matching profile for matters (default: schemas/catalogues/matching/matters.json)' }),
  ADDRESS_PROFILE_FILE: text({ description: 'Address words for parsing and comparing addresses (default: schemas/catalogues/matching/addresses.json)' }),
  CONNECTOR_CONTROL_TOKEN: text({ secret: true, description: "The workers' CONTROL_TOKEN: lets admins pause, resume, reset and replay connectors through /api/v1/connectors/{id}/…" }),
  CONNECTOR_STATUS_URLS: list({ description: 'Status addresses of the connector workers, shown at /api/v1/connectors' }),
  LOG_LEVEL: oneOf({ values: LOG_LEVELS, default: 'info', description: 'Level of the JSON logs on stderr' }),  KAFKA_LOG_LEVEL: oneOf({ values: KAFKA_LOG_LEVELS, default: 'error', description: "Level of the Kafka client's own lines in the logs (name \"kafka\"); it logs every failed retry as an error" }),
};

export const hubSettings = (env: Record<string, string | undefined> = process.env) => {
  const s = readSettings(HUB_SETTINGS, env);
  checkClusterAccess(env);
  return withCountyFiles(s);
};

/**
 * The county's own files that no setting names, from its profile folder when they are there — the
 * layout of a generated county day's geo/ folder, so one can be copied in. A setting always wins.
 */
function withCountyFiles<S extends { COUNTY_PROFILE?: string; DIVISIONS_FILE?: string; GRIDS_FILE?: string; GAZETTEER_FILE?: string; RULES_FILE?: string; CATALOGUE_DIR?: string }>(s: S): S {
  const profile = loadCountyProfile(s.COUNTY_PROFILE ?? DEMO_COUNTY_PROFILE_DIR); // a broken profile stops the hub here, named
  const there = (path: string) => (existsSync(join(profile.dir, path)) ? join(profile.dir, path) : undefined);
  return {
    ...s,
    DIVISIONS_FILE: s.DIVISIONS_FILE ?? there('geo/divisions.json'),
    GRIDS_FILE: s.GRIDS_FILE ?? there('geo/grids.geojson'),
    GAZETTEER_FILE: s.GAZETTEER_FILE ?? there('geo/gazetteer.jsonl'),
    RULES_FILE: s.RULES_FILE ?? there('responsibility-rules.csv'),
    CATALOGUE_DIR: s.CATALOGUE_DIR ?? there('catalogues'),
  };
}
