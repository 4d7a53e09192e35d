/**
 * The receiving side of a department platform: where the county center's assignments arrive
 * (派单接收接口). Real platforms of this kind take a JSON document in their own field names, require
 * a 派单编号 that is unique per assignment, and answer a repeated 派单编号 with the receipt they
 * gave the first time (接口幂等) — so a sender that retries after a lost answer does not create the
 * case twice. A repeated number with different content is refused (40901).
 *
 *   POST <path>          header Idempotency-Key: <派单编号>; body {pdbh, sjbh, rwbh, pdlx, qtbm, xbbm,
 *                        clsx, pdyj, dz, sjms, pdsj}   → 201 first time, 200 on a repeat, 409 on a clash
 *   GET  <path>/feedback?updateTimeBegin=&pageNum=&pageSize=
 *                        the departments' progress on what they received (反馈): 到场 and 办结 with
 *                        their times and result, paged by update time (gxsj), oldest first
 *   GET  /__sim/inbox    every assignment received, with how many times it was delivered
 *   DELETE /__sim/inbox  forget them (tests)
 *
 * The simulated departments work on what they receive: each 派单/改派 is received, reached on site
 * some minutes later and, for most, closed hours later — a schedule drawn from the 派单编号, so it
 * is the same on every run and for every redelivery. A progress step is published once its time has
 * come. An assignment issued before this platform started (the centre dispatching the simulated
 * county's history, which the platform lived through) was received in that past: its receipt and
 * progress are stamped in the history's own time, as they would have been — never by the wall
 * clock of a platform that was not running then. Everything issued later is received when it
 * arrives (an outage of the platform delays the receipt, as it would).
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { seededRandom } from './county.js';

export interface InboxAssignment {
  /** 派单编号: the sender's idempotency key. */
  pdbh: string;
  /** 事件编号: the county's matter id. */
  sjbh: string;
  /** 任务编号: the county's task id for this department, quoted back in progress reports. */
  rwbh: string | null;
  /** 派单类型: 派单 改派 办结 合并 拆分. */
  pdlx: string;
  qtbm: string | null;
  xbbm: string[];
  /** 处理时限 yyyy-MM-dd HH:mm:ss (Beijing time). */
  clsx: string | null;
  pdyj: string | null;
  dz: string | null;
  sjms: string | null;
  pdsj: string;
  /** 结果反馈: the platform's own record the result answers, the result, and when the matter closed. */
  ywbh?: string;
  ywxt?: string;
  bljg?: string | null;
  bjsj?: string;
}

interface Received {
  assignment: InboxAssignment;
  body: string;
  receipt: string;
  receivedAt: string;
  deliveries: number;
}

/** One progress report of a department on an assignment (反馈), in the platform's field names. */
export interface Feedback {
  /** 反馈编号 */
  fkbh: string;
  pdbh: string;
  sjbh: string;
  rwbh: string | null;
  /** 反馈部门 (the county's department id the assignment was for) */
  fkbm: string;
  /** 派单版本: the centre's decision version this answers */
  pdbb: number;
  /** 反馈类型: 到场 or 办结 */
  fklx: '到场' | '办结';
  /** 反馈时间 (when it happened), yyyy-MM-dd HH:mm:ss Beijing time */
  fksj: string;
  /** 办理结果 (办结 only) */
  bljg: string | null;
  /** 更新时间 (when the platform recorded it) */
  gxsj: string;
}

interface Scheduled extends Feedback {
  /** ms: published once the clock has passed it */
  due: number;
}

const RESULTS = [
  '已到现场核查处置，问题已整改到位，经复查合格。',
  '已责令当事人立即整改，现场已恢复正常，群众反映问题已解决。',
  '经现场核实，已依法依规处理完毕并向反映人反馈。',
  '已联合属地网格员现场处置，隐患已消除，纳入日常巡查。',
];

const REQUIRED: Array<keyof InboxAssignment> = ['pdbh', 'sjbh', 'pdlx', 'pdsj'];

