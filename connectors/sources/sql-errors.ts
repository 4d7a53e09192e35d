/**
 * Driver errors of pg and mysql2 → the project's typed errors, with a message that says what to do.
 *
 * Retriable: the database could not be reached or dropped the connection, was shutting down, had
 * too many connections, timed out, or hit a lock conflict — all of them may pass.
 * Not retriable: the database answered and refused the query — wrong credentials, a database,
 * table or column that does not exist, missing privileges, a value it cannot read — retrying the
 * same statement fails the same way; an operator has to fix the named setting.
 */
import { CountyHubError, UpstreamRejectedError, UpstreamUnavailableError } from '../../core/errors.js';

/** What the classifier needs to know to point at the right setting. */
export interface SqlErrorContext {
  client: 'pg' | 'mysql2';
  /** Where the database lives, without credentials ("127.0.0.1:5432/county"). */
  where: string;
  table: string;
  /** Column name → dotted setting path that names it (e.g. updated_at → source.updatedAtColumn). */
  columnSettings: ReadonlyMap<string, string>;
  /** Dotted path of the settings object ("source"). */
  at: string;
}

interface DriverError {
  code?: unknown;
  errno?: unknown;
  sqlState?: unknown;
  sqlMessage?: unknown;
  message?: unknown;
  name?: unknown;
  fatal?: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  // mysql2 client-side connection errors
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_QUERY_INTERRUPTED',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_NET_READ_INTERRUPTED',
  'ER_NET_WRITE_INTERRUPTED',
  'ER_STATEMENT_TIMEOUT',
]);

/** MySQL/MariaDB numeric codes that may pass (client 2002/2003/2006/2013 are lost connections). */
const MYSQL_TRANSIENT_ERRNO = new Set([1040, 1053, 1077, 1078, 1079, 1080, 1152, 1153, 1154, 1155, 1156, 1157, 1158, 1159, 1160, 1161, 1203, 1205, 1226, 1213, 1317, 1927, 1969, 2002, 2003, 2006, 2013, 3024, 4031]);

/** PostgreSQL SQLSTATEs that may pass. Class 08 (connection), 53 (resources), 57 (operator intervention), 40 (rollback). */
function pgTransient(state: string): boolean {
  return /^(08|53|57|40|58)/.test(state) || state === '55P03' || state === 'XX000';
}

const TRANSIENT_MESSAGES = /Connection terminated|connection timeout|Timeout acquiring a connection|Defined query timeout|server closed the connection|socket hang up|read ECONNRESET|Client has encountered a connection error|Can't add new command when connection is in closed state|the database system is (starting up|shutting down|in recovery mode)/i;

/** Turns whatever a knex query threw into an UpstreamUnavailableError or UpstreamRejectedError. */
export function classifySqlError(err: unknown, ctx: SqlErrorContext): Error {
  if (err instanceof CountyHubError) return err;
  if (!err || typeof err !== 'object') return new UpstreamUnavailableError(`query on ${ctx.where} failed: ${String(err)}`, err);
  const e = err as DriverError;
  const code = typeof e.code === 'string' ? e.code : '';
  const errno = typeof e.errno === 'number' ? e.errno : undefined;
  // knex prefixes pg messages with the whole statement ("select … - relation … does not exist")
  const message = String(e.sqlMessage ?? e.message ?? '').replace(/^\s*select\s[\s\S]* - /i, '');
  const where = ctx.where;

  // Not a driver error at all (a bug here, a bad binding): do not disguise it as an outage.
  if (!code && errno === undefined && e.name !== 'KnexTimeoutError' && e.fatal !== true && !TRANSIENT_MESSAGES.test(message)) {
    return err instanceof Error ? err : new Error(message);
  }

  if (e.name === 'KnexTimeoutError') {
    return new UpstreamUnavailableError(`database ${where} did not answer in time (${message}); it may be overloaded or unreachable`, err);
  }

  if (ctx.client === 'pg' && /^[0-9A-Z]{5}$/.test(code)) return classifyPg(code, message, err, ctx);
  if (ctx.client === 'mysql2' && errno !== undefined && errno < 2000 && !NETWORK_CODES.has(code) && !MYSQL_TRANSIENT_ERRNO.has(errno)) {
    return classifyMysql(errno, message, err, ctx);
  }

  if (NETWORK_CODES.has(code) || (errno !== undefined && MYSQL_TRANSIENT_ERRNO.has(errno)) || TRANSIENT_MESSAGES.test(message) || e.fatal === true) {
    return new UpstreamUnavailableError(`database ${where} is unreachable or dropped the connection (${code || errno || 'no code'}: ${message}); will retry`, err);
  }
  return new UpstreamUnavailableError(`query on ${where} failed (${code || 'no code'}): ${message}`, err);
}

