/**
 * The county grid-management platform (县网格化服务管理信息系统) as the county's data center sees it: a
 * change feed of grid events read with an opaque cursor token.
 *
 *   GET /api/grid/v1/events?cursor=<token>&limit=<n>
 *   → {"code":0,"msg":"success","data":{"records":[…],"nextCursor":"<token>"|null,"hasMore":true|false}}
 *
 * Semantics (what a client must rely on):
 *  - Without `cursor` the feed starts at the beginning. Records come in change order: every create or
 *    update moves the event to the end of the feed, so an event changed after you read it comes again.
 *  - `nextCursor` is the position after the last record of this page. It is null only when the page is
 *    empty: you are at the head, keep your cursor and ask again later. Never drop your cursor on null.
 *  - `hasMore` says whether more records are ready after `nextCursor` right now.
 *  - The token is opaque (base64url + signature); a token the platform did not issue gets HTTP 400
 *    {"code":40001,…}. Tokens stay valid across restarts of the platform.
 *
 * Quirks shared with real ones: a page occasionally repeats a row (a join in the platform's query);
 * one device model swaps latitude and longitude; coordinates are GCJ-02; busy answers come as
 * HTTP 200 {"code":503,"msg":"系统繁忙"} and, with faults on, as 500s, time-outs, slow and truncated pages.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { installFaults } from '../shared/faults.js';
import { installDispatchInbox } from '../shared/dispatch-inbox.js';
import { COUNTY, shanghaiDateTime } from '../shared/county.js';
import { buildGrid, type ChannelContext } from '../county/channels.js';
import { randomIncident, TargetPicker } from '../county/generate.js';
import { HANDLING_UNIT, INCIDENT_TYPES } from '../county/incidents.js';
import { Rng } from '../county/random.js';
import { buildWorld, type World } from '../county/world.js';
import { createHash } from 'node:crypto';
import { GRID_STATUSES, isVerification, type GridEvent, type GridFeedRecord, type GridStatusCode, type GridVerification } from './types.js';
import type { InboxAssignment } from '../shared/dispatch-inbox.js';

export interface GridStoreOptions {
  seed?: number;
  /** Clock for live events (tests may pin it). */
  now?: () => number;
  /** Chance that a row is repeated within a page (default 0.02). */
  duplicateRate?: number;
  /** Scale of the world used for live events (default 0.05: quick to build). */
  worldScale?: number;
  /** Secret that signs cursor tokens. */
  cursorSecret?: string;
  /** 核查: share of verifications the grid workers fail (default 0.2), and how long after receipt they answer (default 20 minutes). */
  verification?: { failureRate?: number; delayMs?: number };
}

interface Entry {
  event: GridFeedRecord;
  seq: number;
}

export interface FeedPage {
  records: GridFeedRecord[];
  /** Position after the last record returned (undefined when none was returned). */
  lastSeq: number | undefined;
  hasMore: boolean;
}

const DAY = 86_400_000;

export class InvalidCursorError extends Error {}

export class GridStore {
  private readonly byId = new Map<string, Entry>();
  /** The change feed: entries in ascending seq; an entry is stale when its event moved on. */
  private feed: Entry[] = [];
  private seq = 0;
  private idSeq = 0;
  private readonly rng: Rng;
  private readonly pageRng: Rng;
  private world: World | undefined;
  private picker: TargetPicker | undefined;
  private readonly secret: string;

  constructor(private readonly opts: GridStoreOptions = {}) {
    this.rng = Rng.derive(opts.seed ?? 1, 'grid-live');
    this.pageRng = Rng.derive(opts.seed ?? 1, 'grid-pages');
    this.secret = opts.cursorSecret ?? 'grid-platform-cursor-v1';
    this.verificationSettings = { failureRate: opts.verification?.failureRate ?? 0.2, delayMs: opts.verification?.delayMs ?? 20 * 60_000 };
  }

  get size(): number {
    return this.byId.size;
  }

  events(): GridEvent[] {
    return [...this.byId.values()].map((e) => e.event).filter((e): e is GridEvent => !isVerification(e));
  }

  /** The verifications (核查) the grid workers recorded, oldest first. */
  verifications(): GridVerification[] {
    return [...this.byId.values()].map((e) => e.event).filter(isVerification);
  }

  get(id: string): GridEvent | undefined {
    const e = this.byId.get(id)?.event;
    return e && !isVerification(e) ? e : undefined;
  }

  verificationSettings: { failureRate: number; delayMs: number };
  readonly #timers = new Set<NodeJS.Timeout>();

