/**
 * SQL poll: a department database (PostgreSQL, or MySQL/MariaDB) that we may read — usually a
 * read-only view granted to the county — with an update-time column and a unique id column.
 *
 * Incremental reading is keyset on (update time, id):
 *   WHERE t <= now() − lag AND (t > :t OR (t = :t AND id > :id)) ORDER BY t, id LIMIT n
 * which stays exact when thousands of rows share one timestamp (no OFFSET, nothing skipped or
 * repeated at page boundaries), and delivers a row again whenever it is updated (its update time
 * moves past the cursor).
 *
 * Precision. The cursor keeps the update time as the database prints it (selected with a text
 * cast), never through a JS Date: PostgreSQL timestamps and MySQL DATETIME(6) carry microseconds,
 * and a cursor rounded to milliseconds would re-read or skip rows that differ below a millisecond.
 * The text goes back to the database as a parameter that it parses as the column's own type, so
 * comparisons are exact for timestamp, timestamptz, DATETIME, DATETIME(6) and TIMESTAMP alike.
 * Payload values of date/time columns are that same ISO text ("2026-03-01T08:30:00.123456",
 * with the offset for timestamptz), whichever database they come from — never a truncated Date.
 *
 * Safety lag. Keyset-on-update-time has one classic hole: a writer stamps t = now() when its
 * transaction starts (or in application code) but commits later. If we meanwhile read a row with
 * a later t and moved the cursor past it, the late row becomes visible *behind* the cursor and is
 * never read. We therefore read only rows with t ≤ database now() − safetyLagMs (default 5 s):
 * a transaction that commits within the lag is always visible before the cursor can pass its
 * time. Using the database's clock (not ours) also keeps rows stamped in the future by a writer
 * with a fast clock from pushing the cursor ahead of rows written with correct times. The cost
 * is latency: rows appear safetyLagMs after their update. Writers whose transactions can stay open
 * longer than the lag (batch jobs) need a larger lag. Log-based capture (PostgreSQL logical
 * decoding, MySQL binlog) would close the hole completely but needs privileges department DBAs
 * rarely grant on a shared view; a lag works with plain SELECT.
 *
 * Requirements on the table: idColumn is unique and NOT NULL (and, for text ids, in a collation
 * that tells every two ids apart — a case-insensitive one that makes 'a' = 'A' breaks the keyset;
 * integer ids, snowflake BIGINTs included, are compared exactly); updatedAtColumn is a date/time
 * column, set on every insert and update. Rows whose update time is NULL are never read (expose
 * COALESCE(updated_at, created_at) in the view). For columns without a time zone (PostgreSQL
 * `timestamp`, MySQL DATETIME), the database session's time zone must be the one the department
 * writes wall times in — set `timeZone` when the server default differs.
 */
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { ConfigError, UpstreamRejectedError } from '../../core/errors.js';
import type { Source, SourcePage, SourceRecord } from '../sdk/types.js';
import { classifySqlError, type SqlErrorContext } from './sql-errors.js';

export interface SqlPollSettings {
  kind: 'sql-poll';
  /** `pg` for PostgreSQL, `mysql2` for MySQL and MariaDB. */
  client: 'pg' | 'mysql2';
  /** postgres://user:password@host:5432/db or mysql://user:password@host:3306/db */
  connection: string;
  /** Table or read-only view, optionally schema-qualified: "grid.v_events". */
  table: string;
  /** Columns to select; default all. Plain column names only. */
  columns?: string[];
  /** Date/time column set on every insert and update. */
  updatedAtColumn: string;
  /** Unique, non-null column: the record id and the keyset tie-breaker. */
  idColumn: string;
  /** Rows per page; default 500. */
  pageSize?: number;
  /**
   * On the first run, read rows updated at or after this time: ISO 8601 as the database stores it
   * (wall time for columns without a zone; MySQL takes no offset). Default: every row.
   */
  initial?: string;
  /** Read only rows with update time ≤ database now() − this (see the file comment); default 5000. */
  safetyLagMs?: number;
  /** Session time zone, e.g. "+08:00" (ISO sign: east of UTC) or "Asia/Shanghai"; default the server's. */
  timeZone?: string;
  /** Per query; default 30000. */
  queryTimeoutMs?: number;
}