function classifyPg(state: string, message: string, err: unknown, ctx: SqlErrorContext): Error {
  const { where, at, table } = ctx;
  if (pgTransient(state)) return new UpstreamUnavailableError(`PostgreSQL ${where} failed transiently (SQLSTATE ${state}): ${message}; will retry`, err);
  if (state.startsWith('28')) return new UpstreamRejectedError(`PostgreSQL ${where} refused the login (SQLSTATE ${state}): ${message} — check the user and password in ${at}.connection`, err);
  if (state === '3D000') return new UpstreamRejectedError(`PostgreSQL ${where}: ${message} — fix the database name in ${at}.connection`, err);
  if (state === '3F000') return new UpstreamRejectedError(`PostgreSQL ${where}: ${message} — fix the schema part of ${at}.table ("${table}")`, err);
  if (state === '42P01') return new UpstreamRejectedError(`PostgreSQL ${where}: ${message} — table or view "${table}" does not exist or is not visible to this user; fix ${at}.table`, err);
  if (state === '42703') return missingColumn(message, /column "?([^"]+?)"? does not exist/i, err, ctx);
  if (state === '42501') return new UpstreamRejectedError(`PostgreSQL ${where}: ${message} — the connector's user needs SELECT on "${table}" (GRANT SELECT …), or fix ${at}.table`, err);
  if (state.startsWith('22')) return new UpstreamRejectedError(`PostgreSQL ${where} could not read a value (SQLSTATE ${state}): ${message} — check ${at}.initial and that ${at}.updatedAtColumn is a date/time column`, err);
  if (state === '42883' || state === '42804') {
    return new UpstreamRejectedError(`PostgreSQL ${where}: ${message} — ${at}.updatedAtColumn must be a date/time column (timestamp, timestamptz or date)`, err);
  }
  return new UpstreamRejectedError(`PostgreSQL ${where} rejected the query on "${table}" (SQLSTATE ${state}): ${message} — check ${at}.table and the column settings`, err);
}

function classifyMysql(errno: number, message: string, err: unknown, ctx: SqlErrorContext): Error {
  const { where, at, table } = ctx;
  if (errno === 1045 || errno === 1698) return new UpstreamRejectedError(`MySQL ${where} refused the login: ${message} — check the user and password in ${at}.connection`, err);
  if (errno === 1044 || errno === 1049) return new UpstreamRejectedError(`MySQL ${where}: ${message} — fix the database name in ${at}.connection or grant this user access to it`, err);
  if (errno === 1146) return new UpstreamRejectedError(`MySQL ${where}: ${message} — table or view "${table}" does not exist; fix ${at}.table`, err);
  if (errno === 1054) return missingColumn(message, /Unknown column '([^']+)'/i, err, ctx);
  if (errno === 1142 || errno === 1143 || errno === 1227) return new UpstreamRejectedError(`MySQL ${where}: ${message} — the connector's user needs SELECT on "${table}", or fix ${at}.table`, err);
  if (errno === 1292 || errno === 1525) return new UpstreamRejectedError(`MySQL ${where} could not read a value: ${message} — check ${at}.initial and that ${at}.updatedAtColumn is a DATETIME/TIMESTAMP column`, err);
  return new UpstreamRejectedError(`MySQL ${where} rejected the query on "${table}" (error ${errno}): ${message} — check ${at}.table and the column settings`, err);
}

function missingColumn(message: string, pattern: RegExp, err: unknown, ctx: SqlErrorContext): Error {
  const { where, at, table } = ctx;
  const found = pattern.exec(message)?.[1];
  // "t.updatd_at" / "updatd_at": compare the last part
  const name = found?.split('.').pop();
  const setting = name === undefined ? undefined : ctx.columnSettings.get(name);
  const fix = setting ? `fix ${setting}` : `check ${at}.columns, ${at}.updatedAtColumn and ${at}.idColumn`;
  return new UpstreamRejectedError(`${ctx.client === 'pg' ? 'PostgreSQL' : 'MySQL'} ${where}: ${message} — "${table}" has no column "${name ?? '?'}"; ${fix}`, err);
}