  /**
   * 核查: the grid worker of the matter's grid goes and looks, and records whether the departments'
   * result holds — once per assignment (a repeated 派单编号 never reaches here). Whether it fails is
   * drawn from the 派单编号 against the failure rate, so a run is repeatable.
   */
  verify(a: InboxAssignment): void {
    if (!a.rwbh) return;
    const draw = createHash('sha256').update(`verify:${a.pdbh}`).digest().readUInt32BE(0) / 2 ** 32;
    const pass = draw >= this.verificationSettings.failureRate;
    const answer = () => {
      const at = this.now();
      const t = shanghaiDateTime(at);
      this.put({
        recordType: '核查',
        eventId: `HC${t.slice(0, 10).replace(/-/g, '')}${String(++this.verificationSeq).padStart(5, '0')}`,
        sjbh: a.sjbh,
        rwbh: a.rwbh!,
        pdbh: a.pdbh,
        hcjg: pass ? '通过' : '不通过',
        hcyj: pass ? '经现场核查，问题已整改到位。' : '经现场核查，问题仍然存在，未整改到位。',
        hcsj: t,
        updateTime: t,
        version: 1,
      });
    };
    if (this.verificationSettings.delayMs <= 0) return answer();
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      answer();
    }, this.verificationSettings.delayMs);
    timer.unref();
    this.#timers.add(timer);
  }

  private verificationSeq = 0;

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private put<T extends GridFeedRecord>(event: T): T {
    this.seq += 1;
    const entry = { event, seq: this.seq };
    this.byId.set(event.eventId, entry);
    this.feed.push(entry);
    if (this.feed.length > 2 * this.byId.size + 1000) this.feed = this.feed.filter((e) => this.byId.get(e.event.eventId) === e);
    const m = isVerification(event) ? null : /(\d{5})$/.exec(event.eventId);
    if (m) this.idSeq = Math.max(this.idSeq, Number(m[1]));
    return event;
  }

  /** Loads events (e.g. departments/grid.jsonl of a dataset) in update-time order. Returns how many. */
  load(events: GridEvent[]): number {
    const sorted = [...events].sort((a, b) => (a.updateTime === b.updateTime ? (a.eventId < b.eventId ? -1 : 1) : a.updateTime < b.updateTime ? -1 : 1));
    for (const e of sorted) this.put({ ...e, photos: [...e.photos] });
    return sorted.length;
  }

  private ensureWorld(): { w: World; picker: TargetPicker } {
    if (!this.world || !this.picker) {
      this.world = buildWorld({ seed: this.opts.seed ?? 1, scale: this.opts.worldScale ?? 0.05 });
      this.picker = new TargetPicker(this.world);
    }
    return { w: this.world, picker: this.picker };
  }

  /** A realistic new event (status 待受理) from a grid worker of the demo county. */
  generate(at = this.now()): GridEvent {
    return this.put(this.draft(at));
  }

  private draft(at: number): GridEvent {
    const { w, picker } = this.ensureWorld();
    const types = INCIDENT_TYPES.filter((t) => t.grid);
    for (;;) {
      const type = this.rng.weighted(types.map((t) => [t, t.weight] as const));
      const inc = randomIncident(picker, this.rng, type, at - this.rng.int(1, 30) * 60_000, 'live');
      if (!inc) continue;
      const ctx: ChannelContext = { w, rng: this.rng, end: at + 1, channels: ['grid'] };
      const e = buildGrid(ctx, inc, at).record as unknown as GridEvent;
      e.eventId = this.nextId(at);
      return e;
    }
  }

  nextId(at: number): string {
    this.idSeq += 1;
    return `SJ${COUNTY.code}${shanghaiDateTime(at).slice(0, 10).replace(/-/g, '')}${String(this.idSeq).padStart(5, '0')}`;
  }

  create(partial: Partial<GridEvent>, at = this.now()): GridEvent {
    const base = this.draft(at);
    const t = shanghaiDateTime(at);
    return this.put({ ...base, ...partial, eventId: partial.eventId ?? base.eventId, updateTime: t, version: 1 });
  }

  update(id: string, patch: Partial<GridEvent>, at = this.now()): GridEvent | undefined {
    const cur = this.byId.get(id);
    if (!cur || isVerification(cur.event)) return undefined;
    const status = (patch.status ?? cur.event.status) as GridStatusCode;
    return this.put({
      ...(cur.event as GridEvent),
      ...patch,
      eventId: id,
      status,
      statusName: GRID_STATUSES[status],
      updateTime: shanghaiDateTime(at),
      version: (cur.event as GridEvent).version + 1,
    });
  }

  /** Moves a random open event one step along 待受理 → 已派遣 → 处置中 → 待核查 → 已结案. */
  advanceRandom(at = this.now()): GridEvent | undefined {
    const open = this.events().filter((e) => e.status < 5);
    if (!open.length) return undefined;
    const event = this.rng.pick(open);
    const next = (event.status + 1) as GridStatusCode;
    const family = event.eventTypeName.startsWith('环境') ? 'env' : event.eventTypeName.startsWith('安全') ? 'safety' : 'appearance';
    return this.update(
      event.eventId,
      {
        status: next,
        handleDept: event.handleDept ?? HANDLING_UNIT[family] ?? `${COUNTY.name}社会治理综合指挥中心`,
        deadline: event.deadline ?? shanghaiDateTime(Date.parse(`${event.reportTime.replace(' ', 'T')}+08:00`) + 3 * DAY),
        // closing adds the "after" photo beside the "before" ones
        photos: next === 5 && event.photos[0] ? [...event.photos, event.photos[0].replace(/[0-9a-f]{32}\.jpg$/, `${this.rng.hex(32)}.jpg`)] : event.photos,
      },
      at,
    );
  }

  /** Records after feed position `after` (0 = the beginning), at most `limit` rows including repeats. */
  page(after: number, limit: number): FeedPage {
    let lo = 0;
    let hi = this.feed.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.feed[mid] as Entry).seq <= after) lo = mid + 1;
      else hi = mid;
    }
    const records: GridFeedRecord[] = [];
    let lastSeq: number | undefined;
    let i = lo;
    for (; i < this.feed.length && records.length < limit; i++) {
      const entry = this.feed[i] as Entry;
      if (this.byId.get(entry.event.eventId) !== entry) continue; // superseded by a later change
      records.push(entry.event);
      lastSeq = entry.seq;
      if (records.length < limit && this.pageRng.chance(this.opts.duplicateRate ?? 0.02)) records.push(entry.event);
    }
    let hasMore = false;
    for (; i < this.feed.length; i++) {
      const entry = this.feed[i] as Entry;
      if (this.byId.get(entry.event.eventId) === entry) {
        hasMore = true;
        break;
      }
    }
    return { records, lastSeq, hasMore };
  }

  encodeCursor(seq: number): string {
    const payload = Buffer.from(JSON.stringify({ v: 1, p: seq })).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  decodeCursor(token: string): number {
    const [payload, sig] = token.split('.');
    if (!payload || !sig) throw new InvalidCursorError('malformed');
    const expected = this.sign(payload);
    if (sig.length !== expected.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(expected))) throw new InvalidCursorError('bad signature');
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw new InvalidCursorError('unreadable');
    }
    const p = (value as { p?: unknown }).p;
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0) throw new InvalidCursorError('bad position');
    return p;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url').slice(0, 16);
  }
}

