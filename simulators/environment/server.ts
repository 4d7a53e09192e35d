/**
 * The environment department's platforms in one server:
 *  - GET /api/12369/complaints — the 12369 complaint list (app-key signed requests, page/size,
 *    update-time filter), with failure modes from POST /__sim/faults (simulators/shared/faults.ts).
 *    Its rows are native EnvironmentComplaint records (connectors/adapters/environment/native.ts):
 *    {"success":true,"code":200,"result":{"records":[{"举报编号":…,"更新时间":…},…],"total",…}};
 *  - the online-monitoring platform, which pushes alarms to the webhook set on the command line or
 *    with POST /__sim/webhook, and reports every alarm and its acknowledgement at GET /__sim/ledger.
 *
 * Control routes (tests and the demo; not part of the platforms' APIs):
 *   POST   /__sim/webhook       {url, secret}                       where alarms are pushed
 *   POST   /__sim/alarms        {count?, batch?, corrupt?: "crc"|"length", mn?}  raise alarms now
 *   GET    /__sim/ledger                                           every alarm, acknowledged or not
 *   POST   /__sim/pusher        {paused}                            stop/resume pushing (platform outage)
 *   POST   /__sim/push-faults   {mode: "lose-ack"|"duplicate"|"bad-signature"|"stale-timestamp", count?}
 *   DELETE /__sim/push-faults
 *   POST   /__sim/faults        {mode, count, delayMs}              faults of the complaint list
 *   POST   /__sim/complaints    {…partial EnvironmentComplaint}   PATCH /__sim/complaints/:id (举报编号)   GET /__sim/complaints
 *   POST   /__sim/generate      {count?}     POST /__sim/advance
 *   POST   /__sim/auto          {alarmsEveryMs?, complaintsEveryMs?}  background activity (0 = off)
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { installFaults } from '../shared/faults.js';
import { installDispatchInbox } from '../shared/dispatch-inbox.js';
import { AlarmPlatform, type PushFaultMode } from './alarms.js';
import { ComplaintStore, type EnvironmentComplaint } from './complaints.js';
import type { Corruption } from './hj212.js';

export interface EnvironmentServerOptions {
  complaints?: ComplaintStore;
  alarms?: AlarmPlatform;
  /** Credentials the complaint list accepts (app-key + HMAC-SHA256 signature). */
  appKey?: string;
  appSecret?: string;
  alarmsEveryMs?: number;
  complaintsEveryMs?: number;
}

export const DEMO_APP_KEY = 'countyhub-demo';
export const DEMO_APP_SECRET = 'environment-demo-secret';

const PUSH_FAULTS: PushFaultMode[] = ['lose-ack', 'duplicate', 'bad-signature', 'stale-timestamp'];

function checkAppKey(headers: Record<string, string | string[] | undefined>, pathAndQuery: string, appKey: string, appSecret: string): string | null {
  const h = (n: string) => {
    const v = headers[n];
    return Array.isArray(v) ? v[0] : v;
  };
  const key = h('x-app-key');
  const ts = h('x-timestamp');
  const nonce = h('x-nonce');
  const sig = h('x-signature');
  if (!key || !ts || !nonce || !sig) return '缺少签名参数 x-app-key/x-timestamp/x-nonce/x-signature';
  if (key !== appKey) return `应用标识无效: ${key}`;
  if (Math.abs(Date.now() - Number(ts)) > 300_000) return '时间戳已过期';
  const expected = createHmac('sha256', appSecret).update(`${key}${ts}${nonce}${pathAndQuery}`).digest();
  const got = Buffer.from(sig, 'hex');
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return '签名错误';
  return null;
}

