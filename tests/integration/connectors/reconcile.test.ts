/**
 * The demo county's reconciliation: a generated dataset is loaded through every registered
 * adapter into Kafka, and every source record is either in Kafka or in the dead letters with a
 * reason — per department, none unaccounted. All eleven departments have an adapter, the three
 * whose platforms serve SOAP (数字化城管), push by webhook (110) or drop XML files (卫生监督)
 * included: their records are replayed through the same mappings.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../connectors/adapters/index.js';
import type { DepartmentReconciliation } from '../../../connectors/cli/reconcile.js';
import { generateDataset } from '../../../simulators/county/generate.js';
import { countyhub } from '../../support/cli.js';
import { testContext } from '../../support/context.js';

const dir = mkdtempSync(join(tmpdir(), 'countyhub-reconcile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('countyhub load-dataset / reconcile', () => {
  it('accounts for every source record of every department that has an adapter, bad ones as dead letters', async () => {
    const ctx = testContext('reconcile');
    const { manifest } = generateDataset({ seed: 3, scale: 0.03 }, dir);
    // spoil one 12345 work order: it must end in the dead letters, not vanish
    const hotlineFile = join(dir, manifest.departments.find((d) => d.department === 'hotline')!.file);
    const lines = readFileSync(hotlineFile, 'utf8').trim().split('\n');
    const spoiled = JSON.parse(lines[0]!) as { sourceRecordId: string; record: Record<string, unknown> };
    spoiled.record.xzqhdm = '1506';
    lines[0] = JSON.stringify(spoiled);
    writeFileSync(hotlineFile, lines.join('\n') + '\n');
    // and one record of each newer department, the way their platforms get them wrong
    const spoil: Record<string, [string, string]> = { urban_management: ['wtms', ''], police_110: ['jqnr', ''], health_inspection: ['CLZT', '9'] };
    const spoiledIds = new Map<string, string>();
    for (const [department, [field, value]] of Object.entries(spoil)) {
      const file = join(dir, manifest.departments.find((d) => d.department === department)!.file);
      const own = readFileSync(file, 'utf8').trim().split('\n');
      const l = JSON.parse(own[0]!) as { sourceRecordId: string; record: Record<string, unknown> };
      l.record[field] = value;
      own[0] = JSON.stringify(l);
      writeFileSync(file, own.join('\n') + '\n');
      spoiledIds.set(department, l.sourceRecordId);
    }

    const run = await countyhub(['load-dataset', '--dataset', dir, '--json'], ctx.env);
    const rows = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as DepartmentReconciliation[];
    const adapted = new Set(ADAPTERS.map((a) => a.manifest.sourceSystem));
    expect(rows.map((r) => r.department).sort()).toEqual(manifest.departments.map((d) => d.department).sort());
    for (const r of rows) {
      expect(r.source, r.department).toBeGreaterThan(0);
      if (adapted.has(r.sourceSystem)) {
        expect(r.unaccounted, `${r.department}: ${r.examples.join(', ')}`).toBe(0);
        expect(r.inKafka + r.deadLettered).toBe(r.source);
      } else {
        expect(r.unaccounted).toBe(r.source); // no adapter yet: said, not hidden
      }
    }
    expect(rows.find((r) => r.department === 'hotline')!.deadLettered).toBeGreaterThanOrEqual(1);
    // every department has its adapter now, and every record is accounted for
    expect(rows.map((r) => r.department).sort()).toEqual(['approval', 'emergency', 'enforcement', 'environment', 'grid', 'health_inspection', 'hotline', 'market', 'natural_resources', 'police_110', 'urban_management']);
    for (const r of rows) expect(adapted.has(r.sourceSystem), r.sourceSystem).toBe(true);
    for (const department of spoiledIds.keys()) {
      const r = rows.find((x) => x.department === department)!;
      expect(r.deadLettered, department).toBe(1);
      expect(r.inKafka, department).toBe(r.source - 1);
    }
    expect(run.code).toBe(rows.some((r) => r.unaccounted > 0) ? 1 : 0);
  });
});
