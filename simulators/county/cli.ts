/**
 * Writes a demo-county dataset:
 *   tsx simulators/county/cli.ts --seed 1 --out <folder> [--days 1] [--scale 1] [--start 2026-03-02] [--profile demo|south]
 * Prints one JSON line with the counts and the time taken.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { generateDataset } from './generate.js';
import { PROFILES } from './profiles.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    days: { type: 'string', default: '1' },
    scale: { type: 'string', default: '1' },
    start: { type: 'string', default: '2026-03-02' },
    profile: { type: 'string', default: 'demo' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help || !values.out) {
  process.stderr.write('usage: tsx simulators/county/cli.ts --seed 1 --out <folder> [--days 1] [--scale 1] [--start yyyy-MM-dd] [--profile demo|south]\n');
  process.exit(values.help ? 0 : 2);
}

const num = (name: string, raw: string, min: number): number => {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) {
    process.stderr.write(`--${name} must be a number ≥ ${min}, got ${raw}\n`);
    process.exit(2);
  }
  return n;
};

const profile = PROFILES[values.profile];
if (!profile) {
  process.stderr.write(`--profile must be one of ${Object.keys(PROFILES).join(', ')}, got ${values.profile}\n`);
  process.exit(2);
}
const out = resolve(values.out);
const { manifest, elapsedMs } = generateDataset(
  {
    seed: Math.trunc(num('seed', values.seed, 0)),
    days: Math.trunc(num('days', values.days, 1)),
    scale: num('scale', values.scale, 0.001),
    start: values.start,
    profile,
  },
  out,
);
process.stdout.write(
  `${JSON.stringify({
    out,
    seconds: Math.round(elapsedMs) / 1000,
    heapMB: Math.round(process.memoryUsage().heapUsed / 1e6),
    period: manifest.period,
    records: manifest.counts.records,
    byDepartment: Object.fromEntries(manifest.departments.map((d) => [d.department, d.records])),
    matters: manifest.counts.matters,
    multiReportMatters: manifest.counts.multiReportMatters,
    decoyMatters: manifest.counts.decoyMatters,
    subjects: manifest.counts.subjects,
  })}\n`,
);
