/**
 * Approval applications on the real stack, through the simulator of the government-service
 * platform (a child process) that verifies every request's app-key signature, timestamp and nonce:
 *  - kill -9 at random points while thousands of applications are read and keep changing: Kafka
 *    (read_committed) ends with every application at its latest state, as Approval and as Subject,
 *    exactly as the mapping makes them, no version twice;
 *  - 500s, "系统繁忙" bodies, time-outs, truncated and slow pages: degraded, then healthy, nothing lost;
 *  - a wrong secret: a clear, non-retriable error (HTTP 401, 签名验证失败), nothing produced;
 *  - the platform itself refuses stale timestamps, replayed nonces and unknown keys, and serves its
 *    item catalogue, whose item types the adapter reads the same way.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as approval from '../../../connectors/adapters/approval/index.js';
import { itemTypeOf } from '../../../connectors/adapters/approval/index.js';
import type { Approval, Envelope, Subject } from '../../../schemas/index.js';
import type { ApprovalApplication } from '../../../simulators/county/native/approval.js';
import type { PowerItem } from '../../../simulators/approval/store.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { kafkaFor, testContext, type TestContext } from '../../support/context.js';
import { committedRecords, duplicates } from '../../support/kafka-records.js';
import { killRepeatedly } from '../../support/kill-harness.js';
import { injectUpstreamFaults, watchStates } from '../../support/upstream-faults.js';
import { comparable, differences, mapAll, stopWorkers, workerStarter } from './nr-emergency-approval-support.js';

const KEY = 'countyhub-test';
const SECRET = 'approval-test-secret-0123';

let sim: RunningProcess;
const simUrl = () => String(sim.ready.url);

beforeAll(async () => {
  // the simulator generates a county of its own (3,000 applications at scale 1)
  sim = await startProcess('approval simulator', 'simulators/approval/main.ts', ['--seed', '13', '--scale', '1', '--app-key', KEY, '--app-secret', SECRET], {}, 120_000);
});
afterEach(stopWorkers);
afterAll(async () => {
  await sim?.stop();
});

async function control<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${simUrl()}${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return (await res.json()) as T;
}

function worker(ctx: TestContext, source: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  return workerStarter(ctx, 'approval', { url: `${simUrl()}/api/v1/applications`, auth: { type: 'app-key', appKey: KEY, appSecret: SECRET }, pagination: { size: 100 }, ...source }, env);
}

const versionOf = (updateTime: string) => Date.parse(`${updateTime.replace(' ', 'T')}+08:00`);

function latest<T extends { envelope: Envelope }>(records: T[]): Map<string, T> {
  const m = new Map<string, T>();
  for (const r of records) {
    const prev = m.get(r.envelope.sourceRecordId);
    if (!prev || r.envelope.sourceVersion > prev.envelope.sourceVersion) m.set(r.envelope.sourceRecordId, r);
  }
  return m;
}

/** Waits until Kafka holds every application of the platform at its latest version, as Approval and Subject. */
async function caughtUp(ctx: TestContext): Promise<{ approvals: Approval[]; subjects: Subject[]; platform: ApprovalApplication[] }> {
  const kafka = kafkaFor(ctx);
  const platform = await control<ApprovalApplication[]>('/__sim/applications');
  return eventually(
    'Kafka to hold every application at its latest version',
    async () => {
      const approvals = await committedRecords<Approval>(kafka, ctx.stack.schemaRegistryUrl, ctx.topics.records('approval'));
      const subjects = await committedRecords<Subject>(kafka, ctx.stack.schemaRegistryUrl, ctx.topics.records('subject'));
      const a = latest(approvals);
      const s = latest(subjects);
      const complete = platform.every((p) => a.get(p.办件编号)?.envelope.sourceVersion === versionOf(p.更新时间) && s.get(p.办件编号)?.envelope.sourceVersion === versionOf(p.更新时间));
      return complete ? { approvals, subjects, platform } : undefined;
    },
    400_000,
    1000,
  );
}

function expectExactly(platform: ApprovalApplication[], approvals: Approval[], subjects: Subject[]): void {
  const emitted = mapAll(approval.manifest, approval.mapping, platform);
  for (const [kind, records] of [
    ['approval', approvals],
    ['subject', subjects],
  ] as const) {
    const expected = new Map(emitted.filter((e) => e.kind === kind).map((e) => [e.value.envelope.sourceRecordId, comparable(e.value)]));
    const actual = new Map([...latest<{ envelope: Envelope }>(records)].map(([id, r]) => [id, comparable(r)]));
    expect(differences(expected, actual), kind).toEqual([]);
    expect(duplicates(records), kind).toEqual([]);
  }
}

