/**
 * Puts export files into a drop folder the way desk export tools and people do it, with the
 * habits a file-drop connector has to survive:
 *  - slow writes: a big export trickles onto the (network) share in chunks, so for a while the
 *    file is half-written;
 *  - re-drops: the same file is dropped again — under the same name once the first copy has been
 *    taken away, or as a copy ("… - 副本.csv") next to it;
 *  - corrupt files: an export that crashed (truncated) or a file that is not a table at all; the
 *    department then exports the same rows again, properly.
 * Which files are slow or dropped twice is decided by a seeded PRNG, so a run can be repeated.
 * Every file written is logged to an optional ledger (JSON Lines) for tests and operators.
 * Used by the natural-resources (CSV) and emergency (XLSX) simulators.
 */
import { appendFile, mkdir, open, stat, writeFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { seededRandom } from '../shared/county.js';

export interface DropFile {
  name: string;
  bytes: Buffer;
  /** 'export': a good export of `ids`; 'corrupt': unreadable (its rows come again in a later export). */
  kind: 'export' | 'corrupt';
  /** Record ids of the rows in the file (none for unreadable files). */
  ids: string[];
  /** For corrupt files: what is wrong with it. */
  defect?: string;
}

export interface DropOptions {
  folder: string;
  seed?: number;
  /** Share of export files written slowly in chunks (0–1). */
  slowRate?: number;
  /** Chunks of a slow write, and the pause between them (keep it below the connector's settle time). */
  chunks?: number;
  chunkPauseMs?: number;
  /** Share of export files dropped a second time (0–1). */
  duplicateRate?: number;
  /** Pause between files. */
  intervalMs?: number;
  /** JSON Lines file that records every file written. */
  ledger?: string;
  /** Stop early (SIGTERM of the simulator). */
  signal?: AbortSignal;
}

export interface LedgerEntry {
  file: string;
  kind: 'export' | 'slow' | 'duplicate' | 'corrupt';
  bytes: number;
  ids: string[];
  /** For duplicates: the file whose bytes were dropped again. */
  of?: string;
  defect?: string;
  at: string;
}

export interface DropSummary {
  files: number;
  exports: number;
  slow: number;
  duplicates: number;
  corrupt: number;
  rows: number;
}

/** "name.csv" → "name - 副本.csv" (what Windows Explorer calls a copy). */
export function copyName(name: string): string {
  const ext = extname(name);
  return `${name.slice(0, name.length - ext.length)} - 副本${ext}`;
}

export async function dropFiles(files: DropFile[], opts: DropOptions): Promise<DropSummary> {
  const rand = seededRandom(opts.seed ?? 1);
  const slowRate = opts.slowRate ?? 0;
  const duplicateRate = opts.duplicateRate ?? 0;
  const chunks = Math.max(2, opts.chunks ?? 5);
  const pause = opts.chunkPauseMs ?? 300;
  const summary: DropSummary = { files: 0, exports: 0, slow: 0, duplicates: 0, corrupt: 0, rows: 0 };
  await mkdir(opts.folder, { recursive: true });
  const log = async (e: Omit<LedgerEntry, 'at'>) => {
    summary.files += 1;
    if (opts.ledger) await appendFile(opts.ledger, JSON.stringify({ ...e, at: new Date().toISOString() }) + '\n');
  };
  /** Re-drops waiting for their turn: written after the next file, so the first copy may already be gone. */
  let pending: { file: DropFile; sameName: boolean } | undefined;

  const redrop = async () => {
    if (!pending) return;
    const { file, sameName } = pending;
    pending = undefined;
    let name = sameName ? file.name : copyName(file.name);
    // a same-name re-drop while the first copy is still there would only overwrite it with the same bytes
    if (sameName && (await exists(join(opts.folder, name)))) name = copyName(file.name);
    if (await exists(join(opts.folder, name))) return;
    await writeFile(join(opts.folder, name), file.bytes);
    summary.duplicates += 1;
    await log({ file: name, kind: 'duplicate', bytes: file.bytes.length, ids: file.ids, of: file.name });
  };

  for (const f of files) {
    if (opts.signal?.aborted) break;
    const path = join(opts.folder, f.name);
    if (f.kind === 'corrupt') {
      await writeFile(path, f.bytes);
      summary.corrupt += 1;
      await log({ file: f.name, kind: 'corrupt', bytes: f.bytes.length, ids: [], defect: f.defect ?? 'unreadable' });
    } else if (rand() < slowRate) {
      await writeSlowly(path, f.bytes, chunks, pause, opts.signal);
      summary.slow += 1;
      summary.exports += 1;
      summary.rows += f.ids.length;
      await log({ file: f.name, kind: 'slow', bytes: f.bytes.length, ids: f.ids });
    } else {
      await writeFile(path, f.bytes);
      summary.exports += 1;
      summary.rows += f.ids.length;
      await log({ file: f.name, kind: 'export', bytes: f.bytes.length, ids: f.ids });
    }
    await redrop();
    if (f.kind === 'export' && rand() < duplicateRate) pending = { file: f, sameName: rand() < 0.5 };
    if (opts.intervalMs) await sleep(opts.intervalMs, undefined, { signal: opts.signal }).catch(() => undefined);
  }
  await redrop();
  return summary;
}

/** Writes a file in `chunks` pieces with pauses between them, as a slow copy onto a share does. */
export async function writeSlowly(path: string, bytes: Buffer, chunks: number, pauseMs: number, signal?: AbortSignal): Promise<void> {
  const fh = await open(path, 'w');
  try {
    const size = Math.ceil(bytes.length / chunks);
    for (let i = 0; i < bytes.length; i += size) {
      await fh.write(bytes, i, Math.min(size, bytes.length - i));
      await fh.sync().catch(() => undefined);
      if (i + size < bytes.length) await sleep(pauseMs, undefined, { signal }).catch(() => undefined);
    }
  } finally {
    await fh.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Full-width form of ASCII digits and letters (what some desks type codes in): "ZY-01" → "ＺＹ－０１". */
export function fullWidth(text: string): string {
  return text.replace(/[0-9A-Za-z-]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));
}

/** A number option of a drop simulator's command line, ≥ 0, or exit 2 saying which. */
export function nonNegativeOption(values: Record<string, unknown>, name: string): number {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`--${name} must be a number ≥ 0, got ${String(values[name])}\n`);
    process.exit(2);
  }
  return n;
}

