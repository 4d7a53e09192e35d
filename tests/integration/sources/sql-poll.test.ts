/**
 * The sql-poll source against the real PostgreSQL of the test stack and the real MariaDB on
 * 127.0.0.1:3306. Each run works in a schema/database of its own and drops it afterwards.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, UpstreamRejectedError, UpstreamUnavailableError } from '../../../core/errors.js';
import { SqlPollSource, validateSqlPollSettings, type SqlPollCursor, type SqlPollSettings } from '../../../connectors/sources/sql-poll.js';
import { TcpFaultProxy } from '../../../stack/tcp-fault-proxy.js';

const signal = new AbortController().signal;
const MYSQL_SERVER = 'mysql://root@127.0.0.1:3306';

interface Backend {
  name: string;
  client: 'pg' | 'mysql2';
  /** Column type of the main tests (microsecond precision). */
  timeType: string;
  /** A second time type: PostgreSQL timestamp without zone / MySQL DATETIME (seconds). */
  coarseType: string;
  coarseStepUs: number;
  now: string;
  /** Wall-time literal of a time column value. */
  literal: (wall: string) => string;
  /** What the cursor shows for that wall time. */
  cursorText: (wall: string, noZone?: boolean) => string;
  setup: () => Promise<{ admin: Knex; url: string; schema?: string; teardown: () => Promise<void> }>;
  timeZone?: string;
}

const backends: Backend[] = [
  {
    name: 'PostgreSQL',
    client: 'pg',
    timeType: 'timestamptz(6)',
    coarseType: 'timestamp(6)',
    coarseStepUs: 1,
    now: 'now()',
    literal: (wall) => `${wall}+08`,
    cursorText: (wall, noZone) => `${wall.replace(' ', 'T')}${noZone ? '' : '+08:00'}`,
    timeZone: '+08:00',
    setup: async () => {
      const url = inject('stack').databaseUrl;
      const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 4 } });
      const schema = `sqlpoll_${randomBytes(4).toString('hex')}`;
      await admin.raw('CREATE SCHEMA ??', [schema]);
      return {
        admin,
        url,
        schema,
        teardown: async () => {
          await admin.raw('DROP SCHEMA ?? CASCADE', [schema]);
          await admin.destroy();
        },
      };
    },
  },
  {
    name: 'MariaDB',
    client: 'mysql2',
    timeType: 'DATETIME(6)',
    coarseType: 'DATETIME',
    coarseStepUs: 1_000_000,
    now: 'NOW(6)',
    literal: (wall) => wall,
    cursorText: (wall) => wall.replace(' ', 'T'),
    setup: async () => {
      const db = `sqlpoll_${randomBytes(4).toString('hex')}`;
      const server = knexFactory({ client: 'mysql2', connection: MYSQL_SERVER, pool: { min: 0, max: 1 } });
      await server.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4', [db]);
      await server.destroy();
      const url = `${MYSQL_SERVER}/${db}`;
      const admin = knexFactory({ client: 'mysql2', connection: { uri: url, dateStrings: true } as Knex.MySql2ConnectionConfig, pool: { min: 0, max: 4 } });
      return {
        admin,
        url,
        teardown: async () => {
          await admin.raw('DROP DATABASE ??', [db]);
          await admin.destroy();
        },
      };
    },
  },
];

/** Wall time `us` microseconds after 2025-03-01 00:00:00, as "YYYY-MM-DD HH:MM:SS.ffffff". */
function wall(us: number): string {
  const base = Date.UTC(2025, 2, 1) * 1000 + us;
  const seconds = Math.floor(base / 1_000_000);
  const text = new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
  return `${text}.${String(base % 1_000_000).padStart(6, '0')}`;
}

const HOUR = 3600 * 1_000_000;

/**
 * 5,000 rows: ids 1–2000 one microsecond apart (a thousand per millisecond: a cursor truncated to
 * milliseconds re-reads or skips them), ids 2001–3000 all at one timestamp, ids 3001–5000 a
 * second apart. Update time therefore grows with id.
 */
