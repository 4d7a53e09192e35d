/**
 * 12345 work order (pinyin-initial field names) → canonical Report; and, once the hotline has called
 * the citizen back (回访: hfjg 回访结果, hfsj 回访时间, hfyj 回访意见), a StatusChange about its own
 * record that carries the verdict — 不满意 reopens the matter in the hub (重办).
 */
import type { Report, ReportStatus, StatusChange } from '../../../schemas/index.js';
import { MappingError, ValidationError } from '../../../core/errors.js';
import { cleanText, maskName, parseTimestamp, protectPhone, protectResidentId, validateUscc } from '../../../core/normalise/index.js';
import { divisionCode, object, structuredText, townKey, sourceRecordId } from '../../sdk/mapping-helpers.js';
import type { Emitted, Mapping } from '../../sdk/types.js';

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
  const key = townKey(division, id);
  const out: Emitted[] = [{ kind: 'report', key, value: report }];
  const followUp = mapFollowUp(o, id, division, ctx);
  if (followUp) out.push({ kind: 'status-change', key, value: followUp });
  return out;
};

/** 回访结果 → whether the citizen is satisfied; the platform's three words. */
const VERDICT: Record<string, boolean> = { 满意: true, 基本满意: true, 不满意: false };

function mapFollowUp(o: Record<string, unknown>, id: string, division: string | null, ctx: Parameters<Mapping>[1]): StatusChange | null {
  const verdict = cleanText(o.hfjg, { field: 'hfjg', maxLength: 10 });
  if (!verdict) return null;
  const satisfied = VERDICT[verdict];
  if (satisfied === undefined) throw new MappingError(`未知的回访结果 "${verdict}" (unknown follow-up verdict; expected ${Object.keys(VERDICT).join('/')})`, 'hfjg');
  const at = parseTimestamp(o.hfsj, 'hfsj');
  const opinion = cleanText(o.hfyj, { field: 'hfyj', maxLength: 2000 });
  return {
    envelope: {
      sourceSystem: ctx.sourceSystem,
      department: ctx.department,
      // one follow-up call per time: a second call on the same order is another record
      sourceRecordId: `${id}#回访@${at.epochMs}`,
      sourceVersion: at.epochMs,
      eventTime: at.epochMs,
      ingestTime: ctx.ingestTime,
      divisionCode: division,
      gridCode: null,
      location: null,
      connector: ctx.connectorId,
    },
    target: { kind: 'REPORT', record: { sourceSystem: ctx.sourceSystem, sourceRecordId: id }, matterId: null, taskId: null },
    status: 'FOLLOW_UP',
    sourceStatus: `回访${verdict}`,
    version: at.epochMs,
    occurredAt: at.epochMs,
    actorDepartment: ctx.department,
    actorUnitName: null,
    actorNameMasked: null,
    note: opinion,
    requestedDeadline: null,
    dispatchVersion: null,
    // the citizen's verdict on the result: resolved for them, or not
    result: { outcome: satisfied ? 'RESOLVED' : 'UNRESOLVED', sourceOutcome: verdict, text: opinion ?? verdict },
    attachments: [],
  };
}
