/**
 * Market regulation on the real stack: the registry simulator (a PostgreSQL table of its own, with
 * a read-only role) as a child process, connector workers as child processes killed with -9 at
 * random points while registrations change, and the exchange's outages (table locked, sessions
 * terminated, SELECT revoked). Kafka must equal the table: every row at its current version, mapped
 * as it is now, no (id, version) twice.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as market from '../../../connectors/adapters/market/index.js';
import type { SqlPollSettings } from '../../../connectors/sources/sql-poll.js';
import { generateDataset } from '../../../simulators/county/generate.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { kafkaFor, testContext } from '../../support/context.js';
import { killRepeatedly } from '../../support/kill-harness.js';
import { caughtUp, control, expectKafkaEqualsTable, stopWorkers, watchStatus, workerStarter } from './market-enforcement-support.js';

const sims: RunningProcess[] = [];
let dataset: string;

beforeAll(() => {
  dataset = mkdtempSync(join(tmpdir(), 'countyhub-market-'));
  generateDataset({ seed: 17, days: 1, scale: 0.3 }, dataset);
});
afterAll(async () => {
  await stopWorkers();
  for (const s of sims) await s.stop();
  rmSync(dataset, { recursive: true, force: true });
});

async function simulator(args: string[]): Promise<{ sim: RunningProcess; settings: SqlPollSettings }> {
  const schema = `market_t_${randomBytes(4).toString('hex')}`;
  const sim = await startProcess('market simulator', 'simulators/market/main.ts', ['--database-url', inject('stack').databaseUrl, '--schema', schema, '--cleanup', ...args], {});
  sims.push(sim);
  // The update time is the writing transaction's start, to the second: the lag must exceed one
  // second plus the longest write. The outage test's lock holds a live update (stamped before it
  // waits) for up to 3 s — with 1.5 s the poller had passed its time when it committed and one row
  // was never read (a loaded CI run). A county sets the lag longer than its writers' transactions.
  const settings: SqlPollSettings = { ...market.manifest.source, connection: String(sim.ready.connection), table: String(sim.ready.table), pageSize: 200, safetyLagMs: 8000 };
  return { sim, settings };
}

describe('market registry (PostgreSQL exchange table) → Subjects in Kafka, exactly once', () => {
  it('kill -9 at random points while thousands of registrations are read and changed: Kafka equals the table', async () => {
    const { sim, settings } = await simulator(['--dataset', dataset, '--seed', '3']);
    const rows = Number(sim.ready.rows);
    expect(rows).toBeGreaterThan(2500);
    expect(String(sim.ready.connection)).toMatch(/_reader@/); // the connector reads with the read-only role

    const ctx = testContext('market_eos');
    const kafka = kafkaFor(ctx);
    const start = workerStarter(ctx, 'market', `market-registry-${ctx.id}`, { ...settings, queryTimeoutMs: 5000 });
    await control(sim, '/__sim/live', { everyMs: 40, batch: 2 }); // renames, status changes … and new registrations
    const { last, killedAtMs } = await killRepeatedly(start, { kills: 6, minMs: 400, maxMs: 3000, seed: 7 });
    await sleep(1500);
    await control(sim, '/__sim/live', { everyMs: 0 });
    const after = await control<{ rows: number; changes: Record<string, number>; created: number }>(sim, '/__sim/stats');
    expect(killedAtMs).toHaveLength(6);
    expect(after.changes.rename ?? 0).toBeGreaterThan(0);
    expect(Object.values(after.changes).reduce((a, b) => a + b, 0)).toBeGreaterThan(100);

    const { expected, records } = await caughtUp(kafka, ctx, market, settings, last);
    await last.stop();
    expect(expected.get('subject')!.size).toBe(after.rows);
    expectKafkaEqualsTable(expected, records);
    // renamed registrations arrive with the old name among the former names
    const renamed = [...expected.get('subject')!.values()].filter((r) => (r.value.formerNames as string[]).length > 0);
    expect(renamed.length).toBeGreaterThan(0);
    // several versions of changed rows were delivered, each once
    expect(records.get('subject')!.length).toBeGreaterThan(after.rows);
  }, 300_000);

  it('the exchange locks the table, throws the county out, revokes SELECT: retries, degraded, recovers by itself, nothing lost', async () => {
    const { sim, settings } = await simulator(['--generate', '800', '--seed', '4']);
    const ctx = testContext('market_outage');
    const kafka = kafkaFor(ctx);
    const worker = await workerStarter(ctx, 'market', `market-registry-${ctx.id}`, { ...settings, queryTimeoutMs: 1000 }, {
      CONNECTOR_RETRIES: '2',
      CONNECTOR_RETRY_MIN_MS: '50',
      CONNECTOR_RETRY_MAX_MS: '200',
      DEGRADED_BACKOFF_MS: '300',
    })();
    const status = watchStatus(worker);
    try {
      await control(sim, '/__sim/live', { everyMs: 100, batch: 1 });
      for (const [mode, ms] of [
        ['lock', 3000],
        ['terminate', 2500],
        ['revoke', 2000],
      ] as const) {
        await sleep(800);
        await control(sim, '/__sim/outage', { mode, ms });
        await eventually(`the ${mode} outage to end`, async () => ((await control<{ outage: unknown }>(sim, '/__sim/stats')).outage === null ? true : undefined), ms + 10_000);
      }
      await sleep(1000);
      await control(sim, '/__sim/live', { everyMs: 0 });
      const { expected, records } = await caughtUp(kafka, ctx, market, settings, worker);
      await eventually('the connector to be running again', async () => (status.states.at(-1) === 'running' ? true : undefined), 20_000);
      expect(status.states).toContain('degraded');
      expect(status.states.lastIndexOf('running')).toBeGreaterThan(status.states.indexOf('degraded'));
      expect(status.retries()).toBeGreaterThan(0);
      expectKafkaEqualsTable(expected, records);
    } finally {
      status.stop();
      await worker.stop();
    }
  }, 300_000);
});
