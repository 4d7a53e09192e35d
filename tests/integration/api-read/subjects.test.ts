/**
 * Subject search and the 一企一档 profile on a real PostgreSQL schema: a name variant finds the
 * subject through the merge engine's keys, the profile carries provenance and every linked record,
 * and another town's operator gets nothing.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, migrate, type Db } from '../../../hub/store/db.js';
import type { Principal } from '../../../hub/api/principal.js';
import { keyString, nameKey } from '../../../hub/merge/names.js';
import { subjectRoutes } from '../../../hub/api/subjects.js';
import { testContext } from '../../support/context.js';

const ctx = testContext('apisubj');
const TOWN_A = '330102001';
const USCC = '91330102MA2H3K4L5P';
const principals: Record<string, Principal> = {
  county: { id: 'c', name: '指挥中心', role: 'commander', jurisdiction: '', department: null, canUnmask: false },
  townA: { id: 'a', name: '甲镇', role: 'town_operator', jurisdiction: TOWN_A, department: null, canUnmask: false },
  townB: { id: 'b', name: '乙镇', role: 'town_operator', jurisdiction: '330102002', department: null, canUnmask: false },
};
let db: Db;
let app: FastifyInstance;
let subjectId: string;

beforeAll(async () => {
  db = createDb(ctx.stack.databaseUrl, { schema: ctx.dbSchema });
  await migrate(db, ctx.dbSchema);
  const at = new Date('2026-11-20T02:00:00Z');
  const golden = { name: { value: '王记烧烤有限公司', provenance: { sourceSystem: 'market-regulation', recordId: 'M1', at: at.toISOString() } } };
  const [s] = await db('subjects')
    .insert({ subject_type: 'enterprise', uscc: USCC, name: '王记烧烤有限公司', name_core: '王记', address: '甲镇人民路8号', division_code: `${TOWN_A}001`, town_code: TOWN_A, golden, updated_at: at })
    .returning('id');
  subjectId = String((s as { id: string }).id);
  await db('subject_keys').insert({ key: `name:${keyString(nameKey('王记烧烤有限公司'))}`, subject_id: subjectId });
  await db('subject_links').insert([
    { source_system: 'market-regulation', source_record_id: 'M1', kind: 'Subject', subject_id: subjectId, source_version: 1, record: { name: '王记烧烤有限公司' }, decision: { rule: 'uscc' }, linked_at: at },
    { source_system: 'hotline-12345', source_record_id: 'H9', kind: 'Report', subject_id: subjectId, source_version: 1, record: { name: '老王烧烤' }, decision: { rule: 'name-in-town' }, linked_at: at },
  ]);
  const [m] = await db('matters')
    .insert({ title: '烧烤油烟扰民', description: 'x', status: 'DISPATCHED', division_code: `${TOWN_A}001`, subject_id: subjectId, first_reported_at: at, updated_at: at })
    .returning('id');
  await db('reports').insert({
    source_system: 'hotline-12345', source_record_id: 'H9', source_version: 1, department: 'hotline-12345', channel: 'hotline', status: 'OPEN',
    description: '烧烤油烟', event_time: at, matter_id: (m as { id: string }).id, payload: {}, subject_id: subjectId,
  });
  app = Fastify({ ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array' } } });
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req) => {
    req.principal = principals[String(req.headers['x-test-principal'])] ?? null;
  });
  await app.register(subjectRoutes, { prefix: '/api/v1', db });
});

afterAll(async () => {
  await app?.close();
  await db?.raw(`DROP SCHEMA IF EXISTS "${ctx.dbSchema}" CASCADE`);
  await db?.destroy();
});

async function get(who: string, url: string) {
  const res = await app.inject({ url, headers: { 'x-test-principal': who } });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> & { items?: Array<{ id: string; name: string }> } };
}

describe('subjects API', () => {
  it.each(['老王烧烤店', '王记烧烤（城东店）', '王记烧烤'])('finds the subject by the name variant %s', async (variant) => {
    const { body } = await get('county', `/api/v1/subjects?name=${encodeURIComponent(variant)}`);
    expect(body.items?.map((s) => s.id)).toEqual([subjectId]);
  });

  it('finds it by USCC and by address, and not by an unrelated name', async () => {
    expect((await get('county', `/api/v1/subjects?uscc=${USCC}`)).body.items?.map((s) => s.id)).toEqual([subjectId]);
    expect((await get('county', `/api/v1/subjects?address=${encodeURIComponent('人民路8号')}`)).body.items?.map((s) => s.id)).toEqual([subjectId]);
    expect((await get('county', `/api/v1/subjects?name=${encodeURIComponent('李家面馆')}`)).body.items).toEqual([]);
  });

  it('the profile carries the golden record with provenance, every link, its matters and reports', async () => {
    const { status, body } = await get('townA', `/api/v1/subjects/${subjectId}`);
    expect(status).toBe(200);
    expect((body.golden as { name: { provenance: { sourceSystem: string } } }).name.provenance.sourceSystem).toBe('market-regulation');
    expect((body.links as Array<{ sourceRecordId: string }>).map((l) => l.sourceRecordId)).toEqual(['M1', 'H9']);
    expect((body.matters as Array<{ title: string }>).map((m) => m.title)).toEqual(['烧烤油烟扰民']);
    expect((body.reports as Array<{ sourceRecordId: string }>).map((r) => r.sourceRecordId)).toEqual(['H9']);
  });

  it("another town's operator neither finds nor opens the subject", async () => {
    expect((await get('townB', `/api/v1/subjects?uscc=${USCC}`)).body.items).toEqual([]);
    expect((await get('townB', `/api/v1/subjects/${subjectId}`)).status).toBe(404);
  });

  it('refuses a search without criteria, a malformed USCC and unknown parameters', async () => {
    const none = await get('county', '/api/v1/subjects');
    expect(none.status).toBe(400);
    expect(String(none.body.message)).toMatch(/name、uscc 或 address/);
    expect((await get('county', '/api/v1/subjects?uscc=123')).status).toBe(400);
    expect((await get('county', '/api/v1/subjects?name=x&foo=1')).status).toBe(400);
  });

  it('an id that went when its records joined another subject leads there (308), within the caller’s jurisdiction only', async () => {
    await db('subject_redirects').insert({ old_id: '4242', new_id: subjectId, redirected_at: new Date() });
    const res = await app.inject({ url: '/api/v1/subjects/4242?x=1', headers: { 'x-test-principal': 'townA' } });
    expect(res.statusCode).toBe(308);
    expect(res.headers.location).toBe(`/api/v1/subjects/${subjectId}`);
    expect(res.json()).toMatchObject({ error: 'moved', movedTo: subjectId });
    // another town's operator learns nothing about where it went
    expect((await get('townB', '/api/v1/subjects/4242')).status).toBe(404);
    // an id that never was a subject stays unknown
    expect((await get('townA', '/api/v1/subjects/4343')).status).toBe(404);
  });
});
