/**
 * File drop: a folder (often a network share) where a department's staff or an export job puts
 * CSV and XLSX files. The folder is polled (a listing per nextPage; no inotify, which network
 * shares do not deliver anyway).
 *
 * Never a half-written file. Ignored outright: dotfiles, `~$*` (Office lock files), `*.tmp`,
 * `*.part` and other download/upload temporaries, `.done` markers and `.reason.txt` notes. A file
 * is read only once it is *settled*: neither its mtime nor its ctime changed within `settleMs`
 * (ctime catches copies that preserve the original mtime, such as Explorer copies onto a share),
 * and its size and mtime did not change between our own listings for `settleMs`. With
 * `doneMarker: true` a file is read only once `<name>.done` exists beside it.
 *
 * Never twice. Files are identified by content (sha256), not by name. The cursor holds the file in
 * progress (hash + rows delivered, pages of `pageSize` rows) and a bounded list of recently
 * finished hashes. `committed(cursor)` moves finished files to `processed/` — idempotent: a file
 * already moved is simply not found. A file whose hash is in the finished list (re-dropped, or
 * left behind by a crash between commit and move) is moved to `processed/` without being read.
 * The list is bounded (`rememberFiles`, default 256), so the same bytes dropped again after that
 * many other files are read again.
 *
 * Nothing silently lost. A file that cannot be read as a table (corrupt XLSX, binary data, .xls,
 * empty file, truncated quoting) is moved to `rejected/` with `<name>.reason.txt` beside it, AND
 * surfaces as one source record `<file>#rejected` in the same Kafka transaction as the cursor: its
 * payload throws a MappingError carrying the reason as soon as any mapping reads a field, so the
 * runtime dead-letters it with that reason, and its raw is JSON with the file, its hash and the
 * reason. Operators thus see rejected files where they see every other bad input (the dead-letter
 * topic and the connector's dead-letter count), and the file itself waits in `rejected/` to be
 * fixed and dropped again. The move happens in `committed()`, after the record is durable. A
 * file that disappears or changes while it is being read surfaces the same way, naming the rows
 * that were not delivered.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { ConfigError, MappingError, UpstreamUnavailableError, ValidationError } from '../../core/errors.js';
import type { Source, SourcePage, SourceRecord } from '../sdk/types.js';
import { FileUnreadable, readTable, type CsvDelimiter, type FileEncodingSetting, type Table } from './file-table.js';

export interface FileDropSettings {
  kind: 'file-drop';
  /** The watched folder. */
  folder: string;
  /** Where finished files go; default `<folder>/processed`. */
  processedFolder?: string;
  /** Where unreadable files go, each with `<name>.reason.txt`; default `<folder>/rejected`. */
  rejectedFolder?: string;
  /** Rows per page; default 500. */
  pageSize?: number;
  /** A file must be unchanged this long before it is read; default 2000 ms. */
  settleMs?: number;
  /** Read a file only when `<name>.done` exists beside it (written by the exporter when finished). */
  doneMarker?: boolean;
  /** Text encoding; default 'auto' (BOM, else UTF-8 if valid, else GB18030). */
  encoding?: FileEncodingSetting;
  /** CSV delimiter; default 'auto' (the most frequent of , tab ; | in the header line). */
  delimiter?: 'auto' | CsvDelimiter;
  /** 1-based row holding the header names; default 1. */
  headerRow?: number;
  /** XLSX worksheet name or 1-based position; default the first. */
  sheet?: string | number;
  /** Header names (as normalised: ASCII digits/letters/brackets) whose cells are codes. */
  codeColumns?: string[];
  /** How many finished file hashes the cursor remembers; default 256. */
  rememberFiles?: number;
  /** When set, each payload also gets this key holding { file, row, format, encoding?, sheet? }. */
  rowInfoKey?: string;
  /** `table` (default: CSV or XLSX, told by content) or `xml` (an XML export; recordsPath names the repeated record element). */
  format?: 'table' | 'xml';
  /** XML only: dotted path of the record elements, e.g. "export.records.record". */
  recordsPath?: string;
}

export interface FileDropCursor {
  /** The file being read, or null between files. */
  current: { file: string; sha256: string; rowsDone: number } | null;
  /** Recently finished files, oldest first; `rejected` holds the reason for rejected files. */
  done: FileDropDone[];
}

export interface FileDropDone {
  file: string;
  sha256: string;
  rejected?: string;
}

