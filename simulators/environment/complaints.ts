/**
 * The 12369 environmental complaint platform (生态环境信访投诉举报管理平台) as a county sees it:
 * a paged complaint list filtered by update time. Its rows are the platform's native records,
 * connectors/adapters/environment/native.ts#EnvironmentComplaint (the contract of
 * docs/dataset-format.md): generated here, or loaded from departments/environment.jsonl of a county
 * dataset. Quirks it shares with real ones:
 *  - coordinates are Baidu (BD-09) geocodes of the address, as numbers, and null when the address
 *    could not be geocoded;
 *  - only the 6-digit 区县代码 and the town name (所属乡镇); complaints are classified by 污染类型编码
 *    (DQ/SH/ZS/GF/QT-nn);
 *  - the complained-about unit is written as the complainant said it and rarely carries a USCC;
 *  - anonymous complaints carry no name and no phone; phones come in every format;
 *  - errors come as HTTP 200 with {"success":false,"code":500,"message":"系统繁忙"};
 *  - the list is sorted by report time, newest first, unless sortField=updateTime is asked for.
 */
import { transformFromWgs84 } from '../../core/normalise/coords.js';
import type { EnvironmentComplaint, EnvironmentStatus } from '../../connectors/adapters/environment/native.js';
import { COUNTY, VILLAGES, pick, seededRandom, shanghaiDateTime } from '../shared/county.js';
import { POINTS } from './alarms.js';

export type { EnvironmentComplaint } from '../../connectors/adapters/environment/native.js';

/** The statuses a complaint moves through (不予受理 is the other way out of 待受理). */
export const COMPLAINT_FLOW: readonly EnvironmentStatus[] = ['待受理', '已受理', '调查处理中', '已办结'];
const FINAL: ReadonlySet<EnvironmentStatus> = new Set(['已办结', '不予受理']);
const HANDLING_UNIT = `${COUNTY.name}生态环境综合行政执法大队`;
const DAY_MS = 86_400_000;

/** [污染类型编码, 污染类型, who is complained about, 举报内容 template]. */
type Case = [string, string, 'enterprise' | 'shop' | 'none', string];
const CASES: Case[] = [
  ['DQ-01', '大气', 'enterprise', '举报{subj}夜间偷排工业废气，气味刺鼻。'],
  ['DQ-02', '大气', 'enterprise', '{addr}附近每到夜里有刺鼻的化工异味，怀疑{subj}偷排废气。'],
  ['DQ-03', '大气', 'shop', '举报{addr}{subj}油烟直排，没有安装油烟净化器，晚上气味很大。'],
  ['DQ-04', '大气', 'none', '{addr}工地土方没有覆盖，刮风时扬尘严重。'],
  ['DQ-05', '大气', 'none', '{addr}有人露天焚烧垃圾和秸秆，浓烟很大。'],
  ['SH-01', '水', 'enterprise', '{addr}排水沟流出黑色废水，疑似{subj}偷排。'],
  ['SH-03', '水', 'none', '{addr}养殖场粪污直排到河道，气味难闻。'],
  ['ZS-02', '噪声', 'none', '{addr}工地夜间十一点后仍在施工，噪声很大。'],
  ['ZS-03', '噪声', 'shop', '举报{addr}{subj}社会生活噪声扰民。'],
  ['GF-01', '固废', 'none', '{addr}路边被倾倒大量建筑垃圾和工业废渣。'],
];
const SHOPS = ['老王烧烤', '蒙源川菜', '草原烤肉', '红柳KTV', '巴特尔手把肉', '兴旺洗车行'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '乌', '包', '白', '其其格'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '强', '巴特尔', '格日乐', '秀英'];
const STREETS = ['伊克昭街', '锡尼大街', '团结路', '文化路', '乌兰路', '振兴路'];
const METHODS: Array<EnvironmentComplaint['举报方式']> = ['电话', '电话', '电话', '微信', '网络', '来信', '来访'];
const RESULTS = ['经现场调查，举报情况属实，已责令限期整改。', '经调查，举报情况部分属实，已督促整改到位。', '经现场核查，未发现举报所述问题。'];
const REJECTED_RESULT = '不属于本部门职责范围，已告知举报人向有关部门反映。';

const round6 = (n: number): number => Math.round(n * 1e6) / 1e6;

/** A mobile number the way complainants and call-takers write it. */
function phoneText(r: () => number): string {
  const n = `1${pick(r, ['39', '58', '86', '37', '52'])}${String(Math.floor(r() * 1e8)).padStart(8, '0')}`;
  const style = r();
  if (style < 0.6) return n;
  if (style < 0.75) return `${n.slice(0, 3)} ${n.slice(3, 7)} ${n.slice(7)}`;
  if (style < 0.85) return `+86${n}`;
  return n.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))); // full-width digits
}

export class ComplaintStore {
  readonly complaints = new Map<string, EnvironmentComplaint>();
  private seq = 0;
  private readonly rand: () => number;

