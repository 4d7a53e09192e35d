/**
 * Case rows of the comprehensive-enforcement simulator: generated cases (when no dataset is given)
 * and the case-handling procedure a live system walks them through:
 *
 *   线索登记 (检查 for a patrol's own finding, 受理 for a clue from outside)
 *     → 已立案 (立案) → 调查取证 (调查) → 法制审核 (审查) → 处罚告知 → 处罚决定 (决定)
 *     → 执行中 (执行) → 已结案 (结案)
 *   线索登记 → 不予立案, or → 已结案 directly under the simple procedure (简易程序, on-the-spot fine).
 *
 * The dataset's native type (simulators/county/native/enforcement.ts) shows the states a one-day
 * snapshot holds; 法制审核 and 执行中 are the states in between that a running system also shows.
 * The table adds the system's stage time columns (立案时间, 处罚决定时间, 结案时间), null in rows
 * loaded from a dataset. Pure functions of a seeded Rng.
 */
import { makeMobile, makeResidentId, makeUscc } from '../county/ids.js';
import { GIVEN, SURNAMES, TRADE_NAMES } from '../county/names.js';
import type { EnforcementCase, EnforcementStatus } from '../county/native/enforcement.js';
import type { Rng } from '../county/random.js';
import { phoneVariant, residentIdVariant, usccVariant } from '../county/variants.js';
import { COUNTY, VILLAGES } from '../shared/county.js';

export type CaseStatus = EnforcementStatus | '法制审核' | '执行中';

/** A row as the case table holds it. */
export interface EnforcementTableRow extends Omit<EnforcementCase, '案件状态'> {
  案件状态: CaseStatus;
  立案时间: string | null;
  处罚决定时间: string | null;
  结案时间: string | null;
}

export const OPEN_STATES: readonly CaseStatus[] = ['线索登记', '已立案', '调查取证', '法制审核', '处罚告知', '处罚决定', '执行中'];
const NEXT: Partial<Record<CaseStatus, CaseStatus>> = {
  已立案: '调查取证',
  调查取证: '法制审核',
  法制审核: '处罚告知',
  处罚告知: '处罚决定',
  处罚决定: '执行中',
  执行中: '已结案',
};

/** Causes (案由) of schemas/catalogues/category-mappings/enforcement.json with how officers write them up. */
const CAUSES: ReadonlyArray<{ code: string; name: string; text: string; party: 'unit' | 'shop' | 'person' | 'none' }> = [
  { code: '1001', name: '擅自占用城市道路摆摊设点', text: '{addr}有流动摊贩占用人行道摆摊设点经营。', party: 'person' },
  { code: '1006', name: '随意倾倒、抛撒生活垃圾', text: '{addr}发现有人随意倾倒生活垃圾。', party: 'none' },
  { code: '1007', name: '违规停放机动车（人行道）', text: '{addr}人行道上有机动车违规停放，影响行人通行。', party: 'person' },
  { code: '2001', name: '餐饮服务业油烟排放', text: '{subj}在{addr}未安装油烟净化设施，油烟直排。', party: 'shop' },
  { code: '2003', name: '社会生活噪声', text: '{subj}在{addr}使用高音广播喇叭招揽顾客，产生噪声干扰周围生活环境。', party: 'shop' },
  { code: '2004', name: '建筑施工噪声', text: '{subj}未经批准在夜间22时至次日6时进行产生噪声的建筑施工作业。', party: 'unit' },
  { code: '2005', name: '露天焚烧垃圾', text: '{addr}有人露天焚烧垃圾，烟雾较大。', party: 'none' },
  { code: '3001', name: '未取得建设工程规划许可证进行建设', text: '{addr}有人未取得建设工程规划许可证擅自搭建彩钢房。', party: 'person' },
  { code: '3003', name: '施工工地扬尘', text: '{subj}在{addr}的施工工地未采取围挡、覆盖等防尘措施，扬尘污染严重。', party: 'unit' },
  { code: '4002', name: '损坏市政设施', text: '{addr}市政井盖、护栏被损坏。', party: 'none' },
  { code: '5001', name: '非法占用土地（赋权）', text: '{addr}附近有人未经批准占用耕地建房。', party: 'person' },
  { code: '6001', name: '无照经营（赋权）', text: '{subj}在{addr}未取得营业执照从事经营活动。', party: 'shop' },
];

