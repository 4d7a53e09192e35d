/**
 * The receiving side of a department platform: where the county center's assignments arrive
 * (派单接收接口). Real platforms of this kind take a JSON document in their own field names, require
 * a 派单编号 that is unique per assignment, and answer a repeated 派单编号 with the receipt they
 * gave the first time (接口幂等) — so a sender that retries after a lost answer does not create the
 * case twice. A repeated number with different content is refused (40901).
 *
 *   POST <path>          header Idempotency-Key: <派单编号>; body {pdbh, sjbh, rwbh, pdlx, qtbm, xbbm,
 *                        clsx, pdyj, dz, sjms, pdsj}   → 201 first time, 200 on a repeat, 409 on a clash
 *   GET  /__sim/inbox    every assignment received, with how many times it was delivered
 *   DELETE /__sim/inbox  forget them (tests)
 */
import type { FastifyInstance } from 'fastify';

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
}

interface Received {
  assignment: InboxAssignment;
  body: string;
  receipt: string;
  receivedAt: string;
  deliveries: number;
}

const REQUIRED: Array<keyof InboxAssignment> = ['pdbh', 'sjbh', 'pdlx', 'pdsj'];

export function installDispatchInbox(app: FastifyInstance, opts: { path: string; receiptPrefix: string }): void {
  const inbox = new Map<string, Received>();
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
    const r: Received = { assignment: a, body, receipt: `${opts.receiptPrefix}${String(seq).padStart(8, '0')}`, receivedAt: beijing(new Date()), deliveries: 1 };
    inbox.set(key, r);
    return reply.code(201).send({ code: 0, msg: '接收成功', data: { sdbh: r.receipt, jssj: r.receivedAt } });
  });
  app.get('/__sim/inbox', async () => [...inbox.values()].map((r) => ({ ...r.assignment, receipt: r.receipt, receivedAt: r.receivedAt, deliveries: r.deliveries })));
  app.delete('/__sim/inbox', async () => {
    inbox.clear();
    return { cleared: true };
  });
}

function beijing(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}