  constructor(private readonly opts: { seed?: number; now?: () => number } = {}) {
    this.rand = seededRandom(opts.seed ?? 12369);
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** A realistic new complaint (待受理), not yet stored. */
  private build(at: number): EnvironmentComplaint {
    const r = this.rand;
    const v = pick(r, VILLAGES);
    const [code, type, about, tpl] = pick(r, CASES);
    const addr = `${v.town}${v.name}${pick(r, STREETS)}${1 + Math.floor(r() * 200)}号`;
    const enterprise = about === 'enterprise' ? pick(r, POINTS) : null;
    const subject = enterprise ? enterprise.enterpriseName : about === 'shop' ? pick(r, SHOPS) : null;
    // the complainant rarely knows the USCC; when given it is often lower-case
    const uscc = enterprise && r() < 0.3 ? (r() < 0.3 ? enterprise.uscc.toLowerCase() : enterprise.uscc) : null;
    const anonymous = r() < 0.3;
    const geocoded = r() < 0.7;
    const [bdLng, bdLat] = transformFromWgs84(v.lng + (r() - 0.5) * 0.01, v.lat + (r() - 0.5) * 0.01, 'BD09');
    this.seq += 1;
    const time = shanghaiDateTime(at);
    return {
      举报编号: `XF${time.slice(0, 10).replace(/-/g, '')}${String(this.seq % 100_000).padStart(5, '0')}`,
      举报方式: pick(r, METHODS),
      举报时间: time,
      是否匿名: anonymous ? '是' : '否',
      举报人: anonymous ? null : `${pick(r, SURNAMES)}${pick(r, GIVEN)}`,
      联系电话: anonymous ? null : phoneText(r),
      污染类型: type,
      污染类型编码: code,
      被举报对象: subject,
      被举报对象统一社会信用代码: uscc,
      被举报对象地址: addr,
      区县代码: COUNTY.code,
      所属乡镇: v.town,
      举报内容: tpl.replace('{addr}', addr).replace('{subj}', subject ?? '附近企业'),
      经度: geocoded ? round6(bdLng) : null,
      纬度: geocoded ? round6(bdLat) : null,
      坐标系: 'BD09',
      办理状态: '待受理',
      承办单位: null,
      办理时限: null,
      办理结果: null,
      更新时间: time,
    };
  }

  /** A realistic new complaint (待受理), stored. */
  generate(at = this.now()): EnvironmentComplaint {
    const c = this.build(at);
    this.complaints.set(c.举报编号, c);
    return c;
  }

  /** A generated complaint with some fields as given (tests and the demo). */
  create(partial: Partial<EnvironmentComplaint>, at = this.now()): EnvironmentComplaint {
    const time = shanghaiDateTime(at);
    const c = { ...this.build(at), ...partial, 举报时间: partial.举报时间 ?? time, 更新时间: time };
    this.complaints.set(c.举报编号, c);
    return c;
  }

  update(id: string, patch: Partial<EnvironmentComplaint>, at = this.now()): EnvironmentComplaint | undefined {
    const c = this.complaints.get(id);
    if (!c) return undefined;
    const u = { ...c, ...patch, 举报编号: c.举报编号, 更新时间: shanghaiDateTime(at) };
    this.complaints.set(id, u);
    return u;
  }

  /**
   * Loads complaints as they are (e.g. departments/environment.jsonl of a county dataset); one with
   * the same 举报编号 is replaced. Later generated complaints are numbered after the highest loaded
   * one. Returns how many were loaded.
   */
  load(rows: Iterable<EnvironmentComplaint>): number {
    let n = 0;
    for (const row of rows) {
      this.complaints.set(row.举报编号, { ...row });
      const m = /(\d{5})$/.exec(row.举报编号);
      if (m) this.seq = Math.max(this.seq, Number(m[1]));
      n += 1;
    }
    return n;
  }

  /** Moves a random open complaint one step along 待受理 → 已受理 → 调查处理中 → 已办结 (or 待受理 → 不予受理). */
  advanceRandom(at = this.now()): EnvironmentComplaint | undefined {
    const open = [...this.complaints.values()].filter((c) => !FINAL.has(c.办理状态));
    if (!open.length) return undefined;
    const c = pick(this.rand, open);
    if (c.办理状态 === '待受理' && this.rand() < 0.05) return this.update(c.举报编号, { 办理状态: '不予受理', 办理结果: REJECTED_RESULT }, at);
    const next = COMPLAINT_FLOW[COMPLAINT_FLOW.indexOf(c.办理状态) + 1] ?? '已办结';
    const patch: Partial<EnvironmentComplaint> = { 办理状态: next };
    if (next === '已受理') {
      patch.承办单位 = HANDLING_UNIT;
      patch.办理时限 = shanghaiDateTime(Date.parse(`${c.举报时间.replace(' ', 'T')}+08:00`) + 15 * DAY_MS).slice(0, 10);
    }
    if (next === '已办结') patch.办理结果 = pick(this.rand, RESULTS);
    return this.update(c.举报编号, patch, at);
  }

  /** Complaints updated at or after `since`; by update time ascending if asked, else newest reported first. */
  list(since: string | undefined, sortField: string | undefined, sortOrder: string | undefined): EnvironmentComplaint[] {
    const all = [...this.complaints.values()].filter((c) => !since || c.更新时间 >= since);
    if (sortField === 'updateTime' || sortField === '更新时间') {
      const dir = sortOrder === 'desc' ? -1 : 1;
      all.sort((a, b) => dir * (a.更新时间 === b.更新时间 ? a.举报编号.localeCompare(b.举报编号) : a.更新时间 < b.更新时间 ? -1 : 1));
    } else {
      all.sort((a, b) => (a.举报时间 === b.举报时间 ? b.举报编号.localeCompare(a.举报编号) : a.举报时间 < b.举报时间 ? 1 : -1));
    }
    return all;
  }
}
