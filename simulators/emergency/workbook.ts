/**
 * The hidden-danger ledger (隐患排查治理台账) as towns and inspectors upload it: an XLSX workbook
 * made from the provincial template — an instructions sheet first (填表说明), then 隐患台账 with a
 * merged title row above the header — and filled in the ways people fill in Excel:
 *  - times as text ("2026-03-02 04:15"), as date cells, or as bare serial numbers (46083.177…)
 *    when the column lost its date format;
 *  - numbers stored as text (序号, 经度/纬度, 联系电话 typed with a leading apostrophe) and the phone
 *    as a number cell;
 *  - one workbook per upload, rows numbered 1…n.
 */
import ExcelJS from 'exceljs';
import { HAZARD_SHEET, type HazardXlsxRow } from '../county/native/emergency.js';
import { seededRandom } from '../shared/county.js';
import { fullWidth, type DropFile } from '../natural-resources/drop-writer.js';

/** Column order of the template. */
export const HAZARD_COLUMNS = [
  '序号',
  '隐患编号',
  '单位名称',
  '统一社会信用代码',
  '行业类别',
  '隐患类别代码',
  '隐患类别',
  '隐患等级',
  '隐患描述',
  '所在乡镇',
  '详细地址',
  '经度',
  '纬度',
  '排查时间',
  '排查人员',
  '整改措施',
  '整改期限',
  '整改状态',
  '责任人',
  '联系电话',
  '填报单位',
  '更新时间',
] as const satisfies ReadonlyArray<keyof HazardXlsxRow>;

export type TimeStyle = 'text' | 'date' | 'serial';

export interface WorkbookOptions {
  seed?: number;
  /** How times are stored; default: chosen per workbook (and, for a tenth of the rows, per row). */
  timeStyle?: TimeStyle;
  /** Write the merged title row above the header (the template does); default true. */
  titleRow?: boolean;
  /** Title text, e.g. 锡尼镇安全隐患排查治理台账（2026年3月2日）. */
  title?: string;
  /** Share of rows with numbers stored as text (0–1); default 0.3. */
  numbersAsTextRate?: number;
  /** Share of rows whose 隐患编号 is typed in full-width characters (0–1); default 0.05. */
  fullWidthRate?: number;
}

const EXCEL_EPOCH = Date.UTC(1899, 11, 30);

