/** The file-drop source reads XML exports in GB18030 (the 卫生监督 export) with settings only. No stack. */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors.js';
import { FileDropSource, type FileDropCursor, type FileDropSettings } from '../../../connectors/sources/file-drop.js';
import { exportXml, planExports, planInspections } from '../../../simulators/health-inspection/export.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function folder(): string {
  const d = mkdtempSync(join(tmpdir(), 'countyhub-xml-drop-'));
  dirs.push(d);
  return d;
}
const settings = (f: string, over: Partial<FileDropSettings> = {}): FileDropSettings => ({ kind: 'file-drop', folder: f, settleMs: 0, format: 'xml', recordsPath: 'WSJDDC.JDJL', pageSize: 40, ...over });

async function drain(source: FileDropSource) {
  const out: Array<{ id?: string; payload: unknown; raw: string }> = [];
  let c: FileDropCursor | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await source.nextPage(c, new AbortController().signal);
    out.push(...page.records);
    c = page.cursor;
    await source.committed(c);
    if (!page.hasMore && page.records.length === 0) return out;
  }
  throw new Error('the drop folder never ran dry');
}

describe('file-drop, format xml', () => {
  it('reads every record of GB18030 exports once, four-byte characters intact, a crashed export rejected with its reason', async () => {
    const f = folder();
    const planned = planInspections(90, 3);
    const files = planExports(planned, 40, 1); // a crashed first export, then three good ones
    files.forEach((file, i) => writeFileSync(join(f, `${String(i).padStart(2, '0')}-${file.name}`), file.bytes));
    const source = new FileDropSource(settings(f));
    await source.open();
    const records = await drain(source);
    const rows = records.filter((r) => !r.id?.endsWith('#rejected'));
    expect(rows.map((r) => (r.payload as { JDBH: string }).JDBH).sort()).toEqual(planned.map((p) => p.record.JDBH).sort());
    const names = rows.map((r) => (r.payload as { DWMC: string }).DWMC);
    expect(names.some((n) => n.includes('𠮷'))).toBe(true); // U+20BB7: four bytes in GB18030, none in GBK
    expect(names).toEqual(expect.arrayContaining(planned.map((p) => p.record.DWMC)));
    expect((rows[0]!.payload as { CLZT: string }).CLZT).toMatch(/^\d$/); // codes stay text
    const rejected = records.filter((r) => r.id?.endsWith('#rejected'));
    expect(rejected).toHaveLength(1);
    expect(JSON.parse(rejected[0]!.raw).rejected).toMatch(/not a well-formed XML export[\s\S]*export it again/);
    expect(readdirSync(join(f, 'rejected')).some((n) => n.endsWith('.reason.txt'))).toBe(true);
    expect(readdirSync(join(f, 'processed')).filter((n) => n.endsWith('.xml'))).toHaveLength(3);
  });

  it('one record is a list of one, an empty export has none, a wrong recordsPath is refused naming what the file holds', async () => {
    const f = folder();
    const [one] = planInspections(1, 4);
    writeFileSync(join(f, 'a-one.xml'), exportXml([one!.record]));
    writeFileSync(join(f, 'b-empty.xml'), iconv.encode('<?xml version="1.0" encoding="GB18030"?><WSJDDC jls="0"></WSJDDC>', 'gb18030'));
    const source = new FileDropSource(settings(f));
    await source.open();
    const got = await drain(source);
    expect(got.map((r) => (r.payload as { JDBH?: string }).JDBH)).toEqual([one!.record.JDBH]);
    const g = folder();
    writeFileSync(join(g, 'x.xml'), exportXml([one!.record]));
    const wrong = await drain(new FileDropSource(settings(g, { recordsPath: 'Export.Rows.Row' })));
    expect(wrong).toHaveLength(1);
    expect(JSON.parse(wrong[0]!.raw).rejected).toMatch(/no element at "Export.Rows.Row".*root holds: WSJDDC/);
  });

  it('an XML export needs its recordsPath', () => {
    expect(() => new FileDropSource(settings('/tmp', { recordsPath: undefined }))).toThrow(ConfigError);
  });
});
