/**
 * The environment department end to end on the real stack: the simulator runs as its own process
 * and pushes HJ 212 alarms to a worker's webhook through lost answers, duplicate sends, bad
 * signatures, stale timestamps, damaged frames and a worker restart — and its ledger reconciles
 * with Kafka: every alarm acknowledged, each exactly once (damaged ones as dead letters). The
 * complaint list is polled with the http-poll source through busy and failing pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complaintsManifest, mapComplaint } from '../../../connectors/adapters/environment/index.js';
import { createLogger } from '../../../core/log.js';
import { ConnectorWorker } from '../../../connectors/runtime/worker.js';
import { withRetry } from '../../../connectors/sdk/retry.js';
import { HttpPollSource, type HttpPollSettings } from '../../../connectors/sources/http-poll.js';
import { loadCatalogue } from '../../../core/catalogue.js';
import { SchemaCodec } from '../../../schemas/registry.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import type { LedgerEntry } from '../../../simulators/environment/alarms.js';
import type { EnvironmentComplaint } from '../../../simulators/environment/complaints.js';
import { TEST_PERSONAL_DATA_KEY, kafkaFor, testContext } from '../../support/context.js';
import { SECRET, committedDeadLetters, committedReports, countById, sleep, startWebhookWorker, type RunningWorker } from './support.js';

const ctx = testContext('env_sim');
const kafka = kafkaFor(ctx);
const reader = new SchemaCodec(ctx.stack.schemaRegistryUrl, ctx.topics);
const alarmsId = `env-alarms-${ctx.id}`;
const complaintsId = `env-complaints-${ctx.id}`;
let sim: RunningProcess;
let running: RunningWorker;

const simUrl = () => String(sim.ready.url);

async function sim_<T>(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<T> {
  const res = await fetch(`${simUrl()}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  expect(res.ok).toBe(true);
  return (await res.json()) as T;
}

interface Ledger {
  total: number;
  acknowledged: number;
  pending: number;
  alarms: Array<Omit<LedgerEntry, 'push'>>;
}

beforeAll(async () => {
  sim = await startProcess('environment simulator', 'simulators/environment/main.ts', ['--seed', '5', '--retry-base-ms', '100', '--retry-max-ms', '800'], {});
  running = await startWebhookWorker(ctx, kafka, { connectorId: alarmsId });
  await sim_('/__sim/webhook', { url: running.url, secret: SECRET });
});

afterAll(async () => {
  await running?.worker.stop();
  await sim?.stop();
});

describe('environment simulator → webhook worker → Kafka', () => {
  it('every alarm the platform raised is acknowledged and in Kafka exactly once, through push faults and a worker restart', async () => {
    for (const [mode, count] of [['lose-ack', 2], ['duplicate', 2], ['bad-signature', 1], ['stale-timestamp', 1]] as const) {
      await sim_('/__sim/push-faults', { mode, count });
    }
    await sim_('/__sim/alarms', { count: 6 });
    await sim_('/__sim/alarms', { count: 4, batch: true });
    await sim_('/__sim/alarms', { corrupt: 'crc' });
    await sim_('/__sim/alarms', { corrupt: 'length' });
    await eventually('some alarms acknowledged', async () => ((await sim_<Ledger>('/__sim/ledger')).acknowledged >= 4 ? true : undefined), 30_000, 100);

    // the worker goes away for a while; the platform keeps raising and retrying
    const port = Number(new URL(running.url).port);
    await running.worker.stop();
    await sim_('/__sim/alarms', { count: 3 });
    await sim_('/__sim/alarms', { count: 2, batch: true });
    await sleep(1000);
    running = await startWebhookWorker(ctx, kafka, { connectorId: alarmsId, settings: { port } });

    const ledger = await eventually('every alarm acknowledged', async () => {
      const l = await sim_<Ledger>('/__sim/ledger');
      return l.pending === 0 ? l : undefined;
    }, 60_000, 200);
    expect(ledger.total).toBe(17);
    expect(ledger.alarms.some((a) => a.attempts > 1)).toBe(true); // the faults and the restart forced retries

    const good = ledger.alarms.filter((a) => !a.corrupt);
    const expectedIds = good.map((a) => `${a.mn}:${a.qn}`);
    const counts = await eventually('all alarms visible', async () => {
      const c = countById((await committedReports(kafka, reader, ctx.topics)).filter((r) => r.envelope.connector === alarmsId));
      return expectedIds.every((id) => c.has(id)) ? c : undefined;
    }, 10_000, 100);
    for (const id of expectedIds) expect(counts.get(id), id).toBe(1);
    expect(counts.size).toBe(good.length);

    const letters = (await committedDeadLetters(kafka, ctx.topics)).filter((l) => l.connector === alarmsId);
    const broken = ledger.alarms.filter((a) => a.corrupt);
    expect(letters.map((l) => [l.sourceRecordId, l.field]).sort()).toEqual(broken.map((a) => [a.id, `frame.${a.corrupt}`]).sort());
  });

  it('polls the 12369 complaint list with app-key signatures through busy and failing pages, keeping BD-09 originals', async () => {
    const created = await sim_<{ created: string[] }>('/__sim/generate', { count: 12 });
    await sim_('/__sim/faults', { mode: 'busy', count: 1 });
    await sim_('/__sim/faults', { mode: 'http500', count: 1 });
    const settings: HttpPollSettings = { ...complaintsManifest.source, url: `${simUrl()}/api/12369/complaints`, pagination: { ...complaintsManifest.source.pagination, size: 5 }, rateLimitPerSecond: undefined };
    const worker = new ConnectorWorker({ ...complaintsManifest, id: complaintsId, source: settings }, new HttpPollSource(settings), mapComplaint, {
      kafka,
      codec: new SchemaCodec(ctx.stack.schemaRegistryUrl, ctx.topics),
      topics: ctx.topics,
      personalDataKey: TEST_PERSONAL_DATA_KEY,
      log: createLogger('env-complaints-test'),
      catalogue: loadCatalogue(),
      retry: { retries: 4, minTimeoutMs: 50, maxTimeoutMs: 300 },
    });
    await withRetry(() => worker.connect(), { retries: 5, minTimeoutMs: 200, maxTimeoutMs: 2000 });
    await worker.drain();
    await worker.stop();

    const reports = await eventually('the complaints', async () => {
      const rs = (await committedReports(kafka, reader, ctx.topics)).filter((r) => r.envelope.connector === complaintsId);
      return rs.length >= created.created.length ? rs : undefined;
    }, 10_000, 100);
    expect(new Set(reports.map((r) => r.envelope.sourceRecordId))).toEqual(new Set(created.created));
    expect(reports).toHaveLength(created.created.length);
    expect(reports.every((r) => r.channel === 'COMPLAINT' && r.envelope.department === 'environment')).toBe(true);
    const located = reports.filter((r) => r.envelope.location);
    expect(located.length).toBeGreaterThan(0);
    for (const r of located) {
      const l = r.envelope.location!;
      expect(l.originalCrs).toBe('BD09');
      // BD-09 sits a few hundred metres north-east of WGS-84 in this part of China
      expect(l.originalLng - l.lng).toBeGreaterThan(0.005);
      expect(l.originalLat - l.lat).toBeGreaterThan(0.003);
    }
    expect(reports.some((r) => r.categoryCode !== null)).toBe(true);

    // the list serves native EnvironmentComplaint rows (举报编号 …): the town name gives the division, anonymity hides the reporter
    const rows = new Map((await sim_<EnvironmentComplaint[]>('/__sim/complaints')).map((c) => [c.举报编号, c]));
    for (const r of reports) {
      const row = rows.get(r.envelope.sourceRecordId)!;
      expect(r.envelope.divisionCode).toMatch(/^150625\d{3}000$/);
      expect(r.sourceCategoryCode).toBe(row.污染类型编码);
      expect(r.reporterPhoneHash === null).toBe(row.是否匿名 === '是');
    }
  });
});
