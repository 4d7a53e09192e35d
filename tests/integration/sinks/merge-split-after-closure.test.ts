/**
 * A matter merged or split after closure re-sends what changed, never a duplicate, on the real
 * stack: reports on Kafka → hub → a department closes the matter (the result goes to its channels)
 * → an operator merges or splits through the API → the outbox → the sinks → each platform ends up
 * with exactly the answer that now applies to its own record: a record that joins a closed matter
 * gets its result once; a record whose closed matter went into an open one, or that was split out
 * into a new matter, is told once that its result no longer applies (重新办理通知; the 12345 work
 * order goes back to 办理); every other record hears nothing new. A new report the matcher joins to a
 * closed matter gets its result once as well.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deterministicId } from '../../../hub/store/ids.js';
import { eventually } from '../../../stack/processes.js';
import { sh } from '../../unit/schemas/examples.js';
import { change } from '../hub/status-fixtures.js';
import { channelsHarness, reportOf } from './channels-harness.js';

const h = channelsHarness('aftercl');

/** A street light out in `village` (12-digit code: each scenario in a town of its own), reported by one platform. */
async function lightMatter(sourceSystem: 'hotline-12345' | 'grid', id: string, day: number, street: string, village: string): Promise<string> {
  const at = sh(`2025-07-${String(day).padStart(2, '0')} 20:00:00`);
  const text = { categoryCode: 'facility.streetlight', title: '路灯不亮', description: `${street}路灯连续几晚不亮，夜间行人不便。`, address: street };
  const r = reportOf(sourceSystem, sourceSystem === 'grid' ? 'grid' : 'hotline', id, at, text);
  await h.produce('report', [{ ...r, envelope: { ...r.envelope, divisionCode: village } }], id);
  const row = await eventually(`report ${id} in the hub`, async () => (await h.db('reports').where({ source_record_id: id }).first('matter_id')) as { matter_id: string } | undefined, 120_000, 500);
  await eventually('the rules dispatched it', async () => ((await h.db('tasks').where({ matter_id: row.matter_id })).length ? true : undefined), 60_000, 500);
  return String(row.matter_id);
}

/** Housing (the lead, alone) closes the matter; the result reaches the channels of its records. */
async function close(matterId: string, result: string, records: string[]): Promise<void> {
  // its version above the acknowledgements of the decisions it received so far (a merge's 改派 among them)
  const version = Number((await h.db('matters').where({ id: matterId }).first()).decision_version) + 10;
  await h.produce('status-change', [change('housing', 'CLOSED', version, '2025-07-20 10:00:00', { kind: 'TASK', taskId: deterministicId('task', matterId, 'housing'), matterId }, { result: { outcome: 'RESOLVED', sourceOutcome: null, text: result } })], matterId);
  await eventually('the matter closed', async () => ((await h.db('matters').where({ id: matterId }).first()).status === 'CLOSED' ? true : undefined), 120_000, 500);
  await eventually('its results delivered', async () => ((await h.db('matter_events').where({ matter_id: matterId, type: 'result_delivered' })).length >= records.length ? true : undefined), 180_000, 500);
}

/** What the outbox holds for one record: its notices (结果反馈 and 重新办理通知), in order. */
async function noticesFor(recordId: string): Promise<Array<{ action: string; matterId: string; result: string | null }>> {
  const rows = (await h.db('dispatch_outbox').whereIn('action', ['RESULT', 'REOPEN']).orderBy('id').select('action', 'record')) as Array<{ action: string; record: { matterId: string; result: string | null; reports: Array<{ sourceRecordId: string }> } }>;
  return rows.filter((r) => r.record.reports[0]?.sourceRecordId === recordId).map((r) => ({ action: r.action, matterId: r.record.matterId, result: r.record.result }));
}

