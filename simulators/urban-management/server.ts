/**
 * 数字化城管 (digital urban management, GB/T 30428) platform simulator: a SOAP 1.1 WebService,
 * `queryCases(since yyyyMMddHHmmss, pageNo, pageSize)` at POST /ws/UrbanCaseService, answering GBK
 * envelopes. Cases follow the GB/T 30428.8 flow 立案 → 派遣 → 处置 → 核查 → 结案 (some 作废: voided
 * as duplicates); POST /__sim/advance moves every open case one step on. Quirks of such platforms:
 *  - since in any other form is a soap:Client fault; every `faultEvery`-th call is a soap:Server fault;
 *  - positions as one "x,y" text in GCJ-02, lng,lat, a few rows written lat,lng;
 *  - update times in whole seconds shared by several cases; one <case> on a page is not a list;
 *  - bad rows: a case with no description (问题描述), a case with an unknown stage code.
 * Deterministic for a seed.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { XMLParser } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import { countyProfile } from '../../core/county-profile.js';
import { transformFromWgs84 } from '../../core/normalise/index.js';
import { pick, seededRandom } from '../shared/county.js';

export const NAMESPACE = 'http://szcg.example.gov.cn/ws/case';
export const STAGES = ['立案', '派遣', '处置', '核查', '结案'] as const;

export interface UrbanCase {
  ajbh: string; // 案件编号
  dlbm: string; // 大类编码
  xlbm: string; // 小类编码
  xlmc: string; // 小类名称
  wtms: string; // 问题描述
  wz: string; // 位置描述
  zb: string; // "x,y" GCJ-02
  ajly: string; // 案件来源
  zt: string; // 状态
  lasj: string; // 立案时间
  gxsj: string; // 更新时间
  /** update time, epoch ms (not served) */
  t: number;
  /** wtms / zt: a bad row; history: loaded from a dataset, left as it is */
  bad?: 'wtms' | 'zt' | 'history';
}

const KINDS: Array<[string, string, string]> = [
  ['01', '0101', '暴露垃圾'],
  ['01', '0104', '乱堆物堆料'],
  ['02', '0201', '非法小广告'],
  ['03', '0301', '施工扰民'],
  ['03', '0302', '道路遗撒'],
  ['04', '0401', '无照经营游商'],
  ['04', '0403', '店外经营'],
  ['06', '0601', '井盖丢失'],
];
const WHAT: Record<string, string[]> = {
  '0101': ['路边垃圾堆积未清运', '绿化带内暴露垃圾'],
  '0104': ['人行道上堆放建筑材料', '小区门口堆放杂物'],
  '0201': ['电线杆上张贴小广告', '墙面喷涂办证广告'],
  '0301': ['工地夜间施工噪声扰民'],
  '0302': ['渣土车沿路遗撒'],
  '0401': ['流动摊贩占道经营'],
  '0403': ['餐馆占用人行道经营'],
  '0601': ['雨水井盖缺失存在安全隐患'],
};
const p2 = (n: number) => String(n).padStart(2, '0');
const wall = (ms: number) => {
  const d = new Date(ms + 8 * 3600_000);
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
};

export class UrbanStore {
  readonly cases: UrbanCase[] = [];
  calls = 0;
  /** The platform's clock: starts two hours back and moves one minute per advance (never ahead of real time). */
  private clock: number;

  constructor(opts: { seed?: number; count?: number; startMs?: number } = {}) {
    const rand = seededRandom(opts.seed ?? 1);
    const profile = countyProfile();
    this.clock = Math.floor((opts.startMs ?? Date.now() - 2 * 3600_000) / 1000) * 1000;
    for (let i = 0; i < (opts.count ?? 200); i++) {
      const town = profile.towns[i % profile.towns.length]!;
      const [dl, xl, name] = pick(rand, KINDS);
      const [x, y] = transformFromWgs84(town.centre[0] + (rand() - 0.5) * 0.02, town.centre[1] + (rand() - 0.5) * 0.02, 'GCJ02').map((n) => n.toFixed(6)) as [string, string];
      const t = this.clock + Math.floor(i / 4) * 1000; // four cases share each second
      const c: UrbanCase = {
        ajbh: `SZCG${String(opts.seed ?? 1).padStart(2, '0')}${String(i + 1).padStart(6, '0')}`,
        dlbm: dl, xlbm: xl, xlmc: name,
        wtms: i % 61 === 7 ? '' : pick(rand, WHAT[xl]!),
        wz: `${town.name}${pick(rand, town.villages)}附近`,
        zb: i % 9 === 4 ? `${y},${x}` : `${x},${y}`,
        ajly: rand() < 0.7 ? '监督员上报' : '公众举报',
        zt: i % 67 === 11 ? '99' : '立案',
        lasj: wall(t), gxsj: wall(t), t,
      };
      if (i % 61 === 7) c.bad = 'wtms';
      if (i % 67 === 11) c.bad = 'zt';
      this.cases.push(c);
    }
  }

