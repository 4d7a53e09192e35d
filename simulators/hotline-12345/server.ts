/**
 * A 12345 hotline platform (政务服务便民热线) as a county sees it from the provincial system:
 * a paged work-order list filtered by update time. Quirks it shares with real ones:
 *  - times are 'yyyy-MM-dd HH:mm:ss' without an offset, to the second; bulk operations give many
 *    orders the same update time;
 *  - errors come as HTTP 200 with {"code":"9999","msg":"系统繁忙"} (and, with faults on, as 500s,
 *    time-outs, slow pages and truncated bodies);
 *  - `total` is a string; phone numbers are written in every format; field names are pinyin initials;
 *  - the list is sorted by update time only if you ask (orderBy=gxsj).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { installFaults } from '../shared/faults.js';
import { installDispatchInbox } from '../shared/dispatch-inbox.js';
import { VILLAGES, pick, seededRandom, shanghaiDateTime } from '../shared/county.js';

export const HOTLINE_STATUSES = ['受理', '派单', '办理', '回访', '办结'] as const;
export type HotlineStatus = (typeof HOTLINE_STATUSES)[number];

/** A work order as the platform stores and serves it. */
export interface WorkOrder {
  gdbh: string; // 工单编号
  sqbt: string; // 诉求标题
  sqnr: string; // 诉求内容
  flmc: string; // 分类名称 (the hotline's own category path)
  jjcd: '一般' | '紧急' | '特急';
  gdzt: HotlineStatus; // 工单状态
  ldrxm: string; // 来电人姓名
  ldrdh: string; // 来电电话
  xzqhdm: string; // 行政区划代码 (12 digits)
  sjdz: string; // 事件地址
  cbdw: string | null; // 承办单位
  slsj: string; // 受理时间
  gxsj: string; // 更新时间
  blsx: string | null; // 办理时限
  bmbz: '0' | '1'; // 保密标志
  qymc?: string | null; // 企业名称 (the enterprise complained about)
  qytyxydm?: string | null; // 统一社会信用代码
  ldrsfzh?: string | null; // 来电人身份证号 (recorded by some call centres)
  bljg?: string | null; // 办理结果 (the result the work order was closed with)
  hfjg?: '满意' | '基本满意' | '不满意' | null; // 回访结果 (the citizen's verdict when called back)
  hfsj?: string | null; // 回访时间
  hfyj?: string | null; // 回访意见
}

export interface HotlineServerOptions {
  /**
   * 回访: after a result closes a work order, the operator calls the citizen back `afterMs` later;
   * `unsatisfiedShare` of them are not satisfied (the demo; tests drive 回访 themselves).
   */
  callBack?: { afterMs: number; unsatisfiedShare: number; seed?: number };
}

const CASES: Array<[string, string, string]> = [
  ['城乡建设-违章建筑', '反映违章搭建', '{addr}有住户私自在楼顶加盖彩钢房，影响邻居采光，请相关部门处理。'],
  ['环境保护-油烟污染', '餐饮油烟扰民', '{addr}一楼烧烤店油烟直排，气味很大，晚上无法开窗，希望尽快处理。'],
  ['环境保护-噪声污染', '夜间施工噪声', '{addr}工地夜间十一点后仍在施工，噪声很大，影响休息。'],
  ['市场监管-无照经营', '无证经营', '{addr}有一家小作坊没有营业执照，在生产食品，卫生条件差。'],
  ['城市管理-占道经营', '占道经营', '{addr}路口早市摊贩占道经营，影响通行。'],
  ['城市管理-环境卫生', '垃圾未清运', '{addr}垃圾桶满溢三天无人清运，气味难闻。'],
  ['安全生产-消防安全', '燃气安全隐患', '{addr}餐馆液化气罐放在后厨门口，无防护，存在安全隐患。'],
  ['国土资源-土地违法', '占用耕地', '{addr}附近有人在耕地上挖沙取土。'],
  ['城乡建设-路灯照明', '路灯不亮', '{addr}路灯损坏一周未修，夜间出行不便。'],
  ['政务服务-政策咨询', '咨询营业执照办理', '咨询在{town}办理个体工商户营业执照需要哪些材料。'],
];

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '乌', '包', '白', '其其格'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '巴特尔', '格日乐', '秀英'];
const STREETS = ['伊克昭街', '锡尼大街', '团结路', '文化路', '乌兰路', '振兴路'];
const PHONE_FORMATS = [
  (n: string) => n,
  (n: string) => `${n.slice(0, 3)} ${n.slice(3, 7)} ${n.slice(7)}`,
  (n: string) => `+86-${n}`,
  (n: string) => `${n.slice(0, 3)}-${n.slice(3, 7)}-${n.slice(7)}`,
];

export interface HotlineOptions {
  seed?: number;
  /** Clock for update times (tests may pin it). */
  now?: () => number;
}

