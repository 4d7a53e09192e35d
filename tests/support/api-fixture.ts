/**
 * A small county on a real PostgreSQL schema for the API's security tests: two towns (A and B),
 * one matter each with a report (its text holds a phone and an ID number), tasks for two
 * departments, a subject per town, timeline events — and one principal of every role, each with
 * a real API key, served by the real buildApi (authentication, rate limits, every route).
 */
import type { FastifyInstance } from 'fastify';
import { buildApi, type ApiDeps } from '../../hub/api/server.js';
import { createPrincipal, issueApiKey, type NewPrincipal } from '../../hub/api/auth/principals.js';
import { HubRouting } from '../../hub/ingest/routing.js';
import { PgDecisionOps } from '../../hub/ops/decisions.js';
import { createDb, migrate, type Db } from '../../hub/store/db.js';
import { testContext, type TestContext } from './context.js';

export const TOWN_A = '330102001';
export const TOWN_B = '330102002';
/** Text only town B's rows contain: finding it in a town-A response is a leak. */
export const TOWN_B_MARKER = '乙镇';
export const PHONE = '13812345678';
export const ID_NUMBER = '330102198001011234';

export const PRINCIPALS = {
  admin: { id: 'admin-1', name: '系统管理员', role: 'admin' },
  commander: { id: 'commander-1', name: '县指挥中心', role: 'commander', canUnmask: true },
  commanderNoGrant: { id: 'commander-2', name: '县指挥中心见习', role: 'commander' },
  townA: { id: 'town-a', name: '甲镇指挥中心', role: 'town_operator', jurisdiction: TOWN_A },
  townB: { id: 'town-b', name: '乙镇指挥中心', role: 'town_operator', jurisdiction: TOWN_B },
  liaisonEnv: { id: 'liaison-env', name: '生态环境局联络员', role: 'liaison', department: 'environment' },
  auditor: { id: 'auditor-1', name: '审计员', role: 'auditor' },
} satisfies Record<string, NewPrincipal & { id: string }>;
export type Who = keyof typeof PRINCIPALS;

