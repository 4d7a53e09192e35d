/**
 * Every canonical report status has a Chinese label for operators, in the API's table (matters'
 * and reports' statusLabel) and in the command-center screen's — WITHDRAWN and CANCELLED included
 * (卫生监督 5 已撤销, 数字化城管 作废), so a withdrawn or voided report never shows as a bare code.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MATTER_STATUS_LABELS } from '../../../hub/api/labels.js';

// the screen's module is type-checked with the web's own tsconfig (its JSON imports); loaded here at run time only
const WEB_LABELS: string = '../../../hub/web/src/labels.js';
const { PROGRESS, STATUS } = (await import(WEB_LABELS)) as { PROGRESS: Record<string, string>; STATUS: Record<string, string> };
const avro = JSON.parse(readFileSync(new URL('../../../schemas/avro/report.avsc', import.meta.url), 'utf8')) as { fields: Array<{ name: string; type: { symbols?: string[] } }> };
const symbols = avro.fields.find((f) => f.name === 'status')!.type.symbols!;

describe('status labels', () => {
  it('the report schema has the withdrawn and cancelled statuses this test is about', () => {
    expect(symbols).toEqual(expect.arrayContaining(['WITHDRAWN', 'CANCELLED']));
  });

  it.each(symbols)('the API labels %s', (s) => {
    expect(MATTER_STATUS_LABELS[s]).toMatch(/\p{Script=Han}/u);
  });

  it.each(symbols.filter((s) => s !== 'UNKNOWN'))('the command-center screen labels %s', (s) => {
    expect(STATUS[s]).toMatch(/\p{Script=Han}/u);
    expect(STATUS[s]).toBe(MATTER_STATUS_LABELS[s]);
  });

  it('withdrawn and cancelled read as operators say them', () => {
    expect(MATTER_STATUS_LABELS.WITHDRAWN).toBe('已撤销');
    expect(MATTER_STATUS_LABELS.CANCELLED).toBe('已作废');
    expect(PROGRESS.WITHDRAWN).toBe('已撤销');
    expect(PROGRESS.CANCELLED).toBe('已作废');
  });
});
