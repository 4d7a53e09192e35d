/**
 * A Dispatch as one department's platform wants it (its 派单接收接口, simulators/shared/dispatch-inbox.ts):
 * pinyin-initial field names, Beijing wall-clock times, the department's own task id. Pure, so the
 * same decision always makes the same document — which is what lets the platform's idempotency
 * (same 派单编号, same content → the first receipt) absorb redeliveries.
 */
import type { Dispatch } from '../../schemas/index.js';

export interface Assignment {
  pdbh: string;
  sjbh: string;
  rwbh: string | null;
  pdlx: string;
  qtbm: string | null;
  xbbm: string[];
  clsx: string | null;
  pdyj: string | null;
  dz: string | null;
  sjms: string | null;
  pdsj: string;
  /** 结果反馈 only: the platform's own record this result answers (业务编号), its system, the result and when the matter closed. */
  ywbh?: string;
  ywxt?: string;
  bljg?: string | null;
  bjsj?: string;
}

const ACTION_LABELS: Record<Dispatch['action'], string> = { DISPATCH: '派单', REDISPATCH: '改派', CLOSE: '办结', MERGE: '合并', SPLIT: '拆分', UNKNOWN: '其他', RESULT: '结果反馈', VERIFY: '核查', REOPEN: '重新办理通知' };

export function beijingTime(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** Every department a decision concerns: lead, cooperating, and any department holding a task on the matter. */
export function departmentsOf(d: Dispatch): string[] {
  // a result (or its withdrawal) goes to the one department whose report it answers, a 核查 to the
  // verifier: to nobody else — the lead named in them is for information
  if (d.action === 'RESULT' || d.action === 'REOPEN' || d.action === 'VERIFY') return d.recipientDepartment ? [d.recipientDepartment] : [];
  return [...new Set([...(d.leadDepartment ? [d.leadDepartment] : []), ...d.cooperatingDepartments, ...Object.keys(d.taskIds)])].sort();
}

/** The idempotency key of one department's copy of a decision. */
export function deliveryKey(d: Dispatch, department: string): string {
  return `${d.idempotencyKey}:${department}`;
}

export function assignmentFor(d: Dispatch, department: string): Assignment {
  if (d.action === 'RESULT' || d.action === 'REOPEN') return resultFor(d, department);
  if (d.action === 'VERIFY') return verificationFor(d, department);
  const role = d.leadDepartment === department ? '牵头' : '协办';
  const deadline = role === '牵头' ? d.closureDeadline : (d.onSiteDeadline ?? d.closureDeadline);
  const notes = [d.instructions, d.reason ? `原因：${d.reason}` : null, d.result ? `办理结果：${d.result}` : null, d.mergedIntoMatterId ? `已并入事项 ${d.mergedIntoMatterId}` : null].filter(Boolean);
  return {
    pdbh: deliveryKey(d, department),
    sjbh: d.matterId,
    rwbh: d.taskIds[department] ?? null,
    pdlx: `${ACTION_LABELS[d.action]}（${role}）`,
    qtbm: d.leadDepartment,
    xbbm: [...d.cooperatingDepartments],
    clsx: deadline ? beijingTime(deadline) : null,
    pdyj: notes.length ? notes.join('；') : null,
    dz: d.address,
    sjms: d.summary,
    pdsj: beijingTime(d.issuedAt),
  };
}

/** 核查: the departments' closure to verify, with its result and deadline, for the verifier's task. */
function verificationFor(d: Dispatch, department: string): Assignment {
  return {
    pdbh: deliveryKey(d, department),
    sjbh: d.matterId,
    rwbh: d.taskIds[department] ?? null,
    pdlx: ACTION_LABELS.VERIFY,
    qtbm: d.leadDepartment,
    xbbm: [],
    clsx: d.closureDeadline ? beijingTime(d.closureDeadline) : null,
    pdyj: d.instructions,
    dz: d.address,
    sjms: d.summary,
    pdsj: beijingTime(d.issuedAt),
    bljg: d.result,
  };
}

/** 结果反馈 (or 重新办理通知: the result sent before no longer applies): the matter's one result for the platform's own record, so it can close it (and call back). */
function resultFor(d: Dispatch, department: string): Assignment {
  const record = d.reports[0];
  return {
    pdbh: deliveryKey(d, department),
    sjbh: d.matterId,
    rwbh: null,
    pdlx: ACTION_LABELS[d.action],
    qtbm: d.leadDepartment,
    xbbm: [],
    clsx: null,
    pdyj: d.action === 'REOPEN' ? (d.reason ?? '事项重新办理中，此前的办理结果不再适用') : d.result ? `办理结果：${d.result}` : null,
    dz: d.address,
    sjms: d.summary,
    pdsj: beijingTime(d.issuedAt),
    ywbh: record?.sourceRecordId ?? '',
    ywxt: record?.sourceSystem ?? '',
    bljg: d.result,
    bjsj: beijingTime(d.issuedAt),
  };
}
