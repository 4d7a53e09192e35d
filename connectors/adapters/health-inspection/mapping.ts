import { cleanText, validateUscc } from '../../../core/normalise/index.js';
import { object, sourceRecordId, structuredText } from '../../sdk/mapping-helpers.js';
import { categoryOf, chineseDateTime, locationFromText, reportRecord, statusTable } from '../../sdk/platform.js';
import { townGazetteer } from '../../sdk/towns.js';
import type { Mapping } from '../../sdk/types.js';

// 1 待整改 · 2 整改中 · 3 已整改待复查 · 4 立案查处 · 5 已撤销 · 6 复查合格
const status = statusTable({ '1': 'RECEIVED', '2': 'IN_PROGRESS', '3': 'FOLLOW_UP', '4': 'IN_PROGRESS', '5': 'WITHDRAWN', '6': 'CLOSED' }, 'CLZT');
const towns = townGazetteer();

/** One inspection record (<JDJL>) → one Report about the inspected unit. */
export const mapping: Mapping = (payload, ctx) => {
  const o = object(payload);
  const address = structuredText(o.DZ, { field: 'DZ', maxLength: 300 });
  const field = cleanText(o.ZYLB, { field: 'ZYLB', maxLength: 20 });
  const envelope = {
    id: sourceRecordId(o.JDBH, 'JDBH'),
    version: chineseDateTime(o.GXSJ, 'GXSJ').epochMs,
    eventTime: chineseDateTime(o.JCSJ, 'JCSJ').epochMs,
    divisionCode: towns.inAddress(address)?.divisionCode ?? null,
    location: locationFromText(o.ZB, { crs: 'WGS84', field: 'ZB', order: 'lat,lng' }),
  };
  return [
    reportRecord(ctx, envelope, {
      channel: 'INSPECTION',
      title: structuredText(o.DWMC, { field: 'DWMC', maxLength: 200 }),
      description: cleanText(o.WTMS, { field: 'WTMS', required: true, maxLength: 4000 }) as string,
      sourceCategoryCode: field,
      categoryCode: categoryOf(ctx, field),
      ...status(o.CLZT),
      address,
      subjectUscc: o.TYSHXYDM ? validateUscc(o.TYSHXYDM, 'TYSHXYDM') : null,
      subjectName: structuredText(o.DWMC, { field: 'DWMC', maxLength: 200 }),
    }),
  ];
};
