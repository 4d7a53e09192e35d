/**
 * 核查 as a step, on the real stack (GB/T 30428: 处置 → 核查 → 结案): a matter of a category whose
 * responsibility rule asks for verification (appearance.*: verify_hours 24), reported through 12345
 * and the grid platform, is closed by its departments (enforcement leads, the town cooperates) →
 * the hub does not close it: the grid platform receives a 核查 for the grid worker, through the
 * outbox, the publisher and the grid's sink, and nothing goes back to the channels yet → the grid
 * simulator's worker answers on its feed, mapped by the grid adapter to a StatusChange → passed:
 * the matter closes and each channel gets the result once; failed: the lead gets the matter back
 * (重办, with the worker's words), its next closure is verified again, and only then is the result
 * sent — once. A category without verification closes as before (closure-results.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifest as gridManifest } from '../../../connectors/adapters/grid/manifest.js';
import { mapGridEvent } from '../../../connectors/adapters/grid/mapping.js';
import { fixtureContext } from '../../../connectors/sdk/fixtures.js';
import { deterministicId } from '../../../hub/store/ids.js';
import type { StatusChange } from '../../../schemas/index.js';
import type { GridVerification } from '../../../simulators/grid/types.js';
import { eventually } from '../../../stack/processes.js';
import { sh } from '../../unit/schemas/examples.js';
import { change } from '../hub/status-fixtures.js';
import { beijing, channelsHarness, reportOf } from './channels-harness.js';

const h = channelsHarness('verify');
const TOWN = 'town:150625100';
const taskOf = (matter: string, department: string) => deterministicId('task', matter, department);
const byTaskOf = (matter: string, department: string) => ({ kind: 'TASK' as const, taskId: taskOf(matter, department), matterId: matter });

/** A matter of uncleared rubbish reported by 12345 and by the grid platform, as one matter. */
async function garbageMatter(n: string, at: number): Promise<{ matterId: string; hotlineId: string; gridId: string }> {
  const hotlineId = `GD2025061500${n}`;
  const gridId = `SJ15062520250615${n}`;
  const text = { categoryCode: 'appearance.garbage', title: '路边垃圾堆放', description: `幸福路${n}号门口垃圾堆放多日无人清运，气味难闻。`, address: `演示旗锡尼镇锡尼社区幸福路${n}号` };
  const matterId = deterministicId('matter', 'hotline-12345', hotlineId);
  await h.produce('report', [reportOf('hotline-12345', 'hotline', hotlineId, at, text), reportOf('grid', 'grid', gridId, at + 600_000, { ...text, channel: 'GRID', description: `网格员巡查发现幸福路${n}号门口垃圾堆放，未及时清运。` })], matterId);
  const linked = await eventually('the two reports in the hub', async () => {
    const rows = (await h.db('reports').whereIn('source_record_id', [hotlineId, gridId]).select('matter_id')) as Array<{ matter_id: string }>;
    return rows.length === 2 ? rows : undefined;
  }, 120_000, 500);
  const others = [...new Set(linked.map((r) => String(r.matter_id)))].filter((id) => id !== matterId);
  if (others.length) expect((await h.api('/matters/merge', { method: 'POST', body: JSON.stringify({ into: matterId, from: others, reason: '同一处垃圾' }) })).status).toBe(200);
  await eventually('the rules dispatched it', async () => ((await h.db('tasks').where({ matter_id: matterId })).length >= 2 ? true : undefined), 60_000, 500);
  return { matterId, hotlineId, gridId };
}

/** The departments close it: enforcement (the lead) with `result` at `leadAt`, the town before. */
function closures(matterId: string, leadVersion: number, leadAt: number, result: string): StatusChange[] {
  return [
    change(TOWN, 'CLOSED', leadVersion, beijing(leadAt - 3_600_000), byTaskOf(matterId, TOWN), { actorDepartment: TOWN, result: { outcome: 'RESOLVED', sourceOutcome: null, text: '已配合清运' } }),
    change('enforcement', 'CLOSED', leadVersion, beijing(leadAt), byTaskOf(matterId, 'enforcement'), { result: { outcome: 'RESOLVED', sourceOutcome: null, text: result } }),
  ];
}

/** The grid worker's answer to a 核查 of the matter, as the grid connector maps it from the feed, onto Kafka. */
async function verdictOnFeed(matterId: string, nth: number): Promise<{ record: GridVerification; change: StatusChange }> {
  const record = await eventually(`verification ${nth} on the grid feed`, async () => {
    const all = ((await h.apps.grid.inject('/__sim/verifications')).json() as GridVerification[]).filter((v) => v.sjbh === matterId);
    return all.length >= nth ? all[nth - 1] : undefined;
  }, 180_000, 500);
  const [out] = mapGridEvent(record, fixtureContext(gridManifest));
  const change = out!.value as StatusChange;
  await h.produce('status-change', [change], matterId);
  return { record, change };
}

