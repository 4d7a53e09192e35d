/**
 * The file-drop source on real temporary folders: encodings, XLSX, settling, never twice, restart
 * mid-file, and rejected files.
 */
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, MappingError } from '../../../core/errors.js';
import type { SourceRecord } from '../../../connectors/sdk/types.js';
import { FileDropSource, rejectedFileOf, validateFileDropSettings, type FileDropCursor, type FileDropSettings } from '../../../connectors/sources/file-drop.js';

const signal = new AbortController().signal;

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'countyhub-drop-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

function source(extra: Partial<FileDropSettings> = {}): FileDropSource {
  return new FileDropSource({ kind: 'file-drop', folder, settleMs: 0, pageSize: 100, ...extra });
}

/** Reads until nothing is ready, committing each page (cursor through JSON) as the worker does. */
async function drain(src: FileDropSource, start?: FileDropCursor): Promise<{ records: SourceRecord[]; cursor: FileDropCursor | undefined }> {
  let cursor = start;
  const records: SourceRecord[] = [];
  for (;;) {
    const page = await src.nextPage(cursor, signal);
    records.push(...page.records);
    cursor = JSON.parse(JSON.stringify(page.cursor)) as FileDropCursor;
    expect(cursor).toEqual(page.cursor);
    await src.committed(cursor);
    if (!page.hasMore) return { records, cursor };
  }
}

