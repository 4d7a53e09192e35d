/**
 * An administrator runs a connector through the hub's API, on the real pipeline (12345 simulator →
 * worker → Kafka → hub): pause (nothing is read while paused), reset the cursor (refused while it
 * runs), resume (the source is read again, the hub keeps one copy of each version), list dead
 * letters (without their payloads) and replay one with a corrected record — each change in the
 * audit chain with the reason given, and refused to anyone but an admin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrincipal, issueApiKey } from '../../../hub/api/auth/principals.js';
import { createDb } from '../../../hub/store/db.js';
import { freePort } from '../../../stack/net.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { testContext } from '../../support/context.js';

const ctx = testContext('control');
const TOKEN = 'control-token-for-the-test-0123456789';
let sim: RunningProcess;
let hub: RunningProcess;
let worker: RunningProcess;
const keys: Record<'admin' | 'commander' | 'auditor', string> = { admin: '', commander: '', auditor: '' };
const simUrl = () => String(sim.ready.url);
const hubUrl = () => String(hub.ready.url);

async function api<T>(who: keyof typeof keys, path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${hubUrl()}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${keys[who]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

interface Status {
  id: string;
  state: string;
  recordsRead: number;
  produced: number;
}
const status = async () => ((await (await fetch(`${String(worker.ready.statusUrl)}/status`)).json()) as Status[])[0]!;
const generate = async (count: number) => {
  const res = await fetch(`${simUrl()}/__sim/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count }) });
  expect(res.ok).toBe(true);
};
async function reportIds(): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  do {
    const r: { body: { items: Array<{ reports: Array<{ sourceRecordId: string }> }>; nextCursor: string | null } } = await api('admin', `/matters?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    out.push(...r.body.items.flatMap((m) => m.reports.map((x) => x.sourceRecordId)));
    cursor = r.body.nextCursor;
  } while (cursor);
  return out;
}

beforeAll(async () => {
  sim = await startProcess('12345 simulator', 'simulators/hotline-12345/main.ts', ['--seed', '31'], {});
  const statusPort = await freePort();
  [hub, worker] = await Promise.all([
    startProcess('hub', 'hub/main.ts', [], { ...ctx.env, HUB_PORT: '0', CONNECTOR_STATUS_URLS: `http://127.0.0.1:${statusPort}`, CONNECTOR_CONTROL_TOKEN: TOKEN }),
    startProcess('connector worker', 'connectors/cli.ts', ['run', 'hotline-12345'], {
      ...ctx.env,
      STATUS_PORT: String(statusPort),
      CONTROL_TOKEN: TOKEN,
      CONNECTOR_CONFIG: JSON.stringify({ 'hotline-12345': { source: { url: `${simUrl()}/api/v2/workorders`, pagination: { size: 10 } }, pollIntervalMs: 200 } }),
    }),
  ]);
  const db = createDb(ctx.stack.databaseUrl, { schema: ctx.dbSchema });
  try {
    for (const role of ['admin', 'commander', 'auditor'] as const) keys[role] = await issueApiKey(db, (await createPrincipal(db, { id: `control-${role}`, name: role, role })).id);
  } finally {
    await db.destroy();
  }
});

afterAll(async () => {
  await Promise.all([worker?.stop(), hub?.stop(), sim?.stop()]);
});

describe('connector control through the API', () => {
  let badId: string;

  it('pause stops reading after the page under way; a reset is refused while it runs and taken while paused; resume reads again without a duplicate in the hub', async () => {
    await generate(12);
    const bad = await (await fetch(`${simUrl()}/__sim/workorders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sqbt: '区划代码写错的工单', xzqhdm: '1506251' }) })).json() as { gdbh: string };
    badId = bad.gdbh;
    await eventually('12 work orders in the hub', async () => ((await reportIds()).length >= 12 ? true : undefined));

    expect((await api('commander', '/connectors/hotline-12345/pause', 'POST', { reason: '例行维护' })).status).toBe(403);
    expect((await api('admin', '/connectors/hotline-12345/pause', 'POST', {})).status).toBe(400); // a reason is required
    const early = await api<{ error: string; message: string }>('admin', '/connectors/hotline-12345/cursor-reset', 'POST', { reason: '重新读取' });
    expect(early.status).toBe(409);
    expect(early.body.message).toMatch(/请先暂停/);

    const paused = await api<Status>('admin', '/connectors/hotline-12345/pause', 'POST', { reason: '上游平台维护窗口' });
    expect(paused.status, JSON.stringify(paused.body)).toBe(200);
    expect(paused.body.state).toBe('paused');
    const before = await status();
    await generate(5);
    // paused: polls every 200 ms would have read the 5 new orders many times over in this while
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 300));
      const s = await status();
      expect(s.state).toBe('paused');
      expect(s.recordsRead).toBe(before.recordsRead);
    }
    expect((await fetch(`${String(worker.ready.statusUrl)}/health`)).status).toBe(200); // paused on purpose is healthy

    const reset = await api<{ reset: boolean }>('admin', '/connectors/hotline-12345/cursor-reset', 'POST', { reason: '核对历史数据，从头重读' });
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    expect(reset.body.reset).toBe(true);
    expect((await api<Status>('admin', '/connectors/hotline-12345/resume', 'POST', { reason: '维护结束' })).body.state).toBe('running');

    // read again from the beginning: every order, the old ones once more, and the hub holds each once
    const platform = ((await (await fetch(`${simUrl()}/__sim/workorders`)).json()) as Array<{ gdbh: string }>).map((o) => o.gdbh);
    await eventually('the source read again from its beginning', async () => ((await status()).recordsRead >= before.recordsRead + platform.length ? true : undefined));
    await eventually('the 5 orders made while paused in the hub', async () => {
      const ids = await reportIds();
      return ids.length >= platform.length - 1 ? ids : undefined;
    });
    const ids = await reportIds();
    expect(new Set(ids).size).toBe(ids.length); // no report twice
    expect(new Set(ids)).toEqual(new Set(platform.filter((id) => id !== badId)));
  });

  it('dead letters are listed without their payloads, and one is replayed with the corrected record', async () => {
    const letters = await eventually('the bad order dead-lettered', async () => {
      const r = await api<Array<{ offset: string; sourceRecordId: string; reason: string; field: string; replayed: boolean; payload?: unknown }>>('admin', '/connectors/hotline-12345/dead-letters');
      return r.body.some((l) => l.sourceRecordId === badId) ? r.body : undefined;
    });
    const letter = letters.find((l) => l.sourceRecordId === badId)!;
    expect(letter.reason).toMatch(/\S/);
    expect(letter).not.toHaveProperty('payload'); // personal data stays in Kafka
    const original = ((await (await fetch(`${simUrl()}/__sim/workorders`)).json()) as Array<Record<string, unknown>>).find((o) => o.gdbh === badId)!;
    const replay = await api<{ replayed: number; stillFailing: unknown[] }>('admin', '/connectors/hotline-12345/dead-letters/replay', 'POST', {
      reason: '区划代码已与12345平台核实更正',
      offsets: [letter.offset],
      payload: { ...original, xzqhdm: '150625100001' },
    });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ replayed: 1, stillFailing: [] });
    await eventually('the corrected order in the hub', async () => ((await reportIds()).includes(badId) ? true : undefined));
    const again = await api<Array<{ sourceRecordId: string; replayed: boolean }>>('admin', '/connectors/hotline-12345/dead-letters');
    expect(again.body.find((l) => l.sourceRecordId === badId)!.replayed).toBe(true);
  });

  it('every change is in the audit chain with who, what and why; the chain verifies', async () => {
    const audit = await api<{ items: Array<{ principalId: string; action: string; target: string; purpose: string }> }>('auditor', '/audit?limit=500');
    const mine = audit.body.items.filter((r) => r.target === 'connector:hotline-12345');
    expect(mine.map((r) => [r.action, r.purpose])).toEqual([
      ['connector.pause', '上游平台维护窗口'],
      ['connector.cursor_reset', '核对历史数据，从头重读'],
      ['connector.resume', '维护结束'],
      ['connector.dead_letter_replay', '区划代码已与12345平台核实更正'],
    ]);
    expect(new Set(mine.map((r) => r.principalId))).toEqual(new Set(['control-admin']));
    expect((await api<{ ok: boolean }>('auditor', '/audit/verify')).body).toMatchObject({ ok: true });
  });
});
