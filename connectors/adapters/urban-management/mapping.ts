import { cleanText } from '../../../core/normalise/index.js';
import { object, sourceRecordId, structuredText } from '../../sdk/mapping-helpers.js';
import { categoryOf, chineseDateTime, locationFromText, reportRecord, statusTable } from '../../sdk/platform.js';
import { townGazetteer } from '../../sdk/towns.js';
import type { Mapping } from '../../sdk/types.js';

// GB/T 30428.8: 立案 → 派遣 → 处置 → 核查 → 结案; 作废 (a duplicate or not a case)
const status = statusTable({ 立案: 'RECEIVED', 派遣: 'DISPATCHED', 处置: 'IN_PROGRESS', 核查: 'FOLLOW_UP', 结案: 'CLOSED', 作废: 'CANCELLED' }, 'zt');
const towns = townGazetteer();

/** One case → one Report; each stage change is a new version of it. */
export const mapping: Mapping = (payload, ctx) => {
  const o = object(payload);
  const address = structuredText(o.wz, { field: 'wz', maxLength: 300 });
  const code = cleanText(o.xlbm, { field: 'xlbm', maxLength: 10 });
  const envelope = {
    id: sourceRecordId(o.ajbh, 'ajbh'),
    version: chineseDateTime(o.gxsj, 'gxsj').epochMs,
    eventTime: chineseDateTime(o.lasj, 'lasj').epochMs,
    divisionCode: towns.inAddress(address)?.divisionCode ?? null,
    location: locationFromText(o.zb, { crs: 'GCJ02', field: 'zb' }),
  };
  return [
    reportRecord(ctx, envelope, {
      channel: o.ajly === '公众举报' ? 'COMPLAINT' : 'PATROL',
      title: structuredText(o.xlmc, { field: 'xlmc', maxLength: 100 }),
      description: cleanText(o.wtms, { field: 'wtms', required: true, maxLength: 4000 }) as string,
      sourceCategoryCode: code,
      categoryCode: categoryOf(ctx, code, cleanText(o.xlmc, { field: 'xlmc' })),
      ...status(o.zt),
      address,
    }),
  ];
};
