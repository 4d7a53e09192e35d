/**
 * Natural-resources patrol findings on the real stack: the simulator (a child process) drops GBK CSV
 * exports of a generated county's findings into a folder — some written slowly (half-written for a
 * while), some dropped twice, some corrupt and exported again — while a connector worker of our own
 * is killed with -9 at random points and restarted. Afterwards the Kafka topic (read_committed)
 * holds exactly the source's findings as the mapping makes them, each once; re-dropped and
 * half-written files were read once; every corrupt file is in rejected/ with its reason and
 * dead-lettered once.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as naturalResources from '../../../connectors/adapters/natural-resources/index.js';
import type { Report } from '../../../schemas/index.js';
import { readDepartment } from '../../../simulators/county/dataset.js';
import { generateDataset } from '../../../simulators/county/generate.js';
import type { PatrolCsvRow } from '../../../simulators/county/native/natural_resources.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { kafkaFor, testContext } from '../../support/context.js';
import { committedRecords, deadLetters, duplicates } from '../../support/kafka-records.js';
import { killRepeatedly } from '../../support/kill-harness.js';
import { comparable, differences, exited, filesIn, mapAll, readLedger, stopWorkers, workerStarter } from './nr-emergency-approval-support.js';

let work: string;
let sim: RunningProcess | undefined;
let dataset: string;
let rows: PatrolCsvRow[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'countyhub-nr-'));
  dataset = join(work, 'dataset');
  // about 3,000 findings (1,879 a day at scale 1)
  generateDataset({ seed: 11, scale: 1.6, days: 1 }, dataset);
  rows = readDepartment<PatrolCsvRow>(dataset, 'natural_resources').map((l) => l.record);
});
afterEach(stopWorkers);
afterAll(async () => {
  await sim?.stop('SIGKILL');
  if (work) await rm(work, { recursive: true, force: true });
});

describe('natural resources: GBK CSV drops → Kafka, exactly once', () => {
  it('kill -9 at random points while exports arrive (slow, re-dropped, corrupt): every finding once, corrupt files rejected with a reason', async () => {
    expect(rows.length).toBeGreaterThan(2500);
    const ctx = testContext('nr_eos');
    const kafka = kafkaFor(ctx);
    const drop = join(work, 'drop');
    const ledgerPath = join(work, 'ledger.jsonl');
    sim = await startProcess('natural-resources simulator', 'simulators/natural-resources/main.ts', [
      '--out', drop, '--dataset', dataset, '--seed', '5',
      '--rows-per-file', '250', '--full-width-rate', '0.2',
      '--slow-rate', '0.35', '--chunks', '6', '--chunk-pause-ms', '250',
      '--duplicate-rate', '0.35', '--corrupt', '3', '--interval-ms', '500',
      '--ledger', ledgerPath,
    ], {});
    const simDone = exited(sim);
    const start = workerStarter(ctx, 'natural-resources', { folder: drop, settleMs: 2500, pageSize: 100 });
    const { last, killedAtMs } = await killRepeatedly(start, { kills: 6, minMs: 800, maxMs: 4000, seed: 17 });
    await simDone;
    const ledger = readLedger(ledgerPath);

    const expected = new Map(mapAll(naturalResources.manifest, naturalResources.mapping, rows).map((e) => [e.value.envelope.sourceRecordId, comparable(e.value)]));
    const records = await eventually(
      'every finding in Kafka and every file taken out of the drop folder',
      async () => {
        const got = await committedRecords<Report>(kafka, ctx.stack.schemaRegistryUrl, ctx.topics.records('report'));
        const ids = new Set(got.map((r) => r.envelope.sourceRecordId));
        const left = await filesIn(drop);
        return ids.size >= expected.size && left.length === 0 ? got : undefined;
      },
      400_000,
      1000,
    );
    await last.stop();

    expect(killedAtMs).toHaveLength(6);
    // exactly the source, each once
    expect(duplicates(records)).toEqual([]);
    expect(records).toHaveLength(expected.size);
    const actual = new Map(records.map((r) => [r.envelope.sourceRecordId, comparable(r)]));
    expect(differences(expected, actual)).toEqual([]);

    // the run had every kind of file
    const kinds = new Set(ledger.map((e) => e.kind));
    expect([...kinds].sort()).toEqual(['corrupt', 'duplicate', 'export', 'slow']);
    // half-written and re-dropped files: read once (their rows are in Kafka once, above), then archived
    const processed = await filesIn(join(drop, 'processed'));
    for (const e of ledger.filter((x) => x.kind !== 'corrupt')) {
      const base = e.file.replace(/\.csv$/, '');
      expect(processed.some((p) => p === e.file || (p.startsWith(`${base}.`) && p.endsWith('.csv'))), `${e.file} archived`).toBe(true);
    }
    // corrupt files: in rejected/ with the reason beside them, dead-lettered once each, and nothing else dead-lettered
    const rejected = await filesIn(join(drop, 'rejected'));
    const letters = (await deadLetters(kafka, ctx.topics.deadLetters)).filter((d) => d.connector === naturalResources.manifest.id);
    const corrupt = ledger.filter((e) => e.kind === 'corrupt');
    expect(letters.map((d) => d.sourceRecordId).sort()).toEqual(corrupt.map((e) => `${e.file}#rejected`).sort());
    for (const e of corrupt) {
      expect(rejected).toContain(e.file);
      const reason = await readFile(join(drop, 'rejected', `${e.file}.reason.txt`), 'utf8');
      const letter = letters.find((d) => d.sourceRecordId === `${e.file}#rejected`);
      const words = { truncated: 'never closed', binary: 'binary data', empty: 'empty' }[e.defect as 'truncated' | 'binary' | 'empty'];
      expect(reason).toContain(words);
      expect(letter?.reason).toContain(words);
      expect(letter?.code).toBe('CH_MAPPING');
    }
    expect(existsSync(join(drop, 'processed'))).toBe(true);
  }, 600_000);
});
