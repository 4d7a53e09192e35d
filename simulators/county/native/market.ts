/**
 * Market regulation (市场监督管理局): the market-entity registry (市场主体登记信息) as the county gets
 * it from the data-sharing exchange platform: one row per registered entity, current state, with the
 * exchange catalogue's Chinese column names. Served as JSON rows (or a table in the exchange DB).
 *
 * Quirks: names are the registered names (the only source that has them exactly); 曾用名 holds former
 * names separated by "；"; dates are yyyy-MM-dd; 注册资本 is a decimal string in 万元; entities that
 * were deregistered (注销) stay in the table.
 */
export const MARKET_SOURCE = { department: 'market', sourceSystem: 'market-registry', idField: '主体身份代码' } as const;

export const MARKET_REGISTRATION_STATES = ['存续（在营、开业、在册）', '注销', '吊销，未注销', '迁出'] as const;
export type MarketRegistrationState = (typeof MARKET_REGISTRATION_STATES)[number];

export interface MarketEntityRow {
  /** Internal registry id (PRIPID); the record id. */
  主体身份代码: string;
  统一社会信用代码: string;
  /** 企业名称 / 个体工商户字号名称 / 合作社名称 */
  主体名称: string;
  /** Former names, "；"-separated; '' when none. */
  曾用名: string;
  /** 有限责任公司(自然人投资或控股) / 个体工商户 / 农民专业合作社 … */
  主体类型: string;
  /** 法定代表人 (companies) / 经营者 (individual businesses) / 负责人 */
  法定代表人: string;
  /** Resident ID number of the representative or operator (18 characters). */
  法定代表人证件号码: string;
  /** Registered address (住所/经营场所), full form with province and prefecture. */
  住所: string;
  /** 6-digit county code of the registering area. */
  行政区划代码: string;
  /** Decimal string in 万元, e.g. "50.000000"; 个体工商户: 资金数额. */
  注册资本: string;
  成立日期: string;
  核准日期: string;
  登记状态: MarketRegistrationState;
  登记机关: string;
  经营范围: string;
  联系电话: string;
  /** yyyy-MM-dd HH:mm:ss: when the exchange row last changed. */
  更新时间: string;
}
