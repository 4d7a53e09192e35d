/**
 * Every route of the unified API, enumerated from its OpenAPI document, on a real PostgreSQL:
 *   - without credentials (or with wrong ones) → 401, except health, readiness, metrics and docs;
 *   - a town operator of town A never receives a matter, subject, task, statistic or stream event
 *     of town B, whatever filters or ids it asks for;
 *   - a department liaison sees only its department's tasks and the matters they belong to;
 *   - administration and audit routes refuse every other role.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../../hub/api/auth/authenticate.js';
import { disablePrincipal } from '../../../hub/api/auth/principals.js';
import { apiFixture, apiRoutes, PRINCIPALS, TOWN_A, TOWN_B, TOWN_B_MARKER, type ApiFixture, type Who } from '../../support/api-fixture.js';

let f: ApiFixture;
beforeAll(async () => {
  f = await apiFixture('apiauth');
});
afterAll(async () => f?.close());

const PUBLIC = new Set(['/health', '/ready', '/metrics']);

/** A concrete URL for a route, its path parameters filled with town B's resources. */
function urlFor(path: string, extra = ''): string {
  const ids: Record<string, string> = { '/api/v1/matters/{id}': f.ids.matterB, '/api/v1/subjects/{id}': f.ids.subjectB, '/api/v1/principals/{id}/disable': PRINCIPALS.townB.id };
  const filled = path.replace('{id}', ids[path] ?? '1');
  const qs = path === '/api/v1/statistics' ? '?by=town' : '';
  return `${filled}${qs}${extra ? (qs ? '&' : '?') + extra : ''}`;
}

