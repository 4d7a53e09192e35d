/**
 * The HTTP-poll source's keyset reading against a real HTTP server (the 12345 simulator with a
 * controllable clock): coarse timestamps shared by many records, records changing while we page,
 * a record changed twice within one second, and restarts from a JSON-serialised cursor.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { manifest } from '../../../connectors/adapters/hotline-12345/manifest.js';
import { HttpPollSource, type HttpPollCursor } from '../../../connectors/sources/http-poll.js';
import { buildHotlineServer, HotlineStore } from '../../../simulators/hotline-12345/server.js';
import type { FastifyInstance } from 'fastify';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function setup(now: { t: number }, size = 100) {
  const store = new HotlineStore({ seed: 3, now: () => now.t });
  app = buildHotlineServer(store);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const source = new HttpPollSource({ ...manifest.source, url: `${url}/api/v2/workorders`, rateLimitPerSecond: undefined, pagination: { ...manifest.source.pagination, size } }, () => now.t);
  return { store, source };
}

/** Reads until the source has nothing more, round-tripping the cursor through JSON as Kafka does. */
async function readAll(source: HttpPollSource, cursor?: HttpPollCursor, between?: () => void, pageSize = 100) {
  const seen: Array<{ id: string; gxsj: string }> = [];
  let c = cursor;
  for (let i = 0; i < 1000; i++) {
    const page = await source.nextPage(c, new AbortController().signal);
    for (const r of page.records) seen.push({ id: r.id!, gxsj: (r.payload as { gxsj: string }).gxsj });
    c = JSON.parse(JSON.stringify(page.cursor)) as HttpPollCursor;
    // bounded: one page of marks, plus 8 bytes (base64) per record of a timestamp read in passes
    const passMarks = c.pass?.delivered ? Buffer.from(c.pass.delivered, 'base64').length / 8 : 0;
    expect(JSON.stringify(c).length).toBeLessThan(pageSize * 40 + passMarks * 11 + 100);
    expect(passMarks).toBeLessThanOrEqual(5_000);
    between?.();
    if (!page.hasMore) break;
  }
  return { seen, cursor: c! };
}

