/**
 * 自然资源局 patrol-finding exports dropped into a folder, as the law-enforcement supervision
 * system's Windows export tool writes them (GBK CSV, CRLF, Chinese headers, some codes in
 * full-width), with slow (half-written) files, re-dropped files and corrupt exports:
 *
 *   tsx simulators/natural-resources/main.ts <drop folder>   (or --out <drop folder>)
 *       [--dataset <county dataset folder>]            records of departments/natural_resources.jsonl
 *       [--seed 1] [--scale 1] [--days 1] [--start 2026-03-02]   …or a dataset generated on the spot
 *       [--rows-per-file 500] [--full-width-rate 0.1]
 *       [--slow-rate 0.25] [--chunks 5] [--chunk-pause-ms 300]   half-written files (pause < the connector's settle time)
 *       [--duplicate-rate 0.2] [--corrupt 1] [--interval-ms 0]
 *       [--ledger <file.jsonl>]                         every file written, its kind and record ids
 *
 * Prints {"simulator":"natural-resources","folder":…,"planned":…} when it starts writing and
 * {"done":true,…counts} when every file is in the folder, then exits.
 */
import { parseArgs } from 'node:util';
import type { PatrolCsvRow } from '../county/native/natural_resources.js';
import { dropFromCommandLine, nonNegativeOption } from './drop-writer.js';
import { planPatrolExports } from './export.js';
import { departmentRecords } from './records.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    dataset: { type: 'string' },
    seed: { type: 'string', default: '1' },
    scale: { type: 'string', default: '1' },
    days: { type: 'string', default: '1' },
    start: { type: 'string', default: '2026-03-02' },
    'rows-per-file': { type: 'string', default: '500' },
    'full-width-rate': { type: 'string', default: '0.1' },
    'slow-rate': { type: 'string', default: '0.25' },
    chunks: { type: 'string', default: '5' },
    'chunk-pause-ms': { type: 'string', default: '300' },
    'duplicate-rate': { type: 'string', default: '0.2' },
    corrupt: { type: 'string', default: '1' },
    'interval-ms': { type: 'string', default: '0' },
    ledger: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

const out = values.out ?? positionals[0];
if (values.help || !out) {
  process.stderr.write('usage: tsx simulators/natural-resources/main.ts <drop folder> | --out <drop folder> [--dataset <dir> | --seed N --scale S --days D] [--rows-per-file N] [--slow-rate R] [--duplicate-rate R] [--corrupt N] [--interval-ms N] [--ledger file]\n');
  process.exit(values.help ? 0 : 2);
}

const num = (name: keyof typeof values): number => nonNegativeOption(values, name);

const seed = num('seed');
const rows = await departmentRecords<PatrolCsvRow>('natural_resources', { dataset: values.dataset, seed, scale: num('scale'), days: num('days'), start: values.start });
const files = planPatrolExports(rows, { rowsPerFile: num('rows-per-file'), fullWidthRate: num('full-width-rate'), corrupt: num('corrupt'), seed });
await dropFromCommandLine('natural-resources', files, out, values, { rows: rows.length });