export interface ApiFixture {
  ctx: TestContext;
  db: Db;
  app: FastifyInstance;
  keys: Record<Who, string>;
  ids: { matterA: string; matterB: string; subjectA: string; subjectB: string; taskIdsB: string[] };
  as(who: Who | null, url: string, init?: { method?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; text: string; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function apiFixture(label: string, opts: Partial<ApiDeps> = {}): Promise<ApiFixture> {
  const ctx = testContext(label);
  const db = createDb(ctx.stack.databaseUrl, { schema: ctx.dbSchema });
  await migrate(db, ctx.dbSchema);
  const at = new Date(Date.now() - 3600_000);
  const ids = { matterA: '1001', matterB: '1002', subjectA: '2001', subjectB: '2002', taskIdsB: ['3003', '3004'] };
  const matter = (id: string, town: string, title: string, lead: string, coop: string[]) => ({
    id, title, description: `${title}。联系电话${PHONE}，身份证${ID_NUMBER}`, category_code: '0101', status: 'DISPATCHED', division_code: `${town}001`, town_code: town,
    grid_code: `${town}001G01`, report_count: 1, first_reported_at: at, updated_at: at, lead_department: lead, cooperating_departments: coop, subject_id: town === TOWN_A ? ids.subjectA : ids.subjectB,
  });
  await db('matters').insert([matter(ids.matterA, TOWN_A, '甲镇河道排污', 'environment', ['water']), matter(ids.matterB, TOWN_B, `${TOWN_B_MARKER}占道经营`, 'urban-management', ['market'])]);
  const report = (matterId: string, id: string, town: string, title: string) => ({
    source_system: 'hotline-12345', source_record_id: id, source_version: 1, department: 'hotline', channel: 'HOTLINE', status: 'RECEIVED', title,
    description: `${title}，来电人电话${PHONE}`, category_code: '0101', division_code: `${town}001`, event_time: at, matter_id: matterId, payload: '{}', subject_id: town === TOWN_A ? ids.subjectA : ids.subjectB,
  });
  await db('reports').insert([report(ids.matterA, 'WO-A', TOWN_A, '甲镇河道排污'), report(ids.matterB, 'WO-B', TOWN_B, `${TOWN_B_MARKER}占道经营`)]);
  const task = (id: string, matterId: string, department: string, role: string) => ({
    id, matter_id: matterId, department, role, status: 'DISPATCHED', dispatched_at: at, first_response_by: new Date(at.getTime() + 1800_000), on_site_by: new Date(at.getTime() + 3600_000), close_by: new Date(at.getTime() + 5 * 86400_000),
  });
  await db('tasks').insert([task('3001', ids.matterA, 'environment', 'lead'), task('3002', ids.matterA, 'water', 'cooperating'), task(ids.taskIdsB[0]!, ids.matterB, 'urban-management', 'lead'), task(ids.taskIdsB[1]!, ids.matterB, 'market', 'cooperating')]);
  const subject = (id: string, town: string, name: string) => ({ id, subject_type: 'ENTERPRISE', name, name_core: name, division_code: `${town}001`, town_code: town, golden: '{}', updated_at: at });
  await db('subjects').insert([subject(ids.subjectA, TOWN_A, '甲镇化工有限公司'), subject(ids.subjectB, TOWN_B, `${TOWN_B_MARKER}小吃店`)]);
  await db('matter_events').insert([
    { matter_id: ids.matterA, type: 'created', at, detail: '{}' },
    { matter_id: ids.matterB, type: 'created', at, detail: JSON.stringify({ town: TOWN_B_MARKER }) },
  ]);
  const keys = {} as Record<Who, string>;
  for (const [who, p] of Object.entries(PRINCIPALS)) keys[who as Who] = await issueApiKey(db, (await createPrincipal(db, p as NewPrincipal)).id);

  const square = (x: number) => [[[x, 30], [x + 0.1, 30], [x + 0.1, 30.1], [x, 30.1], [x, 30]]];
  const geo = {
    divisions: [TOWN_A, TOWN_B].flatMap((town, i) => [
      { type: 'Feature' as const, properties: { code: `${town}000`, name: i ? `${TOWN_B_MARKER}` : '甲镇', level: 'town' }, geometry: { type: 'Polygon', coordinates: square(120 + i) } },
      { type: 'Feature' as const, properties: { code: `${town}001`, name: i ? `${TOWN_B_MARKER}一村` : '甲镇一村', level: 'village', townCode: town }, geometry: { type: 'Polygon', coordinates: square(120 + i) } },
    ]),
    grids: [TOWN_A, TOWN_B].map((town, i) => ({ type: 'Feature' as const, properties: { gridCode: `${town}001G01`, villageCode: `${town}001`, townCode: town, gridName: i ? `${TOWN_B_MARKER}一网格` : '甲镇一网格' }, geometry: { type: 'Polygon', coordinates: square(120 + i) } })),
  };
  const app = await buildApi({ db, jwtSecret: 'test-jwt-secret-0123456789abcdef', geo, decisions: new PgDecisionOps(db, HubRouting.load()), ...opts });
  await app.ready();
  return {
    ctx,
    db,
    app,
    keys,
    ids,
    async as(who, url, init = {}) {
      const headers: Record<string, string> = { ...(who ? { authorization: `Bearer ${keys[who]}` } : {}), ...init.headers };
      const payload = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
      if (payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
      const res = await app.inject({ method: (init.method ?? 'GET') as 'GET', url, headers, payload });
      let body: unknown;
      try {
        body = res.json();
      } catch {
        body = undefined;
      }
      return { status: res.statusCode, body, text: res.body, headers: res.headers };
    },
    async close() {
      await app.close();
      await db.raw(`DROP SCHEMA IF EXISTS "${ctx.dbSchema}" CASCADE`);
      await db.destroy();
    },
  };
}

/** Every route the API serves, from its OpenAPI document (the docs UI's own routes are not in it). */
export interface ApiOperation {
  parameters?: Array<{ in: string; name: string; schema: Record<string, unknown>; required?: boolean }>;
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, Record<string, unknown>>; required?: string[] } }> };
}

export function apiRoutes(app: FastifyInstance): Array<{ method: string; path: string; op: ApiOperation }> {
  const doc = app.swagger() as unknown as { paths: Record<string, Record<string, ApiOperation>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));
}
