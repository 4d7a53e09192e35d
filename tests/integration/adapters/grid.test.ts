/**
 * Grid events on the real stack, through the grid platform's simulator (a child process) and its
 * cursor-token change feed (which repeats some entries, as real feeds do):
 *  - kill -9 at random points while 2,000 events are read and keep changing: Kafka (read_committed)
 *    ends with every event at its latest state, exactly as the mapping makes it, no version twice;
 *  - 500s, "系统繁忙", time-outs, truncated and slow pages: degraded, then healthy, nothing lost;
 *  - malformed events (a grid code that is not 15 digits, coordinates outside the county) are
 *    dead-lettered with the field and reason, and the good events around them are delivered.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as grid from '../../../connectors/adapters/grid/index.js';
import type { Emitted } from '../../../connectors/sdk/types.js';
import { avroType, type Report } from '../../../schemas/index.js';
import type { GridEvent } from '../../../simulators/grid/types.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { kafkaFor, testContext, type TestContext } from '../../support/context.js';
import { committedRecords, deadLetters, duplicates } from '../../support/kafka-records.js';
import { killRepeatedly } from '../../support/kill-harness.js';
import { injectUpstreamFaults, watchStates } from '../../support/upstream-faults.js';
import { comparable, differences, mapAll, stopWorkers, workerStarter } from './nr-emergency-approval-support.js';

let sim: RunningProcess;
const simUrl = () => String(sim.ready.url);

beforeAll(async () => {
  sim = await startProcess('grid simulator', 'simulators/grid/main.ts', ['--seed', '17', '--generate', '2000', '--duplicate-rate', '0.05'], {}, 120_000);
});
afterEach(stopWorkers);
afterAll(async () => {
  await sim?.stop();
});

async function control<T>(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<T> {
  const res = await fetch(`${simUrl()}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return (await res.json()) as T;
}

function worker(ctx: TestContext, source: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  return workerStarter(ctx, 'grid', { url: `${simUrl()}/api/grid/v1/events`, rateLimitPerSecond: null, pagination: { ...grid.manifest.source.pagination, size: 100 }, ...source }, env);
}

function latest(records: Report[]): Map<string, Report> {
  const m = new Map<string, Report>();
  for (const r of records) {
    const prev = m.get(r.envelope.sourceRecordId);
    // records arrive in partition order: of two changes within the platform's one-second version, the later wins
    if (!prev || r.envelope.sourceVersion >= prev.envelope.sourceVersion) m.set(r.envelope.sourceRecordId, r);
  }
  return m;
}

/** What the mapping makes of each platform event now; events it refuses are listed apart. */
function expected(platform: GridEvent[]): { reports: Map<string, Emitted>; refused: string[] } {
  const reports = new Map<string, Emitted>();
  const refused: string[] = [];
  for (const e of platform) {
    try {
      for (const r of mapAll(grid.manifest, grid.mapping, [e])) reports.set(r.value.envelope.sourceRecordId, r);
    } catch {
      refused.push(e.eventId);
    }
  }
  return { reports, refused };
}

/** Waits until Kafka holds every mappable event of the platform at its latest version. */
async function caughtUp(ctx: TestContext) {
  const kafka = kafkaFor(ctx);
  const platform = await control<GridEvent[]>('/__sim/events');
  const want = expected(platform);
  return eventually(
    'Kafka to hold every grid event at its latest version',
    async () => {
      const reports = await committedRecords<Report>(kafka, ctx.stack.schemaRegistryUrl, ctx.topics.records('report'));
      // caught up when every event is there at its latest content: two changes can share a version
      const have = new Map([...latest(reports)].map(([id, r]) => [id, comparable(r)]));
      const complete = [...want.reports].every(([id, e]) => have.has(id) && JSON.stringify(have.get(id)) === JSON.stringify(comparable(reportType.fromBuffer(reportType.toBuffer(e.value)))));
      return complete ? { reports, want } : undefined;
    },
    400_000,
    1000,
  );
}

const reportType = avroType('report');

