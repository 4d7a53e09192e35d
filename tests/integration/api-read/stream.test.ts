/**
 * GET /api/v1/stream over real HTTP (fetch reading the event stream): a town operator receives its
 * town's matter events and none of another town's, heartbeats arrive, and Last-Event-ID resumes
 * after the last event seen without repeating it.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, migrate, type Db } from '../../../hub/store/db.js';
import type { Principal } from '../../../hub/api/principal.js';
import { streamRoutes } from '../../../hub/api/stream.js';
import { testContext } from '../../support/context.js';

const ctx = testContext('apistream');
const TOWN_A = '330102001';
const townA: Principal = { id: 'a', name: '甲镇', role: 'town_operator', jurisdiction: TOWN_A, department: null, canUnmask: false };
let db: Db;
let app: FastifyInstance;
let base: string;
let matterA: string;
let matterB: string;

beforeAll(async () => {
  db = createDb(ctx.stack.databaseUrl, { schema: ctx.dbSchema });
  await migrate(db, ctx.dbSchema);
  const at = new Date();
  const ids = await db('matters')
    .insert([
      { title: 'A', description: 'x', status: 'NEW', division_code: `${TOWN_A}001`, first_reported_at: at, updated_at: at },
      { title: 'B', description: 'y', status: 'NEW', division_code: '330102002001', first_reported_at: at, updated_at: at },
    ])
    .returning('id');
  [matterA, matterB] = ids.map((r: { id: string }) => String(r.id)) as [string, string];
  app = Fastify();
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req) => {
    req.principal = townA;
  });
  await app.register(streamRoutes, { prefix: '/api/v1', db, pollMs: 100, heartbeatMs: 300 });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await db?.raw(`DROP SCHEMA IF EXISTS "${ctx.dbSchema}" CASCADE`);
  await db?.destroy();
});

/** Reads the stream until `until` says stop (or the timeout); returns the events and the raw text. */
async function read(headers: Record<string, string>, until: (events: Array<{ id: string; event: string; data: { matterId: string } }>, text: string) => boolean, act?: () => Promise<void>) {
  const ac = new AbortController();
  const timeout = setTimeout(() => ac.abort(), 30_000); // the commit watermark waits for every older transaction of the server: generous on a shared one
  const res = await fetch(`${base}/api/v1/stream`, { headers, signal: ac.signal });
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let text = '';
  const events: Array<{ id: string; event: string; data: { matterId: string } }> = [];
  let acted = false;
  try {
    while (true) {
      if (!acted && act && text.includes(': stream from')) {
        acted = true;
        await act();
      }
      const { value, done } = await reader.read();
      if (done) break;
      text += dec.decode(value, { stream: true });
      events.length = 0;
      for (const block of text.split('\n\n')) {
        const id = /^id: (.*)$/m.exec(block)?.[1];
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (id && event && data) events.push({ id, event, data: JSON.parse(data) });
      }
      if (until(events, text)) break;
    }
  } finally {
    clearTimeout(timeout);
    ac.abort();
  }
  return { events, text };
}

const event = (matter: string, type: string) => ({ matter_id: matter, type, at: new Date(), detail: {} });

describe('matter event stream', () => {
  it("delivers its own town's events live, never another town's, with heartbeats; resumes after Last-Event-ID", async () => {
    const first = await read(
      {},
      (ev, text) => ev.length >= 2 && text.includes(': heartbeat'),
      async () => {
        await db('matter_events').insert([event(matterB, 'created'), event(matterA, 'created'), event(matterB, 'dispatched'), event(matterA, 'dispatched')]);
      },
    );
    expect(first.events.map((e) => [e.event, e.data.matterId])).toEqual([['created', matterA], ['dispatched', matterA]]);
    const lastSeen = first.events[first.events.length - 1]!.id;

    // while disconnected: one event of each town
    await db('matter_events').insert([event(matterA, 'status_changed'), event(matterB, 'closed')]);
    const resumed = await read({ 'last-event-id': lastSeen }, (ev) => ev.length >= 1);
    expect(resumed.events.map((e) => [e.event, e.data.matterId])).toEqual([['status_changed', matterA]]);
    expect(resumed.events[0]!.id).not.toBe(lastSeen);
  });

  // Ids are drawn at insert, visibility comes at commit: the event with the lower id commits last.
  it.each([
    ['the later transaction', false],
    ['the transaction that took its transaction id first', true],
  ])('never skips an event whose transaction commits after one with a higher id (lower id written by %s)', async (_label, laterTakesXidFirst) => {
    const slow = await db.transaction();
    const fast = await db.transaction();
    try {
      if (laterTakesXidFirst) await fast.raw('select pg_current_xact_id()');
      const [low] = await slow('matter_events').insert(event(matterA, 'slow_commit')).returning('id');
      const [high] = await fast('matter_events').insert(event(matterA, 'fast_commit')).returning('id');
      expect(BigInt(high.id)).toBeGreaterThan(BigInt(low.id));
      const got = await read(
        {},
        (ev) => ev.some((e) => e.event === 'slow_commit') && ev.some((e) => e.event === 'fast_commit'),
        async () => {
          await fast.commit();
          // the higher id is committed and visible; give the stream polls to (wrongly) move past the lower one
          await new Promise((r) => setTimeout(r, 600));
          await slow.commit();
        },
      );
      const mine = got.events.filter((e) => ['slow_commit', 'fast_commit'].includes(e.event));
      expect(mine.map((e) => e.event).sort()).toEqual(['fast_commit', 'slow_commit']);
      expect(new Set(got.events.map((e) => e.id)).size).toBe(got.events.length);
    } finally {
      if (!slow.isCompleted()) await slow.rollback();
      if (!fast.isCompleted()) await fast.rollback();
    }
  });

  // Other users of the server (another hub schema, the registry, a report left open) cannot write this
  // hub's timeline: a transaction of theirs left open must not hold the feed back.
  it("delivers events while another session of the server keeps a transaction open", async () => {
    const other = createDb(ctx.stack.databaseUrl, { schema: `${ctx.dbSchema}_other` });
    const open = await other.transaction();
    try {
      await open.raw('select pg_current_xact_id()'); // an assigned transaction id, older than the event's
      const got = await read({}, (ev) => ev.some((e) => e.event === 'beside_open_transaction'), async () => {
        await db('matter_events').insert(event(matterA, 'beside_open_transaction'));
      });
      expect(got.events.map((e) => e.event)).toContain('beside_open_transaction');
    } finally {
      await open.rollback();
      await other.destroy();
    }
  });

  it('refuses a malformed Last-Event-ID', async () => {
    const res = await fetch(`${base}/api/v1/stream`, { headers: { 'last-event-id': 'abc' } });
    expect(res.status).toBe(400);
  });
});
