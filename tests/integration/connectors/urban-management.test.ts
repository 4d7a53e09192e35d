/**
 * 数字化城管 on the real stack: the SOAP simulator (a child process, GBK envelopes, a soap:Server
 * fault every 7th call) moves its cases through 立案 → 派遣 → 处置 → 核查 → 结案 while a worker for the
 * adapter found in connectors/adapters/urban-management (the generic HTTP poll over SOAP, no source
 * code) is killed with -9 at random points and restarted. Afterwards the report topic
 * (read_committed) holds every good case in its final stage, as the mapping makes it, no version
 * twice; the bad cases are dead-lettered naming the field.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { findAdapter } from '../../../connectors/adapters/index.js';
import type { Report } from '../../../schemas/index.js';
import type { UrbanCase } from '../../../simulators/urban-management/server.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { kafkaFor, testContext } from '../../support/context.js';
import { committedRecords, deadLetters, duplicates } from '../../support/kafka-records.js';
import { killRepeatedly } from '../../support/kill-harness.js';
import { comparable, differences, mapAll, stopWorkers, workerStarter } from '../adapters/nr-emergency-approval-support.js';

let sim: RunningProcess | undefined;
afterEach(stopWorkers);
afterAll(async () => {
  await sim?.stop('SIGKILL');
});

describe('urban management: SOAP WebService → Kafka, exactly once per version', () => {
  it('kill -9 at random points while cases move through the GB/T 30428 flow: every good case in its final stage, bad ones dead-lettered', async () => {
    const adapter = findAdapter('urban-management');
    expect(adapter.createSource).toBeUndefined();
    const ctx = testContext('urban_eos');
    const kafka = kafkaFor(ctx);
    sim = await startProcess('urban-management simulator', 'simulators/urban-management/main.ts', ['--seed', '9', '--count', '240', '--fault-every', '7'], {});
    const base = String(sim.ready.url);
    const advance = async () => (await (await fetch(`${base}/__sim/advance`, { method: 'POST' })).json()) as { moved: number };
    const start = workerStarter(ctx, 'urban-management', { url: `${base}/ws/UrbanCaseService`, pagination: { size: 25 } }, { CONNECTOR_RETRY_MIN_MS: '20', CONNECTOR_RETRY_MAX_MS: '100' });
    // the cases move on while the worker is killed and restarted
    const moving = (async () => {
      for (let i = 0; i < 6; i++) {
        await new Promise((r) => setTimeout(r, 1500));
        await advance();
      }
    })();
    const { last, killedAtMs } = await killRepeatedly(start, { kills: 4, minMs: 1000, maxMs: 3500, seed: 41 });
    await moving;

    const cases = (await (await fetch(`${base}/__sim/cases`)).json()) as UrbanCase[];
    const good = cases.filter((c) => !c.bad);
    const bad = cases.filter((c) => c.bad);
    expect(good.filter((c) => c.zt === '结案').length).toBeGreaterThan(100);
    expect(good.some((c) => c.zt === '作废')).toBe(true);
    const strip = ({ t: _t, bad: _b, ...row }: UrbanCase) => row;
    const expected = new Map(mapAll(adapter.manifest, adapter.mapping, good.map(strip)).map((e) => [e.value.envelope.sourceRecordId, comparable(e.value)]));
    const latest = (rs: Report[]) => {
      const m = new Map<string, Report>();
      for (const r of rs) if ((m.get(r.envelope.sourceRecordId)?.envelope.sourceVersion ?? -1) < r.envelope.sourceVersion) m.set(r.envelope.sourceRecordId, r);
      return m;
    };
    const records = await eventually(
      'every good case in Kafka in its final stage',
      async () => {
        const got = await committedRecords<Report>(kafka, ctx.stack.schemaRegistryUrl, ctx.topics.records('report'));
        const now = latest(got);
        return [...expected.keys()].every((id) => now.get(id)?.envelope.sourceVersion === (expected.get(id)!.envelope as { sourceVersion: number }).sourceVersion) ? got : undefined;
      },
      400_000,
      1000,
    );
    await last.stop();

    expect(killedAtMs).toHaveLength(4);
    expect(duplicates(records)).toEqual([]);
    const final = new Map([...latest(records)].map(([id, r]) => [id, comparable(r)]));
    expect(differences(expected, final)).toEqual([]);
    const letters = (await deadLetters(kafka, ctx.topics.deadLetters)).filter((d) => d.connector === adapter.manifest.id);
    expect(new Set(letters.map((d) => d.sourceRecordId))).toEqual(new Set(bad.map((c) => c.ajbh)));
    for (const d of letters) expect(d.field).toBe(bad.find((c) => c.ajbh === d.sourceRecordId)!.bad);
  }, 600_000);
});
