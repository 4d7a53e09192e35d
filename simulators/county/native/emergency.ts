/**
 * Emergency management (应急管理局): the hidden-danger ledger (隐患排查治理台账) that towns and inspectors
 * fill in as an XLSX workbook (sheet "隐患台账") and upload. One row per hazard; cell values are what
 * Excel holds: numbers for 序号, 联系电话 and coordinates, text elsewhere.
 *
 * Quirks: 联系电话 is a number cell; USCC is typed by hand (lower case, spaces) or left empty; the
 * enterprise name is the registered name or what the inspector wrote; coordinates are CGCS2000 from the
 * inspection app when filled.
 */
export const EMERGENCY_SOURCE = { department: 'emergency', sourceSystem: 'emergency-hazards', idField: '隐患编号' } as const;

export const HAZARD_SHEET = '隐患台账';
export const HAZARD_STATUSES = ['未整改', '整改中', '已整改', '已销号'] as const;
export type HazardStatus = (typeof HAZARD_STATUSES)[number];

export interface HazardXlsxRow {
  序号: number;
  /** YH + yyyyMMdd + 5 digits; the record id. */
  隐患编号: string;
  /** Enterprise or place name. */
  单位名称: string;
  /** '' when not filled in. */
  统一社会信用代码: string;
  行业类别: string;
  /** YH01 …: see schemas/catalogues/category-mappings/emergency.json */
  隐患类别代码: string;
  隐患类别: string;
  隐患等级: '一般隐患' | '重大隐患';
  隐患描述: string;
  所在乡镇: string;
  详细地址: string;
  /** CGCS2000 (≈ WGS-84); null when empty. */
  经度: number | null;
  纬度: number | null;
  /** yyyy-MM-dd HH:mm */
  排查时间: string;
  排查人员: string;
  整改措施: string;
  /** yyyy-MM-dd */
  整改期限: string;
  整改状态: HazardStatus;
  责任人: string;
  联系电话: number | null;
  填报单位: string;
  /** yyyy-MM-dd HH:mm:ss */
  更新时间: string;
}