/** What a rejected-file record carries (read it with rejectedFileOf). */
export interface RejectedFile {
  file: string;
  sha256: string;
  reason: string;
  /** Folder the file is moved to once the record is committed (empty when the file is gone). */
  movedTo: string;
}

export const FILE_DROP_DEFAULTS = { pageSize: 500, settleMs: 2000, rememberFiles: 256, headerRow: 1 } as const;

const IGNORED = /^(\.|~\$)|\.(tmp|temp|part|partial|filepart|crdownload|download|swp|done)$|\.reason\.txt$/i;
const REJECTED = Symbol.for('countyhub.file-drop.rejected');

export function validateFileDropSettings(s: FileDropSettings, at = 'source'): void {
  if (typeof s.folder !== 'string' || s.folder.trim() === '') throw new ConfigError(`${at}.folder`, 'is required: the folder files are dropped into');
  const folder = resolve(s.folder);
  for (const key of ['processedFolder', 'rejectedFolder'] as const) {
    const v = s[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(`${at}.${key}`, 'must be a folder path');
    if (resolve(v) === folder) throw new ConfigError(`${at}.${key}`, 'must differ from the watched folder');
  }
  if (s.processedFolder !== undefined && s.rejectedFolder !== undefined && resolve(s.processedFolder) === resolve(s.rejectedFolder)) {
    throw new ConfigError(`${at}.rejectedFolder`, 'must differ from processedFolder');
  }
  const int = (v: unknown, field: string, min: number, max: number): void => {
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < min || (v as number) > max)) throw new ConfigError(`${at}.${field}`, `must be an integer between ${min} and ${max}`);
  };
  int(s.pageSize, 'pageSize', 1, 50_000);
  int(s.settleMs, 'settleMs', 0, 3_600_000);
  int(s.headerRow, 'headerRow', 1, 1000);
  int(s.rememberFiles, 'rememberFiles', 1, 10_000);
  if (s.encoding !== undefined && !['auto', 'utf-8', 'gb18030', 'utf-16le', 'utf-16be'].includes(s.encoding)) {
    throw new ConfigError(`${at}.encoding`, `must be auto, utf-8, gb18030, utf-16le or utf-16be (GBK files: gb18030), got ${JSON.stringify(s.encoding)}`);
  }
  if (s.delimiter !== undefined && !['auto', ',', '\t', ';', '|'].includes(s.delimiter)) throw new ConfigError(`${at}.delimiter`, 'must be auto, ",", "\\t", ";" or "|"');
  if (s.sheet !== undefined && !(typeof s.sheet === 'string' ? s.sheet !== '' : Number.isInteger(s.sheet) && s.sheet >= 1)) {
    throw new ConfigError(`${at}.sheet`, 'must be a worksheet name or a 1-based position');
  }
  if (s.codeColumns !== undefined && (!Array.isArray(s.codeColumns) || s.codeColumns.some((c) => typeof c !== 'string' || c === ''))) {
    throw new ConfigError(`${at}.codeColumns`, 'must be a list of header names');
  }
  if (s.rowInfoKey !== undefined && (typeof s.rowInfoKey !== 'string' || s.rowInfoKey === '')) throw new ConfigError(`${at}.rowInfoKey`, 'must be a non-empty key name');
  if (s.doneMarker !== undefined && typeof s.doneMarker !== 'boolean') throw new ConfigError(`${at}.doneMarker`, 'must be true or false');
  if (s.format !== undefined && s.format !== 'table' && s.format !== 'xml') throw new ConfigError(`${at}.format`, 'must be "table" (CSV/XLSX) or "xml"');
  if (s.format === 'xml' && (typeof s.recordsPath !== 'string' || s.recordsPath === '')) throw new ConfigError(`${at}.recordsPath`, 'an XML export needs the dotted path of its record elements, e.g. "export.records.record"');
}

/** The rejection carried by a record's payload, or undefined for an ordinary row. */
export function rejectedFileOf(payload: unknown): RejectedFile | undefined {
  if (payload === null || typeof payload !== 'object') return undefined;
  return (payload as { [REJECTED]?: RejectedFile })[REJECTED];
}

