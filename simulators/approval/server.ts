/**
 * The government-service platform's data-sharing interface (政务服务数据共享接口), the way provincial
 * data-sharing exchange platforms expose it to a county:
 *
 *   GET /api/v1/applications?updateTimeBegin=yyyy-MM-dd HH:mm:ss&pageNo=1&pageSize=200[&sortField=updateTime&sortOrder=asc]
 *   GET /api/v1/items   (also /items)   the service-item catalogue, incl. the items delegated to towns
 *
 * Every request is signed: headers x-app-key, x-timestamp (epoch ms), x-nonce and x-signature =
 * hex HMAC-SHA256(secret, appKey + timestamp + nonce + path?query). The platform VERIFIES it and
 * answers HTTP 401 with a body code when it does not hold:
 *   40100 缺少签名参数 · 40101 AppKey 不存在 · 40102 时间戳超出允许范围 (clock skew > maxSkewMs)
 *   40103 签名验证失败 · 40104 请求重复 (a nonce already used within the skew window: a replay)
 * Answers are {"code":"00000","msg":"成功","data":{"total","pageNo","pageSize","list":[…]}}; errors
 * inside HTTP 200 are {"code":"50000","msg":"系统繁忙，请稍后再试","data":null}. The list is ordered
 * by 办件编号 unless sortField=updateTime is asked for. Failure modes (500s, busy bodies, time-outs,
 * slow and truncated pages) come from POST /__sim/faults (simulators/shared/faults.ts).
 *
 * Control routes (tests and the demo; not part of the platform's API):
 *   GET  /__sim/applications            every application as stored
 *   POST /__sim/receive  {count?}       new applications (已接件)
 *   POST /__sim/advance  {count?}       move open applications one step
 *   PATCH /__sim/applications/:id       change one (更新时间 is stamped)
 *   GET  /__sim/auth-failures           refused requests by code
 *   POST /__sim/auto {receiveEveryMs?, advanceEveryMs?}   background activity (0 = off)
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ApprovalApplication } from '../county/native/approval.js';
import { installFaults } from '../shared/faults.js';
import { ApplicationStore } from './store.js';

export const DEMO_APP_KEY = 'countyhub-demo';
export const DEMO_APP_SECRET = 'approval-demo-secret';

export interface ApprovalServerOptions {
  store?: ApplicationStore;
  /** Accepted credentials: app key → secret. Default: the demo pair. */
  credentials?: Record<string, string>;
  /** Allowed difference between the request's timestamp and the platform's clock; default 300 s. */
  maxSkewMs?: number;
  receiveEveryMs?: number;
  advanceEveryMs?: number;
  now?: () => number;
}

export interface AuthFailure {
  code: '40100' | '40101' | '40102' | '40103' | '40104';
  msg: string;
}

/** Verifies an app-key signed request; remembers nonces of accepted requests for the skew window. */
export class SignatureVerifier {
  private readonly nonces = new Map<string, number>();

  constructor(
    private readonly credentials: Record<string, string>,
    private readonly maxSkewMs = 300_000,
    private readonly now: () => number = Date.now,
  ) {}

  check(headers: Record<string, string | string[] | undefined>, pathAndQuery: string): AuthFailure | null {
    const h = (n: string) => {
      const v = headers[n];
      return Array.isArray(v) ? v[0] : v;
    };
    const key = h('x-app-key');
    const ts = h('x-timestamp');
    const nonce = h('x-nonce');
    const sig = h('x-signature');
    if (!key || !ts || !nonce || !sig) return { code: '40100', msg: '缺少签名参数 (x-app-key, x-timestamp, x-nonce and x-signature are required)' };
    const secret = this.credentials[key];
    if (secret === undefined) return { code: '40101', msg: `AppKey 不存在: ${key}` };
    const t = Number(ts);
    const now = this.now();
    if (!/^\d{10,16}$/.test(ts) || Math.abs(now - t) > this.maxSkewMs) {
      return { code: '40102', msg: `时间戳超出允许范围 (x-timestamp ${ts} differs from the platform clock ${now} by more than ${this.maxSkewMs / 1000} s; check the client's clock)` };
    }
    const expected = createHmac('sha256', secret).update(`${key}${ts}${nonce}${pathAndQuery}`).digest();
    const got = /^[0-9a-f]+$/i.test(sig) ? Buffer.from(sig, 'hex') : Buffer.alloc(0);
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) return { code: '40103', msg: '签名验证失败 (x-signature does not match: wrong app secret, or the signed path/query differs)' };
    this.forgetOld(now);
    if (this.nonces.has(`${key}\u0000${nonce}`)) return { code: '40104', msg: `请求重复 (nonce ${nonce} was already used: a replayed request)` };
    this.nonces.set(`${key}\u0000${nonce}`, t);
    return null;
  }

  private forgetOld(now: number): void {
    if (this.nonces.size < 10_000) return;
    for (const [n, t] of this.nonces) if (Math.abs(now - t) > this.maxSkewMs) this.nonces.delete(n);
  }
}