/** What a platform received for one of its records. */
const atPlatform = async (app: typeof h.apps.grid, recordId: string) => (await h.inbox(app)).filter((a) => a.ywbh === recordId).map((a) => ({ pdlx: a.pdlx, sjbh: a.sjbh, bljg: a.bljg ?? null, deliveries: a.deliveries }));
const merge = (into: string, from: string[]) => h.api('/matters/merge', { method: 'POST', body: JSON.stringify({ into, from, reason: '同一盏路灯' }) });

beforeAll(async () => {
  await h.start();
});

afterAll(async () => {
  await h.stop();
});

describe('merged or split after closure: each channel gets what changed for its record, once', () => {
  it('a new report that the matcher joins to a closed matter gets its result once, nobody else hears anything', async () => {
    const J = await lightMatter('hotline-12345', 'GD20250701000041', 1, '团结路18号', '150625105201');
    await close(J, '已更换团结路路灯。', ['GD20250701000041']);
    const joined = await lightMatter('grid', 'SJ15062520250702000042', 2, '团结路18号', '150625105201');
    expect(joined).toBe(J); // the same light, the day after: the recurrence joins the closed matter
    expect(await noticesFor('SJ15062520250702000042')).toEqual([{ action: 'RESULT', matterId: J, result: '已更换团结路路灯。' }]);
    expect(await noticesFor('GD20250701000041')).toEqual([{ action: 'RESULT', matterId: J, result: '已更换团结路路灯。' }]);
    await eventually('the result at the grid platform', async () => ((await atPlatform(h.apps.grid, 'SJ15062520250702000042')).length ? true : undefined), 180_000, 500);
    expect(await atPlatform(h.apps.grid, 'SJ15062520250702000042')).toEqual([{ pdlx: '结果反馈', sjbh: J, bljg: '已更换团结路路灯。', deliveries: 1 }]);
    expect(await atPlatform(h.apps.hotline, 'GD20250701000041')).toEqual([{ pdlx: '结果反馈', sjbh: J, bljg: '已更换团结路路灯。', deliveries: 1 }]);
  });

  it('a new record merged into a closed matter gets its result once; the closed matter’s own records hear nothing new', async () => {
    const X = await lightMatter('hotline-12345', 'GD20250701000011', 1, '幸福路', '150625101201');
    await close(X, '已更换路灯灯具，恢复照明。', ['GD20250701000011']);
    const Y = await lightMatter('grid', 'SJ15062520250703000012', 3, '建设路', '150625102201');
    expect(Y).not.toBe(X);
    expect((await merge(X, [Y])).status).toBe(200);

    expect(await noticesFor('SJ15062520250703000012')).toEqual([{ action: 'RESULT', matterId: X, result: '已更换路灯灯具，恢复照明。' }]);
    expect(await noticesFor('GD20250701000011')).toEqual([{ action: 'RESULT', matterId: X, result: '已更换路灯灯具，恢复照明。' }]);
    await eventually('the result at the grid platform', async () => ((await atPlatform(h.apps.grid, 'SJ15062520250703000012')).length ? true : undefined), 180_000, 500);
    await eventually('its receipt on the timeline', async () => ((await h.db('matter_events').where({ matter_id: X, type: 'result_delivered' })).length >= 2 ? true : undefined), 180_000, 500);
    expect(await atPlatform(h.apps.grid, 'SJ15062520250703000012')).toEqual([{ pdlx: '结果反馈', sjbh: X, bljg: '已更换路灯灯具，恢复照明。', deliveries: 1 }]);
    expect(await atPlatform(h.apps.hotline, 'GD20250701000011')).toEqual([{ pdlx: '结果反馈', sjbh: X, bljg: '已更换路灯灯具，恢复照明。', deliveries: 1 }]);
  });

  it('a closed matter merged into an open one: its record is told once that its result no longer applies; the open matter’s records hear nothing', async () => {
    h.orders.create({ gdbh: 'GD20250705000021', sqbt: '路灯不亮', sqnr: '光明路路灯不亮。', gdzt: '办理' });
    const Z = await lightMatter('hotline-12345', 'GD20250705000021', 5, '光明路', '150625103201');
    await close(Z, '已修复线路。', ['GD20250705000021']);
    expect(h.orders.orders.get('GD20250705000021')).toMatchObject({ gdzt: '办结', bljg: '已修复线路。' });
    const W = await lightMatter('grid', 'SJ15062520250708000022', 8, '胜利街', '150625104201');
    expect((await merge(W, [Z])).status).toBe(200);

    expect(await noticesFor('GD20250705000021')).toEqual([
      { action: 'RESULT', matterId: Z, result: '已修复线路。' },
      { action: 'REOPEN', matterId: W, result: null },
    ]);
    expect(await noticesFor('SJ15062520250708000022')).toEqual([]);
    await eventually('the notice at the 12345 platform', async () => ((await atPlatform(h.apps.hotline, 'GD20250705000021')).length >= 2 ? true : undefined), 180_000, 500);
    expect(await atPlatform(h.apps.hotline, 'GD20250705000021')).toEqual([
      { pdlx: '结果反馈', sjbh: Z, bljg: '已修复线路。', deliveries: 1 },
      { pdlx: '重新办理通知', sjbh: W, bljg: null, deliveries: 1 },
    ]);
    expect(h.orders.orders.get('GD20250705000021')).toMatchObject({ gdzt: '办理', bljg: null });
    expect(await atPlatform(h.apps.grid, 'SJ15062520250708000022')).toEqual([]);

    // W closes: the record gets W's result once (it was told its old one no longer applies), as W's own does
    await close(W, '已更换整段线路并恢复照明。', ['SJ15062520250708000022', 'GD20250705000021']);
    expect((await noticesFor('GD20250705000021')).map((n) => n.action)).toEqual(['RESULT', 'REOPEN', 'RESULT']);
    expect(await noticesFor('SJ15062520250708000022')).toEqual([{ action: 'RESULT', matterId: W, result: '已更换整段线路并恢复照明。' }]);
  });

  it('a record split out of a closed matter is told once that its result no longer applies; the records that stay hear nothing new', async () => {
    const S = await lightMatter('hotline-12345', 'GD20250710000031', 10, '人民路', '150625106201');
    const G = await lightMatter('grid', 'SJ15062520250710000032', 10, '人民路', '150625106201');
    if (G !== S) expect((await merge(S, [G])).status).toBe(200);
    await close(S, '已更换人民路路灯。', ['GD20250710000031', 'SJ15062520250710000032']);
    const before = await atPlatform(h.apps.hotline, 'GD20250710000031');
    expect(before).toEqual([{ pdlx: '结果反馈', sjbh: S, bljg: '已更换人民路路灯。', deliveries: 1 }]);

    const split = await h.api<{ newMatterId: string }>(`/matters/${S}/split`, { method: 'POST', body: JSON.stringify({ reports: [{ sourceSystem: 'grid', sourceRecordId: 'SJ15062520250710000032' }], reason: '网格员所报为另一盏路灯' }) });
    expect(split.status).toBe(200);
    const N = split.body.newMatterId;
    expect(await noticesFor('SJ15062520250710000032')).toEqual([
      { action: 'RESULT', matterId: S, result: '已更换人民路路灯。' },
      { action: 'REOPEN', matterId: N, result: null },
    ]);
    expect(await noticesFor('GD20250710000031')).toEqual([{ action: 'RESULT', matterId: S, result: '已更换人民路路灯。' }]);
    await eventually('the notice at the grid platform', async () => ((await atPlatform(h.apps.grid, 'SJ15062520250710000032')).length >= 2 ? true : undefined), 180_000, 500);
    expect(await atPlatform(h.apps.grid, 'SJ15062520250710000032')).toEqual([
      { pdlx: '结果反馈', sjbh: S, bljg: '已更换人民路路灯。', deliveries: 1 },
      { pdlx: '重新办理通知', sjbh: N, bljg: null, deliveries: 1 },
    ]);
    expect(await atPlatform(h.apps.hotline, 'GD20250710000031')).toEqual(before);
  });
});
