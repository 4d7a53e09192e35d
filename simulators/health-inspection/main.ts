/**
 * 卫生监督 export simulator: drops the supervision system's XML exports (GB18030) into a folder,
 * as the nightly export job and the staff do — some written slowly onto the share, some dropped
 * twice, a crashed export followed by the good one:
 *
 *   tsx simulators/health-inspection/main.ts <drop folder>   (or --out <drop folder>)
 *       [--records 400] [--per-file 100] [--seed 1] [--corrupt 1]
 *       [--slow-rate 0.25] [--chunks 5] [--chunk-pause-ms 300] [--duplicate-rate 0.2]
 *       [--interval-ms 0] [--ledger <file.jsonl>] [--dataset <folder>]
 *
 * With --dataset the county dataset's departments/health_inspection.jsonl is exported first (a
 * demo's history), then the generated records.
 *
 * Prints {"simulator":"health-inspection","folder":…} when it starts and {"done":true,…} at the end.
 */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readDepartment } from '../county/dataset.js';
import { dropFromCommandLine, nonNegativeOption } from '../natural-resources/drop-writer.js';
import { planExports, planInspections, type Inspection, type PlannedInspection } from './export.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    records: { type: 'string', default: '400' },
    'per-file': { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    corrupt: { type: 'string', default: '1' },
    'slow-rate': { type: 'string', default: '0.25' },
    chunks: { type: 'string', default: '5' },
    'chunk-pause-ms': { type: 'string', default: '300' },
    'duplicate-rate': { type: 'string', default: '0.2' },
    'interval-ms': { type: 'string', default: '0' },
    ledger: { type: 'string' },
    dataset: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
const out = values.out ?? positionals[0];
if (values.help || !out) {
  process.stderr.write('usage: tsx simulators/health-inspection/main.ts <drop folder> [--records N] [--per-file N] [--seed N] [--corrupt N] [--slow-rate R] [--duplicate-rate R] [--interval-ms N] [--ledger file]\n');
  process.exit(values.help ? 0 : 2);
}
const num = (name: keyof typeof values): number => nonNegativeOption(values, name);
const seed = num('seed');
const history: PlannedInspection[] =
  values.dataset && existsSync(join(values.dataset, 'departments', 'health_inspection.jsonl')) ? readDepartment<Inspection>(values.dataset, 'health_inspection').map((l) => ({ record: l.record })) : [];
const planned = [...history, ...planInspections(num('records'), seed)];
const files = planExports(planned, Math.max(1, num('per-file')), num('corrupt'));
await dropFromCommandLine('health-inspection', files, out, values, { records: planned.length });
