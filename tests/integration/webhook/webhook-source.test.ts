/**
 * The webhook source on its own, over real HTTP, with the runtime's calls (nextPage, committed)
 * made by the test: authentication, limits, acknowledgement only after commit, and duplicate
 * handling across retries, restarts and lost acknowledgements.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CountyHubError } from '../../../core/errors.js';
import type { SourcePage } from '../../../connectors/sdk/types.js';
import { WebhookSource, webhookIdKey, type WebhookCursor, type WebhookSettings } from '../../../connectors/sources/webhook.js';
import { signWebhookRequest } from '../../../connectors/sources/webhook-signature.js';
import { SECRET, push, sleep, webhookSettings, type PushResult } from './support.js';

const open: WebhookSource[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function source(overrides: Partial<WebhookSettings> = {}, cursor?: WebhookCursor): Promise<WebhookSource> {
  const s = new WebhookSource(webhookSettings(overrides), { onRefused: () => undefined });
  if (cursor) await s.committed(cursor); // what the runtime does on start with the stored cursor
  await s.open();
  open.push(s);
  return s;
}

const never = new AbortController().signal;

/** Resolves to the result, or 'waiting' if the push is still unanswered after `ms`. */
async function settledWithin<T>(p: Promise<T>, ms = 300): Promise<T | 'waiting'> {
  return Promise.race([p, sleep(ms).then(() => 'waiting' as const)]);
}

async function untilQueued(s: WebhookSource, n: number): Promise<void> {
  for (let i = 0; i < 100 && s.queued < n; i++) await sleep(20);
  expect(s.queued).toBe(n);
}