/** "2026-03-02 04:15[:20]" / "2026-03-02" (Shanghai wall time) → a Date whose UTC fields hold that wall time, as exceljs expects. */
export function wallDate(text: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (!m) throw new Error(`not a wall time: ${text}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)));
}

/** Excel serial number (1900 date system) of a wall time. */
export function excelSerial(text: string): number {
  return (wallDate(text).getTime() - EXCEL_EPOCH) / 86_400_000;
}

function timeCell(cell: ExcelJS.Cell, text: string, style: TimeStyle, dateOnly: boolean): void {
  if (!text) return;
  if (style === 'text') {
    cell.value = text;
  } else if (style === 'date') {
    cell.value = wallDate(text);
    cell.numFmt = dateOnly ? 'yyyy-mm-dd' : text.length > 16 ? 'yyyy-mm-dd hh:mm:ss' : 'yyyy-mm-dd hh:mm';
  } else {
    cell.value = excelSerial(text); // the column lost its date format: Excel shows 46083.177083
  }
}

export async function hazardWorkbook(rows: HazardXlsxRow[], opts: WorkbookOptions = {}): Promise<Buffer> {
  const rand = seededRandom(opts.seed ?? 1);
  const styles: TimeStyle[] = ['text', 'date', 'serial'];
  const fileStyle = opts.timeStyle ?? (styles[Math.floor(rand() * 3)] as TimeStyle);
  const asTextRate = opts.numbersAsTextRate ?? 0.3;
  const wb = new ExcelJS.Workbook();
  wb.creator = '隐患排查治理系统';
  const help = wb.addWorksheet('填表说明');
  help.addRow(['填表说明']);
  help.addRow(['1. 隐患编号由系统生成，格式 YH+日期+5位流水号。']);
  help.addRow(['2. 整改期限填写日期；重大隐患须在“隐患等级”列注明。']);
  help.addRow(['3. 请勿修改“隐患台账”表头。']);
  const ws = wb.addWorksheet(HAZARD_SHEET);
  const titled = opts.titleRow ?? true;
  if (titled) {
    ws.addRow([opts.title ?? '安全隐患排查治理台账']);
    ws.mergeCells(1, 1, 1, HAZARD_COLUMNS.length);
    ws.getCell(1, 1).alignment = { horizontal: 'center' };
    ws.getCell(1, 1).font = { bold: true, size: 16 };
  }
  const header = ws.addRow([...HAZARD_COLUMNS]);
  header.font = { bold: true };
  rows.forEach((r, i) => {
    const rowStyle = opts.timeStyle ?? (rand() < 0.1 ? (styles[Math.floor(rand() * 3)] as TimeStyle) : fileStyle);
    const asText = rand() < asTextRate;
    const wide = rand() < (opts.fullWidthRate ?? 0.05);
    const row = ws.addRow([]);
    HAZARD_COLUMNS.forEach((c, k) => {
      const cell = row.getCell(k + 1);
      const v = r[c];
      switch (c) {
        case '序号':
          cell.value = asText ? String(i + 1) : i + 1;
          return;
        case '隐患编号':
          cell.value = wide ? fullWidth(String(v)) : String(v);
          return;
        case '经度':
        case '纬度':
        case '联系电话':
          if (v === null || v === undefined || v === '') return;
          cell.value = asText ? String(v) : Number(v);
          return;
        case '排查时间':
        case '更新时间':
          timeCell(cell, String(v ?? ''), rowStyle, false);
          return;
        case '整改期限':
          timeCell(cell, String(v ?? ''), rowStyle, true);
          return;
        default:
          if (v !== null && v !== undefined && v !== '') cell.value = String(v);
      }
    });
  });
  ws.columns.forEach((col) => (col.width = 16));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** yyyyMMdd of a 排查时间 such as 2026-03-02 04:15. */
function dayOf(text: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(text).trim());
  return m ? `${m[1]}${m[2]}${m[3]}` : 'unknown';
}

export interface LedgerPlanOptions extends WorkbookOptions {
  rowsPerFile?: number;
  /** Corrupt uploads (each followed by the proper upload of its rows). */
  corrupt?: number;
}

/**
 * The uploads of a run: rows grouped by inspection day, in workbooks of `rowsPerFile` rows named
 * 隐患台账_<yyyyMMdd>_<nn>.xlsx; `corrupt` of them are first uploaded broken — a truncated upload,
 * an old .xls renamed to .xlsx, a workbook whose ledger sheet was renamed — then uploaded again
 * properly.
 */
export async function planHazardUploads(rows: HazardXlsxRow[], opts: LedgerPlanOptions = {}): Promise<DropFile[]> {
  const perFile = Math.max(1, opts.rowsPerFile ?? 500);
  const byDay = new Map<string, HazardXlsxRow[]>();
  for (const r of rows) {
    const k = dayOf(r.排查时间);
    byDay.set(k, [...(byDay.get(k) ?? []), r]);
  }
  const batches: Array<{ name: string; day: string; rows: HazardXlsxRow[] }> = [];
  for (const [day, list] of [...byDay].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (let i = 0, n = 1; i < list.length; i += perFile, n++) batches.push({ name: `隐患台账_${day}_${String(n).padStart(2, '0')}.xlsx`, day, rows: list.slice(i, i + perFile) });
  }
  const rand = seededRandom((opts.seed ?? 1) + 11);
  const corruptAt = new Set<number>();
  const wanted = Math.min(opts.corrupt ?? 0, batches.length);
  while (corruptAt.size < wanted) corruptAt.add(Math.floor(rand() * batches.length));
  const defects = ['truncated', 'xls', 'sheet-renamed'] as const;
  const files: DropFile[] = [];
  let k = 0;
  for (const [i, b] of batches.entries()) {
    const title = `安全隐患排查治理台账（${b.day.slice(0, 4)}年${Number(b.day.slice(4, 6))}月${Number(b.day.slice(6))}日）`;
    const wbOpts = { ...opts, title, seed: (opts.seed ?? 1) * 1000 + i };
    const bytes = await hazardWorkbook(b.rows, wbOpts);
    const ids = b.rows.map((r) => r.隐患编号);
    if (corruptAt.has(i)) {
      const defect = defects[k++ % defects.length] as (typeof defects)[number];
      files.push({ name: b.name, bytes: await corruptWorkbook(b.rows, bytes, defect, wbOpts), kind: 'corrupt', ids: [], defect });
      files.push({ name: b.name.replace(/\.xlsx$/, '_重新上传.xlsx'), bytes, kind: 'export', ids });
    } else {
      files.push({ name: b.name, bytes, kind: 'export', ids });
    }
  }
  return files;
}

/** A broken upload: cut off half-way, an OLE2 (.xls) file with an .xlsx name, or the ledger sheet renamed. */
export async function corruptWorkbook(rows: HazardXlsxRow[], good: Buffer, defect: 'truncated' | 'xls' | 'sheet-renamed', opts: WorkbookOptions = {}): Promise<Buffer> {
  if (defect === 'truncated') return good.subarray(0, Math.floor(good.length * 0.6));
  if (defect === 'xls') {
    const b = Buffer.alloc(2048, 0);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(b);
    return b;
  }
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await hazardWorkbook(rows, opts)) as unknown as Parameters<typeof wb.xlsx.load>[0]);
  const ws = wb.getWorksheet(HAZARD_SHEET);
  if (ws) ws.name = 'Sheet1';
  return Buffer.from(await wb.xlsx.writeBuffer());
}
