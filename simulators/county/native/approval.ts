/**
 * Approval services (行政审批局/政务服务中心): applications (办件) from the government-service platform,
 * served as JSON. Statuses follow the usual 已接件 → 已受理 (or 不受理/补正) → 办理 → 办结.
 *
 * Quirks: a business registration (设立登记) names the entity to be set up (拟设立主体名称) and gets its
 * USCC only when it is 办结; the handling person (经办人) carries a resident ID; deadlines are in working days.
 */
export const APPROVAL_SOURCE = { department: 'approval', sourceSystem: 'approval-applications', idField: '办件编号' } as const;

export const APPROVAL_STATUSES = ['已接件', '已受理', '不受理', '补正', '办理', '办结'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export interface ApprovalApplication {
  /** SP + yyyyMMdd + 6 digits; the record id. */
  办件编号: string;
  /** Item code from the county's service catalogue. */
  事项编码: string;
  事项名称: string;
  申请人类型: '法人' | '自然人';
  /** The applying entity (法人) or person (自然人). */
  申请人名称: string;
  申请人证件类型: '统一社会信用代码' | '居民身份证';
  /** USCC or resident ID; null for a 设立登记 before it is granted. */
  申请人证件号码: string | null;
  /** 设立登记: the name of the entity to be registered; otherwise null. */
  拟设立主体名称: string | null;
  /** USCC granted by a 设立登记 (办结 only). */
  核发统一社会信用代码: string | null;
  经办人: string;
  经办人身份证号: string;
  联系电话: string;
  项目地址: string;
  所属乡镇: string;
  申请时间: string;
  受理时间: string | null;
  办件状态: ApprovalStatus;
  /** Statutory or promised time limit in working days. */
  承诺时限: number;
  办结时间: string | null;
  办理结果: '准予许可' | '不予许可' | '准予登记' | null;
  许可证号: string | null;
  更新时间: string;
}
