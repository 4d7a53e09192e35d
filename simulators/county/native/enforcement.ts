/**
 * Comprehensive administrative enforcement (综合行政执法局): cases in the enforcement case-handling system
 * (综合行政执法办案系统), served as JSON. A case starts as a clue (线索) from patrols, complaints, 12345
 * transfers or grid reports and may become a filed case (立案) with a decision.
 *
 * Quirks: the party (当事人) is written by the officer: for units the registered name or only the shop
 * sign, the USCC only sometimes; individuals carry an ID number; coordinates are WGS-84 from the law-
 * enforcement PDA and missing for cases registered at the desk.
 */
export const ENFORCEMENT_SOURCE = { department: 'enforcement', sourceSystem: 'enforcement-cases', idField: '案件编号' } as const;

export const ENFORCEMENT_STATUSES = ['线索登记', '已立案', '调查取证', '处罚告知', '处罚决定', '已结案', '不予立案'] as const;
export type EnforcementStatus = (typeof ENFORCEMENT_STATUSES)[number];

export interface EnforcementCase {
  /** AJ + yyyyMMdd + 5 digits; the record id. */
  案件编号: string;
  /** 演综执立字〔2026〕第0123号, once filed; otherwise null. */
  立案号: string | null;
  案件来源: '巡查发现' | '投诉举报' | '12345转办' | '网格上报' | '部门移送' | '上级交办';
  /** 4-digit cause code: see schemas/catalogues/category-mappings/enforcement.json */
  案由编码: string;
  案由名称: string;
  当事人类型: '单位' | '个体工商户' | '个人' | '未查明';
  当事人名称: string | null;
  统一社会信用代码: string | null;
  法定代表人: string | null;
  /** Resident ID of an individual party or of the operator of an individual business. */
  证件号码: string | null;
  联系电话: string | null;
  案发地址: string;
  所属乡镇: string;
  所属村社区: string | null;
  /** 12-digit statistical division code of the village/community. */
  行政区划代码: string;
  /** WGS-84 from the PDA; null when registered at the desk. */
  经度: number | null;
  纬度: number | null;
  发现时间: string;
  登记时间: string;
  案件状态: EnforcementStatus;
  承办中队: string;
  执法人员: string;
  案情简述: string;
  处罚决定书文号: string | null;
  罚款金额: number | null;
  更新时间: string;
}
