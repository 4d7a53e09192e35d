/**
 * The write API on a real PostgreSQL, and the outbox on real Kafka: the center's decisions change
 * the matter and its tasks, are audited with who decided, stay inside the decider's jurisdiction,
 * and every decision becomes exactly one Dispatch record on Kafka with its idempotency key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../core/log.js';
import { OutboxPublisher } from '../../../hub/ops/publisher.js';
import type { Dispatch } from '../../../schemas/index.js';
import { codecFor, kafkaFor } from '../../support/context.js';
import { readToEnd } from '../../../core/read-to-end.js';
import { ensureTopics } from '../../../core/kafka.js';
import { apiFixture, PRINCIPALS, TOWN_A, type ApiFixture } from '../../support/api-fixture.js';

let f: ApiFixture;
const A2 = '1003';
beforeAll(async () => {
  f = await apiFixture('apidecide');
  // a second matter in town A with two reports: the same incident reported twice, and one more
  const at = new Date(Date.now() - 1800_000);
  await f.db('matters').insert({ id: A2, title: '甲镇河道排污（网格）', description: '河道有污水直排', category_code: '0101', status: 'DISPATCHED', division_code: `${TOWN_A}001`, town_code: TOWN_A, report_count: 2, first_reported_at: at, updated_at: at, lead_department: 'environment', cooperating_departments: ['agriculture'] });
  const report = (id: string, minutes: number) => ({ source_system: 'grid', source_record_id: id, source_version: 1, department: 'grid', channel: 'GRID', status: 'RECEIVED', description: '河道污水', division_code: `${TOWN_A}001`, event_time: new Date(at.getTime() + minutes * 60_000), matter_id: A2, payload: '{}' });
  await f.db('reports').insert([report('G-1', 0), report('G-2', 5)]);
  await f.db('tasks').insert({ id: '3010', matter_id: A2, department: 'agriculture', role: 'cooperating', status: 'DISPATCHED', dispatched_at: at, first_response_by: at, on_site_by: at, close_by: new Date(at.getTime() + 86400_000) });
});
afterAll(async () => f?.close());

const post = (who: Parameters<ApiFixture['as']>[0], url: string, body: unknown) => f.as(who, url, { method: 'POST', body });

describe('who may decide', () => {
  it('auditors, administrators and liaisons may not; a town may not decide on another town', async () => {
    const body = { leadDepartment: 'enforcement' };
    for (const who of ['auditor', 'admin', 'liaisonEnv'] as const) expect((await post(who, `/api/v1/matters/${f.ids.matterA}/dispatch`, body)).status, who).toBe(403);
    const other = await post('townA', `/api/v1/matters/${f.ids.matterB}/dispatch`, body);
    expect(other.status).toBe(404);
    expect((await post('townA', '/api/v1/matters/merge', { into: f.ids.matterA, from: [f.ids.matterB], reason: '同一事项' })).status).toBe(404);
    expect(await f.db('dispatch_outbox').count<Array<{ c: string }>>('* as c')).toEqual([{ c: '0' }]);
  });

  it('unknown departments and deadlines in the past are refused with the reason', async () => {
    const bad = await post('commander', `/api/v1/matters/${f.ids.matterA}/dispatch`, { leadDepartment: 'ministry_of_magic' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/unknown department/);
    const past = await post('commander', `/api/v1/matters/${f.ids.matterA}/dispatch`, { leadDepartment: 'enforcement', closureDeadline: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.message).toMatch(/future/);
  });
});

describe('decisions change the matter and are queued for the departments', () => {
  it('a redispatch moves the lead, withdraws the old one, and queues REDISPATCH with task ids and deadlines', async () => {
    const res = await post('townA', `/api/v1/matters/${f.ids.matterA}/dispatch`, { leadDepartment: 'enforcement', cooperatingDepartments: ['environment'], reason: '原牵头部门退单：属于执法职责', instructions: '请当日到场' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ matterId: f.ids.matterA, version: 1, idempotencyKey: `${f.ids.matterA}:1` });
    const tasks = await f.db('tasks').where({ matter_id: f.ids.matterA }).orderBy('department');
    expect(tasks.map((t) => [t.department, t.role, t.status])).toEqual([
      ['enforcement', 'lead', 'DISPATCHED'],
      ['environment', 'cooperating', 'DISPATCHED'],
      ['water', 'cooperating', 'WITHDRAWN'],
    ]);
    const [row] = await f.db('dispatch_outbox').where({ matter_id: f.ids.matterA });
    const d = row.record as Dispatch;
    expect(d).toMatchObject({ action: 'REDISPATCH', leadDepartment: 'enforcement', cooperatingDepartments: ['environment'], previousLeadDepartment: 'environment', issuedByRole: 'town_operator', issuedByNameMasked: '甲**', instructions: '请当日到场' });
    expect(Object.keys(d.taskIds).sort()).toEqual(['enforcement', 'environment']);
    expect(d.closureDeadline! - d.issuedAt).toBeGreaterThanOrEqual(5 * 86400_000); // five working days
    expect(d.firstResponseDeadline! - d.issuedAt).toBe(30 * 60_000);
    const detail = await f.as('townA', `/api/v1/matters/${f.ids.matterA}`);
    expect(detail.body.leadDepartment).toBe('enforcement');
    expect(detail.body.timeline.map((e: { type: string }) => e.type)).toContain('redispatched');
  });

  it('merge moves reports and missing departments into the kept matter, audited with the decider', async () => {
    const res = await post('commander', '/api/v1/matters/merge', { into: f.ids.matterA, from: [A2], reason: '同一河段排污，重复上报' });
    expect(res.status).toBe(200);
    const kept = await f.db('matters').where({ id: f.ids.matterA }).first();
    expect(kept.report_count).toBe(3);
    expect(kept.cooperating_departments.sort()).toEqual(['agriculture', 'environment']);
    expect(await f.db('matters').where({ id: A2 }).first()).toMatchObject({ merged_into: f.ids.matterA, status: 'MERGED' });
    const audit = await f.db('merge_audit').where({ kind: 'matter', action: 'merge' });
    expect(audit).toEqual([expect.objectContaining({ actor: PRINCIPALS.commander.id, actor_role: 'commander' })]);
    expect(audit[0].detail.reports.sort()).toEqual(['grid/G-1', 'grid/G-2']);
    // a merged matter cannot be decided on again; the message says where it went
    const again = await post('commander', `/api/v1/matters/${A2}/close`, { result: '已处理' });
    expect(again.status).toBe(409);
    expect(again.body.message).toContain(f.ids.matterA);
    const actions = (await f.db('dispatch_outbox').orderBy('id')).map((r) => `${r.matter_id}:${r.action}`);
    expect(actions).toEqual([`${f.ids.matterA}:REDISPATCH`, `${A2}:MERGE`, `${f.ids.matterA}:REDISPATCH`]);
  });

  it('split takes chosen reports into a new matter with a derived id; the original keeps the rest', async () => {
    const res = await post('commander', `/api/v1/matters/${f.ids.matterA}/split`, { reports: [{ sourceSystem: 'grid', sourceRecordId: 'G-2' }], reason: '上游另一排污口，非同一事项' });
    expect(res.status).toBe(200);
    const newId = res.body.newMatterId as string;
    expect((await f.db('reports').where({ matter_id: newId })).map((r) => r.source_record_id)).toEqual(['G-2']);
    expect((await f.db('matters').where({ id: f.ids.matterA }).first()).report_count).toBe(2);
    const all = await post('commander', `/api/v1/matters/${newId}/split`, { reports: [{ sourceSystem: 'grid', sourceRecordId: 'G-2' }], reason: '再拆一次' });
    expect(all.status).toBe(400);
    expect(all.body.message).toMatch(/at least one/);
  });

  it('close records the one result and finishes open tasks', async () => {
    const res = await post('commander', `/api/v1/matters/${f.ids.matterA}/close`, { result: '已封堵排污口，恢复河道水质' });
    expect(res.status).toBe(200);
    expect(await f.db('matters').where({ id: f.ids.matterA }).first()).toMatchObject({ status: 'CLOSED', result: '已封堵排污口，恢复河道水质' });
    expect((await f.db('tasks').where({ matter_id: f.ids.matterA }).whereNull('done_at').whereNot('status', 'WITHDRAWN')).length).toBe(0);
    expect((await post('commander', `/api/v1/matters/${f.ids.matterA}/close`, { result: '再次办结' })).status).toBe(409);
    // nor is a closed matter dispatched again: 409 with the reason, nothing queued, tasks untouched
    const outbox = Number((await f.db('dispatch_outbox').count('* as n').first())!.n);
    const redispatch = await post('commander', `/api/v1/matters/${f.ids.matterA}/dispatch`, { leadDepartment: 'market' });
    expect(redispatch.status).toBe(409);
    expect(redispatch.body).toMatchObject({ error: 'conflict' });
    expect(redispatch.body.message).toMatch(/已办结.*already closed/);
    expect(Number((await f.db('dispatch_outbox').count('* as n').first())!.n)).toBe(outbox);
    expect(await f.db('matters').where({ id: f.ids.matterA }).first()).toMatchObject({ status: 'CLOSED' });
    expect((await f.db('tasks').where({ matter_id: f.ids.matterA, status: 'DISPATCHED' })).length).toBe(0);
  });

  it('subjects merge and split, with the links, the reports and the audit following', async () => {
    await f.db('subject_links').insert([
      { source_system: 'market', source_record_id: 'E-1', kind: 'subject', subject_id: f.ids.subjectA, source_version: 1, record: JSON.stringify({ name: '甲镇化工有限公司', divisionCode: `${TOWN_A}001`, department: 'market', at: 1 }), decision: '{}', linked_at: new Date() },
      { source_system: 'environment', source_record_id: 'P-1', kind: 'subject', subject_id: f.ids.subjectA, source_version: 1, record: JSON.stringify({ name: '甲镇化工', divisionCode: `${TOWN_A}001`, department: 'environment', at: 2 }), decision: '{}', linked_at: new Date() },
    ]);
    const split = await post('commander', `/api/v1/subjects/${f.ids.subjectA}/split`, { links: [{ sourceSystem: 'environment', sourceRecordId: 'P-1' }], reason: '排污许可证属于另一家企业' });
    expect(split.status).toBe(200);
    const newId = split.body.newSubjectId as string;
    expect((await f.db('subject_links').where({ subject_id: newId })).map((l) => l.source_record_id)).toEqual(['P-1']);
    expect((await f.db('subjects').where({ id: newId }).first()).name).toBe('甲镇化工');
    const merged = await post('townA', '/api/v1/subjects/merge', { into: f.ids.subjectA, from: [newId], reason: '核实为同一企业' });
    expect(merged.status).toBe(200);
    expect((await f.db('subject_links').where({ subject_id: f.ids.subjectA })).length).toBe(2);
    expect((await f.db('subjects').where({ id: newId }).first()).merged_into).toBe(f.ids.subjectA);
    expect((await f.db('subjects').where({ id: f.ids.subjectA }).first()).name).toBe('甲镇化工有限公司'); // the registry's name survives
    expect((await f.db('merge_audit').where({ kind: 'subject' })).map((a) => a.action)).toEqual(['split', 'merge']);
    expect((await post('townA', '/api/v1/subjects/merge', { into: f.ids.subjectA, from: [f.ids.subjectB], reason: '跨镇合并' })).status).toBe(404);
  });
});

describe('the outbox publisher', () => {
  it('puts each decision on Kafka once, Avro with the registry, keyed by matter, with its idempotency key', async () => {
    const kafka = kafkaFor(f.ctx);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, f.ctx.topics);
    await admin.disconnect();
    const codec = codecFor(f.ctx);
    await codec.ensureRegistered('dispatch');
    const publisher = new OutboxPublisher({ db: f.db, kafka, codec, topics: f.ctx.topics, log: createLogger('test') });
    await publisher.start();
    const queued = Number((await f.db('dispatch_outbox').count<Array<{ c: string }>>('* as c'))[0]!.c);
    try {
      const until = Date.now() + 15_000;
      while ((await f.db('dispatch_outbox').whereNull('published_at')).length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
      expect(await publisher.publishPending()).toBe(0); // nothing left, nothing sent twice
    } finally {
      await publisher.stop();
    }
    const messages: Array<{ key: string; value: Dispatch; header: string }> = [];
    await readToEnd(kafka, f.ctx.topics.records('dispatch'), async (m) => void messages.push({ key: String(m.key), value: (await codec.decode(m.value!)) as Dispatch, header: String(m.headers?.['idempotency-key']) }));
    expect(messages).toHaveLength(queued);
    expect(new Set(messages.map((m) => m.value.idempotencyKey)).size).toBe(queued);
    for (const m of messages) {
      expect(m.key).toBe(m.value.matterId);
      expect(m.header).toBe(m.value.idempotencyKey);
    }
    const forA = messages.filter((m) => m.value.matterId === f.ids.matterA).map((m) => m.value.version);
    expect(forA).toEqual([...forA].sort((a, b) => a - b)); // a matter's decisions in version order
    expect(messages.map((m) => m.value.action)).toContain('CLOSE');
  });
});
