/**
 * The natural-resources law-enforcement supervision system's daily CSV export of patrol findings,
 * as its Windows export tool writes it: GBK, CRLF line ends, a header row of Chinese column names,
 * Excel-style quoting, every value text; some desks type codes in full-width characters.
 */
import iconv from 'iconv-lite';
import { PATROL_CSV_COLUMNS, type PatrolCsvRow } from '../county/native/natural_resources.js';
import { seededRandom } from '../shared/county.js';
import { fullWidth, type DropFile } from './drop-writer.js';

export interface CsvOptions {
  /** Share of rows whose codes are written in full-width characters (0–1). */
  fullWidthRate?: number;
  /** Quote every field (some export tools) instead of only those that need it (Excel). */
  quoteAll?: boolean;
  seed?: number;
}

const CODE_COLUMNS = ['线索编号', '图斑编号', '当事人证件号码', '问题类型代码'] as const;

function field(value: string, quoteAll: boolean): string {
  return quoteAll || /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The CSV text of an export (header + rows, CRLF). */
export function patrolCsvText(rows: PatrolCsvRow[], opts: CsvOptions = {}): string {
  const rand = seededRandom(opts.seed ?? 1);
  const quoteAll = opts.quoteAll ?? false;
  const lines = [PATROL_CSV_COLUMNS.map((c) => field(c, quoteAll)).join(',')];
  for (const row of rows) {
    const wide = rand() < (opts.fullWidthRate ?? 0);
    const cells = PATROL_CSV_COLUMNS.map((c) => {
      const v = String(row[c] ?? '');
      return field(wide && (CODE_COLUMNS as readonly string[]).includes(c) ? fullWidth(v) : v, quoteAll);
    });
    lines.push(cells.join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** The export's bytes in GBK (CP936), as Chinese Windows writes "CSV (逗号分隔)". */
export function patrolCsv(rows: PatrolCsvRow[], opts: CsvOptions = {}): Buffer {
  return iconv.encode(patrolCsvText(rows, opts), 'gbk');
}

/** yyyyMMdd of a 巡查日期 such as 2026/3/2. */
export function dayKey(patrolDate: string): string {
  const m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})/.exec(patrolDate.normalize('NFKC').trim());
  if (!m) return 'unknown';
  return `${m[1]}${(m[2] as string).padStart(2, '0')}${(m[3] as string).padStart(2, '0')}`;
}

export interface ExportPlanOptions extends CsvOptions {
  /** Rows per file: a day's findings are exported in batches of at most this many. */
  rowsPerFile?: number;
  /** How many corrupt exports to put in (each followed by the proper re-export of its rows). */
  corrupt?: number;
}

/**
 * The files of a run: the findings grouped by patrol day, in batches of `rowsPerFile`, named
 * 巡查线索_<yyyyMMdd>_<nn>.csv; `corrupt` of the batches are first dropped broken (a truncated
 * export, a binary file, an empty file) and then exported again properly under a new name.
 */
export function planPatrolExports(rows: PatrolCsvRow[], opts: ExportPlanOptions = {}): DropFile[] {
  const perFile = Math.max(1, opts.rowsPerFile ?? 500);
  const byDay = new Map<string, PatrolCsvRow[]>();
  for (const r of rows) {
    const k = dayKey(r.巡查日期);
    byDay.set(k, [...(byDay.get(k) ?? []), r]);
  }
  const batches: Array<{ name: string; rows: PatrolCsvRow[] }> = [];
  for (const [day, list] of [...byDay].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (let i = 0, n = 1; i < list.length; i += perFile, n++) batches.push({ name: `巡查线索_${day}_${String(n).padStart(2, '0')}.csv`, rows: list.slice(i, i + perFile) });
  }
  const rand = seededRandom((opts.seed ?? 1) + 7);
  const corruptAt = new Set<number>();
  const wanted = Math.min(opts.corrupt ?? 0, batches.length);
  while (corruptAt.size < wanted) corruptAt.add(Math.floor(rand() * batches.length));
  const defects = ['truncated', 'binary', 'empty'] as const;
  const files: DropFile[] = [];
  let k = 0;
  batches.forEach((b, i) => {
    const bytes = patrolCsv(b.rows, { ...opts, seed: (opts.seed ?? 1) * 1000 + i });
    const ids = b.rows.map((r) => r.线索编号);
    if (corruptAt.has(i)) {
      const defect = defects[k++ % defects.length] as (typeof defects)[number];
      files.push({ name: b.name, bytes: corruptCsv(b.rows, defect, opts), kind: 'corrupt', ids: [], defect });
      files.push({ name: b.name.replace(/\.csv$/, '_重新导出.csv'), bytes, kind: 'export', ids });
    } else {
      files.push({ name: b.name, bytes, kind: 'export', ids });
    }
  });
  return files;
}

/** A broken export: cut off inside a quoted field, random binary bytes, or nothing at all. */
export function corruptCsv(rows: PatrolCsvRow[], defect: 'truncated' | 'binary' | 'empty', opts: CsvOptions = {}): Buffer {
  if (defect === 'empty') return Buffer.alloc(0);
  if (defect === 'binary') {
    const rand = seededRandom(opts.seed ?? 3);
    const b = Buffer.alloc(4096);
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(rand() * 256);
    b[0] = 0x00;
    return b;
  }
  // the export tool quotes every field; it crashed in the middle of a row, inside a quoted value
  const text = patrolCsvText(rows, { ...opts, quoteAll: true });
  let cut = text.slice(0, text.indexOf('"', Math.floor(text.length * 0.6)) + 4);
  // end inside an open quote, whatever the cut landed on
  if ((cut.match(/"/g) ?? []).length % 2 === 0) cut += ',"发现';
  return iconv.encode(cut, 'gbk');
}
