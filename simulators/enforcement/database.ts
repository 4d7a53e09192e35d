/**
 * The case table of the enforcement case-handling system, in a MariaDB/MySQL database of its own:
 * creation, seeding, the live procedure, a read-only account for the county, and outages.
 *
 * Quirk kept on purpose: every time column is DATETIME without fractional seconds, written in
 * Shanghai wall time (the system's sessions run at +08:00 while the server itself runs in UTC).
 *
 * Outages (for the connector's retry path), each for a given time:
 *  - lock:      LOCK TABLES … WRITE held by another session (a DBA's bulk correction): readers wait
 *               until their query time-out.
 *  - terminate: the link to the county goes down (see link.ts: open connections reset, new ones
 *               dropped) and the reader's sessions are killed on the server (KILL CONNECTION):
 *               "Connection lost", ECONNRESET — retriable.
 *  - revoke:    SELECT is revoked from the reader and granted again afterwards: ER_TABLEACCESS_DENIED
 *               — not retriable, so the connector turns degraded and tries again after its back-off.
 */
import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import mysql from 'mysql2/promise';
import { Rng } from '../county/random.js';
import { DatabaseLink } from './link.js';
import { CaseFactory, Numbering, OPEN_STATES, wall, type EnforcementTableRow } from './rows.js';

export const ENFORCEMENT_TABLE = '案件信息';
export const OUTAGE_MODES = ['lock', 'terminate', 'revoke'] as const;
export type OutageMode = (typeof OUTAGE_MODES)[number];

export interface EnforcementDatabaseOptions {
  /** Server URL, mysql://user:password@host:port (a path, if any, is ignored). */
  serverUrl: string;
  database: string;
  seed: number;
  readerPassword?: string;
}

export interface EnforcementStats {
  rows: number;
  open: number;
  maxUpdatedAt: string | null;
  byStatus: Record<string, number>;
  steps: number;
  created: number;
  outage: { mode: OutageMode; until: string } | null;
}

const DDL = (table: string) => `CREATE TABLE IF NOT EXISTS \`${table}\` (
  \`案件编号\` VARCHAR(20) NOT NULL,
  \`立案号\` VARCHAR(64) NULL,
  \`案件来源\` VARCHAR(20) NOT NULL,
  \`案由编码\` VARCHAR(8) NOT NULL,
  \`案由名称\` VARCHAR(100) NOT NULL,
  \`当事人类型\` VARCHAR(10) NOT NULL DEFAULT '未查明',
  \`当事人名称\` VARCHAR(200) NULL,
  \`统一社会信用代码\` VARCHAR(40) NULL,
  \`法定代表人\` VARCHAR(50) NULL,
  \`证件号码\` VARCHAR(40) NULL,
  \`联系电话\` VARCHAR(40) NULL,
  \`案发地址\` VARCHAR(500) NOT NULL,
  \`所属乡镇\` VARCHAR(50) NULL,
  \`所属村社区\` VARCHAR(50) NULL,
  \`行政区划代码\` CHAR(12) NULL,
  \`经度\` DECIMAL(11,7) NULL,
  \`纬度\` DECIMAL(10,7) NULL,
  \`发现时间\` DATETIME NOT NULL,
  \`登记时间\` DATETIME NOT NULL,
  \`案件状态\` VARCHAR(20) NOT NULL,
  \`承办中队\` VARCHAR(50) NULL,
  \`执法人员\` VARCHAR(100) NULL,
  \`案情简述\` TEXT NOT NULL,
  \`处罚决定书文号\` VARCHAR(64) NULL,
  \`罚款金额\` DECIMAL(12,2) NULL,
  \`立案时间\` DATETIME NULL,
  \`处罚决定时间\` DATETIME NULL,
  \`结案时间\` DATETIME NULL,
  \`更新时间\` DATETIME NOT NULL,
  PRIMARY KEY (\`案件编号\`),
  KEY \`idx_gxsj\` (\`更新时间\`, \`案件编号\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci`;

export class EnforcementDatabase {
  readonly db: Knex;
  readonly reader: string;
  private readonly factory: CaseFactory;
  private open = new Set<string>();
  private steps = 0;
  private created = 0;
  private outageState: { mode: OutageMode; until: number; end: () => Promise<void>; timer: NodeJS.Timeout } | undefined;
  private readerReady = false;
  private readonly server: URL;
  /** The county reaches the database through this link (a relay the simulator can cut). */
  readonly link: DatabaseLink;

