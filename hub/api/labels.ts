/**
 * Chinese labels for operators, next to the stable codes the API returns. Matter and report statuses
 * share one table: every canonical ReportStatus (schemas/types.ts) has a label here, plus the
 * hub's own VERIFYING and MERGED. WITHDRAWN: the reporter or the platform withdrew it (撤销, e.g.
 * 卫生监督 5 已撤销); CANCELLED: the platform voided it (作废, e.g. 数字化城管 a duplicate case).
 */
export const MATTER_STATUS_LABELS: Record<string, string> = {
  RECEIVED: '已受理',
  DISPATCHED: '已派单',
  IN_PROGRESS: '办理中',
  VERIFYING: '待核查',
  FOLLOW_UP: '回访中',
  CLOSED: '已办结',
  REJECTED: '已退回',
  MERGED: '已合并',
  WITHDRAWN: '已撤销',
  CANCELLED: '已作废',
  UNKNOWN: '未知',
};

export const CHANNEL_LABELS: Record<string, string> = {
  HOTLINE: '12345热线',
  GRID: '网格上报',
  COMPLAINT: '群众投诉',
  PATROL: '执法巡查',
  ALARM: '监测告警',
  INSPECTION: '检查发现',
  OTHER: '其他',
};
