/**
 * 应急管理局 hidden-danger ledgers uploaded into a folder as XLSX workbooks (exceljs), with Excel's
 * quirks (times as text, date cells or bare serial numbers; numbers stored as text; an instructions
 * sheet first; a merged title row above the header), slow uploads, re-uploads and broken files:
 *
 *   tsx simulators/emergency/main.ts <drop folder>   (or --out <drop folder>)
 *       [--dataset <county dataset folder>]            records of departments/emergency.jsonl
 *       [--seed 1] [--scale 1] [--days 1] [--start 2026-03-02]   …or a dataset generated on the spot
 *       [--rows-per-file 500] [--time-style text|date|serial] [--no-title]
 *       [--slow-rate 0.25] [--chunks 5] [--chunk-pause-ms 300]
 *       [--duplicate-rate 0.2] [--corrupt 1] [--interval-ms 0] [--ledger <file.jsonl>]
 *
 * Prints {"simulator":"emergency","folder":…} when it starts writing and {"done":true,…} at the end.
 * The connector reads sheet 隐患台账 with the header on row 2 (row 1 with --no-title).
 */
import { parseArgs } from 'node:util';
import type { HazardXlsxRow } from '../county/native/emergency.js';
import { dropFromCommandLine, nonNegativeOption } from '../natural-resources/drop-writer.js';
import { departmentRecords } from '../natural-resources/records.js';
import { planHazardUploads, type TimeStyle } from './workbook.js';

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
    'time-style': { type: 'string' },
    'no-title': { type: 'boolean', default: false },
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
  process.stderr.write('usage: tsx simulators/emergency/main.ts <drop folder> | --out <drop folder> [--dataset <dir> | --seed N --scale S --days D] [--rows-per-file N] [--time-style text|date|serial] [--no-title] [--slow-rate R] [--duplicate-rate R] [--corrupt N] [--interval-ms N] [--ledger file]\n');
  process.exit(values.help ? 0 : 2);
}
const style = values['time-style'];
if (style !== undefined && !['text', 'date', 'serial'].includes(style)) {
  process.stderr.write(`--time-style must be text, date or serial, got ${style}\n`);
  process.exit(2);
}
const num = (name: keyof typeof values): number => nonNegativeOption(values, name);

const seed = num('seed');
const rows = await departmentRecords<HazardXlsxRow>('emergency', { dataset: values.dataset, seed, scale: num('scale'), days: num('days'), start: values.start });
const files = await planHazardUploads(rows, {
  rowsPerFile: num('rows-per-file'),
  corrupt: num('corrupt'),
  seed,
  titleRow: !values['no-title'],
  ...(style ? { timeStyle: style as TimeStyle } : {}),
});
await dropFromCommandLine('emergency', files, out, values, { rows: rows.length });