interface Listed {
  name: string;
  path: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

interface Observation {
  size: number;
  mtimeMs: number;
  stableSince: number;
  changed: boolean;
}

export class FileDropSource implements Source<FileDropCursor> {
  private readonly folder: string;
  private readonly processed: string;
  private readonly rejected: string;
  private readonly pageSize: number;
  private readonly settleMs: number;
  private readonly remember: number;
  private readonly codeColumns: ReadonlySet<string>;
  /** Settle tracking: what each name looked like when first seen unchanged. Lost on restart: only delays. */
  private readonly seen = new Map<string, Observation>();
  /** Hash per (path, size, mtime, ctime, inode): avoids re-reading big files every poll. */
  private readonly hashes = new Map<string, string>();
  /** The parsed file in progress (a cache; the cursor is the truth). */
  private parsed: { sha256: string; table: Table } | undefined;

  constructor(
    private readonly s: FileDropSettings,
    private readonly at = 'source',
    private readonly now: () => number = Date.now,
  ) {
    validateFileDropSettings(s, at);
    this.folder = resolve(s.folder);
    this.processed = resolve(s.processedFolder ?? join(this.folder, 'processed'));
    this.rejected = resolve(s.rejectedFolder ?? join(this.folder, 'rejected'));
    this.pageSize = s.pageSize ?? FILE_DROP_DEFAULTS.pageSize;
    this.settleMs = s.settleMs ?? FILE_DROP_DEFAULTS.settleMs;
    this.remember = s.rememberFiles ?? FILE_DROP_DEFAULTS.rememberFiles;
    this.codeColumns = new Set(s.codeColumns ?? []);
  }

  async open(): Promise<void> {
    await this.listing(); // a missing folder is reported at once
    await mkdir(this.processed, { recursive: true });
    await mkdir(this.rejected, { recursive: true });
  }

  async close(): Promise<void> {
    this.parsed = undefined;
    this.hashes.clear();
    this.seen.clear();
  }

  async nextPage(cursor: FileDropCursor | undefined, signal: AbortSignal): Promise<SourcePage<FileDropCursor>> {
    signal.throwIfAborted();
    const c: FileDropCursor = cursor ?? { current: null, done: [] };
    const files = await this.listing();

    if (c.current) {
      const cur = c.current;
      const same = await this.findByHash(files, cur.file, cur.sha256);
      if (same) return this.page(same, cur.sha256, cur.rowsDone, c);
      // The file in progress was removed or rewritten by someone else: say so, do not pretend.
      const reason = `the file disappeared or changed while it was being read: ${cur.rowsDone} rows were delivered, any rows after that were not`;
      return this.rejectPage({ file: cur.file, sha256: cur.sha256, reason, movedTo: '' }, c);
    }

    const doneByHash = new Map(c.done.map((d) => [d.sha256, d]));
    const markers = new Set(files.map((f) => f.name));
    const now = this.now();
    for (const f of files) {
      signal.throwIfAborted();
      if (IGNORED.test(f.name)) continue;
      if (!this.settled(f, now)) continue;
      if (this.s.doneMarker && !markers.has(`${f.name}.done`)) continue;
      const sha256 = await this.hashOf(f);
      const done = doneByHash.get(sha256);
      if (done) {
        // Delivered before (the cursor we were given is committed): archive without reading.
        await this.archive(f, sha256, done, done.file === f.name ? undefined : done.file);
        continue;
      }
      return this.page(f, sha256, 0, c);
    }
    this.prune(files);
    return { records: [], cursor: c, hasMore: false };
  }

