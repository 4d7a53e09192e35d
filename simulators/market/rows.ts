/**
 * Registry rows of the market-regulation simulator: generated ones (when no dataset is given), the
 * industry columns the exchange catalogue adds to the dataset's MarketEntityRow, and the changes a
 * live registry makes (renames that push the old name into 曾用名, status changes, new operators,
 * moves, new phone numbers, new registrations). Pure functions of a seeded Rng.
 */
import { makeMobile, makeResidentId, makeUscc, type UsccPrefix } from '../county/ids.js';
import { COOPERATIVE_TRADES, COMPANY_INDUSTRIES, GIVEN, RESTAURANT_INDUSTRIES, ROAD_PREFIXES, ROAD_SUFFIXES, SHOP_INDUSTRIES, SURNAMES, TRADE_NAMES } from '../county/names.js';
import type { Rng } from '../county/random.js';
import type { MarketEntityRow, MarketRegistrationState } from '../county/native/market.js';
import { COUNTY, NAMED_TOWNS } from '../shared/county.js';

/** A row as the exchange table holds it: the dataset's MarketEntityRow plus the catalogue's industry columns. */
export interface MarketTableRow extends MarketEntityRow {
  /** GB/T 4754-2017 code of the main business (行业代码), null when the registry has not classified it. */
  行业代码: string | null;
  行业名称: string | null;
}

export const ACTIVE: MarketRegistrationState = '存续（在营、开业、在册）';
const PROVINCE_PREFIX = `${COUNTY.province.name}${COUNTY.prefecture.name}`;

/**
 * First item of 经营范围 → GB/T 4754-2017 industry (the registry classifies by the main business).
 * Only items whose class is unambiguous; others stay unclassified (null), as in real exchanges.
 */
const INDUSTRY_BY_SCOPE: ReadonlyArray<readonly [RegExp, string, string]> = [
  [/^餐饮服务/, 'H6210', '正餐服务'],
  [/^饮品店/, 'H6239', '其他饮料及冷饮服务'],
  [/^药品零售/, 'F5251', '西药零售'],
  [/^(机动车维修|洗车服务)/, 'O8111', '汽车修理与维护'],
  [/^理发及美容/, 'O8010', '理发及美容服务'],
  [/^日用百货/, 'F5212', '超级市场零售'],
  [/^食品销售/, 'F5213', '便利店零售'],
  [/^服装鞋帽/, 'F5232', '服装零售'],
  [/^烟草制品/, 'F5225', '烟草制品零售'],
  [/^水果蔬菜/, 'F5223', '果品、蔬菜零售'],
  [/^粮油零售/, 'F5221', '粮油零售'],
  [/^通讯设备/, 'F5274', '通信设备零售'],
  [/^五金/, 'F5241', '五金零售'],
  [/^建筑材料/, 'F5165', '建材批发'],
  [/^歌舞娱乐/, 'R9011', '歌舞厅娱乐活动'],
  [/^洗浴服务/, 'O8051', '洗浴服务'],
  [/^烧结砖/, 'C3031', '粘土砖瓦及建筑砌块制造'],
  [/^食品生产/, 'C14', '食品制造业'],
  [/^牲畜饲养/, 'A031', '牲畜饲养'],
];

export function industryOf(scope: string): { 行业代码: string | null; 行业名称: string | null } {
  for (const [pattern, code, name] of INDUSTRY_BY_SCOPE) if (pattern.test(scope)) return { 行业代码: code, 行业名称: name };
  return { 行业代码: null, 行业名称: null };
}

/** A dataset row as the table stores it. */
export function tableRow(r: MarketEntityRow): MarketTableRow {
  return { ...r, ...industryOf(r.经营范围) };
}

