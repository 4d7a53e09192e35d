/**
 * Two counties (here: two test contexts with their own TOPIC_PREFIX) on one Kafka cluster run the
 * same connector and a hub each at the same time. Transactional ids carry the prefix, so neither
 * worker fences the other: both keep running and each county's topics get every work order. (With
 * one id for all, the second worker's start fenced the first, which then stopped.) Consumer groups
 * carry it too, so each hub applies every one of its county's orders. (With one group for all, each
 * hub was handed half the other county's partitions, dropped them, and those records waited in
 * Kafka for as long as both ran — test files that passed alone and stalled beside another file
 * running a hub.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../../hub/store/db.js';
import type { Report } from '../../../schemas/index.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { committedRecords } from '../../support/kafka-records.js';
import { kafkaFor, testContext } from '../../support/context.js';

const counties = [testContext('county_a'), testContext('county_b')];
let sim: RunningProcess;
const workers: RunningProcess[] = [];
const hubs: RunningProcess[] = [];

beforeAll(async () => {
  sim = await startProcess('12345 simulator', 'simulators/hotline-12345/main.ts', ['--seed', '41'], {});
  for (const ctx of counties) {
    workers.push(
      await startProcess('connector worker', 'connectors/cli.ts', ['run', 'hotline-12345'], {
        ...ctx.env,
        CONNECTOR_CONFIG: JSON.stringify({ 'hotline-12345': { source: { url: `${String(sim.ready.url)}/api/v2/workorders`, pagination: { size: 5 } }, pollIntervalMs: 200 } }),
      }),
    );
  }
  // together, so that both are in the group (were it shared) when the orders arrive
  hubs.push(...(await Promise.all(counties.map((ctx) => startProcess('hub', 'hub/main.ts', [], { ...ctx.env, HUB_PORT: '0' })))));
});

afterAll(async () => {
  await Promise.all([...workers.map((w) => w.stop()), ...hubs.map((h) => h.stop()), sim?.stop()]);
});

describe('one cluster, two counties, the same connector', () => {
  it('neither worker fences the other and neither hub takes the other\'s partitions: both counties receive and apply every work order', async () => {
    // pages committed by both workers, interleaved, while more orders arrive
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${String(sim.ready.url)}/__sim/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: 8 }) });
      expect(res.ok).toBe(true);
      await new Promise((r) => setTimeout(r, 500));
    }
    const platform = ((await (await fetch(`${String(sim.ready.url)}/__sim/workorders`)).json()) as Array<{ gdbh: string }>).map((o) => o.gdbh);
    for (const ctx of counties) {
      const ids = await eventually(`county ${ctx.id} to hold every work order`, async () => {
        const records = await committedRecords<Report>(kafkaFor(ctx), ctx.stack.schemaRegistryUrl, ctx.topics.records('report'));
        const got = new Set(records.map((r) => r.envelope.sourceRecordId));
        return platform.every((id) => got.has(id)) ? got : undefined;
      });
      expect(ids.size).toBe(platform.length);
    }
    for (const [i, ctx] of counties.entries()) {
      const db = createDb(ctx.stack.databaseUrl, { schema: ctx.dbSchema });
      try {
        const applied = await eventually(`county ${ctx.id}'s hub to apply every work order`, async () => {
          const got = new Set((await db('reports').select('source_record_id')).map((r: { source_record_id: string }) => r.source_record_id));
          return platform.every((id) => got.has(id)) ? got : undefined;
        }).catch((err: Error) => {
          throw new Error(`${err.message}\n${hubs[i]!.output().slice(-3000)}`);
        });
        expect(applied.size).toBe(platform.length);
      } finally {
        await db.destroy();
      }
    }
    for (const w of workers) {
      const [view] = (await (await fetch(`${String(w.ready.statusUrl)}/status`)).json()) as Array<{ state: string; lastError: string | null }>;
      expect(view!.state, view!.lastError ?? '').toBe('running');
    }
  });
});
