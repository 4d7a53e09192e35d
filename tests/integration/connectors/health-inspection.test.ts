/**
 * 卫生监督 on the real stack: the simulator (a child process) drops the supervision system's XML
 * exports in GB18030 into a folder — some written slowly, some dropped twice, a crashed export
 * followed by the good one — while a connector worker for the adapter found in
 * connectors/adapters/health-inspection (generic file-drop source, no source code) is killed with -9
 * at random points and restarted. Afterwards the report topic (read_committed) holds every good
 * inspection exactly once, as the mapping makes it; each bad row and each crashed export is
 * dead-lettered once, naming the field or the reason.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { findAdapter } from '../../../connectors/adapters/index.js';
import type { Report } from '../../../schemas/index.js';
import { planInspections } from '../../../simulators/health-inspection/export.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { kafkaFor, testContext } from '../../support/context.js';
import { committedRecords, deadLetters, duplicates } from '../../support/kafka-records.js';
import { killRepeatedly } from '../../support/kill-harness.js';
import { comparable, differences, exited, filesIn, mapAll, readLedger, stopWorkers, workerStarter } from '../adapters/nr-emergency-approval-support.js';

let work: string | undefined;
let sim: RunningProcess | undefined;
afterEach(stopWorkers);
afterAll(async () => {
  await sim?.stop('SIGKILL');
  if (work) await rm(work, { recursive: true, force: true });
});

describe('health inspection: XML exports in GB18030 by file drop → Kafka, exactly once', () => {
  it('kill -9 at random points while exports arrive (slow, re-dropped, crashed): every good inspection once, bad rows and crashed exports dead-lettered once', async () => {
    const adapter = findAdapter('health-inspection');
    expect(adapter.createSource).toBeUndefined(); // the generic file-drop source
    const planned = planInspections(300, 5);
    const good = planned.filter((p) => !p.bad);
    const bad = planned.filter((p) => p.bad);
    expect(bad.length).toBeGreaterThan(4);

    work = await mkdtemp(join(tmpdir(), 'countyhub-health-'));
    const drop = join(work, 'drop');
    const ledgerPath = join(work, 'ledger.jsonl');
    const ctx = testContext('health_eos');
    const kafka = kafkaFor(ctx);
    sim = await startProcess('health-inspection simulator', 'simulators/health-inspection/main.ts', [
      '--out', drop, '--records', '300', '--per-file', '40', '--seed', '5', '--corrupt', '2',
      '--slow-rate', '0.3', '--chunks', '5', '--chunk-pause-ms', '200', '--duplicate-rate', '0.3', '--interval-ms', '400',
      '--ledger', ledgerPath,
    ], {});
    const simDone = exited(sim);
    const start = workerStarter(ctx, 'health-inspection', { folder: drop, settleMs: 1500, pageSize: 25 });
    const { last, killedAtMs } = await killRepeatedly(start, { kills: 4, minMs: 800, maxMs: 3000, seed: 31 });
    await simDone;
    const ledger = readLedger(ledgerPath);

    const expected = new Map(mapAll(adapter.manifest, adapter.mapping, good.map((p) => p.record)).map((e) => [e.value.envelope.sourceRecordId, comparable(e.value)]));
    expect(expected.size).toBe(good.length);
    const records = await eventually(
      'every good inspection in Kafka and every export taken out of the drop folder',
      async () => {
        const got = await committedRecords<Report>(kafka, ctx.stack.schemaRegistryUrl, ctx.topics.records('report'));
        const ids = new Set(got.map((r) => r.envelope.sourceRecordId));
        return ids.size >= expected.size && (await filesIn(drop)).length === 0 ? got : undefined;
      },
      400_000,
      1000,
    );
    await last.stop();

    expect(killedAtMs).toHaveLength(4);
    expect(duplicates(records)).toEqual([]);
    expect(records).toHaveLength(expected.size);
    expect(differences(expected, new Map(records.map((r) => [r.envelope.sourceRecordId, comparable(r)])))).toEqual([]);
    expect(records.filter((r) => r.status === 'WITHDRAWN').length).toBeGreaterThan(0);
    expect(records.some((r) => r.subjectName?.includes('𠮷'))).toBe(true);

    const letters = (await deadLetters(kafka, ctx.topics.deadLetters)).filter((d) => d.connector === adapter.manifest.id);
    const rowLetters = letters.filter((d) => !d.sourceRecordId?.endsWith('#rejected'));
    expect(rowLetters.map((d) => d.field).sort()).toEqual(bad.map((p) => p.bad).sort());
    const crashed = ledger.filter((e) => e.kind === 'corrupt');
    expect(crashed).toHaveLength(2);
    const fileLetters = letters.filter((d) => d.sourceRecordId?.endsWith('#rejected'));
    expect(fileLetters.map((d) => d.sourceRecordId).sort()).toEqual(crashed.map((e) => `${e.file}#rejected`).sort());
    for (const d of fileLetters) expect(d.reason).toContain('not a well-formed XML export');
    expect(new Set(ledger.map((e) => e.kind))).toEqual(new Set(['corrupt', 'duplicate', 'export', 'slow']));
  }, 600_000);
});