export function buildApprovalServer(opts: ApprovalServerOptions = {}): FastifyInstance {
  const store = opts.store ?? new ApplicationStore();
  const verifier = new SignatureVerifier(opts.credentials ?? { [DEMO_APP_KEY]: DEMO_APP_SECRET }, opts.maxSkewMs ?? 300_000, opts.now);
  const failures: Record<string, number> = {};
  const app = Fastify({ logger: false });
  installFaults(app, () => ({ code: '50000', msg: '系统繁忙，请稍后再试', data: null }));

  const signed = async (req: { headers: Record<string, string | string[] | undefined>; url: string }, reply: { code(c: number): { send(b: unknown): unknown } }) => {
    const denied = verifier.check(req.headers, req.url);
    if (!denied) return undefined;
    failures[denied.code] = (failures[denied.code] ?? 0) + 1;
    return reply.code(401).send({ code: denied.code, msg: denied.msg, data: null });
  };

  app.get<{ Querystring: { updateTimeBegin?: string; pageNo?: string; pageSize?: string; sortField?: string; sortOrder?: string } }>('/api/v1/applications', async (req, reply) => {
    const denied = await signed(req, reply);
    if (denied) return denied;
    const pageNo = Math.max(1, Number(req.query.pageNo ?? 1) || 1);
    const pageSize = Math.min(1000, Math.max(1, Number(req.query.pageSize ?? 20) || 20));
    const all = store.list(req.query.updateTimeBegin, req.query.sortField === 'updateTime');
    const list = req.query.sortOrder === 'desc' ? [...all].reverse() : all;
    return { code: '00000', msg: '成功', data: { total: all.length, pageNo, pageSize, list: list.slice((pageNo - 1) * pageSize, pageNo * pageSize) } };
  });

  const items = async (req: { headers: Record<string, string | string[] | undefined>; url: string }, reply: { code(c: number): { send(b: unknown): unknown } }) => {
    const denied = await signed(req, reply);
    if (denied) return denied;
    return { code: '00000', msg: '成功', data: { total: store.catalogue.length, list: store.catalogue } };
  };
  app.get('/api/v1/items', items);
  app.get('/items', items);

  app.get('/__sim/applications', async () => [...store.apps.values()]);
  app.post<{ Body: { count?: number } }>('/__sim/receive', async (req) => ({ received: Array.from({ length: req.body?.count ?? 1 }, () => store.receive().办件编号) }));
  app.post<{ Body: { count?: number } }>('/__sim/advance', async (req) => ({
    advanced: Array.from({ length: req.body?.count ?? 1 }, () => store.advance()?.办件编号).filter((x): x is string => !!x),
  }));
  app.patch<{ Params: { id: string }; Body: Partial<ApprovalApplication> }>('/__sim/applications/:id', async (req, reply) => store.update(req.params.id, req.body ?? {}) ?? reply.code(404).send({ error: 'no such application' }));
  app.get('/__sim/auth-failures', async () => failures);

  const timers: NodeJS.Timeout[] = [];
  const auto = (receiveEveryMs = 0, advanceEveryMs = 0) => {
    for (const t of timers.splice(0)) clearInterval(t);
    if (receiveEveryMs > 0) timers.push(setInterval(() => store.receive(), receiveEveryMs));
    if (advanceEveryMs > 0) timers.push(setInterval(() => store.advance(), advanceEveryMs));
  };
  auto(opts.receiveEveryMs, opts.advanceEveryMs);
  app.post<{ Body: { receiveEveryMs?: number; advanceEveryMs?: number } }>('/__sim/auto', async (req) => {
    auto(req.body?.receiveEveryMs, req.body?.advanceEveryMs);
    return { receiveEveryMs: req.body?.receiveEveryMs ?? 0, advanceEveryMs: req.body?.advanceEveryMs ?? 0 };
  });
  app.get('/health', async () => ({ status: 'ok', applications: store.apps.size }));
  app.addHook('onClose', async () => {
    for (const t of timers.splice(0)) clearInterval(t);
  });
  return app;
}
