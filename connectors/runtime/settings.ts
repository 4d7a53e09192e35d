/** Settings of connector worker processes and the `countyhub` CLI, read and checked once; see docs/configuration.md. */
import { checkClusterAccess, CLUSTER_ACCESS_SETTINGS } from '../../core/cluster-access.js';
import { loadCountyProfile } from '../../core/county-profile.js';
import { int, list, oneOf, readSettings, text, url } from '../../core/settings.js';
import { DEFAULT_RETRY } from '../sdk/retry.js';
import { KAFKA_LOG_LEVELS } from '../../core/log.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** What every Kafka client of ours and its logs take from the environment. */
export const CLIENT_SETTINGS = {
  KAFKA_BROKERS: list({ required: true, description: 'Kafka bootstrap servers, host:port, comma-separated' }),
  SCHEMA_REGISTRY_URL: url({ required: true, description: "The schema registry's Confluent-compatible API (Apicurio: …/apis/ccompat/v7)" }),
  TOPIC_PREFIX: text({ default: 'countyhub', description: 'Prefix of every topic name; connectors, sinks and hub must use the same one' }),
  ...CLUSTER_ACCESS_SETTINGS,
  LOG_LEVEL: oneOf({ values: LOG_LEVELS, default: 'info', description: 'Level of the JSON logs on stderr' }),  KAFKA_LOG_LEVEL: oneOf({ values: KAFKA_LOG_LEVELS, default: 'error', description: "Level of the Kafka client's own lines in the logs (name \"kafka\"); it logs every failed retry as an error" }),
};

export const CONNECTOR_SETTINGS = {
  ...CLIENT_SETTINGS,
  PERSONAL_DATA_KEY: text({ secret: true, description: "The county's secret (≥ 16 bytes, the same for every connector) that keys the hash of ID and phone numbers; required to run connectors" }),
  CONNECTOR_CONFIG: text({ description: 'Per-connector overrides of manifest settings (URLs, credentials, page sizes): a JSON file path or inline JSON' }),
  CATALOGUE_DIR: text({ description: 'Folder of the category and department catalogues (default: schemas/catalogues)' }),
  COUNTY_PROFILE: text({ description: "Folder of the county's profile — code, towns, bounding box (docs/county-profile.md); default: the demo county's, counties/demo" }),
  CONNECTOR_RETRIES: int({ default: DEFAULT_RETRY.retries, min: 0, max: 100, description: 'Retries of one page before the connector turns degraded' }),
  CONNECTOR_RETRY_MIN_MS: int({ default: DEFAULT_RETRY.minTimeoutMs, min: 1, unit: 'milliseconds', description: 'First back-off between retries of a page' }),
  CONNECTOR_RETRY_MAX_MS: int({ default: DEFAULT_RETRY.maxTimeoutMs, min: 1, unit: 'milliseconds', description: 'Longest back-off between retries of a page' }),
  DEGRADED_BACKOFF_MS: int({ default: 30_000, min: 1, unit: 'milliseconds', description: 'How long a degraded connector waits before it tries again' }),
  CONNECTOR_MAX_MESSAGE_BYTES: int({ min: 1024, unit: 'bytes', description: "Largest message a worker produces (default 900 KiB, under the broker's default 1 MiB message.max.bytes); set it below the broker's limit when that differs" }),
  STATUS_HOST: text({ default: '127.0.0.1', description: "Address of the worker's /health, /status and /metrics" }),
  CONTROL_TOKEN: text({ secret: true, description: "Enables pause, resume, cursor reset and dead-letter replay on the status port for the hub's admin API (the hub sends it as CONNECTOR_CONTROL_TOKEN); unset, those operations are refused" }),
  STATUS_PORT: int({ default: 0, min: 0, max: 65535, description: "Port of the worker's /health, /status and /metrics; 0 picks a free one (printed at start)" }),
};

export const SINK_SETTINGS = {
  ...CLIENT_SETTINGS,
  SINK_CONFIG: text({ required: true, description: 'The sinks, a JSON list of {id, url, departments, exceptDepartments?, headers?}' }),
};

type Env = Record<string, string | undefined>;

export const connectorSettings = (env: Env = process.env) => {
  const s = readSettings(CONNECTOR_SETTINGS, env);
  checkClusterAccess(env);
  // a profile that does not load stops the worker here, naming the setting, not at its first record
  if (s.COUNTY_PROFILE) loadCountyProfile(s.COUNTY_PROFILE);
  return s;
};

export const sinkSettings = (env: Env = process.env) => {
  const s = readSettings(SINK_SETTINGS, env);
  checkClusterAccess(env);
  return s;
};