  /**
   * Adds a county dataset's cases (departments/urban_management.jsonl: the records as served, their
   * update time from gxsj) — a demo's history, served alongside the generated cases. Cases from a
   * dataset keep their state (advance moves only the generated ones).
   */
  load(records: Array<Omit<UrbanCase, 't' | 'bad'>>): number {
    for (const r of records) {
      const t = Date.parse(`${r.gxsj.replace(' ', 'T')}+08:00`);
      this.cases.push({ ...r, t, bad: 'history' });
    }
    return records.length;
  }

  /** Every open case one stage on (every 13th is voided as a duplicate instead, once at 派遣). */
  advance(): number {
    this.clock = Math.min(this.clock + 60_000, Date.now() - 1000);
    let moved = 0;
    this.cases.forEach((c, i) => {
      if (c.bad === 'zt' || c.bad === 'history' || c.zt === '结案' || c.zt === '作废') return;
      const next = c.zt === '派遣' && i % 13 === 0 ? '作废' : STAGES[STAGES.indexOf(c.zt as (typeof STAGES)[number]) + 1]!;
      c.zt = next;
      c.t = this.clock + (i % 30) * 1000;
      c.gxsj = wall(c.t);
      moved++;
    });
    return moved;
  }
}

const parser = new XMLParser({ removeNSPrefix: true, parseTagValue: false });
const fault = (code: string, text: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:${code}</faultcode><faultstring>${text}</faultstring></soap:Fault></soap:Body></soap:Envelope>`;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function buildUrbanServer(store: UrbanStore, opts: { faultEvery?: number } = {}): FastifyInstance {
  const app = Fastify({ logger: false });
  app.addContentTypeParser('text/xml', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post<{ Body: string }>('/ws/UrbanCaseService', async (req, reply) => {
    store.calls++;
    const xml = (code: number, body: string) => reply.code(code).type('text/xml; charset=GBK').send(iconv.encode(body, 'gbk'));
    if (opts.faultEvery && store.calls % opts.faultEvery === 0) return xml(500, fault('Server', '数据库连接超时，请稍后重试'));
    let params: Record<string, string>;
    try {
      params = (parser.parse(req.body) as { Envelope: { Body: { queryCases: Record<string, string> } } }).Envelope.Body.queryCases;
    } catch {
      return xml(500, fault('Client', '请求报文无法解析'));
    }
    if (!params || !/^\d{14}$/.test(params.since ?? '')) return xml(500, fault('Client', `参数since格式错误，应为yyyyMMddHHmmss: ${params?.since ?? ''}`));
    const s = params.since!;
    const from = Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10) - 8, +s.slice(10, 12), +s.slice(12, 14));
    const size = Math.min(Number(params.pageSize) || 50, 200);
    const pageNo = Math.max(1, Number(params.pageNo) || 1);
    const matching = store.cases.filter((c) => c.t >= from).sort((a, b) => a.t - b.t || a.ajbh.localeCompare(b.ajbh));
    const page = matching.slice((pageNo - 1) * size, pageNo * size);
    const rows = page
      .map((c) => `<ns2:case>${(['ajbh', 'dlbm', 'xlbm', 'xlmc', 'wtms', 'wz', 'zb', 'ajly', 'zt', 'lasj', 'gxsj'] as const).map((k) => `<ns2:${k}>${esc(c[k])}</ns2:${k}>`).join('')}</ns2:case>`)
      .join('');
    return xml(200, `<?xml version="1.0" encoding="GBK"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ns2:queryCasesResponse xmlns:ns2="${NAMESPACE}"><ns2:return><ns2:resultCode>0</ns2:resultCode><ns2:total>${matching.length}</ns2:total>${rows}</ns2:return></ns2:queryCasesResponse></soap:Body></soap:Envelope>`);
  });
  app.post('/__sim/advance', async () => ({ moved: store.advance() }));
  app.get('/__sim/cases', async () => store.cases);
  return app;
}
