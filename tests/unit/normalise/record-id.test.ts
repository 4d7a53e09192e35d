/** Ids are kept exactly or refused (issue 19, finding 8): two source records must never become one. */
import { describe, expect, it } from 'vitest';
import { sourceRecordId, structuredId } from '../../../connectors/sdk/mapping-helpers.js';
import { mapWorkOrder as mapHotline } from '../../../connectors/adapters/hotline-12345/mapping.js';

describe('source record ids', () => {
  it('keeps an ordinary id exactly (case, full-width characters, inner spaces), trimming only file padding', () => {
    expect(sourceRecordId('GD2026-0001', 'gdbh')).toBe('GD2026-0001');
    expect(sourceRecordId('ＧＤ１ a', 'gdbh')).toBe('ＧＤ１ a');
    expect(sourceRecordId('  GD1  ', 'gdbh')).toBe('GD1');
    expect(sourceRecordId(12345, 'gdbh')).toBe('12345');
  });

  it('refuses a NUL byte, other control characters and invisible characters instead of removing them', () => {
    expect(() => sourceRecordId('abc\u0000def', 'gdbh')).toThrow(/U\+0000 at position 3/);
    expect(() => sourceRecordId('abc\tdef', 'gdbh')).toThrow(/U\+0009/);
    expect(() => sourceRecordId('abc\u200Bdef', 'gdbh')).toThrow(/U\+200B/);
  });

  it('refuses a lone surrogate instead of letting it become U+FFFD', () => {
    expect(() => sourceRecordId('abc\uD800def', 'gdbh')).toThrow(/surrogate/);
    expect(() => sourceRecordId('abc\uDC00', 'gdbh')).toThrow(/surrogate/);
    expect(sourceRecordId('abc\uD83D\uDE00', 'gdbh')).toBe('abc\uD83D\uDE00'); // a real pair is fine
  });

  it('refuses empty, structured and over-long ids; structured ids are checked for injection too', () => {
    expect(() => sourceRecordId('', 'gdbh')).toThrow(/编号为空/);
    expect(() => sourceRecordId({ a: 1 }, 'gdbh')).toThrow(/编号格式错误/);
    expect(() => sourceRecordId('x'.repeat(65), 'gdbh')).toThrow(/编号过长/);
    expect(() => structuredId("x' OR 1=1; DROP TABLE t;--", '案件编号')).toThrow(/注入/);
  });

  it('the hotline mapping dead-letters such an id with the field, instead of delivering "abcdef"', () => {
    const ctx = { connectorId: 'hotline-12345', sourceSystem: 'hotline-12345', department: 'hotline', ingestTime: Date.UTC(2026, 2, 1), personalDataKey: 'k'.repeat(32), mapCategory: () => null };
    const base = { sqbt: '路灯不亮', sqnr: '路灯坏了', flmc: '城乡建设-路灯照明', jjcd: '一般', gdzt: '受理', ldrxm: '王伟', ldrdh: '13900000000', xzqhdm: '150625100001', sjdz: '伊克昭街1号', cbdw: null, slsj: '2026-03-01 10:00:00', gxsj: '2026-03-01 10:00:00', blsx: null, bmbz: '0' };
    expect(() => mapHotline({ ...base, gdbh: 'abc\u0000def' }, ctx)).toThrow(expect.objectContaining({ field: 'gdbh' }));
  });
});