  /** Moves every finished file of the cursor that is still in the folder. Safe to repeat. */
  async committed(cursor: FileDropCursor): Promise<void> {
    for (const d of cursor.done) {
      const path = join(this.folder, d.file);
      let st;
      try {
        st = await stat(path);
      } catch {
        // moved already (or gone); a crash may have left its .done marker behind
        const dir = d.rejected !== undefined ? this.rejected : this.processed;
        await move(`${path}.done`, join(dir, `${d.file}.done`)).catch(() => undefined);
        continue;
      }
      if (!st.isFile()) continue;
      const f: Listed = { name: d.file, path, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
      if ((await this.hashOf(f)) !== d.sha256) continue; // a new file under an old name
      await this.archive(f, d.sha256, d);
    }
  }

  // -------------------------------------------------------------------------------------------

  private async page(f: Listed, sha256: string, offset: number, c: FileDropCursor): Promise<SourcePage<FileDropCursor>> {
    let table: Table | 'changed';
    try {
      table = await this.table(f, sha256);
    } catch (err) {
      if (!(err instanceof FileUnreadable)) throw err;
      return this.rejectPage({ file: f.name, sha256, reason: err.reason, movedTo: this.rejected }, c);
    }
    // written to since it was listed: not settled after all; the next listing decides
    if (table === 'changed') return { records: [], cursor: c, hasMore: false };
    const slice = table.rows.slice(offset, offset + this.pageSize);
    const records: SourceRecord[] = slice.map(({ row, values, problem }) => {
      const info = { file: f.name, row, format: table.format, ...(table.encoding ? { encoding: table.encoding } : {}), ...(table.sheet ? { sheet: table.sheet } : {}) };
      const payload = this.s.rowInfoKey ? { ...values, [this.s.rowInfoKey]: info } : values;
      const rejected = problem ? { rejected: new ValidationError(problem.column, `${f.name} row ${row}: ${problem.reason}`) } : {};
      return { id: `${f.name}#${row}`, payload, raw: JSON.stringify({ ...info, values }), ...rejected };
    });
    const rowsDone = offset + slice.length;
    const finished = rowsDone >= table.rows.length;
    const cursor: FileDropCursor = finished
      ? { current: null, done: this.remembered(c.done, { file: f.name, sha256 }) }
      : { current: { file: f.name, sha256, rowsDone }, done: c.done };
    if (finished && this.parsed?.sha256 === sha256) this.parsed = undefined;
    return { records, cursor, hasMore: true };
  }

  private rejectPage(info: RejectedFile, c: FileDropCursor): SourcePage<FileDropCursor> {
    const record: SourceRecord = {
      id: `${info.file}#rejected`,
      payload: rejectedPayload(info),
      raw: JSON.stringify({ file: info.file, sha256: info.sha256, rejected: info.reason, movedTo: info.movedTo }),
    };
    const done = this.remembered(c.done, { file: info.file, sha256: info.sha256, rejected: info.reason.slice(0, 500) });
    return { records: [record], cursor: { current: null, done }, hasMore: true };
  }

  private remembered(done: FileDropDone[], entry: FileDropDone): FileDropDone[] {
    const next = [...done.filter((d) => d.sha256 !== entry.sha256), entry];
    return next.length > this.remember ? next.slice(next.length - this.remember) : next;
  }

  private async table(f: Listed, sha256: string): Promise<Table | 'changed'> {
    if (this.parsed?.sha256 === sha256) return this.parsed.table;
    const bytes = await this.read(f);
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256) {
      this.hashes.clear();
      return 'changed';
    }
    const table = await readTable(bytes, {
      encoding: this.s.encoding ?? 'auto',
      delimiter: this.s.delimiter ?? 'auto',
      headerRow: this.s.headerRow ?? FILE_DROP_DEFAULTS.headerRow,
      ...(this.s.sheet !== undefined ? { sheet: this.s.sheet } : {}),
      codeColumns: this.codeColumns,
      ...(this.s.format === 'xml' ? { xmlRecordsPath: this.s.recordsPath as string } : {}),
    });
    this.parsed = { sha256, table };
    return table;
  }

  private async read(f: Listed): Promise<Buffer> {
    try {
      return await readFile(f.path);
    } catch (err) {
      throw new UpstreamUnavailableError(`cannot read ${f.path}: ${(err as Error).message}`, err);
    }
  }