export function buildGridServer(store = new GridStore()): FastifyInstance {
  const app = Fastify({ logger: false });
  installFaults(app, () => ({ code: 503, msg: '系统繁忙，请稍后再试', data: null }));
  // the county center's assignments arrive here; a 核查 is verified by the grid worker and answered on the feed
  installDispatchInbox(app, { path: '/api/grid/v1/assignments', receiptPrefix: 'WGSD', onReceive: (a) => (a.pdlx === '核查' ? store.verify(a) : undefined) });

  app.get<{ Querystring: { cursor?: string; limit?: string } }>('/api/grid/v1/events', async (req, reply) => {
    const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      return reply.code(400).send({ code: 40002, msg: `limit 参数无效（1–500）: ${req.query.limit}`, data: null });
    }
    let after = 0;
    if (req.query.cursor) {
      try {
        after = store.decodeCursor(req.query.cursor);
      } catch {
        return reply.code(400).send({ code: 40001, msg: 'cursor 无效', data: null });
      }
    }
    const page = store.page(after, limit);
    return {
      code: 0,
      msg: 'success',
      data: { records: page.records, nextCursor: page.lastSeq === undefined ? null : store.encodeCursor(page.lastSeq), hasMore: page.hasMore },
    };
  });

  // Control routes for tests and the demo (not part of the platform's API).
  app.post<{ Body: Partial<GridEvent> }>('/__sim/events', async (req) => store.create(req.body ?? {}));
  app.patch<{ Params: { id: string }; Body: Partial<GridEvent> }>('/__sim/events/:id', async (req, reply) => {
    const e = store.update(req.params.id, req.body ?? {});
    return e ?? reply.code(404).send({ error: 'no such event' });
  });
  app.post<{ Body: { count?: number } }>('/__sim/generate', async (req) => {
    const n = req.body?.count ?? 1;
    return { created: Array.from({ length: n }, () => store.generate().eventId) };
  });
  app.post('/__sim/advance', async () => store.advanceRandom() ?? null);
  app.post<{ Body: { failureRate?: number; delayMs?: number } }>('/__sim/verification', async (req) => Object.assign(store.verificationSettings, req.body ?? {}));
  app.get('/__sim/verifications', async () => store.verifications());
  app.get('/__sim/events', async () => store.events());
  app.get('/health', async () => ({ status: 'ok', events: store.size }));
  return app;
}
