import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportSubjectRecord } from '../../../hub/ingest/apply-report.js';
import { HubRouting } from '../../../hub/ingest/routing.js';
import type { Report } from '../../../schemas/index.js';
import { EXAMPLES } from '../schemas/examples.js';
import { DIVISIONS } from '../merge/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'report-subject-'));
writeFileSync(join(dir, 'divisions.json'), JSON.stringify(DIVISIONS));
const routing = HubRouting.load({ divisionsFile: join(dir, 'divisions.json') });

/** A 12345 work order as the hotline files it: no subject fields, often no address field and no division. */
function workOrder(description: string, fields: Partial<Report> = {}): Report {
  const r = EXAMPLES.report;
  return { ...r, subjectName: null, subjectUscc: null, title: null, address: null, description, ...fields, envelope: { ...r.envelope, divisionCode: null, location: null } };
}

describe('the subject a report names', () => {
  it('a work order with no address field gets the door and town its text names, as the matter matcher reads them', () => {
    const rec = reportSubjectRecord(workOrder('锡尼镇团结路12号老王烧烤店夜间油烟扰民，请尽快处理'), routing);
    expect(rec?.name).toContain('老王烧烤');
    expect(rec?.address).toBe('团结路12号');
    expect(rec?.divisionCode).toBe('150625100');
  });

  it('the address field, when given, is the address — the text is not read for one', () => {
    const rec = reportSubjectRecord(workOrder('锡尼镇团结路12号老王烧烤店夜间油烟扰民', { address: '巴拉贡镇新华街8号' }), routing);
    expect(rec?.address).toBe('巴拉贡镇新华街8号');
    expect(rec?.divisionCode).toBeNull();
  });

  it('a text that names no door gives no address and no town from it', () => {
    const rec = reportSubjectRecord(workOrder('老王烧烤店夜间油烟扰民，请尽快处理'), routing);
    expect(rec?.name).toContain('老王烧烤');
    expect(rec?.address).toBeNull();
    expect(rec?.divisionCode).toBeNull();
  });

  it('a nameless place named by the platform (无名烧烤摊) is no subject: nothing could ever find it again', () => {
    expect(reportSubjectRecord(workOrder('毛布拉嘎查四社14号烧烤摊油烟大', { subjectName: '无名烧烤摊', address: '锡尼镇毛布拉嘎查四社14号' }), routing)).toBeNull();
    expect(reportSubjectRecord(workOrder('团结路12号烧烤摊油烟大', { subjectName: '老王烧烤摊', address: '锡尼镇团结路12号' }), routing)?.name).toBe('老王烧烤摊');
  });
});