describe('approval applications: signed HTTP poll → Kafka, exactly once', () => {
  it('kill -9 at random points while 3,000 applications are read and keep changing: every application at its latest state, once per version', async () => {
    const ctx = testContext('ap_eos');
    const changing = (async () => {
      for (let i = 0; i < 60; i++) {
        await control('/__sim/advance', { count: 5 });
        if (i % 3 === 0) await control('/__sim/receive', { count: 3 });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const { last, killedAtMs } = await killRepeatedly(worker(ctx), { kills: 6, minMs: 500, maxMs: 3000, seed: 29 });
    await changing;
    const { approvals, subjects, platform } = await caughtUp(ctx);
    await last.stop();
    expect(killedAtMs).toHaveLength(6);
    expect(platform.length).toBeGreaterThan(3000);
    expectExactly(platform, approvals, subjects);
  }, 600_000);

  it('500s, "系统繁忙", time-outs, truncated and slow pages: degraded, then healthy by itself, nothing lost', async () => {
    const ctx = testContext('ap_flaky');
    const w = await worker(ctx, { timeoutMs: 2000, pagination: { size: 500 } }, { CONNECTOR_RETRIES: '2', CONNECTOR_RETRY_MIN_MS: '50', CONNECTOR_RETRY_MAX_MS: '200', DEGRADED_BACKOFF_MS: '300' })();
    const watch = watchStates(`${String(w.ready.statusUrl)}/status`);
    try {
      await injectUpstreamFaults(control, 3000);
      await control('/__sim/receive', { count: 50 });
      await control('/__sim/advance', { count: 20 });
      const { approvals, subjects, platform } = await caughtUp(ctx);
      await watch.expectRecovered(60_000);
      expectExactly(platform, approvals, subjects);
      const status = (await (await fetch(`${String(w.ready.statusUrl)}/status`)).json()) as { retries: number };
      expect(status.retries).toBeGreaterThan(0);
    } finally {
      watch.stop();
      await control('/__sim/faults', undefined).catch(() => undefined);
      await w.stop();
    }
  }, 480_000);

  it('a wrong secret: HTTP 401 签名验证失败, reported at once as refused (not degraded) and not retried, nothing produced', async () => {
    const ctx = testContext('ap_secret');
    const before = await control<Record<string, number>>('/__sim/auth-failures');
    const w = await worker(ctx, { auth: { type: 'app-key', appKey: KEY, appSecret: 'not-the-secret' } }, { CONNECTOR_RETRIES: '5', DEGRADED_BACKOFF_MS: '60000' })();
    try {
      const status = await eventually(
        'the connector to report the refusal',
        async () => {
          const s = (await (await fetch(`${String(w.ready.statusUrl)}/status`)).json()) as { state: string; stateLabel: string; lastError: string | null; retries: number; produced: number; errors: number };
          return s.state === 'refused' ? s : undefined;
        },
        60_000,
      );
      expect(status.stateLabel).toContain('凭据或配置错误');
      expect(status.lastError).toContain('HTTP 401');
      expect(status.lastError).toContain('40103');
      expect(status.lastError).toContain('签名验证失败');
      expect(status.lastError).toContain('credentials');
      expect(status.retries).toBe(0); // non-retriable: the same request would fail the same way
      expect(status.produced).toBe(0);
      const after = await control<Record<string, number>>('/__sim/auth-failures');
      expect((after['40103'] ?? 0) - (before['40103'] ?? 0)).toBe(1);
    } finally {
      await w.stop();
    }
  }, 120_000);

  it('the platform refuses missing, unknown, stale, wrongly signed and replayed requests, and serves its item catalogue', async () => {
    const get = async (path: string, headers: Record<string, string>) => {
      const res = await fetch(`${simUrl()}${path}`, { headers });
      return { status: res.status, body: (await res.json()) as { code: string; msg: string; data: unknown } };
    };
    const sign = (path: string, opts: { key?: string; secret?: string; ts?: number; nonce?: string } = {}) => {
      const key = opts.key ?? KEY;
      const ts = String(opts.ts ?? Date.now());
      const nonce = opts.nonce ?? randomUUID();
      return { 'x-app-key': key, 'x-timestamp': ts, 'x-nonce': nonce, 'x-signature': createHmac('sha256', opts.secret ?? SECRET).update(`${key}${ts}${nonce}${path}`).digest('hex') };
    };
    const path = '/api/v1/applications?updateTimeBegin=2026-03-02+12%3A00%3A00&pageNo=1&pageSize=5&sortField=updateTime';
    expect((await get(path, {})).body.code).toBe('40100');
    expect((await get(path, sign(path, { key: 'someone-else' }))).body.code).toBe('40101');
    const stale = await get(path, sign(path, { ts: Date.now() - 10 * 60_000 }));
    expect(stale).toMatchObject({ status: 401, body: { code: '40102' } });
    expect((await get(path, sign(path, { secret: 'wrong' }))).body.code).toBe('40103');
    const headers = sign(path);
    const ok = await get(path, headers);
    expect(ok.status).toBe(200);
    expect((ok.body.data as { list: ApprovalApplication[] }).list).toHaveLength(5);
    expect((ok.body.data as { list: ApprovalApplication[] }).list.every((a) => a.更新时间 >= '2026-03-02 12:00:00')).toBe(true);
    const replay = await get(path, headers);
    expect(replay).toMatchObject({ status: 401, body: { code: '40104' } });
    // a signature covers the query: the same headers on another page are refused
    expect((await get(path.replace('pageNo=1', 'pageNo=2'), sign(path))).body.code).toBe('40103');

    const items = await get('/api/v1/items', sign('/api/v1/items'));
    const catalogue = (items.body.data as { list: PowerItem[] }).list;
    expect(catalogue.length).toBeGreaterThan(10);
    const TYPES = { 行政许可: 'LICENSING', 行政确认: 'CONFIRMATION', 行政给付: 'PAYMENT', 其他行政权力: 'OTHER_POWER', 公共服务: 'PUBLIC_SERVICE' } as const;
    for (const item of catalogue) expect(itemTypeOf(item.事项名称), item.事项名称).toBe(TYPES[item.事项类型]);
    expect(catalogue.some((i) => i.是否赋权乡镇 === '是')).toBe(true);
    expect((await get('/items', sign('/items'))).status).toBe(200);
  });
});
