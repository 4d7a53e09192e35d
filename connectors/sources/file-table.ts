/**
 * The bytes of a dropped file → a table: header names and data rows keyed by them.
 *
 * - The format comes from the content, not the name: a zip is an XLSX workbook (people rename
 *   files), an OLE2 container is an old .xls (refused with advice), anything else must be text.
 * - Text encoding: a BOM decides (UTF-8, UTF-16LE/BE); else valid UTF-8 is UTF-8; else GB18030,
 *   the superset of the GBK/CP936 that Chinese-Windows Excel writes. The detected encoding is
 *   reported with every row.
 * - Header names are names: NFKC through normaliseName (full-width letters, digits, brackets →
 *   ASCII). Cells are data: only code-like cells (nothing but letters, digits and code punctuation,
 *   in either width — "１２３４５", "ＡＢ－０１") and cells of the configured code columns go through
 *   normaliseCode. Free text is never NFKC'd: full-width punctuation is meaningful in Chinese prose.
 * - Anything that cannot be read as a table throws FileUnreadable with a reason for the operator.
 */
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { normaliseCode, normaliseName } from '../../core/normalise/text.js';
import { parseBody } from './http-body.js';
import { getPath } from './paths.js';

export type FileEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'gb18030';
export type FileEncodingSetting = 'auto' | 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';
export type CsvDelimiter = ',' | '\t' | ';' | '|';

export interface TableOptions {
  encoding: FileEncodingSetting;
  delimiter: 'auto' | CsvDelimiter;
  /** 1-based row (CSV record / worksheet row) holding the header names. */
  headerRow: number;
  /** XLSX: worksheet name or 1-based position; default the first. */
  sheet?: string | number;
  /** Header names (after normalisation) whose cells are codes: always normaliseCode. */
  codeColumns: ReadonlySet<string>;
  /** XML exports: the dotted path of the repeated record element (the file is then read as XML, not as a table). */
  xmlRecordsPath?: string;
}

export interface TableRow {
  /** Row number as the operator sees it: CSV record number or worksheet row, header = headerRow. */
  row: number;
  values: Record<string, unknown>;
  /** A row that cannot be delivered as it is (a NUL byte in a cell): dead-lettered alone, with this reason. */
  problem?: { column: string; reason: string };
}

/** Control characters no text cell holds (tab, CR and LF aside): a cell with one is refused, never cleaned. */
const CELL_BINARY = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

export interface Table {
  format: 'csv' | 'xlsx' | 'xml';
  /** Text files only. */
  encoding?: FileEncoding;
  /** XLSX only: the worksheet read. */
  sheet?: string;
  headers: string[];
  /** Data rows after the header, blank rows left out. */
  rows: TableRow[];
}

/** The file cannot be read as a table; `reason` is for the operator who has to fix it. */
export class FileUnreadable extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'FileUnreadable';
  }
}

export async function readTable(bytes: Buffer, opts: TableOptions): Promise<Table> {
  if (bytes.length === 0) throw new FileUnreadable('the file is empty (0 bytes); the export probably failed');
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return readXlsx(bytes, opts);
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    throw new FileUnreadable('this is an old Excel 97-2003 workbook (.xls) or another OLE2 document; save it as .xlsx or as "CSV UTF-8" and drop it again');
  }
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46])) throw new FileUnreadable('this is a PDF, not a CSV or XLSX table');
  if (opts.xmlRecordsPath !== undefined) return readXml(bytes, opts.xmlRecordsPath, opts.encoding);
  const { text, encoding } = decodeText(bytes, opts.encoding);
  return readCsv(text, encoding, opts);
}

/**
 * An XML export: the records are the elements at `path` (namespace prefixes dropped, tag text kept
 * as text). Encoding: a BOM, else the configured one, else the XML declaration's, else UTF-8 if
 * valid, else GB18030. A file that is not well-formed XML (truncated export), or has no element at
 * `path`, is unreadable; an element present but empty is an export with no records.
 */
