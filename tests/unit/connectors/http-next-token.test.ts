/**
 * The issue-18 housing platform read by the generic HTTP poll with settings only: paged XML in GBK
 * with `nextPageToken`, `since=yyyyMMddHHmmss` (any other form gets 200 with no rows), an X-App-Key
 * header, Chinese date-times, many complaints sharing one minute (more than a page). No stack.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isRetriable } from '../../../core/errors.js';
import { HttpPollSource, SinceParameterRejectedError, type HttpPollCursor, type HttpPollSettings } from '../../../connectors/sources/http-poll.js';
import { createSource } from '../../../connectors/sources/index.js';

const KEY = 'zjj-app-key-1';
interface Site {
  id: string;
  updated: number;
}
let sites: Site[] = [];
const T0 = Date.UTC(2026, 10, 23, 1, 30, 0); // 2026-11-23 09:30 Shanghai
const asked: Array<{ since: string; token?: string }> = [];

const wall = (ms: number) => {
  const d = new Date(ms + 8 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}年${p(d.getUTCMonth() + 1)}月${p(d.getUTCDate())}日 ${p(d.getUTCHours())}时${p(d.getUTCMinutes())}分`;
};
const parseSince = (s: string) => Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10) - 8, +s.slice(10, 12), +s.slice(12, 14));

let app: FastifyInstance;
let url: string;
beforeAll(async () => {
  app = Fastify();
  app.get<{ Querystring: { since?: string; pageToken?: string; pageSize?: string } }>('/zjj/gdts', async (req, reply) => {
    if (req.headers['x-app-key'] !== KEY) return reply.code(401).send('unauthorised');
    const { since = '', pageToken, pageSize = '5' } = req.query;
    asked.push({ since, ...(pageToken ? { token: pageToken } : {}) });
    const from = /^\d{14}$/.test(since) ? parseSince(since) : Number.POSITIVE_INFINITY; // the quirk
    const matching = sites.filter((s) => s.updated >= from).sort((a, b) => a.updated - b.updated || a.id.localeCompare(b.id));
    const offset = pageToken ? Number(Buffer.from(pageToken, 'base64url').toString()) : 0;
    const size = Number(pageSize);
    const page = matching.slice(offset, offset + size);
    const next = offset + size < matching.length ? Buffer.from(String(offset + size)).toString('base64url') : '';
    const rows = page.map((s) => `<row><gdbh>${s.id}</gdbh><nr>工地夜间施工噪声扰民</nr><zt>01</zt><gxsj>${wall(s.updated)}</gxsj></row>`).join('');
    const xml = `<?xml version="1.0" encoding="GBK"?><response><code>0</code><nextPageToken>${next}</nextPageToken><rows>${rows}</rows></response>`;
    return reply.type('text/xml').send(iconv.encode(xml, 'gbk'));
  });
  url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/zjj/gdts`;
});
afterAll(async () => {
  await app.close();
});
beforeEach(() => {
  asked.length = 0;
  sites = [];
  // 4 complaints at 09:30, then 13 sharing 09:31 (more than two pages of 5), then 6 one a minute
  for (let i = 0; i < 4; i++) sites.push({ id: `A${i}`, updated: T0 });
  for (let i = 0; i < 13; i++) sites.push({ id: `B${String(i).padStart(2, '0')}`, updated: T0 + 60_000 });
  for (let i = 0; i < 6; i++) sites.push({ id: `C${i}`, updated: T0 + (2 + i) * 60_000 });
});

const settings = (over: Partial<HttpPollSettings['incremental']> = {}): HttpPollSettings => ({
  kind: 'http-poll',
  url,
  auth: { type: 'headers', headers: { 'X-App-Key': KEY } },
  format: 'xml',
  pagination: { style: 'next-token', tokenParam: 'pageToken', tokenPath: 'response.nextPageToken', sizeParam: 'pageSize', size: 5 },
  incremental: { param: 'since', field: 'gxsj', initial: '2026年11月01日 00时00分', paramFormat: 'yyyyMMddHHmmss', probeSince: '2026-11-23 00:00:00', ...over },
  idField: 'gdbh',
  recordsPath: 'response.rows.row',
  bodyStatus: { path: 'response.code', ok: ['0'] },
});

async function readAll(source: HttpPollSource, cursor?: HttpPollCursor) {
  const ids: string[] = [];
  let c = cursor;
  for (let i = 0; i < 100; i++) {
    const page = await source.nextPage(c, new AbortController().signal);
    ids.push(...page.records.map((r) => (r.payload as { gdbh: string }).gdbh));
    c = JSON.parse(JSON.stringify(page.cursor)) as HttpPollCursor; // as stored in Kafka
    if (!page.hasMore) return { ids, cursor: c };
  }
  throw new Error('the source never reached the head of the listing');
}

describe('generic HTTP poll, next-token paging of a since-query', () => {
  it('chosen by the manifest alone (createSource) and reads every complaint exactly once, across a minute longer than two pages', async () => {
    const source = createSource(settings()) as HttpPollSource;
    expect(source).toBeInstanceOf(HttpPollSource);
    const { ids, cursor } = await readAll(source);
    expect([...ids].sort()).toEqual(sites.map((s) => s.id).sort());
    expect(new Set(ids).size).toBe(ids.length);
    // the since parameter always in the declared form, and the tokens the platform gave were used
    expect(asked.every((a) => /^\d{14}$/.test(a.since))).toBe(true);
    expect(asked.some((a) => a.token !== undefined)).toBe(true);
    // a restart from the stored cursor reads nothing again; a new complaint is read, once
    sites.push({ id: 'D0', updated: T0 + 30 * 60_000 });
    const again = await readAll(new HttpPollSource(settings()), cursor);
    expect(again.ids).toEqual(['D0']);
    expect(again.cursor.since).toBe('2026年11月23日 10时00分');
    await new HttpPollSource(settings()).nextPage(again.cursor, new AbortController().signal);
    expect(asked.at(-1)).toEqual({ since: '20261123100000' }); // the next poll asks from 10:00, in the platform's form
  });

  it('a worker killed mid-minute resumes from its last cursor without losing a complaint', async () => {
    const source = new HttpPollSource(settings());
    const got: string[] = [];
    let c: HttpPollCursor | undefined;
    for (let i = 0; i < 3; i++) {
      const page = await source.nextPage(c, new AbortController().signal);
      got.push(...page.records.map((r) => (r.payload as { gdbh: string }).gdbh));
      c = JSON.parse(JSON.stringify(page.cursor)) as HttpPollCursor;
    }
    expect(c!.token).toBeDefined(); // stopped inside the 09:31 block, on a platform token
    const rest = await readAll(new HttpPollSource(settings()), c);
    expect(new Set([...got, ...rest.ids])).toEqual(new Set(sites.map((s) => s.id)));
  });

  it('the check at start: a since parameter in the wrong form is refused with what to set, not retried', async () => {
    const source = new HttpPollSource(settings({ paramFormat: 'iso' }));
    const err = await source.nextPage(undefined, new AbortController().signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SinceParameterRejectedError);
    expect(isRetriable(err)).toBe(false);
    expect((err as Error).message).toMatch(/since=2026-11-23T00:00:00\+08:00/);
    expect((err as Error).message).toMatch(/incremental\.paramFormat/);
  });

  it('the check at start names a wrong id or update-time field with the fields the records have', async () => {
    const source = new HttpPollSource({ ...settings(), idField: 'id' });
    const err = await source.nextPage(undefined, new AbortController().signal).catch((e: unknown) => e);
    expect(isRetriable(err)).toBe(false);
    expect((err as Error).message).toMatch(/source\.idField "id" is not in the platform's records .*gdbh, nr, zt, gxsj/);
  });

  it('the check runs once per process, then the cursor alone drives the requests', async () => {
    const source = new HttpPollSource(settings());
    await readAll(source);
    const probes = asked.filter((a) => a.since === '20261123000000').length;
    expect(probes).toBe(1);
  });
});
