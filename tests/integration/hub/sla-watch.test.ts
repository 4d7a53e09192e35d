/**
 * Breach detection and escalation on PostgreSQL: a task past a deadline without the milestone gets
 * the breach on its row and `sla_breached` + `escalated` events on the matter's timeline, once —
 * however often the watcher runs, and with two watchers at the same moment.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { markBreaches } from '../../../hub/routing/sla-watch.js';
import { createDb, migrate } from '../../../hub/store/db.js';

const schema = `t_sla_${randomBytes(3).toString('hex')}`;
const db = createDb(inject('stack').databaseUrl, { schema });
const NOW = new Date('2026-11-24T10:00:00Z');
const h = (hours: number) => new Date(NOW.getTime() + hours * 3600_000);

beforeAll(async () => {
  await migrate(db, schema);
  await db('matters').insert({ id: 1, title: '油烟扰民', description: 'x', status: 'DISPATCHED', first_reported_at: h(-3), updated_at: h(-3) });
  const task = (id: number, department: string, role: string, extra: object) => ({
    id, matter_id: 1, department, role, status: 'DISPATCHED', dispatched_at: h(-3), first_response_by: h(-2.5), on_site_by: h(-2), close_by: h(48), ...extra,
  });
  await db('tasks').insert([
    task(1, 'enforcement', 'lead', {}), // no response: first-response breach (the lead is not held to on-site)
    task(2, 'environment', 'cooperating', { responded_at: h(-2.8) }), // responded, not on site: on-site breach
    task(3, 'market', 'cooperating', { responded_at: h(-2.9), on_site_at: h(-2.1) }), // in time
    task(4, 'water', 'cooperating', { status: 'DONE', done_at: h(-2.9) }), // done before any deadline
    task(5, 'housing', 'cooperating', { close_by: h(-1), responded_at: h(-2.9), on_site_at: h(-2.5) }), // past closure
    task(6, 'agriculture', 'cooperating', { status: 'WITHDRAWN' }), // withdrawn by a redispatch: clocks stopped
  ]);
});
afterAll(async () => {
  await db.raw(`drop schema if exists "${schema}" cascade`);
  await db.destroy();
});

describe('SLA watcher', () => {
  it('marks each breach once and escalates it, even with two watchers at once', async () => {
    const [a, b] = await Promise.all([markBreaches(db, NOW), markBreaches(db, NOW)]);
    expect({ first_response: a.first_response + b.first_response, on_site: a.on_site + b.on_site, closure: a.closure + b.closure }).toEqual({ first_response: 1, on_site: 1, closure: 1 });
    expect(await markBreaches(db, NOW)).toEqual({ first_response: 0, on_site: 0, closure: 0 });
    const tasks = await db('tasks').orderBy('id').select('department', 'breaches');
    expect(tasks.map((t) => [t.department, t.breaches])).toEqual([
      ['enforcement', ['first_response']],
      ['environment', ['on_site']],
      ['market', []],
      ['water', []],
      ['housing', ['closure']],
      ['agriculture', []],
    ]);
    const events = await db('matter_events').orderBy('id').select('type', 'detail', 'at');
    expect(events.filter((e) => e.type === 'sla_breached')).toHaveLength(3);
    const escalations = events.filter((e) => e.type === 'escalated').map((e) => [e.detail.department, e.detail.escalatedTo]);
    expect(escalations.sort()).toEqual([
      ['enforcement', 'command_duty'],
      ['environment', 'command_duty'],
      ['housing', 'county_leadership'],
    ]);
    // the event is dated at the deadline it missed, so the timeline reads in order
    const late = events.find((e) => e.type === 'sla_breached' && e.detail.department === 'enforcement')!;
    expect(new Date(late.at).getTime()).toBe(h(-2.5).getTime());
  });

  it('a later deadline passing is a new breach of the same task', async () => {
    expect(await markBreaches(db, h(49))).toEqual({ first_response: 0, on_site: 0, closure: 3 }); // enforcement, environment, market
    expect((await db('tasks').where({ id: 1 }).first()).breaches).toEqual(['first_response', 'closure']);
  });
});