function readXml(bytes: Buffer, path: string, setting: FileEncodingSetting): Table {
  let decoded: { text: string; encoding: FileEncoding };
  const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)["']/i.exec(bytes.subarray(0, 200).toString('latin1'))?.[1];
  if (setting === 'auto' && declared && !(bytes[0] === 0xef || bytes[0] === 0xff || bytes[0] === 0xfe)) {
    const name = /^(gbk|gb2312|cp936|gb18030)$/i.test(declared) ? 'gb18030' : /^utf-?8$/i.test(declared) ? 'utf-8' : declared.toLowerCase();
    if (name === 'utf-8') decoded = { text: utf8(bytes), encoding: 'utf-8' };
    else if (name === 'gb18030') decoded = { text: iconv.decode(bytes, 'gb18030'), encoding: 'gb18030' };
    else throw new FileUnreadable(`the XML declares encoding "${declared}", which is not read here (UTF-8, GBK/GB18030, UTF-16 with a BOM); re-export it or set source.encoding`);
  } else {
    decoded = decodeText(bytes, setting);
  }
  let doc: unknown;
  try {
    doc = parseBody(decoded.text, 'xml', 'the file');
  } catch (err) {
    throw new FileUnreadable(`not a well-formed XML export (${(err as Error).message.replace(/^the file answered with a body that is /, '').slice(0, 200)}); the export is probably truncated: export it again`);
  }
  const at = getPath(doc, path);
  const parentPath = path.split('.').slice(0, -1).join('.');
  // the record element's parent present but no record in it: an export with no records
  if (at === undefined && !(parentPath !== '' && getPath(doc, parentPath) !== undefined)) {
    const top = doc && typeof doc === 'object' ? Object.keys(doc).filter((k) => k !== '?xml').join(', ') : '';
    throw new FileUnreadable(`the XML has no element at "${path}" (source.recordsPath); its root holds: ${top || 'nothing'}`);
  }
  const list = at === undefined || at === '' || at === null ? [] : Array.isArray(at) ? at : [at];
  const rows: TableRow[] = list.map((values, i) => {
    const row: TableRow = { row: i + 1, values: values && typeof values === 'object' ? (values as Record<string, unknown>) : { value: values } };
    const bad = Object.entries(row.values).find(([, v]) => typeof v === 'string' && CELL_BINARY.test(v));
    if (bad) row.problem = { column: bad[0], reason: `element ${bad[0]} holds a control character (binary data in the export)` };
    return row;
  });
  const headers = [...new Set(rows.flatMap((r) => Object.keys(r.values)))];
  return { format: 'xml', encoding: decoded.encoding, headers, rows };
}

function startsWith(bytes: Buffer, magic: number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

// ---------------------------------------------------------------------------------------------
// text

export function decodeText(bytes: Buffer, setting: FileEncodingSetting = 'auto'): { text: string; encoding: FileEncoding } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: utf8(bytes.subarray(3)), encoding: 'utf-8-bom' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: iconv.decode(bytes.subarray(2), 'utf-16le'), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: iconv.decode(bytes.subarray(2), 'utf-16be'), encoding: 'utf-16be' };
  switch (setting) {
    case 'utf-8':
      return { text: utf8(bytes), encoding: 'utf-8' };
    case 'gb18030':
      return { text: iconv.decode(bytes, 'gb18030'), encoding: 'gb18030' };
    case 'utf-16le':
    case 'utf-16be':
      return { text: iconv.decode(bytes, setting), encoding: setting };
    case 'auto':
      break;
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(bytes, 'gb18030'), encoding: 'gb18030' };
  }
}

function utf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FileUnreadable('the file is not valid UTF-8 although its byte-order mark or the connector settings say so; re-export it as "CSV UTF-8"');
  }
}

function readCsv(text: string, encoding: FileEncoding, opts: TableOptions): Table {
  // Binary data has control characters everywhere; one NUL in one cell of a text file is a bad row
  // (dead-lettered by itself below), not a reason to refuse the good rows around it.
  const controls = (text.match(/[\u0000-\u0008\u000E-\u001F]/g) ?? []).length;
  const nuls = (text.match(/\u0000/g) ?? []).length;
  if (nuls > Math.max(2, text.length / 1000) || controls > Math.max(8, text.length / 100)) {
    throw new FileUnreadable(`this is not a CSV text file (it contains binary data; read as ${encoding}); drop CSV or XLSX files only`);
  }
  const delimiter = opts.delimiter === 'auto' ? guessDelimiter(text) : opts.delimiter;
  const records = parseCsv(text, delimiter);
  const headerIndex = opts.headerRow - 1;
  const headerCells = records[headerIndex];
  if (!headerCells || headerCells.every((c) => c.trim() === '')) {
    throw new FileUnreadable(`the file has no header row at row ${opts.headerRow}${records.length === 0 ? ' (it has no rows at all)' : ''}`);
  }
  const headers = headerNames(headerCells);
  const rows: TableRow[] = [];
  for (let i = headerIndex + 1; i < records.length; i++) {
    const cells = records[i] as string[];
    if (cells.every((c) => c.trim() === '')) continue;
    const bad = cells.findIndex((c) => CELL_BINARY.test(c));
    const problem =
      bad < 0
        ? undefined
        : { column: headers[bad] ?? `column${bad + 1}`, reason: `单元格含有二进制控制字符 (U+${(CELL_BINARY.exec(cells[bad]!)![0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')} in column ${headers[bad] ?? bad + 1}); the row is refused rather than changed — fix the cell in the source file` };
    rows.push({ row: i + 1, values: rowObject(headers, cells, opts.codeColumns), ...(problem ? { problem } : {}) });
  }
  return { format: 'csv', encoding, headers, rows };
}

