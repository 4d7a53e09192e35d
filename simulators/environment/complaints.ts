/**
 * The 12369 environmental complaint platform (生态环境信访投诉举报管理平台) as a county sees it:
 * a paged complaint list filtered by update time. Quirks it shares with real ones:
 *  - coordinates are Baidu map (BD-09) picks, written as strings, and empty when the complainant
 *    did not pick a place;
 *  - complaints are classified by 污染类型 codes (DQ/SH/ZS/GF/QT-nn);
 *  - errors come as HTTP 200 with {"success":false,"code":500,"message":"系统繁忙"};
 *  - the list is sorted by creation time, newest first, unless sortField=updateTime is asked for;
 *  - anonymous complaints carry no reporter.
 */
import gcoordModule from 'gcoord';
import { VILLAGES, pick, seededRandom, shanghaiDateTime } from '../shared/county.js';
import { POINTS } from './alarms.js';

type Gcoord = (typeof gcoordModule)['default'];
const gcoord: Gcoord = ((gcoordModule as unknown as { default?: Gcoord }).default ?? gcoordModule) as Gcoord;

export const COMPLAINT_STATUSES = ['0', '1', '2', '3', '4'] as const; // 待受理 → 已转办 → 办理中 → 待回访 → 已办结 (9 不予受理)

export interface Complaint {
  complaintId: string;
  title: string;
  content: string;
  pollutionType: string;
  pollutionTypeName: string;
  handleStatus: string;
  anonymous: boolean;
  reporterName: string | null;
  reporterPhone: string | null;
  regionCode: string;
  address: string;
  /** BD-09, as text; '' when no place was picked */
  lng: string;
  lat: string;
  objectName: string | null;
  objectUscc: string | null;
  source: '12369热线' | '微信公众号' | '网上举报';
  createTime: string;
  updateTime: string;
  deadline: string | null;
}

const CASES: Array<[string, string, string, string]> = [
  ['DQ-03', '大气-餐饮油烟', '餐饮油烟扰民', '{addr}烧烤店油烟直排，没有安装油烟净化器，晚上气味很大。'],
  ['DQ-02', '大气-恶臭异味', '夜间异味', '{addr}附近每到夜里有刺鼻的化工异味，怀疑{object}偷排废气。'],
  ['DQ-04', '大气-扬尘', '工地扬尘', '{addr}工地土方没有覆盖，刮风时扬尘严重。'],
  ['DQ-05', '大气-露天焚烧', '焚烧垃圾', '{addr}有人露天焚烧垃圾和秸秆，浓烟很大。'],
  ['SH-01', '水-工业废水', '偷排废水', '{addr}排水沟流出黑色废水，疑似{object}偷排。'],
  ['SH-03', '水-畜禽养殖', '养殖粪污', '{addr}养殖场粪污直排到河道，气味难闻。'],
  ['ZS-02', '噪声-建筑施工', '夜间施工噪声', '{addr}工地夜间十一点后仍在施工，噪声很大。'],
  ['ZS-03', '噪声-社会生活', '广场舞噪声', '{addr}广场舞音响声音过大，影响休息。'],
  ['GF-01', '固废-一般工业固废', '乱倒固废', '{addr}路边被倾倒大量建筑垃圾和工业废渣。'],
];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '乌', '包', '白', '其其格'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '强', '巴特尔', '格日乐', '秀英'];
const STREETS = ['伊克昭街', '锡尼大街', '团结路', '文化路', '乌兰路', '振兴路'];
const SOURCES: Complaint['source'][] = ['12369热线', '微信公众号', '网上举报'];

export class ComplaintStore {
  readonly complaints = new Map<string, Complaint>();
  private seq = 0;
  private readonly rand: () => number;

