/**
 * The generic HTTP sources against a platform that speaks what many provincial systems speak:
 * paged XML in GBK (declared only in the XML declaration), a SOAP-style envelope with namespaces,
 * `since=yyyyMMddHHmmss` (any other form gets 200 with no rows), a fixed X-App-Key header, one row
 * on the last page (XML has no arrays), Chinese date-times. No custom source code is involved.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamRejectedError, UpstreamUnavailableError } from '../../../core/errors.js';
import { formatParam, HttpPollSource, type HttpPollCursor, type HttpPollSettings } from '../../../connectors/sources/http-poll.js';

const KEY = 'housing-app-key-7f3a';
interface Site {
  id: string;
  title: string;
  updated: number; // epoch ms
}
const sites: Site[] = [];
const T0 = Date.UTC(2026, 10, 23, 1, 30, 0); // 2026-11-23 09:30:00 in Shanghai
for (let i = 0; i < 23; i++) sites.push({ id: `JZ${String(i + 1).padStart(4, '0')}`, title: `工地夜间施工扰民投诉 第${i + 1}件（渣土车抛洒）`, updated: T0 + Math.floor(i / 2) * 60_000 });
const asked: string[] = [];
let mode: 'xml' | 'html' | 'json' = 'xml';

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
  app.get<{ Querystring: { since?: string; pageNo?: string; pageSize?: string } }>('/ws/complaints', async (req, reply) => {
    if (req.headers['x-app-key'] !== KEY) return reply.code(401).send('unauthorised');
    const { since = '', pageNo = '1', pageSize = '10' } = req.query;
    asked.push(since);
    if (mode === 'html') return reply.type('text/html').send('<h1>502 Bad Gateway</h1>'); // a bare fragment is well-formed XML too
    if (mode === 'json') return reply.type('application/json').send({ rows: [] });
    // the quirk: a since in any other form is not an error, just no rows
    const from = /^\d{14}$/.test(since) ? parseSince(since) : Number.POSITIVE_INFINITY;
    const matching = sites.filter((s) => s.updated >= from).sort((a, b) => a.updated - b.updated || a.id.localeCompare(b.id));
    const size = Number(pageSize);
    const page = matching.slice((Number(pageNo) - 1) * size, Number(pageNo) * size);
    const rows = page.map((s) => `<ns2:row><ns2:id>${s.id}</ns2:id><ns2:title>${s.title}</ns2:title><ns2:status>01</ns2:status><ns2:updated>${wall(s.updated)}</ns2:updated></ns2:row>`).join('');
    const xml = `<?xml version="1.0" encoding="GBK"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns2="http://zjj.example/ws"><soap:Body><ns2:result><ns2:code>0</ns2:code><ns2:rows>${rows}</ns2:rows></ns2:result></soap:Body></soap:Envelope>`;
    return reply.type('text/xml').send(iconv.encode(xml, 'gbk')); // no charset in the header
  });
  url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/ws/complaints`;
});
afterAll(async () => {
  await app.close();
});

const settings = (over: Partial<HttpPollSettings> = {}): HttpPollSettings => ({
  kind: 'http-poll',
  url,
  auth: { type: 'headers', headers: { 'X-App-Key': KEY } },
  format: 'xml',
  pagination: { style: 'page', pageParam: 'pageNo', sizeParam: 'pageSize', size: 10, firstPage: 1 },
  incremental: { param: 'since', field: 'updated', initial: '2026年11月01日 00时00分', paramFormat: 'yyyyMMddHHmmss' },
  idField: 'id',
  recordsPath: 'Envelope.Body.result.rows.row',
  bodyStatus: { path: 'Envelope.Body.result.code', ok: ['0'] },
  ...over,
});

async function readAll(source: HttpPollSource, cursor?: HttpPollCursor) {
  const out: Array<Record<string, string>> = [];
  let c = cursor;
  for (let i = 0; i < 50; i++) {
    const page = await source.nextPage(c, new AbortController().signal);
    out.push(...page.records.map((r) => r.payload as Record<string, string>));
    c = JSON.parse(JSON.stringify(page.cursor)) as HttpPollCursor;
    if (!page.hasMore) break;
  }
  return { out, cursor: c! };
}

describe('generic HTTP poll: XML in GBK, a formatted since parameter, static headers', () => {
  it('reads every complaint once, Chinese text intact, codes kept as text, a one-row page included', async () => {
    mode = 'xml';
    const source = new HttpPollSource(settings());
    const { out, cursor } = await readAll(source);
    expect(out.map((r) => r.id)).toEqual(sites.map((s) => s.id));
    expect(out[0]).toMatchObject({ id: 'JZ0001', title: '工地夜间施工扰民投诉 第1件（渣土车抛洒）', status: '01' });
    expect(asked.every((s) => /^\d{14}$/.test(s))).toBe(true);
    // a later complaint alone on its page (one <row>, not a list) is read too, and nothing again
    sites.push({ id: 'JZ9999', title: '塔吊夜间作业噪声', updated: T0 + 3600_000 });
    const next = await readAll(source, cursor);
    expect(next.out.map((r) => r.id)).toEqual(['JZ9999']);
    expect(asked.at(-1)).toBe('20261123094100'); // asked from the newest time read before, 09:41
    const head = await source.nextPage(next.cursor, new AbortController().signal);
    expect(head.records).toEqual([]);
    expect(asked.at(-1)).toBe('20261123103000'); // and now from 10:30, in the platform's form
  });

  it('without the parameter format the platform answers no rows (why the setting exists)', async () => {
    mode = 'xml';
    const { out } = await readAll(new HttpPollSource(settings({ incremental: { param: 'since', field: 'updated', initial: '2026年11月01日 00时00分' } })));
    expect(out).toEqual([]);
    expect(formatParam('2026年11月23日 09时30分', T0, 'yyyyMMddHHmmss')).toBe('20261123093000');
    expect(formatParam('x', T0, 'epoch-s')).toBe(String(T0 / 1000));
    expect(formatParam('x', T0, 'iso')).toBe('2026-11-23T09:30:00+08:00');
  });

  it('a body that is not the declared format: XML where JSON is declared is refused with what to set; an HTML error page is retried', async () => {
    mode = 'xml';
    const asJson = new HttpPollSource(settings({ format: 'json' }));
    const refused = await asJson.nextPage(undefined, new AbortController().signal).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UpstreamRejectedError);
    expect((refused as Error).message).toMatch(/answered XML, but the connector expects JSON: set source.format to "xml"/);
    mode = 'json';
    const jsonWhereXml = await new HttpPollSource(settings()).nextPage(undefined, new AbortController().signal).catch((e: unknown) => e);
    expect(jsonWhereXml).toBeInstanceOf(UpstreamRejectedError);
    mode = 'html';
    for (const format of ['xml', 'json'] as const) {
      const html = await new HttpPollSource(settings({ format })).nextPage(undefined, new AbortController().signal).catch((e: unknown) => e);
      expect(html, format).toBeInstanceOf(UpstreamUnavailableError); // a proxy's error page passes: retried
    }
  });

  it('without the platform header: 401, refused (credentials), not retried', async () => {
    mode = 'xml';
    const err = await new HttpPollSource(settings({ auth: { type: 'none' } })).nextPage(undefined, new AbortController().signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamRejectedError);
    expect((err as Error).message).toMatch(/HTTP 401/);
  });
});