/** The delimiter used most outside quotes in the first line (Excel's "Unicode text" is tab-separated). */
function guessDelimiter(text: string): CsvDelimiter {
  const counts: Record<CsvDelimiter, number> = { ',': 0, '\t': 0, ';': 0, '|': 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch in counts) counts[ch as CsvDelimiter]++;
  }
  let best: CsvDelimiter = ',';
  for (const d of ['\t', ';', '|'] as const) if (counts[d] > counts[best]) best = d;
  return best;
}

/**
 * RFC 4180 with the usual leniency: CRLF, LF or CR line ends; "" inside quotes; a quote inside
 * an unquoted field is kept as a character. An unterminated quote means a truncated file.
 */
export function parseCsv(text: string, delimiter: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quotedAt = -1;
  const n = text.length;
  let line = 1;
  let fieldStart = true;
  while (i < n) {
    const ch = text[i] as string;
    if (quotedAt >= 0) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quotedAt = -1;
        i++;
        continue;
      }
      if (ch === '\n') line++;
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && fieldStart) {
      quotedAt = line;
      fieldStart = false;
      i++;
      continue;
    }
    if (ch === delimiter) {
      record.push(field);
      field = '';
      fieldStart = true;
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      fieldStart = true;
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      continue;
    }
    field += ch;
    fieldStart = false;
    i++;
  }
  if (quotedAt >= 0) throw new FileUnreadable(`a quoted field opened on line ${quotedAt} is never closed: the file is truncated or not valid CSV`);
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

// ---------------------------------------------------------------------------------------------
// xlsx

async function readXlsx(bytes: Buffer, opts: TableOptions): Promise<Table> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as Parameters<typeof wb.xlsx.load>[0]);
  } catch (err) {
    throw new FileUnreadable(`the XLSX workbook is corrupt or not a workbook (${(err as Error).message}); open it in Excel/WPS, save it again and drop it again`);
  }
  const ws = opts.sheet === undefined ? wb.worksheets[0] : wb.getWorksheet(opts.sheet);
  if (!ws) {
    const names = wb.worksheets.map((w) => w.name).join(', ');
    throw new FileUnreadable(opts.sheet === undefined ? 'the workbook has no worksheet' : `the workbook has no worksheet ${JSON.stringify(opts.sheet)} (it has: ${names})`);
  }
  const headerRow = ws.getRow(opts.headerRow);
  const width = Math.max(headerRow.cellCount, 0);
  const headerCells: string[] = [];
  for (let col = 1; col <= width; col++) headerCells.push(cellText(headerRow.getCell(col).value));
  while (headerCells.length > 0 && (headerCells[headerCells.length - 1] as string).trim() === '') headerCells.pop();
  if (headerCells.length === 0) throw new FileUnreadable(`worksheet "${ws.name}" has no header row at row ${opts.headerRow}`);
  const lastHeaderRow = unmergeHeader(ws, opts.headerRow, headerCells);
  const headers = headerNames(headerCells);
  const rows: TableRow[] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (rowNumber <= lastHeaderRow) return;
    const cells: unknown[] = [];
    const last = Math.max(row.cellCount, headers.length);
    for (let col = 1; col <= last; col++) cells.push(cellValue(row.getCell(col).value));
    if (cells.every((c) => c === '' || (typeof c === 'string' && c.trim() === ''))) return;
    rows.push({ row: rowNumber, values: rowObject(headers, cells, opts.codeColumns) });
  });
  return { format: 'xlsx', sheet: ws.name, headers, rows };
}

