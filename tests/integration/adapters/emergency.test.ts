/**
 * Emergency-management hazard ledgers on the real stack: the simulator (a child process) uploads
 * XLSX workbooks of a generated county's hazards into a folder — Excel quirks (an instructions
 * sheet first, a merged title row, times as text, date cells or bare serial numbers, numbers stored
 * as text), some uploaded slowly, some twice, some broken and uploaded again — while a connector
 * worker of our own is killed with -9 at random points and restarted. Afterwards the Kafka topic
 * (read_committed) holds exactly the source's hazards as the mapping makes them, each once; every
 * broken workbook is in rejected/ with its reason and dead-lettered once.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as emergency from '../../../connectors/adapters/emergency/index.js';
import type { Report } from '../../../schemas/index.js';
import { readDepartment } from '../../../simulators/county/dataset.js';
import { generateDataset } from '../../../simulators/county/generate.js';
import type { HazardXlsxRow } from '../../../simulators/county/native/emergency.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { kafkaFor, testContext } from '../../support/context.js';
import { committedRecords, deadLetters, duplicates } from '../../support/kafka-records.js';
import { killRepeatedly } from '../../support/kill-harness.js';
import { comparable, differences, exited, filesIn, mapAll, readLedger, stopWorkers, workerStarter } from './nr-emergency-approval-support.js';

let work: string;
let sim: RunningProcess | undefined;
let dataset: string;
let rows: HazardXlsxRow[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'countyhub-emergency-'));
  dataset = join(work, 'dataset');
  // about 3,000 hazards (2,233 a day at scale 1)
  generateDataset({ seed: 12, scale: 1.35, days: 1 }, dataset);
  rows = readDepartment<HazardXlsxRow>(dataset, 'emergency').map((l) => l.record);
});
afterEach(stopWorkers);
afterAll(async () => {
  await sim?.stop('SIGKILL');
  if (work) await rm(work, { recursive: true, force: true });
});

describe('emergency: XLSX ledger uploads → Kafka, exactly once', () => {
  it('kill -9 at random points while workbooks arrive (Excel quirks, slow, re-uploaded, broken): every hazard once, broken files rejected with a reason', async () => {
    expect(rows.length).toBeGreaterThan(2500);
    const ctx = testContext('em_eos');
    const kafka = kafkaFor(ctx);
    const drop = join(work, 'drop');
    const ledgerPath = join(work, 'ledger.jsonl');
    sim = await startProcess('emergency simulator', 'simulators/emergency/main.ts', [
      '--out', drop, '--dataset', dataset, '--seed', '6',
      '--rows-per-file', '300',
      '--slow-rate', '0.35', '--chunks', '6', '--chunk-pause-ms', '250',
      '--duplicate-rate', '0.35', '--corrupt', '3', '--interval-ms', '500',
      '--ledger', ledgerPath,
    ], {});
    const simDone = exited(sim);
    const start = workerStarter(ctx, 'emergency', { folder: drop, settleMs: 2500, pageSize: 100 });
    const { last, killedAtMs } = await killRepeatedly(start, { kills: 6, minMs: 800, maxMs: 4000, seed: 23 });
    await simDone;
    const ledger = readLedger(ledgerPath);

    const expected = new Map(mapAll(emergency.manifest, emergency.mapping, rows).map((e) => [e.value.envelope.sourceRecordId, comparable(e.value)]));
    const records = await eventually(
      'every hazard in Kafka and every workbook taken out of the drop folder',
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
    expect(duplicates(records)).toEqual([]);
    expect(records).toHaveLength(expected.size);
    const actual = new Map(records.map((r) => [r.envelope.sourceRecordId, comparable(r)]));
    expect(differences(expected, actual)).toEqual([]);

    const kinds = new Set(ledger.map((e) => e.kind));
    expect([...kinds].sort()).toEqual(['corrupt', 'duplicate', 'export', 'slow']);
    const processed = await filesIn(join(drop, 'processed'));
    for (const e of ledger.filter((x) => x.kind !== 'corrupt')) {
      const base = e.file.replace(/\.xlsx$/, '');
      expect(processed.some((p) => p === e.file || (p.startsWith(`${base}.`) && p.endsWith('.xlsx'))), `${e.file} archived`).toBe(true);
    }
    const rejected = await filesIn(join(drop, 'rejected'));
    const letters = (await deadLetters(kafka, ctx.topics.deadLetters)).filter((d) => d.connector === emergency.manifest.id);
    const corrupt = ledger.filter((e) => e.kind === 'corrupt');
    expect(letters.map((d) => d.sourceRecordId).sort()).toEqual(corrupt.map((e) => `${e.file}#rejected`).sort());
    for (const e of corrupt) {
      expect(rejected).toContain(e.file);
      const reason = await readFile(join(drop, 'rejected', `${e.file}.reason.txt`), 'utf8');
      const words = { truncated: 'workbook is corrupt', xls: 'Excel 97-2003', 'sheet-renamed': 'no worksheet "隐患台账"' }[e.defect as 'truncated' | 'xls' | 'sheet-renamed'];
      expect(reason).toContain(words);
      expect(letters.find((d) => d.sourceRecordId === `${e.file}#rejected`)?.reason).toContain(words);
    }
  }, 600_000);
});