describe('authentication on every route', () => {
  it('the route list is the whole API (a new route appears here by itself)', () => {
    const paths = new Set(apiRoutes(f.app).map((r) => r.path));
    for (const p of ['/api/v1/divisions', '/api/v1/grids', '/api/v1/connectors', '/api/v1/matters', '/api/v1/matters/{id}', '/api/v1/tasks', '/api/v1/subjects', '/api/v1/subjects/{id}', '/api/v1/statistics', '/api/v1/stream', '/api/v1/audit', '/api/v1/audit/verify', '/api/v1/me', '/api/v1/principals']) {
      expect(paths, p).toContain(p);
    }
  });

  it('no credentials, a malformed header, an unknown key, a forged or expired JWT → 401 on every non-public route', async () => {
    const forged = signToken('not-the-hub-secret-0123456789abcdef', PRINCIPALS.commander.id);
    const expired = signToken('test-jwt-secret-0123456789abcdef', PRINCIPALS.commander.id, -60);
    const unknownKey = `chk_${'0'.repeat(12)}_${'A'.repeat(43)}`;
    const wrongSecret = f.keys.commander.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const bad: Array<Record<string, string> | undefined> = [
      undefined,
      { authorization: 'Basic YWRtaW46YWRtaW4=' },
      { authorization: `Bearer ${unknownKey}` },
      { authorization: `Bearer ${wrongSecret}` },
      { authorization: `Bearer ${forged}` },
      { authorization: `Bearer ${expired}` },
      { 'x-api-key': 'chk_nonsense' },
    ];
    let checked = 0;
    for (const r of apiRoutes(f.app)) {
      if (PUBLIC.has(r.path)) continue;
      for (const headers of bad) {
        const res = await f.as(null, urlFor(r.path), { method: r.method, headers, body: r.method === 'POST' ? {} : undefined });
        expect(res.status, `${r.method} ${r.path} with ${JSON.stringify(headers)}`).toBe(401);
        expect(res.body.message).toBeTruthy();
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(50);
    for (const p of PUBLIC) expect((await f.as(null, p)).status, p).toBe(200);
    expect((await f.as(null, '/docs/json')).status).toBe(200);
    // an unknown path does not tell an anonymous caller whether it exists
    expect((await f.as(null, '/api/v1/no-such-route')).status).toBe(401);
  });

  it('a valid JWT and an API key both authenticate; a disabled principal is refused after the cache window', async () => {
    const token = signToken('test-jwt-secret-0123456789abcdef', PRINCIPALS.townA.id);
    const me = await f.as(null, '/api/v1/me', { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: PRINCIPALS.townA.id, role: 'town_operator', jurisdiction: TOWN_A });
    const exchanged = await f.as('commander', '/api/v1/auth/token', { method: 'POST' });
    expect(exchanged.status).toBe(200);
    expect((await f.as(null, '/api/v1/me', { headers: { authorization: `Bearer ${exchanged.body.token}` } })).body.id).toBe(PRINCIPALS.commander.id);

    const made = await f.as('admin', '/api/v1/principals', { method: 'POST', body: { id: 'temp-op', name: '临时', role: 'town_operator', jurisdiction: TOWN_A } });
    expect(made.status).toBe(201);
    const key = made.body.apiKey as string;
    expect((await f.as(null, '/api/v1/me', { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    await disablePrincipal(f.db, 'temp-op');
    const fresh = await apiFixtureLessApp();
    expect((await fresh.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(401);
    await fresh.close();
  });
});

/** A second server on the same database (no credential cache yet): what a restarted hub would answer. */
async function apiFixtureLessApp() {
  const { buildApi } = await import('../../../hub/api/server.js');
  return buildApi({ db: f.db });
}

describe('a town operator sees its own town and nothing else', () => {
  const leaks = (text: string) => [TOWN_B, TOWN_B_MARKER, `"${f.ids.matterB}"`, `"${f.ids.subjectB}"`, ...f.ids.taskIdsB.map((t) => `"${t}"`)].filter((m) => text.includes(m));

  it('no route, with any filter or id of town B, returns town B data', async () => {
    const probes = ['', `division=${TOWN_B}`, `division=${TOWN_B}001`, 'by=department', 'by=category', 'name=小吃店', `address=${TOWN_B_MARKER}`, 'department=urban-management', 'lead=urban-management'];
    let answered = 0;
    for (const r of apiRoutes(f.app)) {
      if (PUBLIC.has(r.path) || r.method !== 'GET' || r.path === '/api/v1/stream') continue;
      for (const q of probes) {
        const url = r.path === '/api/v1/statistics' ? `${r.path}?${q.startsWith('by=') ? q : 'by=town'}` : urlFor(r.path, q);
        const res = await f.as('townA', url);
        expect(res.status, url).toBeLessThan(500);
        // a 404 echoes the id the caller sent; any other answer must not name town B at all
        if (res.status === 200) expect(leaks(res.text), `${url} → ${res.text.slice(0, 300)}`).toEqual([]);
        if (res.status === 404) expect(res.text).not.toContain(TOWN_B_MARKER);
        if (res.status === 200) answered += 1;
      }
    }
    expect(answered).toBeGreaterThan(10);
    // and its own town is there: the filter is not "nothing for anyone"
    const own = await f.as('townA', '/api/v1/matters');
    expect(own.body.items.map((m: { id: string }) => m.id)).toEqual([f.ids.matterA]);
    expect((await f.as('townA', `/api/v1/matters/${f.ids.matterB}`)).status).toBe(404);
    expect((await f.as('townB', `/api/v1/matters/${f.ids.matterB}`)).status).toBe(200);
    const stats = await f.as('townA', '/api/v1/statistics?by=town');
    expect(JSON.stringify(stats.body)).toContain(TOWN_A);
    const map = await f.as('townA', '/api/v1/divisions');
    expect(map.body.features.map((x: { properties: { code: string } }) => x.properties.code)).toEqual([`${TOWN_A}000`, `${TOWN_A}001`]);
    expect((await f.as('townA', '/api/v1/grids')).body.features).toHaveLength(1);
    expect((await f.as('commander', '/api/v1/grids')).body.features).toHaveLength(2);
  });

  it('the event stream carries town A events only', async () => {
    const base = await f.app.listen({ port: 0, host: '127.0.0.1' });
    const ac = new AbortController();
    const res = await fetch(`${base}/api/v1/stream?access_token=${encodeURIComponent(f.keys.townA)}`, { signal: ac.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let text = '';
    await f.db('matter_events').insert([
      { matter_id: f.ids.matterB, type: 'status_changed', at: new Date(), detail: JSON.stringify({ note: TOWN_B_MARKER }) },
      { matter_id: f.ids.matterA, type: 'status_changed', at: new Date(), detail: '{}' },
    ]);
    const until = Date.now() + 8000;
    let pending: ReturnType<typeof reader.read> | null = null;
    while (!text.includes(`"matterId":"${f.ids.matterA}"`) && Date.now() < until) {
      pending ??= reader.read();
      const got = await Promise.race([pending, new Promise<null>((r) => setTimeout(() => r(null), 500))]);
      if (!got) continue;
      pending = null;
      if (got.done) break;
      text += dec.decode(got.value);
    }
    ac.abort();
    expect(text).toContain(`"matterId":"${f.ids.matterA}"`);
    expect(text).not.toContain(f.ids.matterB);
    expect(text).not.toContain(TOWN_B_MARKER);
    // the stream, like every route, needs credentials
    expect((await fetch(`${base}/api/v1/stream`)).status).toBe(401);
  });
});

describe('a department liaison sees its department only', () => {
  it('tasks, matters and statistics are those of its department', async () => {
    const tasks = await f.as('liaisonEnv', '/api/v1/tasks');
    expect(tasks.status).toBe(200);
    expect(tasks.body.items.length).toBeGreaterThan(0);
    expect(new Set(tasks.body.items.map((t: { department: string }) => t.department))).toEqual(new Set(['environment']));
    // asking for another department's tasks returns none, not them
    expect((await f.as('liaisonEnv', '/api/v1/tasks?department=urban-management')).body.items).toEqual([]);
    const matters = await f.as('liaisonEnv', '/api/v1/matters');
    expect(matters.body.items.map((m: { id: string }) => m.id)).toEqual([f.ids.matterA]);
    expect((await f.as('liaisonEnv', `/api/v1/matters/${f.ids.matterB}`)).status).toBe(404);
    const stats = await f.as('liaisonEnv', '/api/v1/statistics?by=department');
    expect(JSON.stringify(stats.body)).toContain('environment');
    expect(JSON.stringify(stats.body)).not.toContain('urban-management');
  });
});

describe('roles', () => {
  const cases: Array<[string, string, Who[], Who[]]> = [
    ['GET', '/api/v1/audit', ['auditor', 'admin'], ['commander', 'townA', 'liaisonEnv']],
    ['GET', '/api/v1/audit/verify', ['auditor', 'admin'], ['commander', 'townA', 'liaisonEnv']],
    ['GET', '/api/v1/principals', ['admin'], ['commander', 'townA', 'liaisonEnv', 'auditor']],
  ];
  it.each(cases)('%s %s is for its roles only', async (method, url, allowed, refused) => {
    for (const who of allowed) expect((await f.as(who, url, { method })).status, who).toBe(200);
    for (const who of refused) {
      const res = await f.as(who, url, { method });
      expect(res.status, who).toBe(403);
      expect(res.body.message).toMatch(/forbidden/);
    }
  });

  it('only an administrator creates principals, and only valid ones', async () => {
    const body = { name: '新网格员', role: 'town_operator', jurisdiction: TOWN_A };
    expect((await f.as('commander', '/api/v1/principals', { method: 'POST', body })).status).toBe(403);
    expect((await f.as('admin', '/api/v1/principals', { method: 'POST', body: { ...body, jurisdiction: '33' } })).status).toBe(400);
    expect((await f.as('admin', '/api/v1/principals', { method: 'POST', body: { name: 'x', role: 'liaison' } })).status).toBe(400);
  });
});
