/**
 * The government-service platform's applications (办件) and its service-item catalogue. Loaded from
 * a county dataset (departments/approval.jsonl) and kept moving: new applications are received and
 * open ones move along 已接件 → 已受理 (or 补正 → 已受理) → 办理 → 办结, each change stamping a new
 * 更新时间 — to the second, so bulk changes share one timestamp, as on the real platform.
 */
import { readFileSync } from 'node:fs';
import { APPROVAL_STATUSES, type ApprovalApplication, type ApprovalStatus } from '../county/native/approval.js';
import { makeUscc } from '../county/ids.js';
import { Rng } from '../county/random.js';
import { COUNTY, shanghaiDateTime } from '../shared/county.js';

/** One item of the county's service catalogue (政务服务事项目录), as GET /api/v1/items serves it. */
export interface PowerItem {
  事项编码: string;
  事项名称: string;
  事项类型: '行政许可' | '行政确认' | '行政给付' | '其他行政权力' | '公共服务';
  /** Working days. */
  法定时限: number;
  承诺时限: number;
  是否赋权乡镇: '是' | '否';
  实施主体: string;
  办理对象: string;
  证照编号前缀?: string;
}

/**
 * The county's catalogue of power items (权力事项目录). The shipped one is the demo county's; its item
 * codes (<county code>-<department>-<number>, as provincial catalogues write them) take the code of
 * the county the simulator plays (COUNTY_PROFILE).
 */
export function loadCatalogue(path = new URL('./items.json', import.meta.url)): PowerItem[] {
  return (JSON.parse(readFileSync(path, 'utf8')) as { items: PowerItem[] }).items.map((i) => ({ ...i, 事项编码: i.事项编码.replace(/^\d{6}-/, `${COUNTY.code}-`) }));
}

const NEXT: Partial<Record<ApprovalStatus, ApprovalStatus>> = { 已接件: '已受理', 已受理: '办理', 补正: '已受理', 办理: '办结' };

export interface StoreOptions {
  seed?: number;
  now?: () => number;
  catalogue?: PowerItem[];
}

export class ApplicationStore {
  readonly apps = new Map<string, ApprovalApplication>();
  readonly catalogue: PowerItem[];
  private readonly rng: Rng;
  private readonly usedUscc = new Set<string>();
  private sorted: ApprovalApplication[] | undefined;
  private byNumber: ApprovalApplication[] | undefined;
  private seq = 0;
  private lastStamp = '';

  constructor(private readonly opts: StoreOptions = {}) {
    this.rng = new Rng(opts.seed ?? 1);
    this.catalogue = opts.catalogue ?? loadCatalogue();
  }

  /** Loads applications as they are (an existing 办件编号 is replaced); returns how many. */
  load(list: Iterable<ApprovalApplication>): number {
    let n = 0;
    for (const a of list) {
      this.apps.set(a.办件编号, { ...a });
      const m = /(\d{6})$/.exec(a.办件编号);
      if (m) this.seq = Math.max(this.seq, Number(m[1]));
      if (a.更新时间 > this.lastStamp) this.lastStamp = a.更新时间;
      n += 1;
    }
    this.changed();
    return n;
  }

  /** Applications updated at or after `since`, by (更新时间, 办件编号) when sorted by update time, else by 办件编号. */
  list(since: string | undefined, byUpdateTime: boolean): ApprovalApplication[] {
    if (!byUpdateTime) {
      this.byNumber ??= [...this.apps.values()].sort((a, b) => (a.办件编号 < b.办件编号 ? -1 : 1));
      return since ? this.byNumber.filter((a) => a.更新时间 >= since) : this.byNumber;
    }
    this.sorted ??= [...this.apps.values()].sort((a, b) => (a.更新时间 === b.更新时间 ? (a.办件编号 < b.办件编号 ? -1 : 1) : a.更新时间 < b.更新时间 ? -1 : 1));
    if (!since) return this.sorted;
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.sorted[mid] as ApprovalApplication).更新时间 < since) lo = mid + 1;
      else hi = mid;
    }
    return this.sorted.slice(lo);
  }

  /** A new application (已接件) by an applicant of an existing one, for an item that applicant may apply for. */
  receive(): ApprovalApplication {
    const all = [...this.apps.values()];
    if (all.length === 0) throw new Error('the store is empty: load applications first');
    const organisations = all.filter((a) => a.申请人证件号码 !== null && a.申请人类型 === '法人');
    const template = this.rng.pick(organisations.length ? organisations : all);
    const items = this.catalogue.filter((i) => i.办理对象.includes(template.申请人类型) && !/设立登记/.test(i.事项名称));
    const item = this.rng.pick(items.length ? items : this.catalogue);
    const stamp = this.stamp();
    this.seq += 1;
    const app: ApprovalApplication = {
      ...template,
      办件编号: `SP${stamp.slice(0, 10).replace(/-/g, '')}${String(this.seq).padStart(6, '0')}`,
      事项编码: item.事项编码,
      事项名称: item.事项名称,
      拟设立主体名称: null,
      核发统一社会信用代码: null,
      申请时间: stamp,
      受理时间: null,
      办件状态: '已接件',
      承诺时限: item.承诺时限,
      办结时间: null,
      办理结果: null,
      许可证号: null,
      更新时间: stamp,
    };
    this.apps.set(app.办件编号, app);
    this.changed();
    return app;
  }

  /**
   * Moves a random open application one step; undefined when none is open. An application already
   * changed within the current second is left alone (people do not handle one file twice a second).
   */
  advance(): ApprovalApplication | undefined {
    const stamp = this.stamp();
    const open = [...this.apps.values()].filter((a) => NEXT[a.办件状态] && a.更新时间 !== stamp);
    if (open.length === 0) return undefined;
    const a = this.rng.pick(open);
    const next = NEXT[a.办件状态] as ApprovalStatus;
    const patch: Partial<ApprovalApplication> = { 办件状态: next, 更新时间: stamp };
    if (next === '已受理') patch.受理时间 = a.受理时间 ?? stamp;
    if (next === '办结') {
      const item = this.catalogue.find((i) => i.事项编码 === a.事项编码);
      const registering = a.拟设立主体名称 !== null;
      patch.办结时间 = stamp;
      patch.办理结果 = registering ? '准予登记' : '准予许可';
      if (registering && a.核发统一社会信用代码 === null) {
        patch.核发统一社会信用代码 = makeUscc(this.rng, /个体工商户/.test(a.事项名称) ? '92' : '91', COUNTY.code, this.usedUscc);
      }
      if (item?.证照编号前缀) patch.许可证号 = `${item.证照编号前缀}${this.rng.digits(8)}`;
    }
    return this.update(a.办件编号, patch);
  }

  update(id: string, patch: Partial<ApprovalApplication>): ApprovalApplication | undefined {
    const a = this.apps.get(id);
    if (!a) return undefined;
    const u: ApprovalApplication = { ...a, ...patch, 办件编号: a.办件编号, 更新时间: patch.更新时间 ?? this.stamp() };
    if (!APPROVAL_STATUSES.includes(u.办件状态)) throw new Error(`unknown status ${u.办件状态}`);
    this.apps.set(id, u);
    this.changed();
    return u;
  }

  /** Now as the platform writes it; never before the newest 更新时间 already stored (a dataset may lie in the future). */
  private stamp(): string {
    const now = shanghaiDateTime((this.opts.now ?? Date.now)());
    if (now > this.lastStamp) this.lastStamp = now;
    return this.lastStamp;
  }

  private changed(): void {
    this.sorted = undefined;
    this.byNumber = undefined;
  }
}