/**
 * The end every drop simulator's command shares: the ready line (`{"simulator":…,"folder":…}` and
 * what it planned), the files dropped with the command's --seed, --slow-rate, --chunks,
 * --chunk-pause-ms, --duplicate-rate, --interval-ms and --ledger until done or SIGTERM/SIGINT,
 * then `{"done":true,…}`.
 */
export async function dropFromCommandLine(simulator: string, files: DropFile[], out: string, values: Record<string, unknown>, planned: Record<string, number>): Promise<void> {
  const num = (name: string) => nonNegativeOption(values, name);
  const folder = resolve(out);
  const abort = new AbortController();
  process.once('SIGTERM', () => abort.abort());
  process.once('SIGINT', () => abort.abort());
  process.stdout.write(JSON.stringify({ simulator, folder, planned: files.length, ...planned }) + '\n');
  const summary = await dropFiles(files, {
    folder,
    seed: num('seed'),
    slowRate: num('slow-rate'),
    chunks: num('chunks'),
    chunkPauseMs: num('chunk-pause-ms'),
    duplicateRate: num('duplicate-rate'),
    intervalMs: num('interval-ms'),
    ledger: typeof values.ledger === 'string' ? resolve(values.ledger) : undefined,
    signal: abort.signal,
  });
  process.stdout.write(JSON.stringify({ done: true, ...summary }) + '\n');
}