  /** Files of the folder, oldest first (then by name). */
  private async listing(): Promise<Listed[]> {
    let entries;
    try {
      entries = await readdir(this.folder, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UpstreamUnavailableError(
        code === 'ENOENT' ? `drop folder ${this.folder} does not exist (is the share mounted? fix ${this.at}.folder otherwise)` : `cannot list drop folder ${this.folder}: ${(err as Error).message}`,
        err,
      );
    }
    const files: Listed[] = [];
    for (const e of entries) {
      if (!e.isFile()) continue;
      const path = join(this.folder, e.name);
      try {
        const st = await stat(path);
        files.push({ name: e.name, path, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino });
      } catch {
        // vanished between readdir and stat
      }
    }
    return files.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private settled(f: Listed, now: number): boolean {
    const prev = this.seen.get(f.name);
    let obs = prev;
    if (!prev || prev.size !== f.size || prev.mtimeMs !== f.mtimeMs) {
      obs = { size: f.size, mtimeMs: f.mtimeMs, stableSince: now, changed: prev !== undefined };
      this.seen.set(f.name, obs);
    }
    // file times carry fractions of a millisecond, Date.now() does not
    const quietOnDisk = now - Math.floor(Math.max(f.mtimeMs, f.ctimeMs)) >= this.settleMs;
    const quietToUs = !(obs as Observation).changed || now - (obs as Observation).stableSince >= this.settleMs;
    return quietOnDisk && quietToUs;
  }

  private prune(files: Listed[]): void {
    const names = new Set(files.map((f) => f.name));
    for (const name of this.seen.keys()) if (!names.has(name)) this.seen.delete(name);
    if (this.hashes.size > 4 * this.remember) this.hashes.clear();
  }

  private async hashOf(f: Listed): Promise<string> {
    const key = `${f.path}\u0000${f.size}\u0000${f.mtimeMs}\u0000${f.ctimeMs}\u0000${f.ino}`;
    const known = this.hashes.get(key);
    if (known) return known;
    const hash = createHash('sha256');
    try {
      for await (const chunk of createReadStream(f.path)) hash.update(chunk as Buffer);
    } catch (err) {
      throw new UpstreamUnavailableError(`cannot read ${f.path}: ${(err as Error).message}`, err);
    }
    const sha = hash.digest('hex');
    this.hashes.set(key, sha);
    return sha;
  }

  private async findByHash(files: Listed[], name: string, sha256: string): Promise<Listed | undefined> {
    const byName = files.find((f) => f.name === name);
    if (byName && (await this.hashOf(byName)) === sha256) return byName;
    for (const f of files) {
      if (f === byName || IGNORED.test(f.name)) continue;
      if ((await this.hashOf(f)) === sha256) return f; // renamed while in progress
    }
    return undefined;
  }

  /**
   * Moves a finished file (and its .done marker) to processed/ or rejected/; a rejected file gets
   * `<name>.reason.txt` first. An existing file of the same name in the target is never overwritten.
   */
  private async archive(f: Listed, sha256: string, done: FileDropDone, duplicateOf?: string): Promise<void> {
    const rejected = done.rejected !== undefined;
    const dir = rejected ? this.rejected : this.processed;
    await mkdir(dir, { recursive: true });
    const target = await freeName(dir, f.name, sha256);
    if (target === null) {
      await unlink(f.path).catch(ignoreMissing); // the identical bytes are archived under this name already
    } else {
      if (rejected) {
        const note = duplicateOf ? `same content (sha256 ${sha256}) as ${duplicateOf}, rejected earlier: ${done.rejected}` : (done.rejected as string);
        await writeFile(`${target}.reason.txt`, `${basename(target)}\n${new Date(this.now()).toISOString()}\n${note}\n`, 'utf8');
      }
      await move(f.path, target);
    }
    const marker = `${f.path}.done`;
    await move(marker, `${target ?? join(dir, f.name)}.done`).catch(ignoreMissing);
    this.seen.delete(f.name);
  }
}

/** A payload that throws the rejection as a MappingError when a mapping reads anything from it. */
function rejectedPayload(info: RejectedFile): object {
  const fail = (): never => {
    const where = info.movedTo ? ` It is moved to ${info.movedTo} with a .reason.txt beside it; fix it and drop it again.` : '';
    throw new MappingError(`文件无法读取: file ${info.file} was not read: ${info.reason}.${where}`, 'file');
  };
  return new Proxy(
    {},
    {
      get: (_t, key) => {
        if (key === REJECTED) return info;
        // JSON (dead-letter records keep the mapping input) shows what happened instead of throwing
        if (key === 'toJSON') return () => ({ rejectedFile: info });
        if (typeof key === 'symbol' || key === 'then') return undefined;
        return fail();
      },
      has: (_t, key) => (key === REJECTED ? true : fail()),
      ownKeys: () => fail(),
      getOwnPropertyDescriptor: () => fail(),
    },
  );
}

/** Target path in dir for name: name, else name with a short hash, else with a counter; null when the same bytes are there. */
async function freeName(dir: string, name: string, sha256: string): Promise<string | null> {
  const ext = extname(name);
  const base = name.slice(0, name.length - ext.length);
  const candidates = [name, `${base}.${sha256.slice(0, 12)}${ext}`];
  for (const candidate of candidates) {
    const path = join(dir, candidate);
    const existing = await stat(path).catch(() => undefined);
    if (!existing) return path;
    if (candidate !== name && (await sha256File(path)) === sha256) return null;
  }
  for (let n = 2; ; n++) {
    const path = join(dir, `${base}.${sha256.slice(0, 12)}.${n}${ext}`);
    if (!(await stat(path).catch(() => undefined))) return path;
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function move(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to);
    await unlink(from);
  }
}

function ignoreMissing(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
}