describe('webhook source: authentication', () => {
  it('refuses a push without signature headers with 401 and a message, and queues nothing', async () => {
    const s = await source();
    const res = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":"a"}' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toMatch(/missing x-countyhub-timestamp/);
    expect(s.queued).toBe(0);
  });

  it('refuses a wrong secret, a tampered body and a stale timestamp with 401', async () => {
    const s = await source();
    const wrong = await push(s.url, { id: 'a' }, { secret: 'another-secret-0123456789' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatch(/does not match/);

    const signed = signWebhookRequest(SECRET, '{"id":"a"}');
    const tampered = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json', ...signed }, body: '{"id":"b"}' });
    expect(tampered.status).toBe(401);

    const stale = await push(s.url, { id: 'a' }, { now: Date.now() - 3600_000 });
    expect(stale.status).toBe(401);
    expect(stale.body.error).toMatch(/away from the server clock/);

    const garbage = await push(s.url, { id: 'a' }, { headers: { 'x-countyhub-signature': 'zz' } });
    expect(garbage.status).toBe(401);
    expect(s.queued).toBe(0);
  });
});

describe('webhook source: shape and limits', () => {
  it('answers 400 for a body that is not JSON and for a record without idempotency id, queueing none of the push', async () => {
    const s = await source();
    expect((await push(s.url, null, { rawBody: '{"id": "a",' })).status).toBe(400);
    const missing = await push(s.url, [{ id: 'a' }, { frame: 'x' }]);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatch(/record 1: idempotency id \(field "id"\)/);
    expect(s.queued).toBe(0);
  });

  it('answers 413 for a body above the limit', async () => {
    const s = await source({ maxBodyBytes: 1024 });
    const res = await push(s.url, { id: 'a', text: 'x'.repeat(2000) });
    expect(res.status).toBe(413);
    expect(s.queued).toBe(0);
  });

  it('answers 429 with Retry-After when the queue is full, and accepts again once it drained', async () => {
    const s = await source({ maxQueuedRecords: 2, retryAfterSeconds: 3 });
    const first = push(s.url, [{ id: 'a' }, { id: 'b' }]);
    await untilQueued(s, 2);
    const refused = await push(s.url, { id: 'c' });
    expect(refused).toMatchObject({ status: 429, retryAfter: '3' });
    const page = await s.nextPage(undefined, never);
    await s.committed(page.cursor);
    expect((await first).status).toBe(200);
    const again = push(s.url, { id: 'c' });
    await untilQueued(s, 1);
    await s.committed((await s.nextPage(page.cursor, never)).cursor);
    expect((await again).status).toBe(200);
  });

  it('takes the idempotency id from a header: header#index for each record of an array', async () => {
    const s = await source({ idempotency: { header: 'x-request-id' } });
    const answer = push(s.url, [{ n: 1 }, { n: 2 }], { headers: { 'x-request-id': 'req-7' } });
    await untilQueued(s, 2);
    const page = await s.nextPage(undefined, never);
    expect(page.records.map((r) => r.id)).toEqual(['req-7#0', 'req-7#1']);
    await s.committed(page.cursor);
    expect((await answer).body.ids).toEqual(['req-7#0', 'req-7#1']);
  });

  it('refuses settings it cannot run with, naming the setting', () => {
    const bad: Array<[Partial<WebhookSettings>, string]> = [
      [{ signature: { secret: 'short' } }, 'source.signature.secret'],
      [{ signature: { secretEnv: 'COUNTYHUB_TEST_UNSET_SECRET' } }, 'source.signature.secretEnv'],
      [{ idempotency: { field: 'id', header: 'x-id' } as never }, 'source.idempotency'],
      [{ maxPageRecords: 500, dedupeWindow: 100 }, 'source.maxPageRecords'],
      [{ path: 'hooks' }, 'source.path'],
    ];
    for (const [overrides, field] of bad) {
      try {
        new WebhookSource(webhookSettings(overrides));
        expect.unreachable(`accepted ${JSON.stringify(overrides)}`);
      } catch (err) {
        expect(err).toBeInstanceOf(CountyHubError);
        expect((err as CountyHubError).field).toBe(field);
      }
    }
  });
});

describe('webhook source: acknowledgement after commit, exactly once', () => {
  it('answers 200 only when committed() covers the push, with the push ids', async () => {
    const s = await source();
    const answer = push(s.url, { id: 'a1', v: 1 });
    const page = await s.nextPage(undefined, never);
    expect(page.records).toEqual([{ id: 'a1', payload: { id: 'a1', v: 1 }, raw: '{"id":"a1","v":1}' }]);
    expect(page.cursor.recent).toEqual([webhookIdKey('a1')]);
    expect(await settledWithin(answer)).toBe('waiting'); // handed to the runtime, not yet committed
    await s.committed(page.cursor);
    expect(await answer).toMatchObject({ status: 200, body: { ok: true, ids: ['a1'], duplicates: [] } });
    expect(s.queued).toBe(0);
  });

  it('hands out the same page again when its transaction failed (nextPage with the old cursor)', async () => {
    const s = await source();
    const answer = push(s.url, [{ id: 'b1' }, { id: 'b2' }]);
    await untilQueued(s, 2);
    const first = await s.nextPage(undefined, never);
    const again = await s.nextPage(undefined, never); // the runtime's recover(): same committed cursor
    expect(again.records.map((r) => r.id)).toEqual(first.records.map((r) => r.id));
    expect(await settledWithin(answer)).toBe('waiting');
    await s.committed(again.cursor);
    expect((await answer).status).toBe(200);
  });

  it('a retry of a push still waiting for Kafka waits for the same records instead of queueing them twice', async () => {
    const s = await source();
    const first = push(s.url, { id: 'c1' });
    await untilQueued(s, 1);
    const retry = push(s.url, [{ id: 'c1' }, { id: 'c2' }]);
    await untilQueued(s, 2);
    const page = await s.nextPage(undefined, never);
    expect(page.records.map((r) => r.id)).toEqual(['c1', 'c2']);
    await s.committed(page.cursor);
    expect((await first).status).toBe(200);
    expect((await retry).body).toMatchObject({ ids: ['c1', 'c2'], duplicates: [] });
  });

  it('a retry of a committed push is answered 200 at once and not queued again', async () => {
    const s = await source();
    const answer = push(s.url, { id: 'd1' });
    const page = await s.nextPage(undefined, never);
    await s.committed(page.cursor);
    await answer;
    const retry = await push(s.url, { id: 'd1' });
    expect(retry).toMatchObject({ status: 200, body: { ids: ['d1'], duplicates: ['d1'] } });
    expect(s.queued).toBe(0);
  });

  it('after a restart, the stored cursor alone tells which pushes were delivered', async () => {
    const s1 = await source();
    const answer = push(s1.url, { id: 'e1' });
    const page = await s1.nextPage(undefined, never);
    await s1.committed(page.cursor);
    await answer;
    await s1.close();
    const s2 = await source({}, page.cursor);
    expect(await push(s2.url, { id: 'e1' })).toMatchObject({ status: 200, body: { duplicates: ['e1'] } });
    expect(s2.queued).toBe(0);
  });

  it('acknowledges a push whose commit succeeded although committed() was never called (the cursor passed to nextPage covers it)', async () => {
    const s = await source();
    const answer = push(s.url, { id: 'f1' });
    const page = await s.nextPage(undefined, never);
    // the transaction committed but its answer was lost: the runtime reloads the cursor and reads on
    const next = s.nextPage(page.cursor, never);
    expect(await answer).toMatchObject({ status: 200, body: { ids: ['f1'] } });
    expect((await next).records).toEqual([]);
  });

  it('forgets ids older than the window: a very late retry is delivered again (the documented limit)', async () => {
    const s = await source({ dedupeWindow: 3, maxPageRecords: 1 });
    let cursor: WebhookCursor | undefined;
    for (const id of ['g1', 'g2', 'g3', 'g4']) {
      const answer = push(s.url, { id });
      const page: SourcePage<WebhookCursor> = await s.nextPage(cursor, never);
      cursor = page.cursor;
      await s.committed(cursor);
      await answer;
    }
    expect(cursor!.recent).toHaveLength(3);
    expect((await push(s.url, { id: 'g4' })).body.duplicates).toEqual(['g4']);
    const late = push(s.url, { id: 'g1' });
    await untilQueued(s, 1); // g1 fell out of the window: queued again
    await s.committed((await s.nextPage(cursor, never)).cursor);
    expect((await late).body.duplicates).toEqual([]);
  });

  it('answers 503 with Retry-After when the commit takes longer than ackTimeoutMs; the records stay queued for the retry', async () => {
    const s = await source({ ackTimeoutMs: 300 });
    const slow = await push(s.url, { id: 'h1' });
    expect(slow).toMatchObject({ status: 503, retryAfter: '2' });
    expect(s.queued).toBe(1);
    const retry = push(s.url, { id: 'h1' });
    await sleep(50);
    await s.committed((await s.nextPage(undefined, never)).cursor);
    expect((await retry).status).toBe(200);
  });

  it('answers 503 to pushes still waiting when the source closes', async () => {
    const s = await source();
    const answer = push(s.url, { id: 'i1' });
    await untilQueued(s, 1);
    await s.close();
    const res: PushResult = await answer;
    expect(res.status).toBe(503);
    expect(res.body.error).toMatch(/stopping/);
  });
});

describe('webhook source: waiting for pushes', () => {
  it('waits up to maxWaitMs for a push, then returns an empty page with the same cursor', async () => {
    const s = await source({ maxWaitMs: 150 });
    const cursor: WebhookCursor = { v: 1, recent: ['x'] };
    const t0 = Date.now();
    const page = await s.nextPage(cursor, never);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(page).toEqual({ records: [], cursor, hasMore: false });
  });

  it('returns as soon as a push arrives, and gives up at once when aborted', async () => {
    const s = await source({ maxWaitMs: 5000 });
    const waiting = s.nextPage(undefined, never);
    void push(s.url, { id: 'j1' });
    expect((await waiting).records.map((r) => r.id)).toEqual(['j1']);

    const s2 = await source({ maxWaitMs: 5000 });
    const abort = new AbortController();
    const t0 = Date.now();
    const aborted = s2.nextPage(undefined, abort.signal);
    setTimeout(() => abort.abort(), 50);
    await expect(aborted).rejects.toThrow();
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('webhook source: a record pushed again when it changes (idempotency on id + version)', () => {
  it('with a list of fields, a re-push with a new version is delivered and a re-sent push is not; the record keeps its own id', async () => {
    const s = await source({ idempotency: { field: ['jjdbh', 'gxsj'] } });
    const v1 = { jjdbh: 'J1', gxsj: '2026/11/23 09:05:00', yjzt: '1' };
    const v2 = { jjdbh: 'J1', gxsj: '2026/11/23 09:40:00', yjzt: '2' };
    const first = push(s.url, [v1]);
    const p1 = await s.nextPage(undefined, never);
    expect(p1.records.map((r) => r.id)).toEqual(['J1']); // dead letters and reconciliation name the incident
    expect(p1.cursor.recent).toEqual([webhookIdKey('J1|2026/11/23 09:05:00')]);
    await s.committed(p1.cursor);
    expect(await first).toMatchObject({ status: 200, body: { ids: ['J1|2026/11/23 09:05:00'], duplicates: [] } });

    // the answer was lost: the same push again is acknowledged at once, nothing queued
    expect(await push(s.url, [v1])).toMatchObject({ status: 200, body: { duplicates: ['J1|2026/11/23 09:05:00'] } });
    expect(s.queued).toBe(0);

    // 12345 signed for it: the 110 system pushes the incident again with its new state
    const second = push(s.url, [v2]);
    const p2 = await s.nextPage(p1.cursor, never);
    expect(p2.records.map((r) => r.payload)).toEqual([v2]);
    await s.committed(p2.cursor);
    expect(await second).toMatchObject({ status: 200, body: { duplicates: [] } });
  });

  it('refuses a record missing one of the fields with 400, naming them', async () => {
    const s = await source({ idempotency: { field: ['jjdbh', 'gxsj'] } });
    const res = await push(s.url, [{ jjdbh: 'J2' }]);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/fields "jjdbh" \+ "gxsj"/);
    expect(s.queued).toBe(0);
  });

  it('the police-110 adapter keys its pushes on incident number + update time', async () => {
    const { findAdapter } = await import('../../../connectors/adapters/index.js');
    const settings = findAdapter('police-110').manifest.source as WebhookSettings;
    expect(settings.idempotency).toEqual({ field: ['jjdbh', 'gxsj'] });
  });
});