const ls = async (sub = '') => (await readdir(join(folder, sub), { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
const rawOf = (r: SourceRecord) => JSON.parse(r.raw) as { file: string; row: number; encoding?: string; sheet?: string; values: Record<string, unknown> };

describe('file-drop source', () => {
  it('reads a GBK CSV from Chinese Excel: header names and code cells normalised, free text untouched', async () => {
    const csv = [
      '事件编号（ＩＤ）,统一社会信用代码,联系电话,事件描述,上报时间',
      'ＳＪ－２０２５０３０１－０１,９１３１０１１０６６６００７２１７Ｔ,１３８００１３８０００,"占道经营（早市），共３人，已劝离",2025/3/1 8:30',
      'SJ-20250301-02,91310110666007217T,13800138001,"井盖缺失, 需尽快处理 ""紧急""",2025-03-01 09:00',
      ',,,,',
      'SJ-20250301-03,,,"多行描述',
      '第二行",2025-03-01 10:00',
    ].join('\r\n');
    await writeFile(join(folder, '网格事件-gbk.csv'), iconv.encode(csv, 'gbk'));

    const { records } = await drain(source());
    expect(records.map((r) => r.id)).toEqual(['网格事件-gbk.csv#2', '网格事件-gbk.csv#3', '网格事件-gbk.csv#5']);
    expect(records[0]?.payload).toEqual({
      '事件编号(ID)': 'SJ-20250301-01',
      统一社会信用代码: '91310110666007217T',
      联系电话: '13800138000',
      事件描述: '占道经营（早市），共３人，已劝离',
      上报时间: '2025/3/1 8:30',
    });
    expect((records[1]?.payload as Record<string, string>)['事件描述']).toBe('井盖缺失, 需尽快处理 "紧急"');
    expect((records[2]?.payload as Record<string, string>)['事件描述']).toBe('多行描述\r\n第二行');
    expect(rawOf(records[0] as SourceRecord)).toMatchObject({ file: '网格事件-gbk.csv', row: 2, encoding: 'gb18030', values: records[0]?.payload });
    expect(await ls()).toEqual([]);
    expect(await ls('processed')).toEqual(['网格事件-gbk.csv']);
  });

  it('honours a UTF-8 BOM and a UTF-16 BOM (Excel "Unicode text", tab-separated)', async () => {
    await writeFile(join(folder, 'a-utf8.csv'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('编号,名称\nA1,和平街道\n', 'utf8')]));
    await sleep(20);
    await writeFile(join(folder, 'b-utf16.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('编号\t名称\r\nB1\t城关镇\r\n', 'utf-16le')]));
    const { records } = await drain(source({ rowInfoKey: '_source' }));
    expect(records.map((r) => r.payload)).toEqual([
      { 编号: 'A1', 名称: '和平街道', _source: { file: 'a-utf8.csv', row: 2, format: 'csv', encoding: 'utf-8-bom' } },
      { 编号: 'B1', 名称: '城关镇', _source: { file: 'b-utf16.txt', row: 2, format: 'csv', encoding: 'utf-16le' } },
    ]);
  });

  it('reads an XLSX workbook: dates as wall time, numbers kept, rich text and formulas as text/result', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('事件清单');
    ws.addRow(['事件编号', '网格编码（ＧＲＩＤ）', '上报时间', '人数', '描述', '合计']);
    ws.addRow(['ＧＢ－００１', '３３０１０２００１００１１０１', new Date(Date.UTC(2025, 2, 1, 8, 30, 0)), 3, { richText: [{ text: '路灯' }, { text: '不亮（３盏）', font: { bold: true } }] }, { formula: 'D2*2', result: 6 }]);
    ws.addRow([]);
    ws.addRow(['GB-002', '330102001001102', new Date(Date.UTC(2025, 2, 2)), 110105194912310000, '已处理', { formula: 'D4*2', result: 2.2e17 }]);
    await writeFile(join(folder, 'events.xlsx'), Buffer.from(await wb.xlsx.writeBuffer()));

    const { records } = await drain(source());
    expect(records.map((r) => r.id)).toEqual(['events.xlsx#2', 'events.xlsx#4']);
    expect(records[0]?.payload).toEqual({ 事件编号: 'GB-001', '网格编码(GRID)': '330102001001101', 上报时间: '2025-03-01 08:30:00', 人数: 3, 描述: '路灯不亮（３盏）', 合计: 6 });
    expect(records[1]?.payload).toMatchObject({ 上报时间: '2025-03-02', 人数: 110105194912310000 });
    expect(rawOf(records[0] as SourceRecord)).toMatchObject({ file: 'events.xlsx', row: 2, sheet: '事件清单' });
  });

  it('does not read a file while it is being written, nor temporary and lock files', async () => {
    const src = source({ settleMs: 800 });
    await writeFile(join(folder, 'upload.csv.part'), '编号\nX1\n');
    await writeFile(join(folder, '~$events.xlsx'), 'lock');
    await writeFile(join(folder, '.~lock.events.csv#'), 'lock');
    const path = join(folder, 'slow.csv');
    await writeFile(path, '编号,名称\n');
    let cursor: FileDropCursor | undefined;
    for (let i = 1; i <= 8; i++) {
      await sleep(150);
      await appendFile(path, `S${i},第${i}行\n`);
      const page = await src.nextPage(cursor, signal);
      expect(page.records).toEqual([]);
      cursor = page.cursor;
    }
    const lastWrite = Date.now();
    let page = await src.nextPage(cursor, signal);
    while (page.records.length === 0) {
      expect(Date.now() - lastWrite).toBeLessThan(3000);
      await sleep(100);
      page = await src.nextPage(cursor, signal);
    }
    expect(Date.now() - lastWrite).toBeGreaterThanOrEqual(750);
    expect(page.records.map((r) => r.id)).toEqual(Array.from({ length: 8 }, (_, i) => `slow.csv#${i + 2}`));
    await src.committed(page.cursor);
    expect(await ls()).toEqual(['.~lock.events.csv#', 'upload.csv.part', '~$events.xlsx']);
  });

  it('with doneMarker, waits for <name>.done and archives the marker with the file', async () => {
    const src = source({ doneMarker: true });
    await writeFile(join(folder, 'export.csv'), '编号\nD1\n');
    expect((await drain(src)).records).toEqual([]);
    await writeFile(join(folder, 'export.csv.done'), '');
    const { records } = await drain(src);
    expect(records.map((r) => r.id)).toEqual(['export.csv#2']);
    expect(await ls('processed')).toEqual(['export.csv', 'export.csv.done']);
  });

  it('never reads the same content twice: re-dropped files, copies under another name, a crash before the move', async () => {
    const content = '编号,名称\nR1,一\nR2,二\n';
    await writeFile(join(folder, 'daily.csv'), content);
    const src = source();
    const first = await drain(src);
    expect(first.records).toHaveLength(2);

    await writeFile(join(folder, 'daily.csv'), content); // dropped again
    await writeFile(join(folder, 'copy of daily.csv'), content);
    const again = await drain(src, first.cursor);
    expect(again.records).toEqual([]);
    expect(await ls()).toEqual([]);
    const processed = await ls('processed');
    expect(processed).toHaveLength(3);
    expect(processed).toContain('daily.csv');
    expect(processed).toContain('copy of daily.csv');

    // the page committed to Kafka, then a crash before committed() moved the file
    await writeFile(join(folder, 'other.csv'), '编号\nO1\n');
    const read = await source().nextPage(again.cursor, signal);
    expect(read.records.map((r) => r.id)).toEqual(['other.csv#2']);
    expect(await ls()).toEqual(['other.csv']);
    const restarted = source();
    expect((await restarted.nextPage(read.cursor, signal)).records).toEqual([]); // moved, not read again
    expect(await ls()).toEqual([]);
    await restarted.committed(read.cursor); // what the worker does on connect: the file is gone already
    await restarted.committed(read.cursor); // idempotent
    expect(await ls('processed')).toContain('other.csv');

    // the same crash, and this time the worker's connect() calls committed() first
    await writeFile(join(folder, 'third.csv'), '编号\nT1\n');
    const third = await source().nextPage(read.cursor, signal);
    expect(third.records.map((r) => r.id)).toEqual(['third.csv#2']);
    const next = source();
    await next.committed(third.cursor);
    expect(await ls()).toEqual([]);
    expect((await drain(next, third.cursor)).records).toEqual([]);
    expect(await ls('processed')).toContain('third.csv');
  });

  it('restarts from a saved cursor in the middle of a file at the right row', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => `M${i + 1},第${i + 1}行`);
    await writeFile(join(folder, 'big.csv'), `编号,名称\n${rows.join('\n')}\n`);
    const a = source({ pageSize: 3 });
    const p1 = await a.nextPage(undefined, signal);
    expect(p1.records.map((r) => r.id)).toEqual(['big.csv#2', 'big.csv#3', 'big.csv#4']);
    expect(p1.cursor.current).toMatchObject({ file: 'big.csv', rowsDone: 3 });
    expect(p1.cursor.current?.sha256).toMatch(/^[0-9a-f]{64}$/);
    await a.committed(p1.cursor);
    const saved = JSON.stringify(p1.cursor);
    await a.close();
    expect(await ls()).toContain('big.csv'); // not finished, not moved

    const b = source({ pageSize: 3 });
    const rest = await drain(b, JSON.parse(saved) as FileDropCursor);
    expect(rest.records.map((r) => r.id)).toEqual(['big.csv#5', 'big.csv#6', 'big.csv#7', 'big.csv#8']);
    expect(rest.records.map((r) => (r.payload as Record<string, string>)['编号'])).toEqual(['M4', 'M5', 'M6', 'M7']);
    expect(await ls('processed')).toEqual(['big.csv']);
  });

  it('one NUL byte in one cell of a 446-row CSV: that row alone is refused with its column, the other 445 are read', async () => {
    const lines = ['编号,描述'];
    for (let i = 1; i <= 446; i++) lines.push(i === 200 ? `K${i},路灯\u0000不亮` : `K${i},路灯不亮`);
    await writeFile(join(folder, 'rows.csv'), lines.join('\n') + '\n');
    const { records } = await drain(source());
    expect(records).toHaveLength(446);
    const refused = records.filter((r) => r.rejected);
    expect(refused.map((r) => r.id)).toEqual(['rows.csv#201']);
    expect(refused[0]!.rejected).toMatchObject({ field: '描述', message: expect.stringMatching(/U\+0000/) });
    expect(records.filter((r) => !r.rejected).map((r) => (r.payload as { 编号: string }).编号)).not.toContain('K200');
    expect(await ls('processed')).toEqual(['rows.csv']);
  });

  it('XLSX with merged header cells: a two-row header (位置 over 经度/纬度) and a cell "经度/纬度" over two columns are read by name; an unsplittable merge refuses the file', async () => {
    const twoRows = new ExcelJS.Workbook();
    const a = twoRows.addWorksheet('隐患台账');
    a.addRow(['编号', '位置', '']);
    a.mergeCells(1, 2, 1, 3);
    a.addRow(['', '经度', '纬度']);
    a.mergeCells(1, 1, 2, 1);
    a.addRow(['YH1', 109.78, 39.61]);
    await writeFile(join(folder, 'a.xlsx'), Buffer.from(await twoRows.xlsx.writeBuffer()));
    await sleep(20);
    const oneCell = new ExcelJS.Workbook();
    const b = oneCell.addWorksheet('s');
    b.addRow(['编号', '经度/纬度', '']);
    b.mergeCells(1, 2, 1, 3);
    b.addRow(['YH2', 109.7, 39.6]);
    await writeFile(join(folder, 'b.xlsx'), Buffer.from(await oneCell.xlsx.writeBuffer()));
    await sleep(20);
    const vague = new ExcelJS.Workbook();
    const c = vague.addWorksheet('s');
    c.addRow(['编号', '坐标', '']);
    c.mergeCells(1, 2, 1, 3);
    c.addRow(['YH3', 109.7, 39.6]);
    await writeFile(join(folder, 'c.xlsx'), Buffer.from(await vague.xlsx.writeBuffer()));

    const src = source();
    const first = await drain(src);
    const records = [...first.records, ...(await drain(src, first.cursor)).records];
    expect(records.map((r) => r.id)).toEqual(['a.xlsx#3', 'b.xlsx#2', 'c.xlsx#rejected']);
    expect(records[0]!.payload).toEqual({ 编号: 'YH1', 经度: 109.78, 纬度: 39.61 });
    expect(records[1]!.payload).toEqual({ 编号: 'YH2', 经度: 109.7, 纬度: 39.6 });
    expect(rejectedFileOf(records[2]!.payload)?.reason).toMatch(/表头单元格合并.*坐标.*B1:C1/);
  });

  it('moves unreadable files to rejected/ with a reason, and surfaces each as a record that dead-letters with that reason', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('s').addRow(['编号']);
    const good = Buffer.from(await wb.xlsx.writeBuffer());
    await writeFile(join(folder, 'broken.xlsx'), good.subarray(0, Math.floor(good.length / 2)));
    await sleep(20);
    await writeFile(join(folder, 'binary.csv'), Buffer.from([0x00, 0x01, 0x02, 0x03, 0xff, 0x00, 0x10, 0x20, 0x00, 0x00]));
    await sleep(20);
    await writeFile(join(folder, 'old.xls'), Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0]));
    await sleep(20);
    await writeFile(join(folder, 'ok.csv'), '编号\nK1\n');

    const { records } = await drain(source());
    expect(records.map((r) => r.id)).toEqual(['broken.xlsx#rejected', 'binary.csv#rejected', 'old.xls#rejected', 'ok.csv#2']);

    const broken = records[0] as SourceRecord;
    expect(rejectedFileOf(broken.payload)).toMatchObject({ file: 'broken.xlsx', reason: expect.stringMatching(/XLSX workbook is corrupt/) });
    expect(JSON.parse(broken.raw)).toMatchObject({ file: 'broken.xlsx', rejected: expect.stringMatching(/corrupt/) });
    // any mapping that reads a field fails with the rejection as its reason
    const mapping = (payload: unknown) => String((payload as Record<string, unknown>)['编号']);
    let err: unknown;
    try {
      mapping(broken.payload);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MappingError);
    expect((err as Error).message).toMatch(/broken\.xlsx was not read: the XLSX workbook is corrupt.*rejected/s);
    expect(JSON.parse(JSON.stringify(broken.payload))).toMatchObject({ rejectedFile: { file: 'broken.xlsx' } });
    expect(rejectedFileOf(records[1]?.payload)?.reason).toMatch(/not a CSV text file/);
    expect(rejectedFileOf(records[2]?.payload)?.reason).toMatch(/97-2003/);
    expect(rejectedFileOf(records[3]?.payload)).toBeUndefined();

    expect(await ls()).toEqual([]);
    expect(await ls('processed')).toEqual(['ok.csv']);
    expect(await ls('rejected')).toEqual(['binary.csv', 'binary.csv.reason.txt', 'broken.xlsx', 'broken.xlsx.reason.txt', 'old.xls', 'old.xls.reason.txt']);
    expect(await readFile(join(folder, 'rejected', 'broken.xlsx.reason.txt'), 'utf8')).toMatch(/corrupt/);
  });

  it('reports a missing drop folder as retriable (an unmounted share) and bad settings by field', async () => {
    const err = await new FileDropSource({ kind: 'file-drop', folder: join(folder, 'not-mounted') }).nextPage(undefined, signal).catch((e: unknown) => e);
    expect((err as { retriable?: boolean }).retriable).toBe(true);
    expect((err as Error).message).toMatch(/does not exist.*source\.folder/);
    for (const [patch, field] of [
      [{ folder: '' }, 'source.folder'],
      [{ processedFolder: folder }, 'source.processedFolder'],
      [{ pageSize: 0 }, 'source.pageSize'],
      [{ encoding: 'gbk' }, 'source.encoding'],
      [{ sheet: 0 }, 'source.sheet'],
    ] as Array<[Partial<FileDropSettings>, string]>) {
      let e: unknown;
      try {
        validateFileDropSettings({ kind: 'file-drop', folder, ...patch } as FileDropSettings);
      } catch (x) {
        e = x;
      }
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).field).toBe(field);
    }
  });
});
