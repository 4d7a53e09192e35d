/**
 * Change feeds paged by an opaque cursor token (the grid platform) and by next-page links: every
 * record once, the token kept when the feed is at its head, and reading resumes from the token.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { manifest as gridManifest } from '../../../connectors/adapters/grid/manifest.js';
import { HttpCursorSource, type HttpCursorState } from '../../../connectors/sources/http-cursor.js';
import { buildGridServer, GridStore } from '../../../simulators/grid/server.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function drain(source: HttpCursorSource, cursor?: HttpCursorState) {
  const ids: string[] = [];
  let c = cursor;
  for (let i = 0; i < 500; i++) {
    const page = await source.nextPage(c, new AbortController().signal);
    ids.push(...page.records.map((r) => r.id!));
    c = JSON.parse(JSON.stringify(page.cursor)) as HttpCursorState;
    if (!page.hasMore) break;
  }
  return { ids, cursor: c! };
}

describe('cursor-token and next-link feeds', () => {
  it('reads the grid platform change feed once, keeps its place at the head, and resumes', async () => {
    const store = new GridStore({ seed: 4 });
    for (let i = 0; i < 450; i++) store.generate();
    app = buildGridServer(store);
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const source = new HttpCursorSource({ ...gridManifest.source, url: `${url}/api/grid/v1/events`, rateLimitPerSecond: undefined, pagination: { ...gridManifest.source.pagination, size: 100 } } as never);
    const first = await drain(source);
    expect(new Set(first.ids).size).toBe(450);
    const idle = await drain(source, first.cursor);
    expect(idle.ids).toEqual([]);
    expect(idle.cursor.token).toBe(first.cursor.token);
    for (let i = 0; i < 30; i++) store.generate();
    const more = await drain(source, idle.cursor);
    expect(more.ids).toHaveLength(30);
    expect(more.ids.filter((id) => first.ids.includes(id))).toEqual([]);
  });

  it('follows relative next-page links, stays at the head when there is none, and refuses links to another host', async () => {
    const items = Array.from({ length: 250 }, (_, i) => ({ id: `E${i}`, text: `事件${i}` }));
    app = Fastify();
    app.get<{ Querystring: { after?: string; limit?: string } }>('/feed', async (req) => {
      const after = Number(req.query.after ?? -1);
      const limit = Number(req.query.limit ?? 100);
      const page = items.filter((_, i) => i > after).slice(0, limit);
      const last = items.indexOf(page.at(-1)!);
      return { data: page, links: { next: page.length ? `/feed?after=${last}&limit=${limit}` : null } };
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const settings = { kind: 'http-poll', url: `${url}/feed`, auth: { type: 'none' }, pagination: { style: 'next-link', limitParam: 'limit', size: 100, nextLinkPath: 'links.next' }, idField: 'id', recordsPath: 'data' } as const;
    const source = new HttpCursorSource(settings as never);
    const a = await drain(source);
    expect(a.ids).toEqual(items.map((x) => x.id));
    items.push({ id: 'E250', text: '新事件' });
    const b = await drain(source, a.cursor);
    expect(b.ids).toEqual(['E250']);
    const evil = new HttpCursorSource(settings as never);
    await expect(evil.nextPage({ token: 'http://203.0.113.9/feed' }, new AbortController().signal)).rejects.toMatchObject({ code: 'CH_UPSTREAM_REJECTED' });
  });
});