export function installDispatchInbox(app: FastifyInstance, opts: { path: string; receiptPrefix: string; now?: () => number; onReceive?: (a: InboxAssignment) => void }): void {
  const inbox = new Map<string, Received>();
  const now = opts.now ?? Date.now;
  const liveFrom = now(); // before this, the platform's past: the simulated history
  const feedback: Scheduled[] = [];
  let seq = 0;
  app.post<{ Body: InboxAssignment }>(opts.path, async (req, reply) => {
    const key = req.headers['idempotency-key'];
    const a = req.body;
    if (typeof key !== 'string' || !key) return reply.code(400).send({ code: 40001, msg: '缺少 Idempotency-Key（派单编号）', data: null });
    const missing = REQUIRED.filter((f) => !a || typeof a[f] !== 'string' || !a[f]);
    if (missing.length) return reply.code(400).send({ code: 40002, msg: `缺少必填字段：${missing.join('、')}`, data: null });
    if (a.pdbh !== key) return reply.code(400).send({ code: 40003, msg: 'pdbh 与 Idempotency-Key 不一致', data: null });
    const body = JSON.stringify(a);
    const seen = inbox.get(key);
    if (seen) {
      seen.deliveries += 1;
      if (seen.body !== body) return reply.code(409).send({ code: 40901, msg: '派单编号已使用且内容不同', data: { sdbh: seen.receipt } });
      return reply.code(200).send({ code: 0, msg: '重复派单，已按首次接收处理', data: { sdbh: seen.receipt, jssj: seen.receivedAt } });
    }
    seq += 1;
    const arrived = now();
    const plan = schedule(a, arrived, liveFrom);
    const r: Received = { assignment: a, body, receipt: `${opts.receiptPrefix}${String(seq).padStart(8, '0')}`, receivedAt: beijing(new Date(plan.receivedAt)), deliveries: 1 };
    inbox.set(key, r);
    feedback.push(...plan.steps);
    opts.onReceive?.(a); // the platform acts on it once (a repeat got the first receipt above)
    return reply.code(201).send({ code: 0, msg: '接收成功', data: { sdbh: r.receipt, jssj: r.receivedAt } });
  });
  app.get<{ Querystring: { updateTimeBegin?: string; pageNum?: string; pageSize?: string } }>(`${opts.path}/feedback`, async (req) => {
    const t = now();
    const since = req.query.updateTimeBegin ?? '';
    const pageNum = Math.max(1, Number(req.query.pageNum ?? 1));
    const pageSize = Math.min(500, Math.max(1, Number(req.query.pageSize ?? 50)));
    const visible = feedback
      .filter((f) => f.due <= t && f.gxsj >= since)
      .sort((x, y) => (x.gxsj === y.gxsj ? (x.fkbh < y.fkbh ? -1 : 1) : x.gxsj < y.gxsj ? -1 : 1));
    const rows = visible.slice((pageNum - 1) * pageSize, pageNum * pageSize).map(({ due: _due, ...f }) => f);
    return { code: '0000', msg: '成功', data: { total: String(visible.length), pageNum, pageSize, rows } };
  });
  app.get('/__sim/inbox', async () => [...inbox.values()].map((r) => ({ ...r.assignment, receipt: r.receipt, receivedAt: r.receivedAt, deliveries: r.deliveries })));
  app.delete('/__sim/inbox', async () => {
    inbox.clear();
    return { cleared: true };
  });
}

/**
 * When the department received an assignment and what it did next. Delays are drawn from the
 * 派单编号: received 2–20 minutes after being issued, or 30–120 minutes for 15 % (when issued in
 * the platform's past; else on arrival), on site 10–80 minutes after receipt (the default on-site deadline of 60 minutes from
 * dispatch is sometimes missed), and closed 1–30 hours after that for 85 % of assignments (the rest
 * stay open, as real ones do). Only 派单 and 改派 are worked on.
 */
function schedule(a: InboxAssignment, arrived: number, liveFrom: number): { receivedAt: number; steps: Scheduled[] } {
  const issued = Date.parse(`${a.pdsj.replace(' ', 'T')}+08:00`);
  const rand = seededRandom(createHash('sha256').update(a.pdbh).digest().readUInt32BE(0));
  const pick = (lo: number, hi: number) => lo + rand() * (hi - lo);
  const inPast = Number.isFinite(issued) && issued < liveFrom;
  // most departments sign within the rules' 30 minutes; some are late (a busy office, a night shift)
  const delay = rand() < 0.15 ? pick(30, 120) : pick(2, 20);
  const receivedAt = inPast ? Math.min(issued + delay * 60_000, liveFrom) : arrived;
  const parts = /^(\d+):(\d+):(.+)$/.exec(a.pdbh); // <matter>:<decision version>:<department> (connectors/sinks/assignment.ts)
  if (!parts || !/^(派单|改派)/.test(a.pdlx)) return { receivedAt, steps: [] };
  const [, , version, department] = parts;
  const recorded = (at: number) => beijing(new Date(Math.max(at, arrived))); // history is recorded when the platform learns of it
  const step = (fklx: Feedback['fklx'], at: number, bljg: string | null): Scheduled => ({
    fkbh: `${a.pdbh}:${fklx}`, pdbh: a.pdbh, sjbh: a.sjbh, rwbh: a.rwbh, fkbm: department!, pdbb: Number(version), fklx, fksj: beijing(new Date(at)), bljg, gxsj: recorded(at), due: at,
  });
  const onSite = receivedAt + pick(10, 80) * 60_000;
  const steps = [step('到场', onSite, null)];
  if (rand() < 0.85) steps.push(step('办结', onSite + pick(1, 30) * 3_600_000, RESULTS[Math.floor(rand() * RESULTS.length)]!));
  return { receivedAt, steps };
}

function beijing(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}