function expectExactly(want: ReturnType<typeof expected>, reports: Report[]): void {
  // as a reader sees the mapping's output: optional fields it leaves out read as their defaults
  const exp = new Map([...want.reports].map(([id, e]) => [id, comparable(reportType.fromBuffer(reportType.toBuffer(e.value)))]));
  const actual = new Map([...latest(reports)].map(([id, r]) => [id, comparable(r)]));
  expect(differences(exp, actual)).toEqual([]);
  expect(duplicates(reports)).toEqual([]);
}

describe('grid events: cursor-token feed → Kafka, exactly once', () => {
  it('kill -9 at random points while 2,000 events are read and keep changing: every event at its latest state, once per version', async () => {
    const ctx = testContext('grid_eos');
    const changing = (async () => {
      for (let i = 0; i < 60; i++) {
        for (let j = 0; j < 4; j++) await control('/__sim/advance', {});
        if (i % 3 === 0) await control('/__sim/generate', { count: 5 });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const { last, killedAtMs } = await killRepeatedly(worker(ctx), { kills: 5, minMs: 500, maxMs: 3000, seed: 31 });
    await changing;
    const { reports, want } = await caughtUp(ctx);
    await last.stop();
    expect(killedAtMs).toHaveLength(5);
    expect(want.reports.size).toBeGreaterThan(2000);
    expectExactly(want, reports);
  }, 600_000);

  it('500s, "系统繁忙", time-outs, truncated and slow pages: degraded, then healthy by itself, nothing lost', async () => {
    const ctx = testContext('grid_flaky');
    const w = await worker(ctx, { timeoutMs: 2000 }, { CONNECTOR_RETRIES: '2', CONNECTOR_RETRY_MIN_MS: '50', CONNECTOR_RETRY_MAX_MS: '200', DEGRADED_BACKOFF_MS: '300' })();
    const watch = watchStates(`${String(w.ready.statusUrl)}/status`);
    try {
      await injectUpstreamFaults(control, 3000);
      await control('/__sim/generate', { count: 50 });
      const { reports, want } = await caughtUp(ctx);
      await watch.expectRecovered(60_000);
      expectExactly(want, reports);
      const status = (await (await fetch(`${String(w.ready.statusUrl)}/status`)).json()) as { retries: number };
      expect(status.retries).toBeGreaterThan(0);
    } finally {
      watch.stop();
      await control('/__sim/faults', undefined, 'DELETE').catch(() => undefined);
      await w.stop();
    }
  }, 480_000);

  it('malformed events are dead-lettered with the field and reason; the good events around them are delivered', async () => {
    const ctx = testContext('grid_bad');
    const badGrid = await control<GridEvent>('/__sim/events', { gridCode: '15062510320600' });
    const outside = await control<GridEvent>('/__sim/events', { lng: 116.397, lat: 39.909, coordSys: 'GCJ02' });
    await control('/__sim/generate', { count: 10 });
    const w = await worker(ctx)();
    try {
      const { reports, want } = await caughtUp(ctx);
      expect(want.refused).toEqual(expect.arrayContaining([badGrid.eventId, outside.eventId]));
      expectExactly(want, reports);
      const kafka = kafkaFor(ctx);
      const letters = await eventually(
        'both malformed events in the dead letters',
        async () => {
          const l = (await deadLetters(kafka, ctx.topics.deadLetters)).filter((d) => d.connector === 'grid');
          return [badGrid.eventId, outside.eventId].every((id) => l.some((d) => d.sourceRecordId === id)) ? l : undefined;
        },
        60_000,
      );
      const byId = (id: string) => letters.filter((d) => d.sourceRecordId === id);
      expect(byId(badGrid.eventId)).toHaveLength(1);
      expect(byId(badGrid.eventId)[0]).toMatchObject({ code: 'CH_VALIDATION', field: 'gridCode' });
      expect(byId(outside.eventId)).toHaveLength(1);
      expect(byId(outside.eventId)[0]).toMatchObject({ code: 'CH_VALIDATION', field: 'lng' });
      // every refused event is dead-lettered, and nothing else is
      expect(new Set(letters.map((d) => d.sourceRecordId))).toEqual(new Set(want.refused));
    } finally {
      await w.stop();
    }
  }, 480_000);
});
