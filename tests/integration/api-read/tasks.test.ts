/**
 * GET /api/v1/tasks on a real PostgreSQL schema: a town operator sees only its town's tasks, a
 * liaison only its department's, SLA state follows the deadlines, pages do not lose or repeat rows.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, migrate, type Db } from '../../../hub/store/db.js';
import type { Principal } from '../../../hub/api/principal.js';
import { taskRoutes } from '../../../hub/api/tasks.js';
import { statisticsRoutes } from '../../../hub/api/statistics.js';
import { testContext } from '../../support/context.js';

const ctx = testContext('apitasks');
const NOW = new Date('2026-11-24T08:00:00Z');
const TOWN_A = '330102001';
const TOWN_B = '330102002';
const principals: Record<string, Principal> = {
  county: { id: 'c', name: '指挥中心', role: 'commander', jurisdiction: '', department: null, canUnmask: false },
  townA: { id: 'a', name: '甲镇', role: 'town_operator', jurisdiction: TOWN_A, department: null, canUnmask: false },
  liaisonEnv: { id: 'l', name: '环保联络员', role: 'liaison', jurisdiction: '', department: 'environment', canUnmask: false },
};
let db: Db;
let app: FastifyInstance;

const h = (hours: number) => new Date(NOW.getTime() + hours * 3600_000);

beforeAll(async () => {
  db = createDb(ctx.stack.databaseUrl, { schema: ctx.dbSchema });
  await migrate(db, ctx.dbSchema);
  const matters = await db('matters')
    .insert([
      { title: '甲镇噪声', description: 'x', status: 'DISPATCHED', division_code: `${TOWN_A}001`, town_code: TOWN_A, first_reported_at: h(-10), updated_at: h(-10) },
      { title: '乙镇占道', description: 'y', status: 'DISPATCHED', division_code: `${TOWN_B}001`, town_code: TOWN_B, first_reported_at: h(-10), updated_at: h(-10) },
    ])
    .returning('id');
  const [a, b] = matters.map((r: { id: string }) => String(r.id)) as [string, string];
  const task = (matter: string, department: string, role: string, closeBy: Date, extra: object = {}) => ({
    matter_id: matter, department, role, status: 'DISPATCHED', dispatched_at: h(-10), first_response_by: h(-9), on_site_by: h(-8), close_by: closeBy, responded_at: h(-9.5), ...extra,
  });
  await db('tasks').insert([
    task(a, 'environment', 'lead', h(30)), // on time: 30 h of 40 left
    task(a, 'urban-management', 'cooperating', h(1)), // at risk: 1 h of 11 left
    task(b, 'environment', 'lead', h(-1)), // breached: deadline passed
    task(b, 'urban-management', 'lead', h(5), { done_at: h(-2), status: 'DONE' }), // done in time
  ]);
  // the API server's validation settings: unknown parameters are refused, not silently dropped
  app = Fastify({ ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array' } } });
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req) => {
    req.principal = principals[String(req.headers['x-test-principal'])] ?? null;
  });
  await app.register(taskRoutes, { prefix: '/api/v1', db, now: () => NOW });
  await app.register(statisticsRoutes, { prefix: '/api/v1', db, now: () => NOW });
});

afterAll(async () => {
  await app?.close();
  await db?.raw(`DROP SCHEMA IF EXISTS "${ctx.dbSchema}" CASCADE`);
  await db?.destroy();
});

interface TaskView { matterTitle: string; department: string; sla: string; slaLabel: string }
async function list(who: string, qs = ''): Promise<{ status: number; body: { items: TaskView[]; nextCursor: string | null; message?: string } }> {
  const res = await app.inject({ url: `/api/v1/tasks${qs}`, headers: { 'x-test-principal': who } });
  return { status: res.statusCode, body: res.json() };
}

describe('tasks API', () => {
  it('the county sees every task with its SLA state, earliest deadline first', async () => {
    const { body } = await list('county');
    expect(body.items.map((t) => [t.matterTitle, t.department, t.sla])).toEqual([
      ['乙镇占道', 'environment', 'breached'],
      ['甲镇噪声', 'urban-management', 'at_risk'],
      ['乙镇占道', 'urban-management', 'on_time'],
      ['甲镇噪声', 'environment', 'on_time'],
    ]);
    expect(body.items[0]?.slaLabel).toBe('超时');
  });

  it("a town operator never receives another town's tasks", async () => {
    const { body } = await list('townA');
    expect(body.items).toHaveLength(2);
    expect(body.items.every((t) => t.matterTitle === '甲镇噪声')).toBe(true);
  });

  it("a liaison sees only its department's tasks, even when asking for another department", async () => {
    expect((await list('liaisonEnv')).body.items.map((t) => t.department)).toEqual(['environment', 'environment']);
    expect((await list('liaisonEnv', '?department=urban-management')).body.items).toEqual([]);
  });

  it('pages through every task exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const { body } = await list('county', `?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...body.items.map((t) => `${t.matterTitle}/${t.department}`));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
  });

  it('rejects unknown parameters, bad cursors and anonymous callers', async () => {
    expect((await list('county', '?bogus=1')).status).toBe(400);
    const bad = await list('county', '?cursor=nonsense');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/nextCursor/);
    expect((await list('nobody')).status).toBe(401);
  });
});

describe('statistics API', () => {
  async function stats(who: string, qs: string) {
    const res = await app.inject({ url: `/api/v1/statistics${qs}`, headers: { 'x-test-principal': who } });
    return { status: res.statusCode, body: res.json() as { items: Array<Record<string, unknown>>; message?: string } };
  }

  it('per department: counts, closure and response times, SLA compliance and open breaches', async () => {
    const { body } = await stats('county', '?by=department');
    expect(body.items).toEqual([
      { key: 'environment', tasks: 2, done: 0, responded: 2, responseHours: { p50: 0.5, p90: 0.5 }, closureHours: { p50: null, p90: null }, closedOnTime: 0, openBreached: 1, slaCompliance: null },
      { key: 'urban-management', tasks: 2, done: 1, responded: 2, responseHours: { p50: 0.5, p90: 0.5 }, closureHours: { p50: 8, p90: 8 }, closedOnTime: 1, openBreached: 0, slaCompliance: 1 },
    ]);
  });

  it("per town, a town operator's figures cover only its own town", async () => {
    expect((await stats('county', '?by=town')).body.items.map((r) => [r.key, r.tasks])).toEqual([[TOWN_A, 2], [TOWN_B, 2]]);
    expect((await stats('townA', '?by=town')).body.items.map((r) => [r.key, r.tasks])).toEqual([[TOWN_A, 2]]);
  });

  it('refuses a missing grouping and an empty period', async () => {
    expect((await stats('county', '')).status).toBe(400);
    const bad = await stats('county', '?by=town&from=2026-11-25T00:00:00Z&to=2026-11-24T00:00:00Z');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/from/);
  });
});
