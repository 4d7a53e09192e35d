/**
 * The market-regulation exchange table, in a PostgreSQL schema of its own: creation, seeding, the
 * changes a live registry makes, a read-only account for the county, and outages.
 *
 * Outages (for the connector's retry path), each for a given time:
 *  - lock:      a transaction holds ACCESS EXCLUSIVE on the table (the exchange's nightly reload does
 *               this): readers block until their query time-out.
 *  - terminate: the reader's sessions are terminated and its connection limit set to 0 (a DBA
 *               throwing the county out during maintenance): "terminating connection due to
 *               administrator command", then "too many connections for role".
 *  - revoke:    SELECT is revoked from the reader (a permission change gone wrong), then granted
 *               again: "permission denied" — not retriable, so the connector turns degraded and
 *               tries again after its back-off.
 */
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { Rng } from '../county/random.js';
import { RowFactory, type MarketTableRow } from './rows.js';

export const MARKET_TABLE = '市场主体登记信息';
export const OUTAGE_MODES = ['lock', 'terminate', 'revoke'] as const;
export type OutageMode = (typeof OUTAGE_MODES)[number];

export interface MarketDatabaseOptions {
  databaseUrl: string;
  schema: string;
  seed: number;
  /** Password of the read-only account (trust-authenticated servers need none). */
  readerPassword?: string;
}

export interface MarketStats {
  rows: number;
  maxUpdatedAt: string | null;
  changes: Record<string, number>;
  created: number;
  outage: { mode: OutageMode; until: string } | null;
}

/** Wall time "now" in Shanghai, to the second, from the database's clock (as the exchange stamps rows). */
const NOW_SHANGHAI = `date_trunc('second', now() AT TIME ZONE 'Asia/Shanghai')`;

export class MarketDatabase {
  readonly db: Knex;
  readonly table: string;
  readonly reader: string;
  private readonly factory: RowFactory;
  private ids: string[] = [];
  private readonly changes: Record<string, number> = {};
  private created = 0;
  private outageState: { mode: OutageMode; until: number; end: () => Promise<void>; timer: NodeJS.Timeout } | undefined;
  private readerReady = false;

  constructor(private readonly opts: MarketDatabaseOptions) {
    if (!/^[a-z_][a-z0-9_]{0,40}$/.test(opts.schema)) throw new Error(`--schema must be a lower-case SQL identifier (letters, digits, _), got "${opts.schema}"`);
    this.db = knexFactory({ client: 'pg', connection: { connectionString: opts.databaseUrl, application_name: 'market-simulator' }, pool: { min: 0, max: 4 } });
    this.table = `${opts.schema}.${MARKET_TABLE}`;
    this.reader = `${opts.schema}_reader`;
    this.factory = new RowFactory(Rng.derive(opts.seed, 'market-simulator'));
  }

  /** Creates the schema and the table (dropping an old table unless `keep`), and loads the ids. */
  async setup(keep: boolean): Promise<{ existing: number }> {
    const { schema } = this.opts;
    await this.db.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
    if (!keep) await this.db.schema.withSchema(schema).dropTableIfExists(MARKET_TABLE);
    if (!(await this.db.schema.withSchema(schema).hasTable(MARKET_TABLE))) {
      await this.db.schema.withSchema(schema).createTable(MARKET_TABLE, (t) => {
        t.string('主体身份代码', 32).primary({ constraintName: `${schema}_market_pk` });
        t.string('统一社会信用代码', 18);
        t.string('主体名称', 200).notNullable();
        t.string('曾用名', 2000).notNullable().defaultTo('');
        t.string('主体类型', 100);
        t.string('法定代表人', 100);
        t.string('法定代表人证件号码', 32);
        t.string('住所', 500);
        t.string('行政区划代码', 12);
        t.decimal('注册资本', 18, 6);
        t.date('成立日期');
        t.date('核准日期');
        t.string('登记状态', 50).notNullable();
        t.string('登记机关', 100);
        t.text('经营范围');
        t.string('联系电话', 50);
        t.string('行业代码', 5);
        t.string('行业名称', 100);
        t.specificType('更新时间', 'timestamp(0) without time zone').notNullable();
        t.index(['更新时间', '主体身份代码'], `${schema}_market_updated`);
      });
    }
    const rows = (await this.db.withSchema(schema).from(MARKET_TABLE).select('主体身份代码')) as Array<{ 主体身份代码: string }>;
    this.ids = rows.map((r) => r.主体身份代码);
    return { existing: this.ids.length };
  }

  /**
   * The county's read-only account: LOGIN, USAGE on the schema, SELECT on the table. Returns the
   * connection URL for the connector, or null when this server does not let us create roles.
   */
  async ensureReader(): Promise<string | null> {
    const { schema, readerPassword } = this.opts;
    try {
      const exists = await this.db.raw('SELECT 1 FROM pg_roles WHERE rolname = ?', [this.reader]);
      if (exists.rows.length === 0) await this.db.raw(`CREATE ROLE ?? LOGIN${readerPassword ? ' PASSWORD ' + pgLiteral(readerPassword) : ''}`, [this.reader]);
      await this.db.raw('ALTER ROLE ?? CONNECTION LIMIT -1', [this.reader]);
      await this.db.raw('GRANT USAGE ON SCHEMA ?? TO ??', [schema, this.reader]);
      await this.db.raw('GRANT SELECT ON ??.?? TO ??', [schema, MARKET_TABLE, this.reader]);
    } catch {
      return null;
    }
    this.readerReady = true;
    const url = new URL(this.opts.databaseUrl);
    url.username = this.reader;
    url.password = readerPassword ?? '';
    return url.toString();
  }

