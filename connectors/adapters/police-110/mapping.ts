import { cleanText, protectPhone } from '../../../core/normalise/index.js';
import { object, sourceRecordId, structuredText } from '../../sdk/mapping-helpers.js';
import { categoryOf, chineseDateTime, locationFromText, reportRecord, statusTable } from '../../sdk/platform.js';
import { townGazetteer } from '../../sdk/towns.js';
import type { Mapping } from '../../sdk/types.js';

const status = statusTable({ '1': 'RECEIVED', '2': 'DISPATCHED', '3': 'REJECTED' }, 'yjzt'); // 已移交 · 已签收 · 已退回
const towns = townGazetteer();

/** One handed-over incident → one Report; a re-push with a new state (gxsj later) is its next version. */
export const mapping: Mapping = (payload, ctx) => {
  const o = object(payload);
  const address = structuredText(o.fadz, { field: 'fadz', maxLength: 300 });
  const code = cleanText(o.jqlb, { field: 'jqlb', maxLength: 20 });
  const phone = o.bjrdh ? protectPhone(o.bjrdh, ctx.personalDataKey, 'bjrdh') : null;
  const envelope = {
    id: sourceRecordId(o.jjdbh, 'jjdbh'),
    version: chineseDateTime(o.gxsj, 'gxsj').epochMs,
    eventTime: chineseDateTime(o.bjsj, 'bjsj').epochMs,
    divisionCode: towns.inAddress(address)?.divisionCode ?? null,
    location: locationFromText(o.zb, { crs: 'BD09', field: 'zb' }),
  };
  return [
    reportRecord(ctx, envelope, {
      channel: 'HOTLINE',
      title: structuredText(o.jqlbmc, { field: 'jqlbmc', maxLength: 50 }),
      description: cleanText(o.jqnr, { field: 'jqnr', required: true, maxLength: 4000 }) as string,
      sourceCategoryCode: code,
      categoryCode: categoryOf(ctx, code),
      ...status(o.yjzt),
      address,
      reporterPhoneHash: phone?.hash ?? null,
      reporterPhoneMasked: phone?.masked ?? null,
    }),
  ];
};
