/**
 * An environmental complaint from the 生态环境信访投诉举报管理平台 (12369) list → canonical Report
 * (channel COMPLAINT). The platform writes Baidu (BD-09) map coordinates, as strings; they become
 * WGS-84 with the original kept. Anonymous complaints carry no reporter data at all.
 */
import type { Report, ReportStatus } from '../../../schemas/index.js';
import { MappingError, ValidationError } from '../../sdk/errors.js';
import { divisionCode, object, townKey } from '../../sdk/mapping-helpers.js';
import { cleanText, maskName, normaliseCode, parseTimestamp, protectPhone, validateUscc } from '../../sdk/normalise/index.js';
import type { Mapping } from '../../sdk/types.js';
import { locationOf } from './location.js';

/** handleStatus codes of the platform → canonical status. */
const STATUS: Record<string, [ReportStatus, string]> = {
  '0': ['RECEIVED', '待受理'],
  '1': ['DISPATCHED', '已转办'],
  '2': ['IN_PROGRESS', '办理中'],
  '3': ['FOLLOW_UP', '待回访'],
  '4': ['CLOSED', '已办结'],
  '9': ['REJECTED', '不予受理'],
};

export const mapComplaint: Mapping = (payload, ctx) => {
  const o = object(payload);
  const id = cleanText(o.complaintId, { field: 'complaintId', required: true, maxLength: 64 });
  const updated = parseTimestamp(o.updateTime, 'updateTime');
  const created = parseTimestamp(o.createTime, 'createTime');
  const statusCode = o.handleStatus === null || o.handleStatus === undefined ? '' : String(o.handleStatus).trim();
  const status = STATUS[statusCode];
  if (!status) throw new MappingError(`未知的办理状态 "${statusCode}" (unknown handleStatus; expected one of ${Object.entries(STATUS).map(([k, [, l]]) => `${k}=${l}`).join(', ')})`, 'handleStatus');
  const anonymous = o.anonymous === true || o.anonymous === 1 || o.anonymous === '1' || o.anonymous === 'true';
  const name = anonymous ? null : cleanText(o.reporterName, { field: 'reporterName', maxLength: 50 });
  const phoneRaw = anonymous ? null : cleanText(o.reporterPhone, { field: 'reporterPhone' });
  const phone = phoneRaw ? protectPhone(phoneRaw, ctx.personalDataKey, 'reporterPhone') : null;
  const division = divisionCode(o.regionCode, 'regionCode');
  const typeCode = o.pollutionType ? normaliseCode(String(o.pollutionType), 'pollutionType') : null;
  if (typeCode !== null && !/^[A-Z]{2}-\d{2}$/.test(typeCode)) throw new ValidationError('pollutionType', `污染类型代码格式错误 (expected e.g. DQ-03, got "${typeCode}")`);
  const uscc = o.objectUscc === null || o.objectUscc === undefined || o.objectUscc === '' ? null : validateUscc(o.objectUscc, 'objectUscc');
  const deadline = o.deadline ? parseTimestamp(o.deadline, 'deadline').epochMs : null;
  if (deadline !== null && deadline < created.epochMs) throw new ValidationError('deadline', `办理期限早于投诉时间 (deadline ${String(o.deadline)} is before the complaint ${String(o.createTime)})`);

  const report: Report = {
    envelope: {
      sourceSystem: ctx.sourceSystem,
      department: ctx.department,
      sourceRecordId: id,
      sourceVersion: updated.epochMs,
      eventTime: created.epochMs,
      ingestTime: ctx.ingestTime,
      divisionCode: division,
      gridCode: null,
      location: locationOf(o.lng, o.lat, 'BD09', { lng: 'lng', lat: 'lat' }),
      connector: ctx.connectorId,
    },
    channel: 'COMPLAINT',
    title: cleanText(o.title, { field: 'title', maxLength: 200 }),
    description: cleanText(o.content, { field: 'content', required: true, maxLength: 4000 }),
    sourceCategoryCode: typeCode,
    categoryCode: ctx.mapCategory(typeCode),
    status: status[0],
    sourceStatus: status[1],
    urgency: null,
    address: cleanText(o.address, { field: 'address', maxLength: 500 }),
    reporterNameMasked: name ? maskName(name) : null,
    reporterPhoneHash: phone?.hash ?? null,
    reporterPhoneMasked: phone?.masked ?? null,
    subjectUscc: uscc,
    subjectName: cleanText(o.objectName, { field: 'objectName', maxLength: 200 }),
    attachmentUrls: [],
    deadline,
  };
  return [{ kind: 'report', key: townKey(division, id), value: report }];
};