  async insert(rows: MarketTableRow[]): Promise<number> {
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      await this.db.withSchema(this.opts.schema).into(MARKET_TABLE).insert(chunk).onConflict('主体身份代码').merge();
    }
    this.ids = [...new Set([...this.ids, ...rows.map((r) => r.主体身份代码)])];
    return rows.length;
  }

  /** `n` generated historic registrations (更新时间 in the past). */
  generate(n: number, now = Date.now()): MarketTableRow[] {
    return Array.from({ length: n }, () => this.factory.create(now));
  }

  private async nowShanghai(): Promise<string> {
    const r = await this.db.raw(`SELECT to_char(${NOW_SHANGHAI}, 'YYYY-MM-DD HH24:MI:SS') AS t`);
    return (r.rows[0] as { t: string }).t;
  }

  /** `n` changes to random registrations, each in its own transaction, stamped with the database's time. */
  async mutate(n: number): Promise<Array<{ id: string; kind: string }>> {
    const out: Array<{ id: string; kind: string }> = [];
    for (let i = 0; i < n && this.ids.length > 0; i++) {
      const id = this.ids[Math.floor(Math.random() * this.ids.length)] as string;
      const row = (await this.db.withSchema(this.opts.schema).from(MARKET_TABLE).where({ 主体身份代码: id }).first('主体名称', '曾用名', '登记状态')) as
        | Pick<MarketTableRow, '主体名称' | '曾用名' | '登记状态'>
        | undefined;
      if (!row) continue;
      const now = await this.nowShanghai();
      const { kind, patch } = this.factory.change(row, now.slice(0, 10));
      await this.db.withSchema(this.opts.schema).table(MARKET_TABLE).where({ 主体身份代码: id }).update({ ...patch, 更新时间: now });
      this.changes[kind] = (this.changes[kind] ?? 0) + 1;
      out.push({ id, kind });
    }
    return out;
  }

  /** `n` new registrations established today. */
  async create(n: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const now = await this.nowShanghai();
      const row = this.factory.create(Date.now(), Date.parse(`${now.replace(' ', 'T')}+08:00`));
      await this.insert([{ ...row, 更新时间: now }]);
      this.created += 1;
      out.push(row.主体身份代码);
    }
    return out;
  }

  async stats(): Promise<MarketStats> {
    const r = await this.db.raw(`SELECT count(*)::int AS n, to_char(max("更新时间"), 'YYYY-MM-DD HH24:MI:SS') AS t FROM ??.??`, [this.opts.schema, MARKET_TABLE]);
    const row = r.rows[0] as { n: number; t: string | null };
    const o = this.outageState;
    return { rows: row.n, maxUpdatedAt: row.t, changes: { ...this.changes }, created: this.created, outage: o ? { mode: o.mode, until: new Date(o.until).toISOString() } : null };
  }

  /** Starts an outage for `ms` (ending any running one first). */
  async outage(mode: OutageMode, ms: number): Promise<{ mode: OutageMode; until: string }> {
    await this.endOutage();
    if (mode !== 'lock' && !this.readerReady) throw new Error(`outage "${mode}" needs the read-only account, which this server did not let the simulator create`);
    let end: () => Promise<void>;
    const { schema } = this.opts;
    if (mode === 'lock') {
      const client = new pg.Client({ connectionString: this.opts.databaseUrl, application_name: 'market-simulator-lock' });
      await client.connect();
      await client.query('BEGIN');
      await client.query(`LOCK TABLE "${schema}"."${MARKET_TABLE}" IN ACCESS EXCLUSIVE MODE`);
      end = async () => {
        await client.query('ROLLBACK').catch(() => undefined);
        await client.end().catch(() => undefined);
      };
    } else if (mode === 'terminate') {
      await this.db.raw('ALTER ROLE ?? CONNECTION LIMIT 0', [this.reader]);
      const kill = () => this.db.raw('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ?', [this.reader]).catch(() => undefined);
      await kill();
      const again = setInterval(() => void kill(), 200); // sessions that were half-way through the login
      end = async () => {
        clearInterval(again);
        await this.db.raw('ALTER ROLE ?? CONNECTION LIMIT -1', [this.reader]);
      };
    } else {
      await this.db.raw('REVOKE SELECT ON ??.?? FROM ??', [schema, MARKET_TABLE, this.reader]);
      end = async () => {
        await this.db.raw('GRANT SELECT ON ??.?? TO ??', [schema, MARKET_TABLE, this.reader]);
      };
    }
    const until = Date.now() + ms;
    const timer = setTimeout(() => void this.endOutage(), ms);
    this.outageState = { mode, until, end, timer };
    return { mode, until: new Date(until).toISOString() };
  }

  async endOutage(): Promise<boolean> {
    const o = this.outageState;
    if (!o) return false;
    this.outageState = undefined;
    clearTimeout(o.timer);
    await o.end();
    return true;
  }

  /** Drops the schema and the read-only account (test runs). */
  async drop(): Promise<void> {
    await this.endOutage().catch(() => undefined);
    await this.db.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [this.opts.schema]);
    if (this.readerReady) {
      await this.db.raw('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ?', [this.reader]).catch(() => undefined);
      await this.db.raw('DROP OWNED BY ??', [this.reader]).catch(() => undefined);
      await this.db.raw('DROP ROLE IF EXISTS ??', [this.reader]).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.endOutage().catch(() => undefined);
    await this.db.destroy();
  }
}

function pgLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