export class HotlineStore {
  readonly orders = new Map<string, WorkOrder>();
  private seq = 0;
  /** Orders sorted by (gxsj, gdbh), rebuilt only after a change: benchmarks page through 100k orders. */
  private sorted: WorkOrder[] | undefined;
  private readonly rand: () => number;

  constructor(private readonly opts: HotlineOptions = {}) {
    this.rand = seededRandom(opts.seed ?? 12345);
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  nextId(at: number): string {
    this.seq += 1;
    return `GD${shanghaiDateTime(at).slice(0, 10).replace(/-/g, '')}${String(this.seq).padStart(6, '0')}`;
  }

  /** A realistic new work order (status 受理). */
  generate(at = this.now()): WorkOrder {
    const r = this.rand;
    const v = pick(r, VILLAGES);
    const [flmc, sqbt, tpl] = pick(r, CASES);
    const addr = `${v.town}${v.name}${pick(r, STREETS)}${1 + Math.floor(r() * 200)}号`;
    const mobile = `1${pick(r, ['39', '58', '86', '37', '52'])}${String(Math.floor(r() * 1e8)).padStart(8, '0')}`;
    const o: WorkOrder = {
      gdbh: this.nextId(at),
      sqbt,
      sqnr: tpl.replace('{addr}', addr).replace('{town}', v.town),
      flmc,
      jjcd: r() < 0.1 ? '紧急' : '一般',
      gdzt: '受理',
      ldrxm: `${pick(r, SURNAMES)}${pick(r, GIVEN)}`,
      ldrdh: pick(r, PHONE_FORMATS)(mobile),
      xzqhdm: v.code,
      sjdz: addr,
      cbdw: null,
      slsj: shanghaiDateTime(at),
      gxsj: shanghaiDateTime(at),
      blsx: null,
      bmbz: '0',
    };
    this.orders.set(o.gdbh, o);
    this.sorted = undefined;
    return o;
  }

  create(partial: Partial<WorkOrder>, at = this.now()): WorkOrder {
    const o = { ...this.generate(at), ...partial, slsj: partial.slsj ?? shanghaiDateTime(at), gxsj: shanghaiDateTime(at) };
    this.orders.set(o.gdbh, o);
    this.sorted = undefined;
    return o;
  }

  update(id: string, patch: Partial<WorkOrder>, at = this.now()): WorkOrder | undefined {
    const o = this.orders.get(id);
    if (!o) return undefined;
    const u = { ...o, ...patch, gdbh: o.gdbh, gxsj: shanghaiDateTime(at) };
    this.orders.set(id, u);
    this.sorted = undefined;
    return u;
  }

  /**
   * Loads work orders as they are (e.g. departments/hotline.jsonl of a county dataset); an order with
   * the same gdbh is replaced. Later generated orders get numbers after the highest loaded one.
   * Returns how many were loaded.
   */
  loadWorkOrders(orders: Iterable<WorkOrder>): number {
    let n = 0;
    for (const o of orders) {
      this.orders.set(o.gdbh, { ...o });
      const m = /(\d{6})$/.exec(o.gdbh);
      if (m) this.seq = Math.max(this.seq, Number(m[1]));
      n += 1;
    }
    return n;
  }

  /** Moves a random open order one step along 受理→派单→办理→回访→办结. */
  advanceRandom(at = this.now()): WorkOrder | undefined {
    const open = [...this.orders.values()].filter((o) => o.gdzt !== '办结');
    if (!open.length) return undefined;
    const o = pick(this.rand, open);
    const next = HOTLINE_STATUSES[HOTLINE_STATUSES.indexOf(o.gdzt) + 1]!;
    return this.update(o.gdbh, { gdzt: next, cbdw: o.cbdw ?? '综合行政执法局' }, at);
  }

  /** Orders updated at or after `since`, sorted as asked. */
  list(since: string | undefined, orderBy: string | undefined): WorkOrder[] {
    if (orderBy !== 'gxsj') return [...this.orders.values()].filter((o) => !since || o.gxsj >= since);
    this.sorted ??= [...this.orders.values()].sort((a, b) => (a.gxsj === b.gxsj ? (a.gdbh < b.gdbh ? -1 : 1) : a.gxsj < b.gxsj ? -1 : 1));
    if (!since) return this.sorted;
    // first index with gxsj >= since (binary search over the sorted copy)
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid]!.gxsj < since) lo = mid + 1;
      else hi = mid;
    }
    return this.sorted.slice(lo);
  }
}

