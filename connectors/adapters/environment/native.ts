/**
 * Ecology and environment (生态环境分局): complaints from the 12369 reporting platform
 * (生态环境信访投诉举报管理平台), served as JSON. Coordinates come from Baidu-map geocoding of the address
 * (BD-09) and are missing when the complainant gave no usable address.
 *
 * Quirks: the complained-about unit is written as the complainant said it (short names, typos) and
 * rarely carries a USCC; anonymous complaints have no name and no phone; times are yyyy-MM-dd HH:mm:ss.
 */
export const ENVIRONMENT_SOURCE = { department: 'environment', sourceSystem: 'environment-12369', idField: '举报编号' } as const;

export const ENVIRONMENT_STATUSES = ['待受理', '已受理', '调查处理中', '已办结', '不予受理'] as const;
export type EnvironmentStatus = (typeof ENVIRONMENT_STATUSES)[number];

export interface EnvironmentComplaint {
  /** XF + yyyyMMdd + 5 digits; the record id. */
  举报编号: string;
  举报方式: '电话' | '微信' | '网络' | '来信' | '来访';
  举报时间: string;
  是否匿名: '是' | '否';
  举报人: string | null;
  联系电话: string | null;
  /** 大气 / 水 / 噪声 / 固废 / 其他 */
  污染类型: string;
  /** DQ-03 …: see schemas/catalogues/category-mappings/environment.json */
  污染类型编码: string;
  被举报对象: string | null;
  被举报对象统一社会信用代码: string | null;
  被举报对象地址: string;
  /** 6-digit county code. */
  区县代码: string;
  /** Town name as the platform's drop-down wrote it. */
  所属乡镇: string;
  举报内容: string;
  /** BD-09 (Baidu) longitude; null when not geocoded. */
  经度: number | null;
  纬度: number | null;
  坐标系: 'BD09';
  办理状态: EnvironmentStatus;
  承办单位: string | null;
  /** yyyy-MM-dd */
  办理时限: string | null;
  办理结果: string | null;
  更新时间: string;
}
