/** A one-day dataset at default scale: at least 50,000 source records over the eleven departments, in reasonable time and memory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { generateDataset } from '../../../simulators/county/generate.js';

const dir = mkdtempSync(join(tmpdir(), 'county-scale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('generates ≥ 50,000 records for one day at default scale', () => {
  const heapBefore = process.memoryUsage().heapUsed;
  const { manifest, elapsedMs } = generateDataset({ seed: 1 }, dir);
  const heapAfter = process.memoryUsage().heapUsed;
  const byDepartment = Object.fromEntries(manifest.departments.map((d) => [d.department, d.records]));
  console.log(
    `county generator, 1 day, scale 1: ${manifest.counts.records} records in ${(elapsedMs / 1000).toFixed(1)} s ` +
      `(heap ${Math.round(heapBefore / 1e6)} → ${Math.round(heapAfter / 1e6)} MB, rss ${Math.round(process.memoryUsage().rss / 1e6)} MB) ${JSON.stringify(byDepartment)}; ` +
      `${manifest.counts.matters} matters (${manifest.counts.multiReportMatters} with several reports, ${manifest.counts.decoyMatters} look-alikes), ${manifest.counts.subjects} subjects`,
  );
  expect(manifest.counts.records).toBeGreaterThanOrEqual(50_000);
  expect(Object.keys(byDepartment).sort()).toEqual(['approval', 'emergency', 'enforcement', 'environment', 'grid', 'health_inspection', 'hotline', 'market', 'natural_resources', 'police_110', 'urban_management']);
  // 卫生监督 inspects few units a day; the others file hundreds to thousands
  for (const [d, n] of Object.entries(byDepartment)) expect(n, d).toBeGreaterThan(d === 'health_inspection' ? 200 : 500);
  // generous bound: the test machine is shared; on an idle laptop it takes a few seconds
  expect(elapsedMs).toBeLessThan(120_000);
  expect(process.memoryUsage().rss).toBeLessThan(1.5e9);
});