export function buildEnvironmentServer(opts: EnvironmentServerOptions = {}): FastifyInstance {
  const complaints = opts.complaints ?? new ComplaintStore();
  const alarms = opts.alarms ?? new AlarmPlatform();
  const appKey = opts.appKey ?? DEMO_APP_KEY;
  const appSecret = opts.appSecret ?? DEMO_APP_SECRET;
  const app = Fastify({ logger: false });
  installFaults(app, () => ({ success: false, code: 500, message: '系统繁忙，请稍后再试', result: null }));
  // the county center's assignments arrive here; its one result for one of our complaints closes
  // that complaint with the result (统一出件), so nobody types the enforcement bureau's words again
  installDispatchInbox(app, {
    path: '/api/12369/dispatches',
    receiptPrefix: 'HBSD',
    onReceive: (a) => {
      if (a.pdlx === '结果反馈' && a.ywbh && complaints.complaints.has(a.ywbh)) complaints.update(a.ywbh, { 办理状态: '已办结', 办理结果: a.bljg ?? null });
    },
  });

  app.get<{ Querystring: { updateTimeStart?: string; current?: string; size?: string; sortField?: string; sortOrder?: string } }>(
    '/api/12369/complaints',
    async (req, reply) => {
      const denied = checkAppKey(req.headers, req.url, appKey, appSecret);
      if (denied) return reply.code(401).send({ success: false, code: 401, message: denied, result: null });
      const current = Math.max(1, Number(req.query.current ?? 1));
      const size = Math.min(500, Math.max(1, Number(req.query.size ?? 10)));
      const all = complaints.list(req.query.updateTimeStart, req.query.sortField, req.query.sortOrder);
      const records = all.slice((current - 1) * size, current * size);
      return { success: true, code: 200, message: '操作成功', result: { records, total: all.length, current, size, pages: Math.ceil(all.length / size) } };
    },
  );

  // the online-monitoring platform
  app.post<{ Body: { url?: string; secret?: string } }>('/__sim/webhook', async (req, reply) => {
    const { url, secret } = req.body ?? {};
    if (!url || !secret) return reply.code(400).send({ error: 'url and secret are required' });
    alarms.setTarget(url, secret);
    return { webhook: url };
  });
  app.post<{ Body: { count?: number; batch?: boolean; corrupt?: Corruption; mn?: string } }>('/__sim/alarms', async (req) => {
    const raised = alarms.raise(req.body ?? {});
    return { raised: raised.map((e) => ({ id: e.id, mn: e.mn, qn: e.qn })) };
  });
  app.get('/__sim/ledger', async () => alarms.view());
  app.post<{ Body: { paused?: boolean } }>('/__sim/pusher', async (req) => {
    alarms.setPaused(Boolean(req.body?.paused));
    return { paused: Boolean(req.body?.paused) };
  });
  app.post<{ Body: { mode: PushFaultMode; count?: number } }>('/__sim/push-faults', async (req, reply) => {
    if (!PUSH_FAULTS.includes(req.body?.mode)) return reply.code(400).send({ error: `mode must be one of ${PUSH_FAULTS.join(', ')}` });
    alarms.addFault(req.body.mode, req.body.count ?? 1);
    return { queued: true };
  });
  app.delete('/__sim/push-faults', async () => {
    alarms.clearFaults();
    return { cleared: true };
  });

  // the complaint platform
  app.post<{ Body: Partial<EnvironmentComplaint> }>('/__sim/complaints', async (req) => complaints.create(req.body ?? {}));
  app.patch<{ Params: { id: string }; Body: Partial<EnvironmentComplaint> }>('/__sim/complaints/:id', async (req, reply) => {
    const c = complaints.update(req.params.id, req.body ?? {});
    return c ?? reply.code(404).send({ error: 'no such complaint' });
  });
  app.get('/__sim/complaints', async () => [...complaints.complaints.values()]);
  app.post<{ Body: { count?: number } }>('/__sim/generate', async (req) => ({ created: Array.from({ length: req.body?.count ?? 1 }, () => complaints.generate().举报编号) }));
  app.post('/__sim/advance', async () => complaints.advanceRandom() ?? null);

  // background activity for the demo
  const timers: NodeJS.Timeout[] = [];
  const auto = (alarmsEveryMs = 0, complaintsEveryMs = 0) => {
    for (const t of timers.splice(0)) clearInterval(t);
    if (alarmsEveryMs > 0) timers.push(setInterval(() => alarms.raise(), alarmsEveryMs));
    if (complaintsEveryMs > 0) {
      timers.push(
        setInterval(() => {
          if (Math.random() < 0.6 || complaints.complaints.size === 0) complaints.generate();
          else complaints.advanceRandom();
        }, complaintsEveryMs),
      );
    }
  };
  auto(opts.alarmsEveryMs, opts.complaintsEveryMs);
  app.post<{ Body: { alarmsEveryMs?: number; complaintsEveryMs?: number } }>('/__sim/auto', async (req) => {
    auto(req.body?.alarmsEveryMs, req.body?.complaintsEveryMs);
    return { alarmsEveryMs: req.body?.alarmsEveryMs ?? 0, complaintsEveryMs: req.body?.complaintsEveryMs ?? 0 };
  });
  app.get('/health', async () => ({ status: 'ok', complaints: complaints.complaints.size, alarms: alarms.view().total }));
  app.addHook('onClose', async () => {
    for (const t of timers.splice(0)) clearInterval(t);
    await alarms.stop();
  });
  return app;
}