export function buildHotlineServer(store = new HotlineStore(), opts: HotlineServerOptions = {}): FastifyInstance {
  const app = Fastify({ logger: false });
  const callBack = opts.callBack;
  const verdicts = seededRandom(callBack?.seed ?? 12345);
  const timers = new Set<NodeJS.Timeout>();
  app.addHook('onClose', async () => timers.forEach(clearTimeout));
  installFaults(app, () => ({ code: '9999', msg: '系统繁忙,请稍后再试', data: null }));
  installDispatchInbox(app, {
    path: '/api/v2/dispatches',
    receiptPrefix: 'RXSD',
    // the centre's one result for one of our work orders closes it with that result: the operator
    // calls the citizen back with it instead of typing another department's result in again
    onReceive: (a) => {
      // the result sent before no longer applies (the matter was merged into an open one, or the order split out): back to 办理
      if (a.pdlx === '重新办理通知' && a.ywbh && store.orders.has(a.ywbh)) return void store.update(a.ywbh, { gdzt: '办理', bljg: null });
      if (a.pdlx !== '结果反馈' || !a.ywbh || !store.orders.has(a.ywbh)) return;
      const id = a.ywbh;
      store.update(id, { gdzt: '办结', bljg: a.bljg ?? null });
      if (!callBack) return;
      const satisfied = verdicts() >= callBack.unsatisfiedShare;
      const t = setTimeout(() => {
        timers.delete(t);
        store.update(id, { gdzt: '回访', hfjg: satisfied ? '满意' : '不满意', hfsj: shanghaiDateTime(Date.now()), hfyj: satisfied ? null : '问题没有解决，要求重新处理。' });
      }, callBack.afterMs);
      timers.add(t);
    },
  }); // the county center's assignments arrive here

  app.get<{ Querystring: { updateTimeBegin?: string; pageNum?: string; pageSize?: string; orderBy?: string } }>(
    '/api/v2/workorders',
    async (req) => {
      const pageNum = Math.max(1, Number(req.query.pageNum ?? 1));
      beforePage(app, store, req.query.updateTimeBegin, req.query.orderBy, pageNum);
      const pageSize = Math.min(2000, Math.max(1, Number(req.query.pageSize ?? 20)));
      const all = store.list(req.query.updateTimeBegin, req.query.orderBy);
      const rows = all.slice((pageNum - 1) * pageSize, pageNum * pageSize);
      return { code: '0000', msg: '成功', data: { total: String(all.length), pageNum, pageSize, rows } };
    },
  );

  // Control routes for tests and the demo (not part of the platform's API).
  app.post<{ Body: Partial<WorkOrder> }>('/__sim/workorders', async (req) => store.create(req.body ?? {}));
  app.patch<{ Params: { id: string }; Body: Partial<WorkOrder> }>('/__sim/workorders/:id', async (req, reply) => {
    const o = store.update(req.params.id, req.body ?? {});
    return o ?? reply.code(404).send({ error: 'no such work order' });
  });
  app.post<{ Body: { count?: number; at?: number } }>('/__sim/generate', async (req) => {
    const n = req.body?.count ?? 1;
    const at = req.body?.at; // one update time for all (a bulk operation), epoch ms
    return { created: Array.from({ length: n }, () => (at === undefined ? store.generate() : store.generate(at)).gdbh) };
  });
  // Orders stored exactly as given, whatever their update time (mistyped, null, far future).
  app.post<{ Body: { orders: WorkOrder[] } }>('/__sim/load', async (req) => ({ loaded: store.loadWorkOrders(req.body.orders) }));
  installListQuirks(app, store);
  app.post('/__sim/advance', async () => store.advanceRandom() ?? null);
  app.get('/__sim/workorders', async () => [...store.orders.values()]);
  app.get('/health', async () => ({ status: 'ok', orders: store.orders.size }));
  return app;
}

/**
 * List quirks (POST /__sim/quirks): {"mode":"shift-before-page","page":3,"count":100} — the first
 * time page 3 is asked for, the first `count` orders of the listing (already read on earlier pages)
 * are updated to the current time first, so the list shifts under the page numbers. What happens
 * on a real platform when orders are worked on while a connector pages through a bulk import.
 */
interface ListQuirk {
  mode: 'shift-before-page';
  page: number;
  count: number;
  shifted?: string[];
}
const quirks = new WeakMap<FastifyInstance, ListQuirk[]>();

function installListQuirks(app: FastifyInstance, _store: HotlineStore): void {
  quirks.set(app, []);
  app.post<{ Body: ListQuirk }>('/__sim/quirks', async (req) => {
    quirks.get(app)!.push({ mode: req.body.mode, page: req.body.page, count: req.body.count });
    return { queued: quirks.get(app)!.length };
  });
  app.get('/__sim/quirks', async () => quirks.get(app));
}

function beforePage(app: FastifyInstance, store: HotlineStore, since: string | undefined, orderBy: string | undefined, pageNum: number): void {
  for (const q of quirks.get(app) ?? []) {
    if (q.shifted || q.mode !== 'shift-before-page' || q.page !== pageNum) continue;
    const victims = store.list(since, orderBy).slice(0, q.count).map((o) => o.gdbh);
    for (const id of victims) store.update(id, { gdzt: '派单', cbdw: '综合行政执法局' });
    q.shifted = victims;
  }
}
