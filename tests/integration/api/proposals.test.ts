/**
 * The review queue on a real PostgreSQL: proposals raised by ingest are listed to the operators
 * whose jurisdiction holds both sides, accepting one is the ordinary audited merge, dismissing is
 * audited, an answered proposal cannot be answered again, and raising a pair twice keeps one row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raiseProposal } from '../../../hub/ops/proposals.js';
import { deterministicId } from '../../../hub/store/ids.js';
import { apiFixture, PRINCIPALS, TOWN_A, type ApiFixture } from '../../support/api-fixture.js';

let f: ApiFixture;
const A2 = '1103';
const A3 = '1104';
const raise = (ids: [string, string], rule = 'review-place', sourceRecordId = `G-${ids[1]}`) =>
  f.db.transaction((tx) => raiseProposal(tx, { kind: 'matter', ids, sourceSystem: 'grid', sourceRecordId, rule, score: 0.71, explanation: `near miss: 120 m apart; 来电人13812345678`, at: Date.now() - 600_000 }));

beforeAll(async () => {
  f = await apiFixture('apipropose');
  const at = new Date(Date.now() - 1200_000);
  const matter = (id: string, title: string) => ({ id, title, description: title, category_code: '0101', status: 'DISPATCHED', division_code: `${TOWN_A}001`, town_code: TOWN_A, report_count: 1, first_reported_at: at, updated_at: at, lead_department: 'environment', cooperating_departments: [] });
  await f.db('matters').insert([matter(A2, '甲镇河道排污（网格）'), matter(A3, '甲镇河道又见污水')]);
  const report = (matterId: string, id: string) => ({ source_system: 'grid', source_record_id: id, source_version: 1, department: 'grid', channel: 'GRID', status: 'RECEIVED', description: '河道污水', division_code: `${TOWN_A}001`, event_time: at, matter_id: matterId, payload: '{}' });
  await f.db('reports').insert([report(A2, 'G-A2'), report(A3, 'G-A3')]);
  await raise([A2, f.ids.matterA]);
  await raise([f.ids.matterA, f.ids.matterB], 'also-matching'); // across towns: only the county sees it
  await raise([A3, f.ids.matterA]);
});
afterAll(async () => f?.close());

const post = (who: Parameters<ApiFixture['as']>[0], url: string, body: unknown) => f.as(who, url, { method: 'POST', body });
const idOf = (a: string, b: string) => deterministicId('proposal', 'matter', ...[a, b].sort((x, y) => Number(BigInt(x) - BigInt(y))));

describe('the review queue', () => {
  it('raising the same pair again, in either order, keeps the one proposal and its first reason', async () => {
    await raise([f.ids.matterA, A2], 'same-incident-later', 'G-other');
    const rows = await f.db('merge_proposals').where({ id: idOf(f.ids.matterA, A2) });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ a_id: f.ids.matterA, b_id: A2, rule: 'review-place', source_record_id: `G-${f.ids.matterA}` });
  });

  it('lists to a town only the pairs wholly in its jurisdiction, masked, with both sides summarised', async () => {
    const town = await f.as('townA', '/api/v1/proposals');
    expect(town.status).toBe(200);
    expect(town.body.items.map((p: { id: string }) => p.id).sort()).toEqual([idOf(A2, f.ids.matterA), idOf(A3, f.ids.matterA)].sort());
    const first = town.body.items[0];
    expect(first).toMatchObject({ kind: 'matter', status: 'open', statusLabel: '待研判', actionable: true, raisedBy: { sourceSystem: 'grid' } });
    expect(first.explanation).not.toContain('13812345678');
    expect(first.a.title).toBeTruthy();
    const county = await f.as('commander', '/api/v1/proposals');
    expect(county.body.items).toHaveLength(3);
    expect((await f.as('auditor', '/api/v1/proposals')).status).toBe(200);
    expect((await f.as('liaisonEnv', '/api/v1/proposals')).status).toBe(403);
    const page = await f.as('commander', '/api/v1/proposals?limit=2');
    const rest = await f.as('commander', `/api/v1/proposals?limit=2&cursor=${page.body.nextCursor}`);
    expect([...page.body.items, ...rest.body.items].map((p: { id: string }) => p.id).sort()).toEqual(county.body.items.map((p: { id: string }) => p.id).sort());
  });

  it('a town cannot answer a pair reaching into another town; it looks absent', async () => {
    const res = await post('townA', `/api/v1/proposals/${idOf(f.ids.matterA, f.ids.matterB)}/dismiss`, { reason: '不是同一事项' });
    expect(res.status).toBe(404);
    expect((await f.db('merge_proposals').where({ id: idOf(f.ids.matterA, f.ids.matterB) }).first()).status).toBe('open');
  });

  it('accepting merges the later-reported matter into the first one, audited, and cannot be repeated', async () => {
    const id = idOf(A2, f.ids.matterA);
    const res = await post('townA', `/api/v1/proposals/${id}/accept`, { reason: '核实为同一河段排污' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kept: f.ids.matterA, merged: A2, alreadyMerged: false });
    expect(await f.db('matters').where({ id: A2 }).first()).toMatchObject({ merged_into: f.ids.matterA, status: 'MERGED' });
    expect((await f.db('reports').where({ source_record_id: 'G-A2' }).first()).matter_id).toBe(f.ids.matterA);
    expect(await f.db('merge_proposals').where({ id }).first()).toMatchObject({ status: 'accepted', decided_by: PRINCIPALS.townA.id, note: '核实为同一河段排污' });
    expect((await f.db('merge_audit').orderBy('id')).map((a) => a.action)).toEqual(['merge', 'accept-proposal']);
    const again = await post('townA', `/api/v1/proposals/${id}/accept`, { reason: '再次采纳' });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/已处理/);
    expect((await f.as('townA', '/api/v1/proposals?status=accepted')).body.items.map((p: { id: string }) => p.id)).toEqual([id]);
  });

  it('a pair an operator already merged by hand is marked accepted without a second merge', async () => {
    expect((await post('commander', '/api/v1/matters/merge', { into: f.ids.matterA, from: [A3], reason: '手工合并' })).status).toBe(200);
    const listed = (await f.as('townA', '/api/v1/proposals')).body.items.find((p: { id: string }) => p.id === idOf(A3, f.ids.matterA));
    expect(listed.actionable).toBe(false); // one side is merged already
    const res = await post('townA', `/api/v1/proposals/${idOf(A3, f.ids.matterA)}/accept`, { reason: '已手工合并' });
    expect(res.status).toBe(200);
    expect(res.body.alreadyMerged).toBe(true);
    expect((await f.db('merge_audit').where({ action: 'merge' })).length).toBe(2); // the first acceptance and the hand merge
  });

  it('dismissing records who and why; into must be one of the pair', async () => {
    const id = idOf(f.ids.matterA, f.ids.matterB);
    expect((await post('commander', `/api/v1/proposals/${id}/accept`, { into: A2, reason: '保留错误' })).status).toBe(400);
    const res = await post('commander', `/api/v1/proposals/${id}/dismiss`, { reason: '两镇不同事项' });
    expect(res.status).toBe(200);
    expect(await f.db('merge_proposals').where({ id }).first()).toMatchObject({ status: 'dismissed', decided_by: PRINCIPALS.commander.id });
    expect((await f.db('merge_audit').where({ action: 'dismiss-proposal' })).map((a) => a.detail.proposal)).toEqual([id]);
    expect((await post('auditor', `/api/v1/proposals/${id}/dismiss`, { reason: '审计员不能决定' })).status).toBe(403);
  });
});
