/**
 * The reporting channels' side of the closure tests: the 12345, grid and 12369 simulators with their
 * dispatch inboxes, one sink process serving the three as the demo configures them (the grid
 * platform also receives the grid workers' 核查), a hub, and helpers to read what each platform
 * received. One per test file; each file runs in its own topics and schema.
 */
import { ensureTopics } from '../../../core/kafka.js';
import { createPrincipal, issueApiKey } from '../../../hub/api/auth/principals.js';
import { createDb, type Db } from '../../../hub/store/db.js';
import type { Report, StatusChange } from '../../../schemas/index.js';
import { ComplaintStore } from '../../../simulators/environment/complaints.js';
import { buildEnvironmentServer } from '../../../simulators/environment/server.js';
import { buildGridServer, GridStore } from '../../../simulators/grid/server.js';
import { buildHotlineServer, HotlineStore } from '../../../simulators/hotline-12345/server.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { codecFor, kafkaFor, testContext } from '../../support/context.js';
import { report } from '../hub/status-fixtures.js';

export type Inboxed = { pdbh: string; pdlx: string; sjbh: string; rwbh: string | null; ywbh?: string; ywxt?: string; bljg?: string | null; pdyj?: string | null; qtbm: string | null; deliveries: number };

export function channelsHarness(label: string) {
  const ctx = testContext(label);
  const kafka = kafkaFor(ctx);
  const codec = codecFor(ctx);
  const orders = new HotlineStore();
  const hotline = buildHotlineServer(orders);
  const gridStore = new GridStore({ verification: { failureRate: 0, delayMs: 0 } });
  const grid = buildGridServer(gridStore);
  const complaints = new ComplaintStore();
  const environment = buildEnvironmentServer({ complaints });
  type App = typeof grid;
  const url = (app: App, path: string) => `http://127.0.0.1:${(app.server.address() as { port: number }).port}${path}`;
  const h = {
    ctx,
    orders,
    gridStore,
    complaints,
    apps: { hotline, grid, environment },
    hub: undefined as RunningProcess | undefined,
    sink: undefined as RunningProcess | undefined,
    db: undefined as unknown as Db,
    key: '',
    async start(): Promise<void> {
      // the shared broker, busy with other runs, may not host a new topic's partition at once: asked again
      await eventually('the test topics created', async () => {
        const admin = kafka.admin();
        await admin.connect();
        try {
          await ensureTopics(admin, ctx.topics);
          return true;
        } catch (err) {
          if (!/does not host this topic-partition|leader/i.test(String(err))) throw err;
          return undefined;
        } finally {
          await admin.disconnect();
        }
      }, 120_000, 1_000);
      await Promise.all([codec.ensureRegistered('report'), codec.ensureRegistered('status-change')]);
      await Promise.all([hotline.listen({ port: 0, host: '127.0.0.1' }), grid.listen({ port: 0, host: '127.0.0.1' }), environment.listen({ port: 0, host: '127.0.0.1' })]);
      h.hub = await startProcess('hub', 'hub/main.ts', [], { ...ctx.env, HUB_PORT: '0', HUB_JWT_SECRET: `${label}-test-jwt-secret-0123456789` });
      h.db = createDb(ctx.stack.databaseUrl, { schema: ctx.dbSchema });
      h.key = await issueApiKey(h.db, (await createPrincipal(h.db, { id: `${label}-commander`, name: '值班长', role: 'commander' })).id);
      h.sink = await startProcess('dispatch sinks', 'connectors/sinks/main.ts', [], {
        ...ctx.env,
        SINK_CONFIG: JSON.stringify([
          { id: 'hotline', url: url(hotline, '/api/v2/dispatches'), departments: ['*'], exceptDepartments: ['town:*', 'environment', 'grid'], reportsFrom: ['hotline-12345'], sessionTimeoutMs: 6000 },
          { id: 'grid', url: url(grid, '/api/grid/v1/assignments'), departments: ['town:*', 'grid'], reportsFrom: ['grid'], sessionTimeoutMs: 6000 },
          { id: 'environment', url: url(environment, '/api/12369/dispatches'), departments: ['environment'], reportsFrom: ['environment-12369'], sessionTimeoutMs: 6000 },
        ]),
      });
    },
    async stop(): Promise<void> {
      await h.sink?.stop();
      await h.hub?.stop();
      await h.db?.destroy();
      await Promise.all([hotline.close(), grid.close(), environment.close()]);
    },
    async produce(kind: 'report' | 'status-change', records: Array<Report | StatusChange>, key: string): Promise<void> {
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      for (const r of records) await producer.send({ topic: ctx.topics.records(kind), acks: -1, messages: [{ key, value: await codec.encode(kind, r as never) }] });
      await producer.disconnect();
    },
    async inbox(app: App): Promise<Inboxed[]> {
      return (await app.inject('/__sim/inbox')).json() as Inboxed[];
    },
    /** What a platform received about one matter (or one record) of one kind (派单类型 prefix). */
    async received(app: App, kind: string, matterId?: string): Promise<Inboxed[]> {
      return (await h.inbox(app)).filter((a) => a.pdlx.startsWith(kind) && (matterId === undefined || a.sjbh === matterId));
    },
    async api<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
      const res = await fetch(`${String(h.hub!.ready.url)}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${h.key}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
      return { status: res.status, body: (await res.json()) as T };
    },
  };
  return h;
}

/** A report of the same kind of incident as the example, under another record, place and category. */
export function reportOf(sourceSystem: string, department: string, id: string, at: number, over: Partial<Report> = {}): Report {
  return {
    ...report,
    envelope: { ...report.envelope, sourceSystem, department, sourceRecordId: id, eventTime: at, sourceVersion: at },
    channel: sourceSystem === 'grid' ? 'GRID' : sourceSystem === 'environment-12369' ? 'COMPLAINT' : 'HOTLINE',
    reporterNameMasked: null,
    reporterPhoneHash: null,
    reporterPhoneMasked: null,
    ...over,
  };
}

/** Beijing wall-clock text of an epoch time, as the status fixtures take it. */
export function beijing(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}