interface CellRange {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

function mergedRanges(ws: ExcelJS.Worksheet): CellRange[] {
  const merges = (ws.model as { merges?: string[] }).merges ?? [];
  return merges.flatMap((ref) => {
    const m = /^([A-Z]+)(\d+):([A-Z]+)(\d+)$/.exec(ref);
    if (!m) return [];
    return [{ left: columnNumber(m[1]!), top: Number(m[2]), right: columnNumber(m[3]!), bottom: Number(m[4]) }];
  });
}

function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

/**
 * Merged header cells, read the way a person reads them (instead of one name repeated over
 * several columns, which would leave those columns silently empty to every mapping):
 *  - a header spanning two rows ("位置" merged over two columns, "经度" and "纬度" below it): the
 *    columns under the merge take the names of the row below, and data starts after it;
 *  - one cell naming several columns ("经度/纬度" merged over two): split at / 、 , ; |;
 *  - otherwise the file is refused with the columns and the fix.
 * Updates `headerCells` in place; returns the last row of the header.
 */
function unmergeHeader(ws: ExcelJS.Worksheet, headerRow: number, headerCells: string[]): number {
  const ranges = mergedRanges(ws).filter((r) => r.top <= headerRow && r.bottom >= headerRow);
  let last = headerRow;
  for (const r of ranges) last = Math.max(last, r.bottom); // a header cell merged downwards: the rows below are header too
  const below = ws.getRow(headerRow + 1);
  for (const r of ranges.filter((x) => x.right > x.left && x.top === headerRow && x.bottom === headerRow)) {
    const cols = Array.from({ length: r.right - r.left + 1 }, (_, i) => r.left + i);
    const master = headerCells[r.left - 1] ?? '';
    // sub-header cells are names (text), not data (numbers, dates)
    const subNames = cols.map((c) => below.getCell(c).value).map((v) => (typeof v === 'string' ? v.trim() : ''));
    const parts = master.split(/[\/、,，;；|]/).map((x) => x.trim()).filter((x) => x !== '');
    if (parts.length === cols.length) {
      cols.forEach((c, i) => (headerCells[c - 1] = parts[i]!));
    } else if (subNames.every((n) => n !== '' && !/^[\d.+-]+$/.test(n))) {
      cols.forEach((c, i) => (headerCells[c - 1] = subNames[i]!));
      last = Math.max(last, headerRow + 1);
    } else {
      const span = `${ws.getRow(headerRow).getCell(r.left).address}:${ws.getRow(headerRow).getCell(r.right).address}`;
      throw new FileUnreadable(
        `表头单元格合并: the header cell "${master}" is merged over ${cols.length} columns (${span}), so those columns have no names of their own; unmerge it and give each column its header name, then drop the file again`,
      );
    }
  }
  return last;
}

/**
 * A cell as JSON data: numbers and booleans stay (an ID number stored as a number is left for the
 * mapping to detect, never "repaired"); dates become the wall time Excel shows ("2026-03-01
 * 08:30:00", exceljs keeps wall time in the UTC fields); rich text, hyperlinks and formulas become
 * their text or result; error cells their code ("#N/A"); empty cells "".
 */
function cellValue(v: unknown): unknown {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  if (v instanceof Date) return wallTime(v);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return (o.richText as Array<{ text?: string }>).map((r) => r.text ?? '').join('');
    if ('formula' in o || 'sharedFormula' in o) return cellValue(o.result);
    if ('hyperlink' in o) return cellValue(o.text);
    if (typeof o.error === 'string') return o.error;
    if ('text' in o) return cellValue(o.text);
  }
  return String(v);
}

function cellText(v: unknown): string {
  const value = cellValue(v);
  return typeof value === 'string' ? value : String(value);
}

function wallTime(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const iso = d.toISOString(); // UTC fields = the wall time shown in the sheet
  const date = iso.slice(0, 10);
  const time = iso.slice(11, 19);
  const ms = iso.slice(20, 23);
  if (time === '00:00:00' && ms === '000') return date;
  return `${date} ${time}${ms === '000' ? '' : `.${ms}`}`;
}

// ---------------------------------------------------------------------------------------------
// shared

/** Header cells → unique names: normaliseName (NFKC), blanks become column<N>, repeats get _2, _3. */
function headerNames(cells: string[]): string[] {
  const seen = new Map<string, number>();
  return cells.map((cell, i) => {
    let name: string;
    try {
      name = normaliseName(cell, `header.${i + 1}`);
    } catch (err) {
      throw new FileUnreadable(`header of column ${i + 1} ("${cell}") looks wrongly decoded: ${(err as Error).message}`);
    }
    if (name === '') name = `column${i + 1}`;
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name}_${count}`;
  });
}

// Letters, digits and the punctuation codes use, in ASCII or full width (U+FF01–FF5E).
const CODE_LIKE = /^[0-9A-Za-z\-_./:#+()\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\uFF0D\uFF3F\uFF0E\uFF0F\uFF1A\uFF03\uFF0B\uFF08\uFF09]+$/;
const FULL_WIDTH = /[\uFF01-\uFF5E\u3000]/;

function rowObject(headers: string[], cells: unknown[], codeColumns: ReadonlySet<string>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const width = Math.max(headers.length, cells.length);
  for (let i = 0; i < width; i++) {
    const key = headers[i] ?? `column${i + 1}`;
    values[key] = normaliseCell(cells[i] ?? '', codeColumns.has(key));
  }
  return values;
}

function normaliseCell(value: unknown, isCode: boolean): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (isCode || (FULL_WIDTH.test(trimmed) && CODE_LIKE.test(trimmed))) {
    try {
      return normaliseCode(value);
    } catch {
      return value; // misdecoded: leave it for the mapping's validation to report
    }
  }
  return value;
}