/** 'yyyy-MM-dd HH:mm:ss' / 'yyyy-MM-dd' Shanghai wall time of an instant. */
export function wall(epochMs: number): string {
  return new Date(epochMs + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

export class RowFactory {
  private readonly usedUscc = new Set<string>();
  private readonly usedIds = new Set<string>();

  constructor(private readonly rng: Rng) {}

  private person(): { name: string; id: string } {
    const r = this.rng;
    const year = r.int(1955, 2002);
    const birth = `${year}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`;
    return { name: `${r.pick(SURNAMES)}${r.pick(GIVEN)}`, id: makeResidentId(r, COUNTY.code, birth, r.chance(0.5), this.usedIds) };
  }

  private address(town: string): string {
    const r = this.rng;
    return `${PROVINCE_PREFIX}${COUNTY.name}${town}${r.pick(ROAD_PREFIXES)}${r.pick(ROAD_SUFFIXES)}${r.int(1, 300)}号`;
  }

  /** A new registration, established at `at` (epoch ms) or, without it, some day between 2000 and two months ago. */
  create(now: number, at?: number): MarketTableRow {
    const r = this.rng;
    const [, town] = r.pick(NAMED_TOWNS);
    const kind = r.weighted<'92' | '91' | '93'>([
      ['92', 60],
      ['91', 35],
      ['93', 5],
    ]);
    const rep = this.person();
    const trade = r.pick(TRADE_NAMES);
    let name: string;
    let form: string;
    let scope: string;
    let capital: number;
    if (kind === '92') {
      const ind = r.pick([...RESTAURANT_INDUSTRIES, ...SHOP_INDUSTRIES]);
      name = `${town}${trade}${ind.full}`;
      form = '个体工商户';
      scope = ind.scope;
      capital = r.int(1, 30);
    } else if (kind === '91') {
      const ind = r.pick(COMPANY_INDUSTRIES);
      name = `${COUNTY.name}${trade}${ind}有限公司`;
      form = r.pick(['有限责任公司(自然人投资或控股)', '有限责任公司(自然人独资)', '股份有限公司(非上市、自然人投资或控股)']);
      scope = ind;
      capital = r.pick([10, 50, 100, 200, 500, 1000]);
    } else {
      const trade2 = r.pick(COOPERATIVE_TRADES);
      name = `${COUNTY.name}${trade}${trade2}专业合作社`;
      form = '农民专业合作社';
      scope = `${trade2}；农产品销售`;
      capital = r.int(5, 200);
    }
    const established = at ?? Date.UTC(2000, 0, 1) + Math.floor(r.next() * (now - 60 * 86_400_000 - Date.UTC(2000, 0, 1)));
    const approved = at ?? Math.min(now - 86_400_000, established + Math.floor(r.next() * 5 * 365 * 86_400_000));
    const changed = at ?? Date.parse(`${wall(approved).slice(0, 10)}T00:00:00+08:00`) + r.int(8 * 3600, 18 * 3600) * 1000;
    return {
      主体身份代码: `${COUNTY.code}${r.hex(20).toUpperCase()}`,
      统一社会信用代码: makeUscc(r, kind as UsccPrefix, COUNTY.code, this.usedUscc),
      主体名称: name,
      曾用名: '',
      主体类型: form,
      法定代表人: rep.name,
      法定代表人证件号码: rep.id,
      住所: this.address(town),
      行政区划代码: COUNTY.code,
      注册资本: capital.toFixed(6),
      成立日期: wall(established).slice(0, 10),
      核准日期: wall(approved).slice(0, 10),
      登记状态: r.chance(0.98) ? ACTIVE : r.pick(['注销', '吊销，未注销'] as const),
      登记机关: `${COUNTY.name}市场监督管理局`,
      经营范围: scope,
      联系电话: makeMobile(r),
      ...industryOf(scope),
      更新时间: wall(changed),
    };
  }

  /**
   * One change to a registration, as the registry records it (核准日期 = the day it was approved);
   * the caller stamps 更新时间. Returns the columns that change and what kind of change it was.
   */
  change(row: Pick<MarketTableRow, '主体名称' | '曾用名' | '登记状态'>, today: string): { kind: string; patch: Partial<MarketTableRow> } {
    const r = this.rng;
    const active = row.登记状态 === ACTIVE;
    const kind = active
      ? r.weighted<string>([
          ['rename', 30],
          ['status', 15],
          ['phone', 20],
          ['address', 15],
          ['representative', 10],
          ['scope', 10],
        ])
      : row.登记状态 === '吊销，未注销'
        ? 'status'
        : 'phone'; // a closed entity's record still gets corrections (contact data) now and then
    switch (kind) {
      case 'rename': {
        const current = TRADE_NAMES.find((t) => row.主体名称.includes(t));
        const next = r.pick(TRADE_NAMES.filter((t) => t !== current));
        const name = current ? row.主体名称.replace(current, next) : `${next}${row.主体名称}`;
        const former = row.曾用名 ? row.曾用名.split('；') : [];
        if (!former.includes(row.主体名称)) former.push(row.主体名称);
        return { kind, patch: { 主体名称: name, 曾用名: former.filter((n) => n !== name).join('；'), 核准日期: today } };
      }
      case 'status': {
        const next: MarketRegistrationState = active ? r.weighted<MarketRegistrationState>([['注销', 6], ['吊销，未注销', 3], ['迁出', 1]]) : '注销';
        return { kind, patch: { 登记状态: next, 核准日期: today } };
      }
      case 'address': {
        const [, town] = r.pick(NAMED_TOWNS);
        return { kind, patch: { 住所: this.address(town), 核准日期: today } };
      }
      case 'representative': {
        const p = this.person();
        return { kind, patch: { 法定代表人: p.name, 法定代表人证件号码: p.id, 核准日期: today } };
      }
      case 'scope': {
        const ind = r.pick([...RESTAURANT_INDUSTRIES, ...SHOP_INDUSTRIES]);
        return { kind, patch: { 经营范围: ind.scope, ...industryOf(ind.scope), 核准日期: today } };
      }
      default:
        return { kind: 'phone', patch: { 联系电话: makeMobile(r) } };
    }
  }
}