  constructor(private readonly opts: { seed?: number; now?: () => number } = {}) {
    this.rand = seededRandom(opts.seed ?? 12369);
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** A realistic new complaint (status 0 待受理). */
  generate(at = this.now()): Complaint {
    const r = this.rand;
    const v = pick(r, VILLAGES);
    const [code, name, title, tpl] = pick(r, CASES);
    const addr = `${v.town}${v.name}${pick(r, STREETS)}${1 + Math.floor(r() * 200)}号`;
    const target = code.startsWith('DQ-02') || code.startsWith('SH-01') ? pick(r, POINTS) : null;
    const anonymous = r() < 0.2;
    const picked = r() < 0.85;
    const [bdLng, bdLat] = gcoord.transform([v.lng + (r() - 0.5) * 0.01, v.lat + (r() - 0.5) * 0.01], gcoord.WGS84, gcoord.BD09) as [number, number];
    this.seq += 1;
    const c: Complaint = {
      complaintId: `12369-${shanghaiDateTime(at).slice(0, 10).replace(/-/g, '')}-${String(this.seq).padStart(6, '0')}`,
      title,
      content: tpl.replace('{addr}', addr).replace('{object}', target?.enterpriseName ?? '附近企业'),
      pollutionType: code,
      pollutionTypeName: name,
      handleStatus: '0',
      anonymous,
      reporterName: anonymous ? null : `${pick(r, SURNAMES)}${pick(r, GIVEN)}`,
      reporterPhone: anonymous ? null : `1${pick(r, ['39', '58', '86', '37', '52'])}${String(Math.floor(r() * 1e8)).padStart(8, '0')}`,
      regionCode: v.code,
      address: addr,
      lng: picked ? bdLng.toFixed(6) : '',
      lat: picked ? bdLat.toFixed(6) : '',
      objectName: target?.enterpriseName ?? null,
      objectUscc: target?.uscc ?? null,
      source: pick(r, SOURCES),
      createTime: shanghaiDateTime(at),
      updateTime: shanghaiDateTime(at),
      deadline: null,
    };
    this.complaints.set(c.complaintId, c);
    return c;
  }

  create(partial: Partial<Complaint>, at = this.now()): Complaint {
    const c = { ...this.generate(at), ...partial, createTime: shanghaiDateTime(at), updateTime: shanghaiDateTime(at) };
    this.complaints.set(c.complaintId, c);
    return c;
  }

  update(id: string, patch: Partial<Complaint>, at = this.now()): Complaint | undefined {
    const c = this.complaints.get(id);
    if (!c) return undefined;
    const u = { ...c, ...patch, complaintId: c.complaintId, updateTime: shanghaiDateTime(at) };
    this.complaints.set(id, u);
    return u;
  }

  /** Moves a random open complaint one step along 待受理 → 已转办 → 办理中 → 待回访 → 已办结. */
  advanceRandom(at = this.now()): Complaint | undefined {
    const open = [...this.complaints.values()].filter((c) => c.handleStatus !== '4' && c.handleStatus !== '9');
    if (!open.length) return undefined;
    const c = pick(this.rand, open);
    const next = COMPLAINT_STATUSES[COMPLAINT_STATUSES.indexOf(c.handleStatus as (typeof COMPLAINT_STATUSES)[number]) + 1] ?? '4';
    return this.update(c.complaintId, { handleStatus: next }, at);
  }

  /** Complaints updated at or after `since`; by update time ascending if asked, else newest created first. */
  list(since: string | undefined, sortField: string | undefined, sortOrder: string | undefined): Complaint[] {
    const all = [...this.complaints.values()].filter((c) => !since || c.updateTime >= since);
    if (sortField === 'updateTime') {
      const dir = sortOrder === 'desc' ? -1 : 1;
      all.sort((a, b) => dir * (a.updateTime === b.updateTime ? a.complaintId.localeCompare(b.complaintId) : a.updateTime < b.updateTime ? -1 : 1));
    } else {
      all.sort((a, b) => (a.createTime === b.createTime ? b.complaintId.localeCompare(a.complaintId) : a.createTime < b.createTime ? 1 : -1));
    }
    return all;
  }
}
