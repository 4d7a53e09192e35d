/** 派单反馈 (a department's 到场 or 办结 on an assignment of the centre) → canonical StatusChange on the hub's task. */
import type { ProgressStatus, StatusChange } from '../../../schemas/index.js';
import { MappingError, ValidationError } from '../../../core/errors.js';
import { cleanText, parseTimestamp } from '../../../core/normalise/index.js';
import { object, sourceRecordId } from '../../sdk/mapping-helpers.js';
import type { Mapping } from '../../sdk/types.js';

const STATUS: Record<string, ProgressStatus> = { 到场: 'ON_SITE', 办结: 'CLOSED' };
const HUB_ID = /^\d{1,18}$/;
const DEPARTMENT = /^[a-z][a-z0-9_-]{0,39}(:\d{9})?$/;

export const mapFeedback: Mapping = (payload, ctx) => {
  const f = object(payload);
  const id = sourceRecordId(f.fkbh, 'fkbh', 128);
  const kind = cleanText(f.fklx, { field: 'fklx', required: true });
  const status = STATUS[kind];
  if (!status) throw new MappingError(`未知的反馈类型 "${kind}" (unknown feedback type; expected ${Object.keys(STATUS).join('/')})`, 'fklx');
  const at = parseTimestamp(f.fksj, 'fksj');
  const recorded = parseTimestamp(f.gxsj, 'gxsj');
  const matterId = String(f.sjbh ?? '');
  if (!HUB_ID.test(matterId)) throw new ValidationError('sjbh', `事件编号不是指挥中心的事项编号 (${matterId.slice(0, 40)}): feedback answers the centre's assignments only`);
  const taskId = f.rwbh === null || f.rwbh === undefined || f.rwbh === '' ? null : String(f.rwbh);
  if (taskId !== null && !HUB_ID.test(taskId)) throw new ValidationError('rwbh', `任务编号不是指挥中心的任务编号 (${taskId.slice(0, 40)})`);
  const department = String(f.fkbm ?? '');
  if (!DEPARTMENT.test(department)) throw new ValidationError('fkbm', `反馈部门编码无效 (${department.slice(0, 40)})`);
  const version = Number(f.pdbb);
  if (!Number.isSafeInteger(version) || version < 1) throw new ValidationError('pdbb', `派单版本无效 (${String(f.pdbb).slice(0, 20)})`);
  const resultText = status === 'CLOSED' ? cleanText(f.bljg, { field: 'bljg', required: true, maxLength: 2000 }) : null;
  const change: StatusChange = {
    envelope: {
      sourceSystem: ctx.sourceSystem,
      department,
      sourceRecordId: id,
      sourceVersion: recorded.epochMs,
      eventTime: at.epochMs,
      ingestTime: ctx.ingestTime,
      divisionCode: null,
      gridCode: null,
      location: null,
      connector: ctx.connectorId,
    },
    target: { kind: 'TASK', record: null, matterId, taskId },
    status,
    sourceStatus: `已${kind}`,
    // the decision version it answers: it orders with that decision's receipt (same version, later
    // time) and below a later redispatch, whose receipt puts the task back to work
    version,
    occurredAt: at.epochMs,
    actorDepartment: department,
    actorUnitName: null,
    actorNameMasked: null,
    note: null,
    requestedDeadline: null,
    dispatchVersion: version,
    result: resultText === null ? null : { outcome: 'RESOLVED', sourceOutcome: null, text: resultText },
    attachments: [],
  };
  return [{ kind: 'status-change', key: matterId, value: change }];
};