describe('HTTP-poll keyset reading', () => {
  it('reads 1,200 records that share one timestamp exactly once, in pages of 100', async () => {
    const now = { t: Date.UTC(2026, 2, 1, 2, 0, 0) };
    const { store, source } = await setup(now);
    for (let i = 0; i < 1200; i++) store.generate();
    const { seen } = await readAll(source);
    expect(seen).toHaveLength(1200);
    expect(new Set(seen.map((s) => s.id)).size).toBe(1200);
  });

  it('records updated while we page are delivered again at their new version; none is skipped', async () => {
    const now = { t: Date.UTC(2026, 2, 1, 2, 0, 0) };
    const { store, source } = await setup(now);
    for (let i = 0; i < 500; i++) {
      now.t += 1000 * (i % 3 === 0 ? 1 : 0); // several records per second
      store.generate();
    }
    const ids = [...store.orders.keys()];
    let k = 0;
    const { seen, cursor } = await readAll(source, undefined, () => {
      // after each page, two early records change (they move to the end of the list)
      now.t += 1000;
      store.update(ids[k++]!, { gdzt: '派单' });
      store.update(ids[k++]!, { gdzt: '派单' });
    });
    const again = await readAll(source, cursor);
    const all = [...seen, ...again.seen];
    for (const [id, o] of store.orders) expect(all.some((s) => s.id === id && s.gxsj === o.gxsj), id).toBe(true);
    const versions = all.map((s) => `${s.id}@${s.gxsj}`);
    expect(new Set(versions).size).toBe(versions.length);
  });

  it('600 orders sharing one update time, 100 already-read ones updated before page 3: all 600 and the 100 new versions are read', async () => {
    const now = { t: Date.UTC(2026, 2, 1, 2, 0, 0) };
    const { store, source } = await setup(now, 200);
    for (let i = 0; i < 600; i++) store.generate();
    await app!.inject({ method: 'POST', url: '/__sim/quirks', payload: { mode: 'shift-before-page', page: 3, count: 100 } });
    now.t += 5000; // the shifted orders get a later update time
    const first = await readAll(source, undefined, undefined, 200);
    const again = await readAll(source, first.cursor, undefined, 200); // the next poll
    const all = [...first.seen, ...again.seen];
    const shifted = ((await app!.inject({ method: 'GET', url: '/__sim/quirks' })).json() as Array<{ shifted: string[] }>)[0]!.shifted;
    expect(shifted).toHaveLength(100);
    expect(new Set(all.map((s) => s.id)).size).toBe(600);
    for (const [id, o] of store.orders) expect(all.some((s) => s.id === id && s.gxsj === o.gxsj), id).toBe(true);
    // re-reading the shifted timestamp produces no version twice: 600 first versions and the 100 shifted ones
    const versions = all.map((s) => `${s.id}|${s.gxsj}`);
    expect(new Set(versions).size).toBe(700);
    expect(versions.length).toBe(700);
  });

  it('at the head, a timestamp shared by whole pages is not read and delivered again on every poll', async () => {
    const now = { t: Date.UTC(2026, 2, 1, 2, 0, 0) };
    const { store, source } = await setup(now);
    for (let i = 0; i < 300; i++) store.generate();
    const first = await readAll(source);
    expect(new Set(first.seen.map((s) => s.id)).size).toBe(300);
    expect(first.seen.length).toBe(300);
    let c = first.cursor;
    for (let i = 0; i < 5; i++) {
      const again = await readAll(source, c);
      expect(again.seen).toEqual([]);
      c = again.cursor;
    }
    now.t += 1000;
    const o = store.generate();
    const next = await readAll(source, c);
    expect(next.seen.map((s) => s.id)).toEqual([o.gdbh]);
  });

  it('a mistyped update time six months ahead does not move the cursor: later updates are still read, the record is refused once', async () => {
    const now = { t: Date.UTC(2026, 2, 1, 2, 0, 0) };
    const { store, source } = await setup(now);
    const good = Array.from({ length: 5 }, () => store.generate().gdbh);
    const future = store.generate();
    store.orders.set(future.gdbh, { ...future, gxsj: '2026-09-01 10:00:00' }); // inside the accepted year
    const outOfRange = store.generate();
    store.orders.set(outOfRange.gdbh, { ...outOfRange, gxsj: '2099-01-01 00:00:00' });
    const delivered: string[] = [];
    const rejected: string[] = [];
    const warnings: string[] = [];
    let c: HttpPollCursor | undefined;
    const poll = async () => {
      for (;;) {
        const page = await source.nextPage(c, new AbortController().signal);
        for (const r of page.records) (r.rejected ? rejected : delivered).push(r.id!);
        warnings.push(...(page.warnings ?? []));
        c = JSON.parse(JSON.stringify(page.cursor)) as HttpPollCursor;
        if (!page.hasMore) return;
      }
    };
    await poll();
    expect(delivered.sort()).toEqual([...good].sort());
    now.t += 60_000;
    const changed = store.update(good[0]!, { gdzt: '派单' })!;
    for (let i = 0; i < 5; i++) await poll(); // several polls: the refused records are not refused again
    expect(delivered.filter((id) => id === good[0])).toHaveLength(2); // the change after the mistyped record is read
    expect(c!.since).toBe(changed.gxsj);
    expect(rejected.sort()).toEqual([future.gdbh, outOfRange.gdbh].sort());
    expect(warnings.some((w) => w.includes(future.gdbh) && w.includes('未来'))).toBe(true);
    // corrected on the platform: read again, normally
    now.t += 60_000;
    store.update(future.gdbh, { gdzt: '派单' });
    await poll();
    expect(delivered.at(-1)).toBe(future.gdbh);
  });

  it('a record changed twice within the same second is delivered with its latest content', async () => {
    const now = { t: Date.UTC(2026, 2, 1, 2, 0, 0) };
    const { store, source } = await setup(now);
    const o = store.generate();
    const first = await readAll(source);
    store.update(o.gdbh, { gdzt: '派单' }); // same second: gxsj does not change
    const second = await readAll(source, first.cursor);
    expect(second.seen.map((s) => s.id)).toEqual([o.gdbh]);
    const third = await readAll(source, second.cursor);
    expect(third.seen).toEqual([]);
  });

  it('a platform answering HTTP 200 with {"code":"9999"} is a retriable upstream error, not an empty page', async () => {
    const now = { t: Date.UTC(2026, 2, 1, 2, 0, 0) };
    const { source } = await setup(now);
    await app!.inject({ method: 'POST', url: '/__sim/faults', payload: { mode: 'busy', count: 1 } });
    await expect(source.nextPage(undefined, new AbortController().signal)).rejects.toMatchObject({ code: 'CH_UPSTREAM_UNAVAILABLE', retriable: true });
  });
});
