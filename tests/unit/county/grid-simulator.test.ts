/** The grid-platform simulator over real HTTP: cursor-token paging, the change feed, its quirks and faults. */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGridServer, GridStore } from '../../../simulators/grid/server.js';
import type { GridEvent } from '../../../simulators/grid/types.js';

interface Body {
  code: number;
  msg: string;
  data: { records: GridEvent[]; nextCursor: string | null; hasMore: boolean } | null;
}

const T0 = Date.parse('2026-03-02T08:00:00+08:00');
let clock = T0;
const store = new GridStore({ seed: 5, duplicateRate: 0.2, now: () => clock });
const app = buildGridServer(store);
let base = '';

beforeAll(async () => {
  for (let i = 0; i < 120; i++) {
    clock += 60_000;
    store.generate();
  }
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app.close();
});

async function get(query: string): Promise<{ status: number; body: Body }> {
  const res = await fetch(`${base}/api/grid/v1/events${query}`);
  return { status: res.status, body: (await res.json()) as Body };
}

/** Reads the feed to its head from `cursor`; returns the distinct events, rows seen and the last cursor. */
async function readAll(cursor: string | null, limit = 25): Promise<{ events: Map<string, GridEvent>; rows: number; pages: number; cursor: string | null; repeats: number }> {
  const events = new Map<string, GridEvent>();
  let rows = 0;
  let pages = 0;
  let repeats = 0;
  for (;;) {
    const { status, body } = await get(`?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(status).toBe(200);
    expect(body.code).toBe(0);
    const data = body.data as NonNullable<Body['data']>;
    pages += 1;
    expect(data.records.length).toBeLessThanOrEqual(limit);
    const inPage = new Set<string>();
    for (const e of data.records) {
      if (inPage.has(e.eventId)) repeats += 1;
      inPage.add(e.eventId);
      events.set(e.eventId, e);
      rows += 1;
    }
    if (data.nextCursor === null) {
      expect(data.records).toEqual([]);
      expect(data.hasMore).toBe(false);
      return { events, rows, pages, cursor, repeats };
    }
    cursor = data.nextCursor;
    if (!data.hasMore) {
      // at the head: the same cursor now gives an empty page and null
      const again = await get(`?limit=${limit}&cursor=${encodeURIComponent(cursor)}`);
      expect(again.body.data).toEqual({ records: [], nextCursor: null, hasMore: false });
      return { events, rows, pages: pages + 1, cursor, repeats };
    }
  }
}

describe('grid platform simulator', () => {
  let head: string | null = null;

  it('pages through every event once with an opaque cursor, repeating a row now and then', async () => {
    const r = await readAll(null);
    expect(r.events.size).toBe(120);
    expect(r.pages).toBeGreaterThanOrEqual(5);
    expect(r.repeats).toBeGreaterThan(0);
    expect(r.rows).toBe(120 + r.repeats);
    expect(r.cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    head = r.cursor;
    for (const e of r.events.values()) {
      expect(e.gridCode).toMatch(/^\d{15}$/);
      expect(e.gridCode.startsWith(e.divisionCode)).toBe(true);
      expect(e.coordSys).toBe('GCJ02');
      expect(e.photos.length).toBeGreaterThan(0);
      expect(e.status).toBe(1);
      expect(e.statusName).toBe('待受理');
    }
  });

  it('returns changed events again after the cursor (incremental by position, not by time)', async () => {
    clock += 3600_000;
    const target = store.events()[7] as GridEvent;
    const res = await fetch(`${base}/__sim/events/${target.eventId}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 2, handleDept: '演示旗综合行政执法局' }) });
    expect(res.status).toBe(200);
    await fetch(`${base}/__sim/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: 3 }) });
    const r = await readAll(head, 2);
    expect(r.events.size).toBe(4);
    const changed = r.events.get(target.eventId);
    expect(changed).toMatchObject({ status: 2, statusName: '已派遣', version: 2, handleDept: '演示旗综合行政执法局' });
    // the old position still reads everything after it, including the earlier rows
    const fromStart = await readAll(null, 200);
    expect(fromStart.events.size).toBe(123);
    head = r.cursor;
  });

  it('keeps cursor tokens valid across a restart with the same data, and rejects forged ones', async () => {
    const restarted = new GridStore({ seed: 99 });
    restarted.load(store.events());
    expect(restarted.decodeCursor(store.encodeCursor(42))).toBe(42);
    const forged = `${Buffer.from(JSON.stringify({ v: 1, p: 1 })).toString('base64url')}.AAAAAAAAAAAAAAAA`;
    for (const bad of [forged, 'abc', 'x.y']) {
      const { status, body } = await get(`?cursor=${encodeURIComponent(bad)}`);
      expect(status).toBe(400);
      expect(body.code).toBe(40001);
    }
    expect((await get('?limit=0')).status).toBe(400);
    expect((await get('?limit=501')).status).toBe(400);
  });

  it('has devices that swap latitude and longitude, and a few desk entries without a position', () => {
    const big = new GridStore({ seed: 11, now: () => T0 });
    for (let i = 0; i < 1500; i++) big.generate();
    const events = big.events();
    const swapped = events.filter((e) => e.lng !== null && e.lng < 90);
    const none = events.filter((e) => e.lng === null);
    expect(swapped.length).toBeGreaterThan(0);
    for (const e of swapped) expect(e.lat).toBeGreaterThan(100);
    expect(none.length).toBeGreaterThan(0);
  });

  it('fails the way platforms fail: busy bodies, 500s, truncated pages', async () => {
    const post = (body: unknown) => fetch(`${base}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await post({ mode: 'busy', count: 1 });
    const busy = await get('');
    expect(busy.status).toBe(200);
    expect(busy.body).toMatchObject({ code: 503, data: null });
    await post({ mode: 'http500', count: 1 });
    expect((await fetch(`${base}/api/grid/v1/events`)).status).toBe(500);
    await post({ mode: 'truncated', count: 1 });
    const text = await (await fetch(`${base}/api/grid/v1/events`)).text();
    expect(() => JSON.parse(text)).toThrow();
    expect((await get('')).status).toBe(200);
  });
});
