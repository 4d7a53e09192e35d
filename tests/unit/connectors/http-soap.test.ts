/**
 * A SOAP 1.1 WebService read by the generic HTTP poll (数字化城管 style: queryCases(since, pageNo,
 * pageSize) answering GBK XML): the parameters travel as the operation's elements, every case is read
 * once, a Client fault is a refusal, a Server fault is retried. No stack, no WSDL at run time.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { XMLParser } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRetriable, UpstreamRejectedError, UpstreamUnavailableError } from '../../../core/errors.js';
import { HttpPollSource, type HttpPollCursor, type HttpPollSettings } from '../../../connectors/sources/http-poll.js';

const NS = 'http://szcg.example.gov.cn/ws';
const T0 = Date.UTC(2026, 10, 23, 1, 0); // 09:00 Shanghai
const cases = Array.from({ length: 17 }, (_, i) => ({ id: `CG${String(i + 1).padStart(4, '0')}`, t: T0 + Math.floor(i / 3) * 60_000, stage: ['立案', '派遣', '处置', '核查', '结案'][i % 5]! }));
const calls: Array<Record<string, string>> = [];
let mode: 'ok' | 'server-fault' = 'ok';
const parser = new XMLParser({ removeNSPrefix: true, parseTagValue: false });
const wall = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
const parseSince = (s: string) => Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10) - 8, +s.slice(10, 12), +s.slice(12, 14));
const fault = (code: string, text: string) =>
  `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:${code}</faultcode><faultstring>${text}</faultstring></soap:Fault></soap:Body></soap:Envelope>`;

let app: FastifyInstance;
let url: string;
beforeAll(async () => {
  app = Fastify();
  app.addContentTypeParser('text/xml', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post<{ Body: string }>('/ws/UrbanCaseService', async (req, reply) => {
    if (req.headers.soapaction !== `"${NS}/queryCases"`) return reply.code(500).type('text/xml').send(fault('Client', 'unknown SOAPAction'));
    const params = (parser.parse(req.body) as { Envelope: { Body: { queryCases: Record<string, string> } } }).Envelope.Body.queryCases;
    calls.push(params);
    if (mode === 'server-fault') return reply.code(500).type('text/xml').send(fault('Server', '数据库连接超时'));
    if (!/^\d{14}$/.test(params.since ?? '')) return reply.code(500).type('text/xml').send(fault('Client', `参数since格式错误: ${params.since}`));
    const size = Number(params.pageSize);
    const matching = cases.filter((c) => c.t >= parseSince(params.since!)).sort((a, b) => a.t - b.t || a.id.localeCompare(b.id));
    const page = matching.slice((Number(params.pageNo) - 1) * size, Number(params.pageNo) * size);
    const rows = page.map((c) => `<ns2:case><ns2:caseId>${c.id}</ns2:caseId><ns2:stage>${c.stage}</ns2:stage><ns2:updateTime>${wall(c.t)}</ns2:updateTime></ns2:case>`).join('');
    const xml = `<?xml version="1.0" encoding="GBK"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ns2:queryCasesResponse xmlns:ns2="${NS}"><ns2:return><ns2:total>${matching.length}</ns2:total>${rows}</ns2:return></ns2:queryCasesResponse></soap:Body></soap:Envelope>`;
    return reply.type('text/xml').send(iconv.encode(xml, 'gbk'));
  });
  url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/ws/UrbanCaseService`;
});
afterAll(async () => {
  await app.close();
});

const settings = (over: Partial<HttpPollSettings['incremental']> = {}): HttpPollSettings => ({
  kind: 'http-poll',
  url,
  auth: { type: 'none' },
  soap: { operation: 'queryCases', namespace: NS },
  pagination: { style: 'page', pageParam: 'pageNo', sizeParam: 'pageSize', size: 4, firstPage: 1 },
  incremental: { param: 'since', paramFormat: 'yyyyMMddHHmmss', field: 'updateTime', initial: '2026-11-01 00:00:00', ...over },
  idField: 'caseId',
  recordsPath: 'Envelope.Body.queryCasesResponse.return.case',
  extraParams: { district: '150625' },
});

describe('http-poll over SOAP', () => {
  it('sends the parameters as the operation\'s elements and reads every case once, GBK text intact', async () => {
    mode = 'ok';
    const source = new HttpPollSource(settings());
    const ids: string[] = [];
    const stages = new Map<string, string>();
    let c: HttpPollCursor | undefined;
    for (let i = 0; i < 50; i++) {
      const page = await source.nextPage(c, new AbortController().signal);
      ids.push(...page.records.map((r) => r.id!));
      for (const r of page.records) stages.set(r.id!, (r.payload as { stage: string }).stage);
      c = JSON.parse(JSON.stringify(page.cursor)) as HttpPollCursor;
      if (!page.hasMore) break;
    }
    expect([...ids].sort()).toEqual(cases.map((x) => x.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(stages.get('CG0002')).toBe('派遣');
    expect(calls[0]).toEqual({ district: '150625', since: '20261101000000', pageNo: '1', pageSize: '4' });
    expect(calls.at(-1)!.since).toMatch(/^20261123\d{6}$/);
  });

  it('a Client fault (the request is wrong) is refused with the fault text, not retried', async () => {
    mode = 'ok';
    const err = await new HttpPollSource(settings({ paramFormat: 'iso' })).nextPage(undefined, new AbortController().signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamRejectedError);
    expect(isRetriable(err)).toBe(false);
    expect((err as Error).message).toMatch(/SOAP fault soap:Client: 参数since格式错误/);
  });

  it('a Server fault is a passing failure: retried', async () => {
    mode = 'server-fault';
    const err = await new HttpPollSource(settings()).nextPage(undefined, new AbortController().signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect((err as Error).message).toMatch(/数据库连接超时/);
    mode = 'ok';
  });
});
