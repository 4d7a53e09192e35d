/**
 * Comprehensive enforcement on the real stack: the case-handling simulator (a MariaDB database of
 * its own, DATETIME without fractions, a read-only account) as a child process, connector workers as
 * child processes killed with -9 at random points while cases move through the procedure, and the
 * database's outages (table locked, connections killed, SELECT revoked). Kafka must equal the table
 * for both record kinds: every case as a Case and a Report at its current version, mapped as the row
 * is now, no (id, version) twice.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as enforcement from '../../../connectors/adapters/enforcement/index.js';
import type { SqlPollSettings } from '../../../connectors/sources/sql-poll.js';
import { generateDataset } from '../../../simulators/county/generate.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { kafkaFor, testContext } from '../../support/context.js';
import { killRepeatedly } from '../../support/kill-harness.js';
import { caughtUp, control, expectKafkaEqualsTable, stopWorkers, watchStatus, workerStarter } from './market-enforcement-support.js';

const MYSQL_SERVER = 'mysql://root@127.0.0.1:3306';
const sims: RunningProcess[] = [];
let dataset: string;

beforeAll(() => {
  dataset = mkdtempSync(join(tmpdir(), 'countyhub-enforcement-'));
  generateDataset({ seed: 17, days: 1, scale: 0.5 }, dataset);
});
afterAll(async () => {
  await stopWorkers();
  for (const s of sims) await s.stop();
  rmSync(dataset, { recursive: true, force: true });
});

async function simulator(args: string[]): Promise<{ sim: RunningProcess; settings: SqlPollSettings }> {
  const database = `enf_t_${randomBytes(4).toString('hex')}`;
  const sim = await startProcess('enforcement simulator', 'simulators/enforcement/main.ts', ['--database-url', MYSQL_SERVER, '--database', database, '--cleanup', ...args], {});
  sims.push(sim);
  // DATETIME has whole seconds: the lag must exceed one second plus the longest write. The outage
  // test's lock holds a live update (stamped before it waits) for up to 3 s, so the lag is longer
  // than that with room for a loaded machine — as a county must set it longer than its writers' transactions.
  const settings: SqlPollSettings = { ...enforcement.manifest.source, connection: String(sim.ready.connection), table: String(sim.ready.table), pageSize: 200, safetyLagMs: 8000 };
  return { sim, settings };
}

describe('enforcement cases (MariaDB case table) → Cases and Reports in Kafka, exactly once', () => {
  it('kill -9 at random points while thousands of cases are read and advanced through the procedure: Kafka equals the table', async () => {
    const { sim, settings } = await simulator(['--dataset', dataset, '--seed', '3']);
    const rows = Number(sim.ready.rows);
    expect(rows).toBeGreaterThan(2500);
    expect(String(sim.ready.connection)).toMatch(/_reader@/); // the connector reads with the read-only account

    const ctx = testContext('enf_eos');
    const kafka = kafkaFor(ctx);
    const start = workerStarter(ctx, 'enforcement', `enforcement-cases-${ctx.id}`, { ...settings, queryTimeoutMs: 5000 });
    await control(sim, '/__sim/live', { everyMs: 40, batch: 2 }); // procedure steps and new clues
    const { last, killedAtMs } = await killRepeatedly(start, { kills: 6, minMs: 400, maxMs: 3000, seed: 11 });
    await sleep(1500);
    await control(sim, '/__sim/live', { everyMs: 0 });
    const after = await control<{ rows: number; steps: number; created: number; byStatus: Record<string, number> }>(sim, '/__sim/stats');
    expect(killedAtMs).toHaveLength(6);
    expect(after.steps).toBeGreaterThan(100);
    expect(after.created).toBeGreaterThan(0);

    const { expected, records } = await caughtUp(kafka, ctx, enforcement, settings, last);
    await last.stop();
    expect(expected.get('case')!.size).toBe(after.rows);
    expect(expected.get('report')!.size).toBe(after.rows);
    expectKafkaEqualsTable(expected, records);
    // cases were delivered at several stages, each version once; the stages the live system walks are all there
    expect(records.get('case')!.length).toBeGreaterThan(after.rows);
    const stages = new Set(records.get('case')!.map((r) => r.value.stage as string));
    for (const s of ['INSPECTION', 'ACCEPTANCE', 'FILING', 'INVESTIGATION', 'REVIEW', 'CLOSED']) expect(stages).toContain(s);
    const channels = new Set(records.get('report')!.map((r) => r.value.channel as string));
    expect(channels).toEqual(new Set(['PATROL', 'INSPECTION']));
  }, 300_000);

  it('the table is locked, connections are killed, SELECT is revoked: retries, degraded, recovers by itself, nothing lost', async () => {
    const { sim, settings } = await simulator(['--generate', '800', '--seed', '4']);
    const ctx = testContext('enf_outage');
    const kafka = kafkaFor(ctx);
    const worker = await workerStarter(ctx, 'enforcement', `enforcement-cases-${ctx.id}`, { ...settings, queryTimeoutMs: 1000 }, {
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
      const { expected, records } = await caughtUp(kafka, ctx, enforcement, settings, worker);
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
