/**
 * Text PostgreSQL cannot store — a lone UTF-16 surrogate (a JSON "\ud800" escape without its pair)
 * or NUL — is refused in every text a caller sends, with 400 and the field's name, never a 500 from
 * a failed insert; a properly paired character outside the BMP (𠮷) is ordinary text. And while
 * PostgreSQL is down, the API answers 503 with a message that says so, on every route, not 500.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../../hub/api/server.js';
import { createDb, type Db } from '../../../hub/store/db.js';
import { apiFixture, apiRoutes, type ApiFixture } from '../../support/api-fixture.js';
import { TcpFaultProxy } from '../../../stack/tcp-fault-proxy.js';

let f: ApiFixture;
beforeAll(async () => {
  f = await apiFixture('apitext');
});
afterAll(async () => f?.close());

/** A JSON body with a raw escape in it: JSON.stringify would also escape, but say it plainly. */
const raw = (json: string) => json;

describe('text that cannot be stored', () => {
  it('a lone surrogate in close.result or merge.reason → 400 naming the field; nothing is written', async () => {
    const events = async () => Number(((await f.db('matter_events').count('* as n')) as Array<{ n: string }>)[0]!.n);
    const before = await events();
    const close = await f.as('commander', `/api/v1/matters/${f.ids.matterA}/close`, { method: 'POST', body: raw('{"result":"已办结\\ud800完毕"}') });
    expect(close.status).toBe(400);
    expect(close.body.message).toContain('body/result');
    expect(close.body.message).toMatch(/surrogate/);

    const merge = await f.as('commander', '/api/v1/matters/merge', { method: 'POST', body: raw(`{"into":"${f.ids.matterA}","from":["${f.ids.matterB}"],"reason":"同一事项\\udc00"}`) });
    expect(merge.status).toBe(400);
    expect(merge.body.message).toContain('body/reason');

    const nul = await f.as('commander', '/api/v1/matters/merge', { method: 'POST', body: raw(`{"into":"${f.ids.matterA}","from":["${f.ids.matterB}"],"reason":"同一\\u0000事项"}`) });
    expect(nul.status).toBe(400);
    expect(nul.body.message).toContain('body/reason');

    expect(await events()).toBe(before);
    expect((await f.db('matters').where({ id: f.ids.matterA }).first()).status).not.toBe('CLOSED');
  });

  it('every text field of every body: a lone surrogate → 400 naming that field', async () => {
    let probes = 0;
    for (const r of apiRoutes(f.app)) {
      const schema = r.op.requestBody?.content['application/json']?.schema;
      for (const [name, prop] of Object.entries(schema?.properties ?? {})) {
        if (prop.type !== 'string') continue;
        const target = r.path.replace('{id}', r.path.includes('principals') ? 'admin-1' : f.ids.matterA);
        const res = await f.as('admin', target, { method: r.method, body: raw(`{"${name}":"a\\ud83d"}`) });
        expect(res.status, `${r.method} ${r.path} ${name}`).toBe(400);
        expect(res.body.message, `${r.method} ${r.path} ${name}`).toContain(`body/${name}`);
        probes += 1;
      }
    }
    expect(probes).toBeGreaterThan(10);
  });

  it('a paired surrogate (a character outside the BMP) is ordinary text', async () => {
    const res = await f.as('commander', `/api/v1/matters/${f.ids.matterB}/close`, { method: 'POST', body: { result: '已办结，经营户吉𠮷已整改' } });
    expect(res.status).toBeLessThan(300);
  });
});

describe('PostgreSQL down', () => {
  let proxy: TcpFaultProxy;
  let db: Db;
  let app: FastifyInstance;
  beforeAll(async () => {
    const target = new URL(f.ctx.stack.databaseUrl);
    proxy = new TcpFaultProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(f.ctx.stack.databaseUrl);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(await proxy.start());
    db = createDb(viaProxy.toString(), { schema: f.ctx.dbSchema });
    app = await buildApi({ db, jwtSecret: 'test-jwt-secret-0123456789abcdef' });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.destroy();
    await proxy?.stop();
  });
  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${f.keys.admin}` } });
    return { status: res.statusCode, body: res.json() as { error?: string; message?: string; status?: string }, retryAfter: res.headers['retry-after'] };
  };

  it('/api/v1/connectors and the other routes answer 503 with a clear message, and 200 again when it is back', async () => {
    // no request before the outage: the API key is then looked up in the database (and not in the
    // few seconds' cache of principals)
    await proxy.stop();
    for (const url of ['/api/v1/connectors', '/api/v1/matters', '/ready']) {
      const res = await get(url);
      expect(res.status, url).toBe(503);
      expect(res.body.message, url).toMatch(/数据库.*database is not reachable/);
      expect(res.retryAfter, url).toBe('5');
    }
    await proxy.start();
    expect((await get('/api/v1/connectors')).status).toBe(200);
  });
});