export interface SqlPollCursor {
  /**
   * Update time of the last delivered row, ISO 8601 exactly as precise as the database stores it
   * ("2026-03-01T08:30:00.123456" or with an offset for timestamptz); null before any row.
   */
  updatedAt: string | null;
  /**
   * Id of the last delivered row, as text. null means every row AT updatedAt is still to be read
   * (the cursor made from `initial`).
   */
  id: string | null;
}

export const SQL_POLL_DEFAULTS = { pageSize: 500, safetyLagMs: 5000, queryTimeoutMs: 30_000 } as const;

const T_ALIAS = '__countyhub_t';
const ID_ALIAS = '__countyhub_id';
const ISO_TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?))?(Z|[+-]\d{2}(?::?\d{2}){0,2})?$/;

export function validateSqlPollSettings(s: SqlPollSettings, at = 'source'): void {
  if (s.client !== 'pg' && s.client !== 'mysql2') throw new ConfigError(`${at}.client`, `must be "pg" (PostgreSQL) or "mysql2" (MySQL/MariaDB), got ${JSON.stringify(s.client)}`);
  let url: URL;
  try {
    url = new URL(s.connection);
  } catch {
    throw new ConfigError(`${at}.connection`, 'not a valid connection URL (postgres://user:password@host:5432/db or mysql://user:password@host:3306/db)');
  }
  const protocols = s.client === 'pg' ? ['postgres:', 'postgresql:'] : ['mysql:', 'mariadb:'];
  if (!protocols.includes(url.protocol)) throw new ConfigError(`${at}.connection`, `client ${s.client} needs a ${protocols.join(' or ')} URL, got ${url.protocol}`);
  if (url.pathname.length <= 1) throw new ConfigError(`${at}.connection`, 'the URL names no database (…/dbname)');
  if (typeof s.table !== 'string' || s.table.trim() === '') throw new ConfigError(`${at}.table`, 'is required (table or view name, optionally schema.table)');
  const parts = s.table.split('.');
  if (parts.length > 2 || parts.some((p) => !validIdentifier(p))) throw new ConfigError(`${at}.table`, `"${s.table}" must be name or schema.name`);
  checkColumn(s.updatedAtColumn, `${at}.updatedAtColumn`);
  checkColumn(s.idColumn, `${at}.idColumn`);
  if (s.updatedAtColumn === s.idColumn) throw new ConfigError(`${at}.idColumn`, 'must differ from updatedAtColumn');
  if (s.columns !== undefined) {
    if (!Array.isArray(s.columns) || s.columns.length === 0) throw new ConfigError(`${at}.columns`, 'must be a non-empty list of column names, or left out for all columns');
    s.columns.forEach((c, i) => checkColumn(c, `${at}.columns.${i}`));
    if (new Set(s.columns).size !== s.columns.length) throw new ConfigError(`${at}.columns`, 'lists a column twice');
  }
  if (s.pageSize !== undefined && (!Number.isInteger(s.pageSize) || s.pageSize < 1 || s.pageSize > 50_000)) throw new ConfigError(`${at}.pageSize`, 'must be an integer between 1 and 50000');
  if (s.safetyLagMs !== undefined && (!Number.isInteger(s.safetyLagMs) || s.safetyLagMs < 0 || s.safetyLagMs > 86_400_000)) {
    throw new ConfigError(`${at}.safetyLagMs`, 'must be an integer number of milliseconds between 0 and 86400000');
  }
  if (s.queryTimeoutMs !== undefined && (!Number.isInteger(s.queryTimeoutMs) || s.queryTimeoutMs < 100)) throw new ConfigError(`${at}.queryTimeoutMs`, 'must be an integer ≥ 100');
  if (s.initial !== undefined) {
    const m = typeof s.initial === 'string' ? ISO_TIME.exec(s.initial.trim()) : null;
    if (!m) throw new ConfigError(`${at}.initial`, `"${String(s.initial)}" is not an ISO 8601 date/time such as 2026-01-01T00:00:00`);
    if (s.client === 'mysql2' && m[3] !== undefined) throw new ConfigError(`${at}.initial`, 'MySQL DATETIME has no time zone: write the wall time without an offset (session time zone applies)');
  }
  if (s.timeZone !== undefined && !/^([+-]\d{2}:\d{2}|[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*|UTC)$/.test(s.timeZone)) {
    throw new ConfigError(`${at}.timeZone`, `"${s.timeZone}" is not a time zone such as +08:00 or Asia/Shanghai`);
  }
}

function validIdentifier(name: string): boolean {
  return name.length > 0 && name.length <= 128 && !/[\u0000`]/.test(name) && name.trim() === name;
}

function checkColumn(name: unknown, field: string): void {
  if (typeof name !== 'string' || !validIdentifier(name) || name.includes('.')) throw new ConfigError(field, `must be a plain column name, got ${JSON.stringify(name)}`);
}

/** Database text of a date/time → ISO 8601, microseconds always written ("2026-03-01 08:30:00.5+08" → "2026-03-01T08:30:00.500000+08:00"). */
export function dbTimeToIso(text: string): string {
  const m = ISO_TIME.exec(text);
  if (!m) return text;
  const [, date, time, offset] = m;
  // one shape for every row: seconds and six fraction digits (PostgreSQL drops trailing zeros)
  let iso = time === undefined ? (date as string) : `${date}T${fullTime(time)}`;
  if (offset !== undefined) iso += /^[+-]\d{2}$/.test(offset) ? `${offset}:00` : offset;
  return iso;
}

function fullTime(time: string): string {
  const [hms = '', frac = ''] = time.split('.');
  const withSeconds = hms.length === 5 ? `${hms}:00` : hms;
  return frac.length > 6 ? `${withSeconds}.${frac}` : `${withSeconds}.${frac.padEnd(6, '0')}`;
}

// Date/time types that pg would turn into a JS Date (losing microseconds): ISO text instead.
const PG_TIME_TYPES = new Set([1082, 1083, 1114, 1184, 1266]);
const pgTypes = {
  getTypeParser: (oid: number, format: string): unknown =>
    PG_TIME_TYPES.has(oid) ? dbTimeToIso : pg.types.getTypeParser(oid, format === 'binary' ? 'binary' : 'text'),
};

const MYSQL_TIME_TYPES = new Set(['DATETIME', 'DATETIME2', 'TIMESTAMP', 'TIMESTAMP2']);
/** mysql2: DATETIME/TIMESTAMP values in the same ISO form as the cursor and as PostgreSQL's. */
function mysqlTypeCast(field: { type: string; string: () => string | null }, next: () => unknown): unknown {
  if (!MYSQL_TIME_TYPES.has(field.type)) return next();
  const text = field.string();
  return text === null ? null : dbTimeToIso(text);
}

export class SqlPollSource implements Source<SqlPollCursor> {
  private db: Knex | undefined;
  private readonly pageSize: number;
  private readonly lagMs: number;
  private readonly timeoutMs: number;
  private readonly errCtx: SqlErrorContext;
  /** MySQL only: whether the id column is numeric (then it is compared as DECIMAL, exact for BIGINT). */
  private idNumeric: boolean | undefined;

  constructor(
    private readonly s: SqlPollSettings,
    private readonly at = 'source',
  ) {
    validateSqlPollSettings(s, at);
    this.pageSize = s.pageSize ?? SQL_POLL_DEFAULTS.pageSize;
    this.lagMs = s.safetyLagMs ?? SQL_POLL_DEFAULTS.safetyLagMs;
    this.timeoutMs = s.queryTimeoutMs ?? SQL_POLL_DEFAULTS.queryTimeoutMs;
    const url = new URL(s.connection);
    const columnSettings = new Map<string, string>();
    s.columns?.forEach((c, i) => columnSettings.set(c, `${at}.columns.${i}`));
    columnSettings.set(s.idColumn, `${at}.idColumn`);
    columnSettings.set(s.updatedAtColumn, `${at}.updatedAtColumn`);
    this.errCtx = { client: s.client, where: `${url.host}${url.pathname}`, table: s.table, columnSettings, at };
  }

  async open(): Promise<void> {
    this.knex();
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    await db?.destroy();
  }

  async nextPage(cursor: SqlPollCursor | undefined, signal: AbortSignal): Promise<SourcePage<SqlPollCursor>> {
    signal.throwIfAborted();
    const c: SqlPollCursor = cursor ?? { updatedAt: this.s.initial?.trim() ?? null, id: null };
    let rows: Array<Record<string, unknown>>;
    try {
      rows = await this.query(c);
    } catch (err) {
      throw classifySqlError(err, this.errCtx);
    }
    const records: SourceRecord[] = [];
    let next = c;
    for (const row of rows) {
      const t = row[T_ALIAS];
      const id = row[ID_ALIAS];
      delete row[T_ALIAS];
      delete row[ID_ALIAS];
      if (id === null || id === undefined) {
        throw new UpstreamRejectedError(`"${this.s.table}" has a row with NULL in ${this.s.idColumn}; ${this.at}.idColumn must name a unique NOT NULL column`);
      }
      const idText = typeof id === 'string' ? id : Buffer.isBuffer(id) ? id.toString('hex') : String(id);
      records.push({ id: idText, payload: row, raw: JSON.stringify(row, jsonSafe) });
      next = { updatedAt: dbTimeToIso(String(t)), id: idText };
    }
    return { records, cursor: next, hasMore: rows.length >= this.pageSize };
  }

  private knex(): Knex {
    if (this.db) return this.db;
    const tz = this.s.timeZone;
    if (this.s.client === 'pg') {
      // DateStyle ISO makes timestamp text unambiguous; TimeZone (when set) is the session's zone.
      const options = ['-c DateStyle=ISO', ...(tz ? [`-c TimeZone=${pgTimeZone(tz)}`] : [])].join(' ');
      this.db = knexFactory({
        client: 'pg',
        connection: { connectionString: this.s.connection, options, types: pgTypes, connectionTimeoutMillis: this.timeoutMs, application_name: 'countyhub-sql-poll' },
        pool: { min: 0, max: 2 },
        acquireConnectionTimeout: this.timeoutMs,
        log: QUIET,
      });
    } else {
      this.db = knexFactory({
        client: 'mysql2',
        connection: {
          uri: this.s.connection,
          // dates as the server's text (no JS Date, no truncation, no time-zone shift); BIGINT/DECIMAL as exact strings
          dateStrings: true,
          supportBigNumbers: true,
          bigNumberStrings: true,
          charset: 'utf8mb4',
          typeCast: mysqlTypeCast,
          connectTimeout: this.timeoutMs,
        } as Knex.MySql2ConnectionConfig,
        pool: {
          min: 0,
          max: 2,
          ...(tz
            ? {
                afterCreate: (conn: { query: (sql: string, values: unknown[], cb: (err: Error | null) => void) => void }, done: (err: Error | null, conn: unknown) => void) => {
                  conn.query('SET time_zone = ?', [tz], (err) => done(err, conn));
                },
              }
            : {}),
        },
        acquireConnectionTimeout: this.timeoutMs,
        log: QUIET,
      });
    }
    return this.db;
  }

  private async query(c: SqlPollCursor): Promise<Array<Record<string, unknown>>> {
    const db = this.knex();
    const pgClient = this.s.client === 'pg';
    const t = this.s.updatedAtColumn;
    const id = this.s.idColumn;
    const q = db
      .from(this.s.table)
      .select(this.s.columns ?? '*')
      .select(db.raw(pgClient ? 'CAST(?? AS text) AS ??' : 'CAST(?? AS CHAR) AS ??', [t, T_ALIAS]), db.raw('?? AS ??', [id, ID_ALIAS]));
    // the safety lag, on the database's clock (see the file comment)
    if (pgClient) q.whereRaw(`?? <= now() - CAST(? AS integer) * interval '1 millisecond'`, [t, this.lagMs]);
    else q.whereRaw('?? <= NOW(6) - INTERVAL ? MICROSECOND', [t, this.lagMs * 1000]);
    if (c.updatedAt !== null) {
      const since = pgClient ? c.updatedAt : toMysqlTime(c.updatedAt);
      if (c.id === null) {
        q.where(t, '>=', since);
      } else {
        const { after } = await this.idValue(c.id);
        q.where((w) => w.where(t, '>', since).orWhere((w2) => w2.where(t, '=', since).andWhere(id, '>', after)));
      }
    }
    q.orderBy([{ column: t }, { column: id }]).limit(this.pageSize).timeout(this.timeoutMs, { cancel: true });
    return (await q) as Array<Record<string, unknown>>;
  }

  /**
   * The id as a query parameter. PostgreSQL infers an untyped parameter's type from the column, so
   * text is exact. MySQL compares a number column with a text parameter as DOUBLE, which is wrong
   * for BIGINT ids past 2^53 (snowflake ids): numeric ids are sent as DECIMAL(65,0) instead.
   */
  private async idValue(id: string): Promise<{ after: string | Knex.Raw }> {
    // (wrapped: a Knex.Raw is thenable, and returning it from an async function would run it)
    const db = this.knex();
    if (this.s.client === 'pg') return { after: id };
    if (this.idNumeric === undefined) {
      const [schema, table] = this.s.table.includes('.') ? this.s.table.split('.') : [null, this.s.table];
      const rows = (await db
        .select('DATA_TYPE as type')
        .from('information_schema.COLUMNS')
        .whereRaw('TABLE_SCHEMA = COALESCE(?, DATABASE())', [schema])
        .andWhere({ TABLE_NAME: table, COLUMN_NAME: this.s.idColumn })) as Array<{ type: string }>;
      const type = rows[0]?.type?.toLowerCase() ?? '';
      this.idNumeric = /^(tinyint|smallint|mediumint|int|integer|bigint|decimal|numeric)$/.test(type);
    }
    return { after: this.idNumeric && /^-?\d+$/.test(id) ? db.raw('CAST(? AS DECIMAL(65,0))', [id]) : id };
  }
}

/**
 * PostgreSQL reads "+08:00" as a POSIX zone, i.e. UTC−8 (sign inverted). An ISO offset is
 * therefore written as the POSIX spec "<+0800>-08:00", which PostgreSQL reads as UTC+8.
 */
export function pgTimeZone(tz: string): string {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(tz);
  if (!m) return tz;
  const [, sign, hh, mm] = m;
  return `<${sign}${hh}${mm}>${sign === '+' ? '-' : '+'}${hh}:${mm}`;
}

/** knex logs connection failures to the console; ours surface as typed errors from nextPage instead. */
const QUIET = { warn: () => undefined, error: () => undefined, debug: () => undefined, deprecate: () => undefined };

/** MySQL parses "2026-03-01 08:30:00.123456"; the cursor keeps ISO "T". */
function toMysqlTime(iso: string): string {
  return ISO_TIME.test(iso) ? iso.replace('T', ' ') : iso;
}

/** JSON for raw: BIGINTs as text, binary columns as base64. */
function jsonSafe(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  if (Buffer.isBuffer(original)) return original.toString('base64');
  if (typeof value === 'bigint') return value.toString();
  return value;
}
