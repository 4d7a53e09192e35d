/**
 * The OpenAPI document describes what the API really answers: every /api/v1 route has response
 * schemas, and the fixture county's real responses (as the commander and as a town operator)
 * validate against the schema the document gives for their route and status.
 */
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFixture, type ApiFixture, TOWN_A } from '../../support/api-fixture.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
let f: ApiFixture;
let doc: { paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema: unknown }> }> }>> };

beforeAll(async () => {
  f = await apiFixture('respschema');
  doc = (await f.app.inject({ method: 'GET', url: '/docs/json' })).json();
}, 60_000);

afterAll(async () => {
  await f?.close();
});

const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));

function schemaOf(path: string, method: string, status: number): unknown {
  const r = doc.paths[path]?.[method]?.responses?.[String(status)];
  return r?.content?.['application/json']?.schema;
}

describe('OpenAPI responses', () => {
  it('every /api/v1 route documents its responses with a schema', () => {
    const missing: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/v1')) continue;
      for (const [method, op] of Object.entries(methods)) {
        const ok = Object.entries(op.responses ?? {}).some(([status, r]) => status.startsWith('2') && r.content && Object.values(r.content).some((c) => c.schema));
        if (!ok) missing.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it.each([
    ['commander', '/api/v1/matters', '/api/v1/matters'],
    ['commander', `/api/v1/matters/1001`, '/api/v1/matters/{id}'],
    ['townA', '/api/v1/matters?category=0101', '/api/v1/matters'],
    ['commander', '/api/v1/tasks', '/api/v1/tasks'],
    ['commander', '/api/v1/subjects?name=%E5%8C%96%E5%B7%A5', '/api/v1/subjects'],
    ['commander', '/api/v1/subjects/2001', '/api/v1/subjects/{id}'],
    ['commander', '/api/v1/statistics?by=town', '/api/v1/statistics'],
    ['commander', '/api/v1/proposals', '/api/v1/proposals'],
    ['commander', '/api/v1/divisions', '/api/v1/divisions'],
    ['townA', '/api/v1/grids', '/api/v1/grids'],
    ['commander', '/api/v1/connectors', '/api/v1/connectors'],
    ['townA', '/api/v1/me', '/api/v1/me'],
    ['commander', '/api/v1/auth/token', '/api/v1/auth/token'],
    ['townA', '/api/v1/matters/1002', '/api/v1/matters/{id}'],
    ['commander', '/api/v1/matters?category=a%25', '/api/v1/matters'],
  ] as const)('%s GET %s matches its documented schema', async (who, url, path) => {
    const method = url.endsWith('/auth/token') ? 'post' : 'get';
    const res = await f.as(who, url, { method: method.toUpperCase() });
    const schema = schemaOf(path, method, res.status);
    expect(schema, `documented ${res.status} of ${method} ${path}`).toBeDefined();
    const validate = ajv.compile(schema as object);
    expect(validate(res.body), JSON.stringify(validate.errors)).toBe(true);
    if (url.includes('category=0101')) expect(res.body.items.every((m: { divisionCode: string }) => m.divisionCode.startsWith(TOWN_A))).toBe(true);
  });
});