const SOURCES: ReadonlyArray<readonly [EnforcementCase['案件来源'], number]> = [
  ['巡查发现', 6],
  ['12345转办', 4],
  ['网格上报', 3],
  ['投诉举报', 1.5],
  ['部门移送', 0.5],
  ['上级交办', 0.3],
];
const ROADS = ['团结路', '文化路', '乌兰路', '振兴路', '伊克昭街', '锡尼大街', '朝阳东路', '滨河街'];
const SHOPS = ['烧烤店', '面馆', '超市', '火锅店', '便利店', '麻辣烫店', '五金店', '汽修店'];

/** 'yyyy-MM-dd HH:mm:ss' Shanghai wall time of an instant. */
export function wall(epochMs: number): string {
  return new Date(epochMs + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

function wallMs(text: string): number {
  return Date.parse(`${text.replace(' ', 'T')}+08:00`);
}

/** Case numbers the system issues in sequence per year: 立案号, 处罚决定书文号, 简易程序决定书文号, and case ids per day. */
export class Numbering {
  private readonly seq = new Map<string, number>();

  /** Continue after the numbers already in the table. */
  observe(row: Pick<EnforcementTableRow, '案件编号' | '立案号' | '处罚决定书文号'>): void {
    for (const text of [row.立案号, row.处罚决定书文号]) {
      const m = text ? /^(.*〔\d{4}〕)第(\d+)号$/.exec(text) : null;
      if (m) this.bump(m[1] as string, Number(m[2]));
    }
    const id = /^(AJ\d{8})(\d{5})$/.exec(row.案件编号);
    if (id) this.bump(id[1] as string, Number(id[2]));
  }

  private bump(key: string, n: number): void {
    this.seq.set(key, Math.max(this.seq.get(key) ?? 0, n));
  }

  private next(key: string): number {
    const n = (this.seq.get(key) ?? 0) + 1;
    this.seq.set(key, n);
    return n;
  }

  document(kind: '立' | '罚' | '简罚', at: string): string {
    const prefix = `演综执${kind}字〔${at.slice(0, 4)}〕`;
    return `${prefix}第${String(this.next(prefix)).padStart(4, '0')}号`;
  }

  caseId(at: string): string {
    const prefix = `AJ${at.slice(0, 10).replace(/-/g, '')}`;
    return `${prefix}${String(this.next(prefix)).padStart(5, '0')}`;
  }
}

export class CaseFactory {
  private readonly usedUscc = new Set<string>();
  private readonly usedIds = new Set<string>();

  constructor(
    private readonly rng: Rng,
    readonly numbering: Numbering,
  ) {}

  private personName(): string {
    return `${this.rng.pick(SURNAMES)}${this.rng.pick(GIVEN)}`;
  }

  private residentId(): string {
    const r = this.rng;
    const birth = `${r.int(1955, 2002)}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`;
    return makeResidentId(r, COUNTY.code, birth, r.chance(0.5), this.usedIds);
  }

  /** A clue registered at `at` (Shanghai wall time): status 线索登记. */
  create(at: string): EnforcementTableRow {
    const r = this.rng;
    const v = r.pick(VILLAGES);
    const cause = r.pick(CAUSES);
    const source = r.weighted(SOURCES);
    const addr = `${v.town}${v.name}${r.pick(ROADS)}${r.int(1, 200)}号`;
    let type: EnforcementCase['当事人类型'] = '未查明';
    let name: string | null = null;
    let uscc: string | null = null;
    let rep: string | null = null;
    let idNo: string | null = null;
    let phone: string | null = null;
    if (cause.party === 'shop' || (cause.party === 'unit' && r.chance(0.3))) {
      type = '个体工商户';
      name = `${r.chance(0.5) ? v.town : ''}${r.pick(TRADE_NAMES)}${r.pick(SHOPS)}`;
      uscc = r.chance(0.55) ? usccVariant(r, makeUscc(r, '92', COUNTY.code, this.usedUscc)) : null;
      rep = r.chance(0.7) ? this.personName() : null;
      idNo = rep && r.chance(0.4) ? residentIdVariant(r, this.residentId()) : null;
      phone = r.chance(0.6) ? phoneVariant(r, makeMobile(r)) : null;
    } else if (cause.party === 'unit') {
      type = '单位';
      name = `${COUNTY.name}${r.pick(TRADE_NAMES)}建筑工程有限公司`;
      uscc = r.chance(0.55) ? usccVariant(r, makeUscc(r, '91', COUNTY.code, this.usedUscc)) : null;
      rep = r.chance(0.7) ? this.personName() : null;
      phone = r.chance(0.6) ? phoneVariant(r, makeMobile(r)) : null;
    } else if (cause.party === 'person' && r.chance(0.5)) {
      type = '个人';
      name = this.personName();
      idNo = r.chance(0.7) ? residentIdVariant(r, this.residentId()) : null;
      phone = r.chance(0.5) ? phoneVariant(r, makeMobile(r)) : null;
    }
    const found = source === '巡查发现' ? wall(wallMs(at) - r.int(0, 30) * 60_000) : at;
    const located = r.chance(0.6);
    return {
      案件编号: this.numbering.caseId(at),
      立案号: null,
      案件来源: source,
      案由编码: cause.code,
      案由名称: cause.name,
      当事人类型: type,
      当事人名称: name,
      统一社会信用代码: uscc,
      法定代表人: rep,
      证件号码: idNo,
      联系电话: phone,
      案发地址: addr,
      所属乡镇: v.town,
      所属村社区: r.chance(0.7) ? v.name : null,
      行政区划代码: v.code,
      经度: located ? Math.round((v.lng + r.float(-0.01, 0.01)) * 1e7) / 1e7 : null,
      纬度: located ? Math.round((v.lat + r.float(-0.01, 0.01)) * 1e7) / 1e7 : null,
      发现时间: found,
      登记时间: at,
      案件状态: '线索登记',
      承办中队: `${v.town.replace(/(镇|苏木|街道|乡)$/, '')}中队`,
      执法人员: `${this.personName()}、${this.personName()}`,
      案情简述: cause.text.replace('{addr}', addr).replace('{subj}', name && type !== '个人' ? name : '当事人'),
      处罚决定书文号: null,
      罚款金额: null,
      立案时间: null,
      处罚决定时间: null,
      结案时间: null,
      更新时间: at,
    };
  }

  /** The next step of an open case at `at`; null when the case is closed. The caller stamps 更新时间. */
  advance(row: Pick<EnforcementTableRow, '案件状态' | '当事人类型'>, at: string): Partial<EnforcementTableRow> | null {
    const r = this.rng;
    switch (row.案件状态) {
      case '线索登记': {
        const p = r.next();
        if (p < 0.75) {
          const patch: Partial<EnforcementTableRow> = { 案件状态: '已立案', 立案号: this.numbering.document('立', at), 立案时间: at };
          if (row.当事人类型 === '未查明' && r.chance(0.5)) {
            // the investigation starts by identifying the party
            Object.assign(patch, { 当事人类型: '个人', 当事人名称: this.personName(), 证件号码: residentIdVariant(r, this.residentId()), 联系电话: r.chance(0.5) ? phoneVariant(r, makeMobile(r)) : null });
          }
          return patch;
        }
        if (p < 0.88) {
          // 简易程序: decided and closed on the spot
          return { 案件状态: '已结案', 处罚决定书文号: this.numbering.document('简罚', at), 罚款金额: r.pick([50, 100, 200]), 处罚决定时间: at, 结案时间: at };
        }
        return { 案件状态: '不予立案', 结案时间: at };
      }
      case '处罚告知':
        return { 案件状态: '处罚决定', 处罚决定书文号: this.numbering.document('罚', at), 罚款金额: r.pick([500, 1000, 2000, 3000, 5000, 10000, 20000, 50000]), 处罚决定时间: at };
      case '执行中':
        return { 案件状态: '已结案', 结案时间: at };
      default: {
        const next = NEXT[row.案件状态];
        return next ? { 案件状态: next } : null;
      }
    }
  }

  /**
   * A case registered at `registeredMs` and walked `steps` steps along, minutes to hours apart but
   * never after `notAfterMs`; its 更新时间 is its last step.
   */
  history(registeredMs: number, steps: number, notAfterMs: number): EnforcementTableRow {
    let row = this.create(wall(registeredMs));
    let t = registeredMs;
    for (let i = 0; i < steps; i++) {
      const next = t + this.rng.int(10, 24 * 60) * 60_000;
      if (next > notAfterMs) break;
      const patch = this.advance(row, wall(next));
      if (!patch) break;
      t = next;
      row = { ...row, ...patch, 更新时间: wall(t) };
    }
    return row;
  }
}