  constructor(private readonly opts: EnforcementDatabaseOptions) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,50}$/.test(opts.database)) throw new Error(`--database must be letters, digits and _, got "${opts.database}"`);
    this.server = new URL(opts.serverUrl);
    this.server.pathname = '';
    this.link = new DatabaseLink({ host: this.server.hostname, port: Number(this.server.port || 3306) });
    this.db = this.connect(opts.database);
    this.reader = `${opts.database}_reader`.slice(0, 80);
    this.factory = new CaseFactory(Rng.derive(opts.seed, 'enforcement-simulator'), new Numbering());
  }

  private connect(database?: string): Knex {
    return knexFactory({
      client: 'mysql2',
      connection: { uri: `${this.server.toString().replace(/\/$/, '')}/${database ?? ''}`, dateStrings: true, charset: 'utf8mb4' } as Knex.MySql2ConnectionConfig,
      pool: {
        min: 0,
        max: 4,
        // the system writes Shanghai wall times: NOW() in +08:00
        afterCreate: (conn: { query: (sql: string, cb: (err: Error | null) => void) => void }, done: (err: Error | null, conn: unknown) => void) => {
          conn.query("SET time_zone = '+08:00'", (err) => done(err, conn));
        },
      },
    });
  }

  get table(): string {
    return ENFORCEMENT_TABLE;
  }

  /** Connection URL (without credentials) of the database, for logs. */
  get where(): string {
    return `${this.server.host}/${this.opts.database}`;
  }

  /** Creates the database and the table (dropping an old table unless `keep`); loads open cases and numbering. */
  async setup(keep: boolean): Promise<{ existing: number }> {
    const admin = this.connect();
    try {
      await admin.raw('CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci', [this.opts.database]);
    } finally {
      await admin.destroy();
    }
    if (!keep) await this.db.raw('DROP TABLE IF EXISTS ??', [ENFORCEMENT_TABLE]);
    await this.db.raw(DDL(ENFORCEMENT_TABLE));
    return { existing: await this.reload() };
  }

  private async reload(): Promise<number> {
    const rows = (await this.db.from(ENFORCEMENT_TABLE).select('案件编号', '立案号', '处罚决定书文号', '案件状态')) as Array<Pick<EnforcementTableRow, '案件编号' | '立案号' | '处罚决定书文号' | '案件状态'>>;
    this.open = new Set();
    for (const r of rows) {
      this.factory.numbering.observe(r);
      if (OPEN_STATES.includes(r.案件状态)) this.open.add(r.案件编号);
    }
    return rows.length;
  }

  /**
   * The read-only account: SELECT on the case table only. Returns the connector's URL — through
   * the link when `linkPort` is given — or null when the server does not let us create accounts.
   */
  async ensureReader(linkPort?: number): Promise<string | null> {
    const password = this.opts.readerPassword ?? '';
    try {
      await this.db.raw("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", [this.reader, password]);
      await this.db.raw("GRANT SELECT ON ??.?? TO ?@'%'", [this.opts.database, ENFORCEMENT_TABLE, this.reader]);
    } catch {
      return null;
    }
    this.readerReady = true;
    const url = new URL(this.server.toString());
    url.username = this.reader;
    url.password = password;
    url.pathname = `/${this.opts.database}`;
    if (linkPort !== undefined) {
      url.hostname = '127.0.0.1';
      url.port = String(linkPort);
    }
    return url.toString();
  }

  /** URL with the simulator's own (owner) account (through the link when `linkPort` is given). */
  ownerUrl(linkPort?: number): string {
    const url = new URL(this.server.toString());
    url.pathname = `/${this.opts.database}`;
    if (linkPort !== undefined) {
      url.hostname = '127.0.0.1';
      url.port = String(linkPort);
    }
    return url.toString();
  }

  async insert(rows: EnforcementTableRow[]): Promise<number> {
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      await this.db.into(ENFORCEMENT_TABLE).insert(chunk).onConflict('案件编号').merge();
    }
    for (const r of rows) {
      this.factory.numbering.observe(r);
      if (OPEN_STATES.includes(r.案件状态)) this.open.add(r.案件编号);
      else this.open.delete(r.案件编号);
    }
    return rows.length;
  }

  /** `n` historic cases registered over the last days, at every stage of the procedure. */
  generate(n: number, now = Date.now()): EnforcementTableRow[] {
    const days = Math.max(1, Math.ceil(n / 300));
    const start = now - days * 86_400_000;
    const notAfter = now - 10 * 60_000;
    const rng = Rng.derive(this.opts.seed, 'enforcement-history');
    const times = Array.from({ length: n }, () => start + Math.floor(rng.next() * (notAfter - start))).sort((a, b) => a - b);
    return times.map((t) => this.factory.history(t, rng.int(0, 8), notAfter));
  }

  private async now(): Promise<string> {
    const [rows] = (await this.db.raw("SELECT DATE_FORMAT(NOW(), '%Y-%m-%d %H:%i:%s') AS t")) as [Array<{ t: string }>];
    return (rows[0] as { t: string }).t;
  }

  /** Moves `n` random open cases one step along the procedure, each stamped with the database's time. */
  async advance(n: number): Promise<Array<{ id: string; status: string }>> {
    const out: Array<{ id: string; status: string }> = [];
    for (let i = 0; i < n && this.open.size > 0; i++) {
      const ids = [...this.open];
      const id = ids[Math.floor(Math.random() * ids.length)] as string;
      const row = (await this.db.from(ENFORCEMENT_TABLE).where({ 案件编号: id }).first('案件状态', '当事人类型')) as Pick<EnforcementTableRow, '案件状态' | '当事人类型'> | undefined;
      const at = await this.now();
      const patch = row ? this.factory.advance(row, at) : null;
      if (!patch) {
        this.open.delete(id);
        continue;
      }
      await this.db.table(ENFORCEMENT_TABLE).where({ 案件编号: id }).update({ ...patch, 更新时间: at });
      this.steps += 1;
      const status = patch.案件状态 ?? row!.案件状态;
      if (!OPEN_STATES.includes(status)) this.open.delete(id);
      out.push({ id, status });
    }
    return out;
  }

  /** `n` new clues registered now. */
  async create(n: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const row = this.factory.create(await this.now());
      await this.insert([row]);
      this.created += 1;
      out.push(row.案件编号);
    }
    return out;
  }

  async stats(): Promise<EnforcementStats> {
    const [agg] = (await this.db.raw("SELECT COUNT(*) AS n, DATE_FORMAT(MAX(??), '%Y-%m-%d %H:%i:%s') AS t FROM ??", ['更新时间', ENFORCEMENT_TABLE])) as [Array<{ n: number; t: string | null }>];
    const [by] = (await this.db.raw('SELECT ?? AS s, COUNT(*) AS n FROM ?? GROUP BY ??', ['案件状态', ENFORCEMENT_TABLE, '案件状态'])) as [Array<{ s: string; n: number }>];
    const o = this.outageState;
    return {
      rows: Number(agg[0]?.n ?? 0),
      open: this.open.size,
      maxUpdatedAt: agg[0]?.t ?? null,
      byStatus: Object.fromEntries(by.map((r) => [r.s, Number(r.n)])),
      steps: this.steps,
      created: this.created,
      outage: o ? { mode: o.mode, until: new Date(o.until).toISOString() } : null,
    };
  }

  async outage(mode: OutageMode, ms: number): Promise<{ mode: OutageMode; until: string }> {
    await this.endOutage();
    if (mode === 'revoke' && !this.readerReady) throw new Error(`outage "${mode}" needs the read-only account, which this server did not let the simulator create`);
    let end: () => Promise<void>;
    if (mode === 'lock') {
      const conn = await mysql.createConnection({ uri: this.ownerUrl(), charset: 'utf8mb4' });
      await conn.query(`LOCK TABLES \`${ENFORCEMENT_TABLE}\` WRITE`);
      end = async () => {
        await conn.query('UNLOCK TABLES').catch(() => undefined);
        await conn.end().catch(() => undefined);
      };
    } else if (mode === 'terminate') {
      const kill = async () => {
        if (!this.readerReady) return;
        const [rows] = (await this.db.raw('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ?', [this.reader])) as [Array<{ id: number }>];
        for (const r of rows) await this.db.raw(`KILL CONNECTION ${Number(r.id)}`).catch(() => undefined);
      };
      this.link.cut();
      await kill();
      end = async () => this.link.restore();
    } else {
      await this.db.raw("REVOKE SELECT ON ??.?? FROM ?@'%'", [this.opts.database, ENFORCEMENT_TABLE, this.reader]);
      end = async () => {
        await this.db.raw("GRANT SELECT ON ??.?? TO ?@'%'", [this.opts.database, ENFORCEMENT_TABLE, this.reader]);
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

  /** Drops the database and the read-only account (test runs). */
  async drop(): Promise<void> {
    await this.endOutage().catch(() => undefined);
    await this.db.raw('DROP DATABASE IF EXISTS ??', [this.opts.database]);
    if (this.readerReady) await this.db.raw("DROP USER IF EXISTS ?@'%'", [this.reader]).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.endOutage().catch(() => undefined);
    await this.link.close();
    await this.db.destroy();
  }
}

/** A database name for one run: enforcement_<8 hex>. */
export function randomDatabaseName(): string {
  return `enforcement_${randomBytes(4).toString('hex')}`;
}

export { wall };