const matter = async (id: string) => h.db('matters').where({ id }).first();
const results = (id: string) => Promise.all([h.received(h.apps.hotline, '结果反馈', id), h.received(h.apps.grid, '结果反馈', id)]);

beforeAll(async () => {
  await h.start();
});

afterAll(async () => {
  await h.stop();
});

describe('核查 before 结案', () => {
  it('closed by its departments, the matter waits for the grid worker’s verification; it closes when it passes, and each channel gets the result once', async () => {
    const { matterId, hotlineId, gridId } = await garbageMatter('101', sh('2025-06-15 08:00:00'));
    const RESULT = '已清运路边堆放垃圾，并责令沿街商户落实门前三包。';
    await h.produce('status-change', closures(matterId, 3, sh('2025-06-15 16:00:00'), RESULT), matterId);

    // not closed: 待核查, with a verification task for the grid department due within the rules' 24 h
    await eventually('the matter waiting for verification', async () => ((await matter(matterId))?.status === 'VERIFYING' ? true : undefined), 120_000, 500);
    const verifier = await h.db('tasks').where({ matter_id: matterId, role: 'verifier' }).first();
    expect(verifier).toMatchObject({ department: 'grid', id: taskOf(matterId, 'grid') });
    expect(verifier.dispatched_at.getTime()).toBe(sh('2025-06-15 16:00:00'));
    expect(verifier.close_by.getTime()).toBe(sh('2025-06-16 16:00:00'));
    const [assigned] = await eventually('the 核查 at the grid platform', async () => {
      const got = await h.received(h.apps.grid, '核查', matterId);
      return got.length ? got : undefined;
    }, 120_000, 500);
    expect(assigned).toMatchObject({ rwbh: String(verifier.id), qtbm: 'enforcement', bljg: RESULT, clsx: '2025-06-16 16:00:00', deliveries: 1 });
    // the 12345 platform gets no copy of it, and no channel has a result while it is unverified
    expect(await h.received(h.apps.hotline, '核查', matterId)).toEqual([]);
    expect(await results(matterId)).toEqual([[], []]);
    expect(await h.db('dispatch_outbox').where({ matter_id: matterId, action: 'RESULT' })).toHaveLength(0);
    // the grid platform acknowledged it: the verifier signed for it
    await eventually('the verifier signed for it', async () => ((await h.db('tasks').where({ id: verifier.id }).first()).status === 'ACCEPTED' ? true : undefined), 120_000, 500);

    // the grid worker checks: passed
    const { record } = await verdictOnFeed(matterId, 1);
    expect(record.hcjg).toBe('通过');
    await eventually('the matter closed after verification', async () => ((await matter(matterId))?.status === 'CLOSED' ? true : undefined), 120_000, 500);
    expect(await matter(matterId)).toMatchObject({ result: RESULT });
    expect((await matter(matterId)).closed_at.getTime()).toBe(sh(record.hcsj));
    expect(await h.db('tasks').where({ id: verifier.id }).first()).toMatchObject({ status: 'DONE', outcome: 'RESOLVED', source_status: '核查通过' });

    const [atHotline, atGrid] = await eventually('the result at both channels', async () => {
      const [hr, gr] = await results(matterId);
      return hr.length && gr.length ? [hr, gr] : undefined;
    }, 180_000, 500);
    expect(atHotline).toEqual([expect.objectContaining({ ywbh: hotlineId, bljg: RESULT, deliveries: 1 })]);
    expect(atGrid).toEqual([expect.objectContaining({ ywbh: gridId, bljg: RESULT, deliveries: 1 })]);
    await eventually('both receipts on the timeline', async () => ((await h.db('matter_events').where({ matter_id: matterId, type: 'result_delivered' })).length >= 2 ? true : undefined), 120_000, 500);
    expect(await h.db('dispatch_outbox').where({ matter_id: matterId, action: 'RESULT' })).toHaveLength(2);
    expect(await h.db('dispatch_outbox').where({ matter_id: matterId, action: 'VERIFY' })).toHaveLength(1);
    expect(await h.db('dispatch_outbox').where({ matter_id: matterId })).toHaveLength(4); // the rule's dispatch, 核查, two results
  });

  it('failed: the lead gets it back with the worker’s words (重办); its next closure is verified again, and only then the result goes out, once', async () => {
    await h.apps.grid.inject({ method: 'POST', url: '/__sim/verification', payload: { failureRate: 1 } });
    const { matterId, hotlineId, gridId } = await garbageMatter('202', sh('2025-06-16 08:00:00'));
    const FIRST = '已清运。';
    await h.produce('status-change', closures(matterId, 3, sh('2025-06-16 16:00:00'), FIRST), matterId);
    await eventually('the first 核查 at the grid platform', async () => ((await h.received(h.apps.grid, '核查', matterId)).length ? true : undefined), 120_000, 500);

    const { record: failed } = await verdictOnFeed(matterId, 1);
    expect(failed.hcjg).toBe('不通过');
    await eventually('the matter back at work', async () => ((await matter(matterId))?.status === 'IN_PROGRESS' ? true : undefined), 120_000, 500);
    // the lead's task is back to work (and soon signed for again, when the 重办 reaches its platform)
    const lead = await h.db('tasks').where({ matter_id: matterId, role: 'lead' }).first();
    expect(lead).toMatchObject({ department: 'enforcement', result: null, done_at: null });
    expect(['IN_PROGRESS', 'ACCEPTED']).toContain(lead.status);
    const reopened = await h.db('matter_events').where({ matter_id: matterId, type: 'dispatched' }).select('detail');
    expect(reopened.map((e) => e.detail).filter((d) => d.redo)).toEqual([expect.objectContaining({ lead: 'enforcement', reason: `核查不通过，重新办理：${failed.hcyj}` })]);
    expect(await h.db('tasks').where({ matter_id: matterId, role: 'verifier' }).first()).toMatchObject({ status: 'DONE', outcome: 'UNRESOLVED' });
    // 重办 at the lead's platform alone, with the worker's words; the town's work stands
    const redo = await eventually('the 重办 at the lead', async () => (await h.received(h.apps.hotline, '派单', matterId)).find((a) => String(a.pdyj ?? '').includes('核查不通过')), 120_000, 500);
    expect(redo).toMatchObject({ qtbm: 'enforcement', pdlx: '派单（牵头）', rwbh: taskOf(matterId, 'enforcement') });
    expect(String(redo.pdyj)).toContain(failed.hcyj);
    expect((await h.received(h.apps.grid, '派单', matterId)).filter((a) => String(a.pdyj ?? '').includes('核查不通过'))).toEqual([]);
    expect(await results(matterId)).toEqual([[], []]);

    // the lead redoes the work (after the worker's visit) and closes again: a second 核查, which passes
    await h.apps.grid.inject({ method: 'POST', url: '/__sim/verification', payload: { failureRate: 0 } });
    const SECOND = '已彻底清运并消杀，设置垃圾临时收集点。';
    // after the worker's visit, and before the next one (verdicts are judged by time against the closure they verify)
    const reclosedAt = sh(failed.hcsj) + 1_000;
    await eventually('the platforms’ clocks past the re-closure', async () => (Date.now() > reclosedAt + 1_500 ? true : undefined), 10_000, 100);
    const version = Number((await matter(matterId)).decision_version) + 10; // above the acknowledgements of the decisions so far
    await h.produce('status-change', [change('enforcement', 'CLOSED', version, beijing(reclosedAt), byTaskOf(matterId, 'enforcement'), { result: { outcome: 'RESOLVED', sourceOutcome: null, text: SECOND } })], matterId);
    const second = await eventually('a second 核查 at the grid platform', async () => {
      const got = await h.received(h.apps.grid, '核查', matterId);
      return got.length >= 2 ? got : undefined;
    }, 120_000, 500);
    expect(new Set(second.map((a) => a.pdbh)).size).toBe(2);
    expect(second[1]).toMatchObject({ bljg: SECOND, rwbh: taskOf(matterId, 'grid') });
    expect(await matter(matterId)).toMatchObject({ status: 'VERIFYING' });
    expect((await h.db('tasks').where({ matter_id: matterId, role: 'verifier' }).first()).dispatched_at.getTime()).toBe(reclosedAt);
    expect(await results(matterId)).toEqual([[], []]);

    await verdictOnFeed(matterId, 2);
    await eventually('the matter closed after the second verification', async () => ((await matter(matterId))?.status === 'CLOSED' ? true : undefined), 120_000, 500);
    const [atHotline, atGrid] = await eventually('the result at both channels', async () => {
      const [hr, gr] = await results(matterId);
      return hr.length && gr.length ? [hr, gr] : undefined;
    }, 180_000, 500);
    expect(atHotline).toEqual([expect.objectContaining({ ywbh: hotlineId, bljg: SECOND })]);
    expect(atGrid).toEqual([expect.objectContaining({ ywbh: gridId, bljg: SECOND })]);
    expect(await h.db('dispatch_outbox').where({ matter_id: matterId, action: 'RESULT' })).toHaveLength(2);
    expect(await h.db('dispatch_outbox').where({ matter_id: matterId, action: 'VERIFY' })).toHaveLength(2);
  });
});