function timeOf(id: number): number {
  if (id <= 2000) return 8 * HOUR + id;
  if (id <= 3000) return 9 * HOUR + 123_456;
  return 10 * HOUR + (id - 3000) * 1_000_000 + 500;
}

describe.each(backends)('sql-poll on $name', (b) => {
  let admin: Knex;
  let url: string;
  let schema: string | undefined;
  let prefix = '';
  let teardown: () => Promise<void>;
  const sources: SqlPollSource[] = [];
  let tableNo = 0;

  beforeAll(async () => {
    ({ admin, url, schema, teardown } = await b.setup());
    prefix = schema ? `${schema}.` : '';
  });

  afterAll(async () => {
    await Promise.all(sources.map((s) => s.close()));
    await teardown?.();
  });

  function source(table: string, extra: Partial<SqlPollSettings> = {}, connection = url): SqlPollSource {
    const s = new SqlPollSource({
      kind: 'sql-poll',
      client: b.client,
      connection,
      table,
      updatedAtColumn: 'updated_at',
      idColumn: 'id',
      pageSize: 300,
      safetyLagMs: 1000,
      queryTimeoutMs: 5000,
      ...(b.timeZone ? { timeZone: b.timeZone } : {}),
      ...extra,
    });
    sources.push(s);
    return s;
  }

  const ddl = () => (schema ? admin.schema.withSchema(schema) : admin.schema);

  async function createTable(rows: number, timeType = b.timeType, time = (id: number) => wall(timeOf(id))): Promise<string> {
    const name = `events_${++tableNo}`;
    const table = `${prefix}${name}`;
    await ddl().createTable(name, (t) => {
      t.integer('id').primary();
      t.integer('v').notNullable().defaultTo(1);
      t.string('title', 100);
      t.specificType('updated_at', `${timeType} NOT NULL`);
    });
    const ids = Array.from({ length: rows }, (_, i) => i + 1).sort(() => Math.random() - 0.5); // physical order ≠ keyset order
    const data = ids.map((id) => ({ id, title: `网格事件 第${id}号（测试）`, updated_at: b.literal(time(id)) }));
    await admin.batchInsert(table, data, 500);
    return table;
  }

  /** Reads until the source has nothing ready, round-tripping the cursor through JSON each page. */
  async function drain(src: SqlPollSource, start?: SqlPollCursor): Promise<{ rows: Array<Record<string, unknown>>; cursor: SqlPollCursor | undefined; pages: number }> {
    let cursor = start;
    const rows: Array<Record<string, unknown>> = [];
    let pages = 0;
    for (;;) {
      const page = await src.nextPage(cursor, signal);
      pages++;
      for (const r of page.records) {
        expect(r.id).toBe(String((r.payload as { id: unknown }).id));
        expect(JSON.parse(r.raw)).toEqual(JSON.parse(JSON.stringify(r.payload)));
        rows.push(r.payload as Record<string, unknown>);
      }
      cursor = JSON.parse(JSON.stringify(page.cursor)) as SqlPollCursor;
      expect(cursor).toEqual(page.cursor);
      if (!page.hasMore) return { rows, cursor, pages };
    }
  }

  it('reads 5,000 rows exactly once across pages, 1,000 of them sharing one timestamp, with microsecond-exact cursors', async () => {
    const table = await createTable(5000);
    const { rows, cursor, pages } = await drain(source(table));
    expect(rows).toHaveLength(5000);
    expect(rows.map((r) => Number(r.id))).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    expect(pages).toBe(17);
    expect(cursor).toEqual({ updatedAt: b.cursorText(wall(timeOf(5000))), id: '5000' });
    // payload times are ISO text, microseconds intact, the same shape on both databases
    const r1500 = rows[1499] as { updated_at: string; title: string };
    expect(r1500.updated_at).toBe(b.cursorText(wall(timeOf(1500))));
    expect(r1500.title).toBe('网格事件 第1500号（测试）');
  });

  it('continues exactly from a saved cursor after a restart (inside the shared timestamp)', async () => {
    const table = await createTable(5000);
    const first = source(table, { pageSize: 700 });
    let cursor: SqlPollCursor | undefined;
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      const page = await first.nextPage(cursor, signal);
      seen.push(...page.records.map((r) => Number(r.id)));
      cursor = page.cursor;
    }
    const saved = JSON.stringify(cursor);
    await first.close();
    expect(JSON.parse(saved)).toEqual({ updatedAt: b.cursorText(wall(timeOf(2800))), id: '2800' }); // mid-group

    const second = source(table, { pageSize: 700 });
    const rest = await drain(second, JSON.parse(saved) as SqlPollCursor);
    const all = [...seen, ...rest.rows.map((r) => Number(r.id))];
    expect(all).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
  });

  it('delivers rows updated while reading again with their new version, and skips none', async () => {
    const table = await createTable(5000);
    const src = source(table, { pageSize: 500 });
    const versions = new Map<number, number[]>();
    const note = (rows: Array<Record<string, unknown>>) => {
      for (const r of rows) {
        const id = Number(r.id);
        versions.set(id, [...(versions.get(id) ?? []), Number(r.v)]);
      }
    };
    let cursor: SqlPollCursor | undefined;
    for (let i = 0; i < 3; i++) {
      const page = await src.nextPage(cursor, signal);
      note(page.records.map((r) => r.payload as Record<string, unknown>));
      cursor = page.cursor;
    }
    const read = [1, 2, 3, 4, 5, 1499, 1500];
    const unreadSharedTime = [2500, 2501, 2502, 2503, 2504];
    const unread = [4000, 4001, 4002];
    const updated = [...read, ...unreadSharedTime, ...unread];
    await admin(table).whereIn('id', updated).update({ v: 2, updated_at: admin.raw(b.now) });
    await admin(table).insert([5001, 5002, 5003].map((id) => ({ id, title: `新增 ${id}`, updated_at: admin.raw(b.now) })));

    const rest = await drain(src, cursor);
    note(rest.rows);
    await sleep(1300); // the safety lag passes for the rows just written
    const late = await drain(src, rest.cursor);
    note(late.rows);

    for (let id = 1; id <= 5003; id++) {
      const expected = read.includes(id) ? [1, 2] : updated.includes(id) ? [2] : [1];
      expect(versions.get(id), `row ${id}`).toEqual(expected);
    }
    expect([...versions.values()].flat()).toHaveLength(5003 + read.length);
  });

  it('keeps a row committed late with an earlier update time thanks to the safety lag (and shows the hole without it)', async () => {
    const scenario = async (lagMs: number): Promise<string[]> => {
      const name = `late_${++tableNo}`;
      const table = `${prefix}${name}`;
      await ddl().createTable(name, (t) => {
        t.integer('id').primary();
        t.string('title', 50);
        t.specificType('updated_at', `${b.timeType} NOT NULL`);
      });
      const src = source(table, { safetyLagMs: lagMs });
      const trx = await admin.transaction();
      await trx(table).insert({ id: 1, title: 'stamped first, committed last', updated_at: trx.raw(b.now) });
      await sleep(300);
      await admin(table).insert({ id: 2, title: 'stamped later, committed at once', updated_at: admin.raw(b.now) });
      const delivered: string[] = [];
      const first = await src.nextPage(undefined, signal);
      delivered.push(...first.records.map((r) => r.id as string));
      await trx.commit();
      await sleep(lagMs + 500);
      const rest = await drain(src, first.cursor);
      delivered.push(...rest.rows.map((r) => String(r.id)));
      return delivered;
    };
    expect(await scenario(0)).toEqual(['2']); // the hole: row 1 became visible behind the cursor
    expect(await scenario(1500)).toEqual(['1', '2']);
  });

  it(`reads ${b.coarseType} columns exactly, including many rows per ${b.client === 'pg' ? 'millisecond' : 'second'}`, async () => {
    // 30 rows, ten per step: microseconds (PostgreSQL timestamp without zone) or seconds (DATETIME)
    const step = (id: number) => 12 * HOUR + Math.floor((id - 1) / 10) * b.coarseStepUs;
    const table = await createTable(30, b.coarseType, (id) => wall(step(id)));
    const src = source(table, { pageSize: 4 });
    const { rows, cursor } = await drain(src);
    expect(rows.map((r) => Number(r.id))).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(cursor).toEqual({ updatedAt: b.cursorText(wall(step(30)), true), id: '30' });
    // the initial setting reads from a time on, inclusive
    const from = source(table, { pageSize: 4, initial: b.cursorText(wall(step(21)), true) });
    expect((await drain(from)).rows.map((r) => Number(r.id))).toEqual(Array.from({ length: 10 }, (_, i) => i + 21));
  });

  it('names the setting to fix when a column or the table does not exist, and does not retry', async () => {
    const table = await createTable(3);
    const attempts: Array<[Partial<SqlPollSettings>, RegExp]> = [
      [{ updatedAtColumn: 'updated_att' }, /updated_att.*source\.updatedAtColumn/s],
      [{ idColumn: 'event_id' }, /event_id.*source\.idColumn/s],
      [{ columns: ['id', 'titel', 'updated_at'] }, /titel.*source\.columns\.1/s],
      [{ table: `${prefix}no_such_table` }, /no_such_table.*source\.table/s],
    ];
    for (const [extra, message] of attempts) {
      const err = await source(table, extra).nextPage(undefined, signal).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UpstreamRejectedError);
      expect((err as UpstreamRejectedError).retriable).toBe(false);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('reports a database that is down as retriable, and resumes where it stopped when it is back', async () => {
    const table = await createTable(900);
    const target = new URL(url);
    const proxy = new TcpFaultProxy(target.hostname, Number(target.port || (b.client === 'pg' ? 5432 : 3306)));
    const port = await proxy.start();
    const via = new URL(url);
    via.hostname = '127.0.0.1';
    via.port = String(port);
    const src = source(table, { queryTimeoutMs: 3000 }, via.toString());
    try {
      const first = await src.nextPage(undefined, signal);
      expect(first.records).toHaveLength(300);
      await proxy.stop();
      const down = await src.nextPage(first.cursor, signal).catch((e: unknown) => e);
      expect(down).toBeInstanceOf(UpstreamUnavailableError);
      expect((down as UpstreamUnavailableError).retriable).toBe(true);
      expect((down as Error).message).toMatch(/127\.0\.0\.1/);
      await proxy.start();
      const rest = await drain(src, first.cursor);
      expect(rest.rows.map((r) => Number(r.id))).toEqual(Array.from({ length: 600 }, (_, i) => i + 301));
    } finally {
      await proxy.stop();
    }
    // nothing listening at all
    const closed = new URL(url);
    closed.hostname = '127.0.0.1';
    closed.port = String(port);
    const err = await source(table, { queryTimeoutMs: 3000 }, closed.toString()).nextPage(undefined, signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect((err as UpstreamUnavailableError).retriable).toBe(true);
  });
});

describe('sql-poll settings', () => {
  const base: SqlPollSettings = { kind: 'sql-poll', client: 'pg', connection: 'postgres://u@h:5432/db', table: 'grid.v_events', updatedAtColumn: 'updated_at', idColumn: 'id' };
  it.each<[Partial<SqlPollSettings>, string]>([
    [{ client: 'oracle' as 'pg' }, 'source.client'],
    [{ connection: 'mysql://u@h/db' }, 'source.connection'],
    [{ connection: 'postgres://u@h:5432' }, 'source.connection'],
    [{ table: 'a.b.c' }, 'source.table'],
    [{ updatedAtColumn: '' }, 'source.updatedAtColumn'],
    [{ columns: ['id', 't.x'] }, 'source.columns.1'],
    [{ pageSize: 0 }, 'source.pageSize'],
    [{ safetyLagMs: -1 }, 'source.safetyLagMs'],
    [{ initial: 'yesterday' }, 'source.initial'],
    [{ client: 'mysql2', connection: 'mysql://u@h/db', initial: '2026-01-01T00:00:00+08:00' }, 'source.initial'],
  ])('rejects %j naming %s', (patch, field) => {
    let err: unknown;
    try {
      validateSqlPollSettings({ ...base, ...patch });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe(field);
  });
});
