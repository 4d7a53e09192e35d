/**
 * The worked example of connectors/README.md is true: its manifest.ts and mapping.ts, taken from
 * the guide as written, make an adapter the worker discovers, whose generic source reads a platform
 * with every quirk the guide names (GBK XML, next-token paging, since=yyyyMMddHHmmss and no rows for
 * any other form, X-App-Key, Chinese times, swapped BD-09 strings, 06 已撤销), and every complaint
 * arrives as a Report once. No stack.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverAdapters, sourceFor, type Adapter } from '../../../connectors/adapters/index.js';
import { fixtureContext } from '../../../connectors/sdk/fixtures.js';
import type { ConnectorManifest, Emitted, SourceRecord } from '../../../connectors/sdk/types.js';
import { transformFromWgs84 } from '../../../core/normalise/index.js';
import { CountyHubError } from '../../../core/errors.js';
import type { Report } from '../../../schemas/index.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const GUIDE = readFileSync(join(ROOT, 'connectors/README.md'), 'utf8');
const block = (file: string): string => {
  const m = new RegExp('`connectors/adapters/housing-sites/' + file.replace('.', '\\.') + '`:\\n\\n```ts\\n([\\s\\S]*?)```').exec(GUIDE);
  if (!m) throw new Error(`the guide has no ${file} block`);
  return m[1]!;
};
const parent = mkdtempSync(join(ROOT, 'connectors', 'zz-guide-'));
const KEY = 'zjj-key-2026';
const T0 = Date.UTC(2026, 10, 23, 1, 30); // 09:30 Shanghai

interface Row { tsbh: string; zt: string; wtdm: string; wtlb: string; zb: string; minute: number; gddz: string; lxdh?: string }
const [lng, lat] = transformFromWgs84(108.7365, 39.8663, 'BD09').map((n) => n.toFixed(6));
const rows: Row[] = [];
for (let i = 0; i < 26; i++) {
  rows.push({
    tsbh: `ZJ20261123${String(i).padStart(5, '0')}`,
    zt: i === 3 ? '06' : '01',
    wtdm: i % 2 ? 'YC' : 'ZS',
    wtlb: i % 2 ? '工地扬尘' : '夜间施工噪声',
    zb: i % 5 === 4 ? `${lat},${lng}` : `${lng},${lat}`, // every fifth row swapped
    minute: i < 12 ? 1 : 2 + i, // twelve share 09:31: more than a page
    gddz: i % 3 ? '锡尼镇滨河路18号' : '某地工地',
    ...(i % 4 ? { lxdh: '13904771234' } : {}),
  });
}
rows.push({ tsbh: 'ZJ-BAD-STATUS', zt: '09', wtdm: 'ZS', wtlb: '夜间施工噪声', zb: '', minute: 40, gddz: '锡尼镇' });

const wall = (ms: number) => {
  const d = new Date(ms + 8 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}年${p(d.getUTCMonth() + 1)}月${p(d.getUTCDate())}日 ${p(d.getUTCHours())}时${p(d.getUTCMinutes())}分`;
};
const parseSince = (s: string) => Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10) - 8, +s.slice(10, 12), +s.slice(12, 14));

let app: FastifyInstance;
let adapter: Adapter;
let manifest: ConnectorManifest;
beforeAll(async () => {
  mkdirSync(join(parent, 'housing-sites'));
  writeFileSync(join(parent, 'housing-sites', 'manifest.ts'), block('manifest.ts'));
  writeFileSync(join(parent, 'housing-sites', 'mapping.ts'), block('mapping.ts'));
  app = Fastify();
  app.get<{ Querystring: Record<string, string> }>('/zjj/api/gdts/list', async (req, reply) => {
    if (req.headers['x-app-key'] !== KEY) return reply.code(401).send('unauthorised');
    const since = req.query.since ?? '';
    const from = /^\d{14}$/.test(since) ? parseSince(since) : Number.POSITIVE_INFINITY;
    const matching = rows.filter((r) => T0 + r.minute * 60_000 >= from).sort((a, b) => a.minute - b.minute || a.tsbh.localeCompare(b.tsbh));
    const offset = req.query.pageToken ? Number(Buffer.from(req.query.pageToken, 'base64url').toString()) : 0;
    const size = Number(req.query.pageSize);
    const page = matching.slice(offset, offset + size);
    const next = offset + size < matching.length ? Buffer.from(String(offset + size)).toString('base64url') : '';
    const xml = page
      .map((r) => `<row><tsbh>${r.tsbh}</tsbh><gdmc>锡尼镇滨河花园三期工地</gdmc><gddz>${r.gddz}</gddz><wtdm>${r.wtdm}</wtdm><wtlb>${r.wtlb}</wtlb><tsnr>工地夜间十一点后仍在打桩，噪声扰民</tsnr><sgdw>鄂尔多斯市某建筑工程有限公司</sgdw><tsr>王小明</tsr><lxdh>${r.lxdh ?? ''}</lxdh><zb>${r.zb}</zb><zt>${r.zt}</zt><tssj>${wall(T0)}</tssj><gxsj>${wall(T0 + r.minute * 60_000)}</gxsj></row>`)
      .join('');
    const body = `<?xml version="1.0" encoding="GBK"?><response><code>0</code><msg>成功</msg><nextPageToken>${next}</nextPageToken><rows>${xml}</rows></response>`;
    return reply.type('text/xml').send(iconv.encode(body, 'gbk'));
  });
  const url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/zjj/api/gdts/list`;
  [adapter] = (await discoverAdapters(parent)) as [Adapter];
  // what CONNECTOR_CONFIG does for a county: its URL and key over the manifest's
  manifest = { ...adapter.manifest, source: { ...(adapter.manifest.source as object), url, auth: { type: 'headers', headers: { 'X-App-Key': KEY } }, pagination: { ...(adapter.manifest.source as { pagination: object }).pagination, size: 5 } } };
});
afterAll(async () => {
  await app?.close();
  rmSync(parent, { recursive: true, force: true });
});

describe('the guide\'s worked example (construction-site complaints)', () => {
  it('is the size the guide says: 23 + 41 lines, no source code', () => {
    expect(block('manifest.ts').split('\n').length - 1).toBe(23);
    expect(block('mapping.ts').split('\n').length - 1).toBe(41);
    expect(adapter.createSource).toBeUndefined();
    expect(adapter.manifest.id).toBe('housing-sites');
  });

  it('reads every complaint once through the generic source and maps it; the bad one is dead-lettered naming the field', async () => {
    const source = sourceFor(manifest, adapter);
    const records: SourceRecord[] = [];
    let cursor: unknown;
    for (let i = 0; ; i++) {
      expect(i).toBeLessThan(100);
      const page = await source.nextPage(cursor, new AbortController().signal);
      records.push(...page.records);
      cursor = JSON.parse(JSON.stringify(page.cursor));
      if (!page.hasMore) break;
    }
    expect(records.map((r) => r.id).sort()).toEqual(rows.map((r) => r.tsbh).sort());
    const ctx = fixtureContext(adapter.manifest);
    const reports: Report[] = [];
    const refused: CountyHubError[] = [];
    for (const r of records) {
      try {
        reports.push(...adapter.mapping(r.payload, ctx).map((e: Emitted) => e.value as Report));
      } catch (err) {
        refused.push(err as CountyHubError);
      }
    }
    expect(refused.map((e) => [e.field, e.message.slice(0, 8)])).toEqual([['zt', '状态未知: "09"'.slice(0, 8)]]);
    expect(reports).toHaveLength(26);
    const byId = new Map(reports.map((r) => [r.envelope.sourceRecordId, r]));
    // swapped rows land where the straight ones do
    const straight = byId.get('ZJ2026112300000')!.envelope.location!;
    const swapped = byId.get('ZJ2026112300004')!.envelope.location!;
    expect(swapped.lng).toBeCloseTo(straight.lng, 6);
    expect(swapped.lat).toBeCloseTo(straight.lat, 6);
    expect(straight.lng).toBeCloseTo(108.7365, 4);
    expect(byId.get('ZJ2026112300003')).toMatchObject({ status: 'WITHDRAWN', sourceStatus: '06' });
    expect(byId.get('ZJ2026112300000')).toMatchObject({ status: 'RECEIVED', categoryCode: 'construction.noise', channel: 'COMPLAINT', reporterNameMasked: '王**' });
    expect(byId.get('ZJ2026112300001')).toMatchObject({ categoryCode: 'construction.dust', reporterPhoneMasked: '139****1234' });
    expect(byId.get('ZJ2026112300001')!.envelope.divisionCode).toBe('150625100000'); // 锡尼镇 from the address
    expect(byId.get('ZJ2026112300000')!.envelope.divisionCode).toBeNull();
    expect(byId.get('ZJ2026112300001')!.envelope.sourceVersion).toBe(T0 + 60_000);
    expect(JSON.stringify(reports)).not.toContain('13904771234');
  });
});
