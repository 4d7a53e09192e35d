/**
 * Bad input on every route of the API, derived from each route's own OpenAPI description: wrong
 * types, huge values, values outside enums and patterns, unknown parameters, bad cursors, broken
 * JSON bodies → 400 with a message that names the problem, never a 5xx; injection strings are
 * either refused or treated as plain text; and the server keeps serving afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, apiRoutes, type ApiFixture } from '../../support/api-fixture.js';

let f: ApiFixture;
beforeAll(async () => {
  f = await apiFixture('apibad');
});
afterAll(async () => f?.close());

const INJECTIONS = ["' OR '1'='1", '1; DROP TABLE matters; --', '%', '_', '\\', '<script>alert(1)</script>', '${jndi:ldap://x}', '../../etc/passwd', '\u0000', '𠮷'.repeat(3)];
const HUGE = 'x'.repeat(5_000);

/** Values a parameter's schema must refuse. */
function invalidValues(schema: Record<string, unknown>): string[] {
  const out = [HUGE];
  if (schema.type === 'integer' || schema.type === 'number') out.push('abc', '1.5e999', '99999999999999999999999', '-1', '1;1');
  if (schema.type === 'boolean') out.push('maybe', '2');
  if (Array.isArray(schema.enum)) out.push('NOT_A_VALUE');
  if (typeof schema.pattern === 'string') out.push("' OR '1'='1");
  if (schema.format === 'date-time') out.push('yesterday', '2026-13-45T99:00:00Z');
  return out;
}

/** The smallest valid query for a route (its required parameters). */
function baseQuery(op: { parameters?: Array<{ in: string; name: string; required?: boolean; schema: Record<string, unknown> }> }): Record<string, string> {
  const q: Record<string, string> = {};
  for (const p of op.parameters ?? []) if (p.in === 'query' && p.required) q[p.name] = String((p.schema.enum as string[] | undefined)?.[0] ?? '1');
  return q;
}

function url(path: string, query: Record<string, string>, id = f.ids.matterA): string {
  const qs = new URLSearchParams(query).toString();
  return `${path.replace('{id}', path.includes('principals') ? 'admin-1' : id)}${qs ? `?${qs}` : ''}`;
}

function expectClear400(res: { status: number; body: { error?: string; message?: string } }, what: string) {
  expect(res.status, what).toBe(400);
  expect(res.body.error, what).toBe('bad_request');
  expect(res.body.message?.length ?? 0, what).toBeGreaterThan(5);
}

describe('bad input on every route', () => {
  it('wrong types, huge values, values outside the schema and unknown parameters → 400 naming the problem', async () => {
    let probes = 0;
    for (const r of apiRoutes(f.app)) {
      if (r.path === '/api/v1/stream') continue; // its 200 opens a stream; its parameters are checked below
      const base = baseQuery(r.op);
      for (const p of r.op.parameters ?? []) {
        for (const v of invalidValues(p.schema)) {
          const target = p.in === 'path' ? url(r.path, base, v) : url(r.path, { ...base, [p.name]: v });
          const res = await f.as('admin', target, { method: r.method, body: r.method === 'POST' ? {} : undefined });
          // a path id of another shape can also be "no such route"; anything else must be a clear 400
          if (p.in === 'path' && res.status === 404) continue;
          expectClear400(res, `${r.method} ${target.slice(0, 120)}`);
          probes += 1;
        }
      }
      if (r.method === 'GET') {
        const res = await f.as('admin', url(r.path, { ...base, zzz_unknown: '1' }));
        expectClear400(res, `${r.path} unknown parameter`);
        expect(res.body.message).toContain('zzz_unknown');
        probes += 1;
      }
    }
    expect(probes).toBeGreaterThan(60);
  });

  it('a cursor that is not one this API issued → 400 saying what to pass instead', async () => {
    for (const path of ['/api/v1/matters', '/api/v1/tasks']) {
      for (const cursor of ['garbage', Buffer.from('["not a date","1"]').toString('base64url'), Buffer.from('["2026-01-01T00:00:00Z","1 OR 1=1"]').toString('base64url'), Buffer.from('{}').toString('base64url'), 'A'.repeat(5000)]) {
        const res = await f.as('commander', `${path}?cursor=${encodeURIComponent(cursor)}`);
        expectClear400(res, `${path} cursor ${cursor.slice(0, 30)}`);
      }
    }
  });

  it('injection strings in free-text parameters are plain text: no error, no extra rows', async () => {
    for (const s of INJECTIONS) {
      for (const target of [`/api/v1/subjects?name=${encodeURIComponent(s)}`, `/api/v1/subjects?address=${encodeURIComponent(s.padEnd(2, ' '))}`]) {
        const res = await f.as('commander', target);
        expect(res.status, target).toBeLessThan(500);
        if (res.status === 200) expect(res.body.items, target).toEqual([]);
        else expectClear400(res, target);
      }
    }
    expect(await f.db('matters').count<Array<{ c: string }>>('* as c')).toEqual([{ c: '2' }]);
  });

  it('bodies: broken JSON, wrong types, unknown fields, oversize → 4xx with a message', async () => {
    const post = (body: unknown, headers?: Record<string, string>) => f.as('admin', '/api/v1/principals', { method: 'POST', body, headers });
    expectClear400(await post('{"name": "x", "role": '), 'broken JSON');
    expectClear400(await post({ name: 5, role: 'commander' }), 'wrong type');
    expectClear400(await post({ name: 'x', role: 'emperor' }), 'unknown role');
    const unknown = await post({ name: 'x', role: 'commander', isRoot: true });
    expectClear400(unknown, 'unknown field');
    expect(unknown.body.message).toContain('isRoot');
    const huge = await post({ name: 'x'.repeat(100_000), role: 'commander' });
    expect(huge.status).toBe(413);
    expect(huge.body.message).toBeTruthy();
    expect((await post('name=x', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
  });

  it('the stream refuses bad resume points', async () => {
    expectClear400(await f.as('commander', '/api/v1/stream?lastEventId=abc'), 'lastEventId');
    expectClear400(await f.as('commander', '/api/v1/stream', { headers: { 'last-event-id': "1' OR 1=1" } }), 'Last-Event-ID');
  });

  it('the server still serves after all of that', async () => {
    expect((await f.as(null, '/health')).status).toBe(200);
    const ok = await f.as('commander', '/api/v1/matters');
    expect(ok.status).toBe(200);
    expect(ok.body.items).toHaveLength(2);
  });
});
