/** 12345 work order (pinyin-initial field names) → canonical Report. */
import type { Report, ReportStatus } from '../../../schemas/index.js';
import { MappingError, ValidationError } from '../../../core/errors.js';
import { cleanText, maskName, parseTimestamp, protectPhone, protectResidentId, validateUscc } from '../../../core/normalise/index.js';
import { divisionCode, object, structuredText, townKey, sourceRecordId } from '../../sdk/mapping-helpers.js';
import type { Mapping } from '../../sdk/types.js';

const STATUS: Record<string, ReportStatus> = {
  受理: 'RECEIVED',
  派单: 'DISPATCHED',
  办理: 'IN_PROGRESS',
  回访: 'FOLLOW_UP',
  办结: 'CLOSED',
  退单: 'REJECTED',
};

export const mapWorkOrder: Mapping = (payload, ctx) => {
  const o = object(payload);
  const id = sourceRecordId(o.gdbh, 'gdbh');
  const updated = parseTimestamp(o.gxsj, 'gxsj');
  const accepted = parseTimestamp(o.slsj, 'slsj');
  const sourceStatus = cleanText(o.gdzt, { field: 'gdzt', required: true });
  const status = STATUS[sourceStatus];
  if (!status) throw new MappingError(`未知的工单状态 "${sourceStatus}" (unknown work-order status; expected one of ${Object.keys(STATUS).join('/')})`, 'gdzt');
  const confidential = o.bmbz === '1' || o.bmbz === 1;
  const phoneRaw = cleanText(o.ldrdh, { field: 'ldrdh' });
  const phone = phoneRaw && !confidential ? protectPhone(phoneRaw, ctx.personalDataKey, 'ldrdh') : null;
  const name = structuredText(o.ldrxm, { field: 'ldrxm', maxLength: 50 });
  // caller ID number (来电人身份证号) and the enterprise complained about (企业名称/统一社会信用代码), when recorded
  const idNumber = o.ldrsfzh && !confidential ? protectResidentId(o.ldrsfzh, ctx.personalDataKey, 'ldrsfzh') : null;
  const uscc = o.qytyxydm ? validateUscc(o.qytyxydm, 'qytyxydm') : null;
  const division = divisionCode(o.xzqhdm, 'xzqhdm');
  const urgency = cleanText(o.jjcd, { field: 'jjcd', maxLength: 10 });
  const deadline = o.blsx ? parseTimestamp(o.blsx, 'blsx').epochMs : null;
  if (deadline !== null && deadline < accepted.epochMs) throw new ValidationError('blsx', `办理时限早于受理时间 (deadline ${String(o.blsx)} is before acceptance ${String(o.slsj)})`);

  const sourceCategory = cleanText(o.flmc, { field: 'flmc', maxLength: 100 });
  const report: Report = {
    envelope: {
      sourceSystem: ctx.sourceSystem,
      department: ctx.department,
      sourceRecordId: id,
      sourceVersion: updated.epochMs,
      eventTime: accepted.epochMs,
      ingestTime: ctx.ingestTime,
      divisionCode: division,
      gridCode: null,
      location: null,
      connector: ctx.connectorId,
    },
    channel: 'HOTLINE',
    title: structuredText(o.sqbt, { field: 'sqbt', maxLength: 200 }),
    description: cleanText(o.sqnr, { field: 'sqnr', required: true, maxLength: 4000 }),
    sourceCategoryCode: sourceCategory,
    categoryCode: ctx.mapCategory(sourceCategory),
    status,
    sourceStatus,
    urgency,
    address: structuredText(o.sjdz, { field: 'sjdz', maxLength: 500 }),
    reporterNameMasked: name && !confidential ? maskName(name) : null,
    reporterPhoneHash: phone?.hash ?? null,
    reporterPhoneMasked: phone?.masked ?? null,
    subjectUscc: uscc,
    subjectName: structuredText(o.qymc, { field: 'qymc', maxLength: 200 }),
    attachmentUrls: [],
    deadline,
    reporterIdHash: idNumber?.hash ?? null,
    reporterIdMasked: idNumber?.masked ?? null,
  };
  return [{ kind: 'report', key: townKey(division, id), value: report }];
};
