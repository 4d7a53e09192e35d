/**
 * The online-monitoring platform (污染源自动监控平台): monitoring points send HJ 212-2017 frames,
 * the platform compares them with each point's limits and PUSHES an alarm for every exceedance to
 * the county's webhook, signed with the shared secret. Like real ones, it
 *  - retries every push until it is answered 200, with exponential backoff and jitter (honouring
 *    Retry-After), re-signing each attempt;
 *  - sends arrays when alarms pile up, and the same alarm twice now and then;
 *  - keeps a ledger of every alarm generated and whether it was acknowledged, so tests and the demo
 *    can reconcile what the platform sent with what reached Kafka.
 */
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { countyProfile } from '../../core/county-profile.js';
import { makeUscc } from '../county/ids.js';
import { Rng } from '../county/random.js';
import { COUNTY, VILLAGES, pick, seededRandom, shanghaiDateTime } from '../shared/county.js';
import { buildFrame, dataTimeOf, qnOf, type Corruption } from './hj212.js';

export interface MonitoringPoint {
  mn: string;
  name: string;
  enterpriseName: string;
  uscc: string;
  /** 31 air pollution source, 32 water pollution source */
  st: '31' | '32';
  villageCode: string;
  /** CGCS2000 (≈ WGS-84) — the national platform's system */
  lng: number;
  lat: number;
  pollutants: Array<{ code: string; limit: number; decimals: number }>;
}

function at(code: string, dLng: number, dLat: number): { villageCode: string; lng: number; lat: number } {
  const v = VILLAGES.find((x) => x.code === code);
  if (!v) throw new Error(`no village ${code} among the county profile's named villages`);
  return { villageCode: v.code, lng: Math.round((v.lng + dLng) * 1e6) / 1e6, lat: Math.round((v.lat + dLat) * 1e6) / 1e6 };
}

interface PointFile {
  points: Array<Omit<MonitoringPoint, 'lng' | 'lat'> & { offset: [number, number] }>;
}

/**
 * Key pollution sources of the county: its profile's `simulation/monitoring-points.json`, else one
 * point in each of the first rural villages the profile names (a wastewater outlet, a boiler stack).
 */
function monitoringPoints(): MonitoringPoint[] {
  const file = join(countyProfile().dir, 'simulation', 'monitoring-points.json');
  if (existsSync(file)) {
    return (JSON.parse(readFileSync(file, 'utf8')) as PointFile).points.map(({ offset, ...p }) => ({ ...p, ...at(p.villageCode, offset[0], offset[1]) }));
  }
  const rng = new Rng(212);
  const used = new Set<string>();
  return VILLAGES.filter((v) => !v.name.endsWith('社区')).slice(0, 4).map((v, i): MonitoringPoint => {
    const water = i % 2 === 0;
    const town = v.town.replace(/(街道|苏木|镇|乡)$/, '');
    return {
      mn: `${v.code}${String(i + 1).padStart(2, '0')}`,
      name: water ? `${town}污水处理厂总排口` : `${town}热电厂1#锅炉排放口`,
      enterpriseName: water ? `${COUNTY.name}${town}污水处理有限公司` : `${COUNTY.name}${town}热电有限责任公司`,
      uscc: makeUscc(rng, '91', COUNTY.code, used),
      st: water ? '32' : '31',
      ...at(v.code, 0.01, -0.006),
      pollutants: water
        ? [{ code: 'w01018', limit: 50, decimals: 1 }, { code: 'w21003', limit: 5, decimals: 2 }]
        : [{ code: 'a34013', limit: 10, decimals: 2 }, { code: 'a21026', limit: 35, decimals: 1 }, { code: 'a21002', limit: 50, decimals: 1 }],
    };
  });
}

export const POINTS: MonitoringPoint[] = monitoringPoints();

/** One alarm as pushed (the JSON record around the frame). */
export interface AlarmPush {
  id: string;
  alarmType: string;
  pointName: string;
  enterpriseName: string;
  uscc: string;
  xzqhdm: string;
  lng: number;
  lat: number;
  limits: Record<string, number>;
  alarmTime: string;
  frame: string;
}

export interface LedgerEntry {
  id: string;
  mn: string;
  qn: string;
  pointName: string;
  generatedAt: string;
  /** Set when the frame was damaged on purpose: the connector must dead-letter it (and still acknowledge it). */
  corrupt: Corruption | null;
  attempts: number;
  acknowledged: boolean;
  acknowledgedAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  push: AlarmPush;
}

export type PushFaultMode = 'lose-ack' | 'duplicate' | 'bad-signature' | 'stale-timestamp';

export interface AlarmOptions {
  seed?: number;
  now?: () => number;
  /** First retry delay; doubles per attempt up to retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Per-attempt time-out of a push. */
  timeoutMs?: number;
}

export class AlarmPlatform {
  readonly ledger = new Map<string, LedgerEntry>();
  private target: { url: string; secret: string } | undefined;
  private paused = false;
  private stopped = false;
  private readonly halt = new AbortController();
  private faults: Array<{ mode: PushFaultMode; remaining: number }> = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly rand: () => number;
  private seq = 0;
  private lastAt = 0;

  constructor(private readonly opts: AlarmOptions = {}) {
    this.rand = seededRandom(opts.seed ?? 212);
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  setTarget(url: string, secret: string): void {
    this.target = { url, secret };
  }

  get webhook(): string | null {
    return this.target?.url ?? null;
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
  }

  addFault(mode: PushFaultMode, count = 1): void {
    this.faults.push({ mode, remaining: count });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Creates alarms now and starts pushing them: one push per alarm, or one array push for all. */
  raise(opts: { count?: number; batch?: boolean; corrupt?: Corruption; mn?: string } = {}): LedgerEntry[] {
    const entries = Array.from({ length: Math.max(1, opts.count ?? 1) }, () => this.generate(opts.mn, opts.corrupt));
    if (opts.batch) this.deliver(entries, true);
    else for (const e of entries) this.deliver([e], false);
    return entries;
  }

  private generate(mn: string | undefined, corrupt: Corruption | undefined): LedgerEntry {
    const r = this.rand;
    const point = (mn && POINTS.find((p) => p.mn === mn)) || pick(r, POINTS);
    // strictly increasing instants: QN (to the millisecond) is unique per point
    const t = Math.max(this.now(), this.lastAt + 1);
    this.lastAt = t;
    this.seq += 1;
    const over = pick(r, point.pollutants);
    const group = point.pollutants.map((p) => {
      const factor = p === over ? 1.1 + r() * 1.9 : 0.2 + r() * 0.6;
      const value = (p.limit * factor).toFixed(p.decimals);
      return [`${p.code}-Rtd=${value}`, `${p.code}-Flag=N`];
    });
    const qn = qnOf(t);
    const frame = buildFrame({ qn, st: point.st, cn: '2011', pw: '123456', mn: point.mn, flag: 4, cp: [[`DataTime=${dataTimeOf(t)}`], ...group] }, corrupt);
    const id = `BJ${dataTimeOf(t).slice(0, 8)}${String(this.seq).padStart(6, '0')}`;
    const push: AlarmPush = {
      id,
      alarmType: '超标报警',
      pointName: point.name,
      enterpriseName: point.enterpriseName,
      uscc: point.uscc,
      xzqhdm: point.villageCode,
      lng: point.lng,
      lat: point.lat,
      limits: Object.fromEntries(point.pollutants.map((p) => [p.code, p.limit])),
      alarmTime: shanghaiDateTime(t),
      frame,
    };
    const entry: LedgerEntry = {
      id,
      mn: point.mn,
      qn,
      pointName: point.name,
      generatedAt: new Date(t).toISOString(),
      corrupt: corrupt ?? null,
      attempts: 0,
      acknowledged: false,
      acknowledgedAt: null,
      lastStatus: null,
      lastError: null,
      push,
    };
    this.ledger.set(id, entry);
    return entry;
  }

  private takeFault(): PushFaultMode | undefined {
    const f = this.faults[0];
    if (!f) return undefined;
    f.remaining -= 1;
    if (f.remaining <= 0) this.faults.shift();
    return f.mode;
  }

  private deliver(entries: LedgerEntry[], asArray: boolean): void {
    const p = this.pushUntilAcknowledged(entries, asArray).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async pushUntilAcknowledged(entries: LedgerEntry[], asArray: boolean): Promise<void> {
    const body = asArray ? JSON.stringify(entries.map((e) => e.push)) : JSON.stringify(entries[0]!.push);
    let attempt = 0;
    while (!this.stopped && entries.some((e) => !e.acknowledged)) {
      if (!this.target || this.paused) {
        await sleep(100, undefined, { signal: this.halt.signal }).catch(() => undefined);
        continue;
      }
      attempt += 1;
      for (const e of entries) e.attempts += 1;
      const fault = this.takeFault();
      const { url, secret } = this.target;
      let status: number | null = null;
      let error: string | null = null;
      let retryAfterMs = 0;
      try {
        const send = () => fetch(url, { method: 'POST', headers: this.headers(body, secret, fault), body, signal: AbortSignal.any([this.halt.signal, AbortSignal.timeout(this.opts.timeoutMs ?? 30_000)]) });
        const [res] = await Promise.all(fault === 'duplicate' ? [send(), send()] : [send()]);
        const text = await res!.text();
        status = res!.status;
        const ra = Number(res!.headers.get('retry-after'));
        if (Number.isFinite(ra) && ra > 0) retryAfterMs = ra * 1000;
        if (status === 200 && fault !== 'lose-ack') {
          const ackAt = new Date(this.now()).toISOString();
          for (const e of entries) Object.assign(e, { acknowledged: true, acknowledgedAt: ackAt, lastStatus: 200, lastError: null });
          return;
        }
        error = fault === 'lose-ack' ? `HTTP ${status} answered but the answer was lost (simulated)` : `HTTP ${status}: ${text.slice(0, 300)}`;
      } catch (err) {
        error = `${(err as Error).message}${(err as { cause?: Error }).cause ? `: ${(err as { cause: Error }).cause.message}` : ''}`;
      }
      for (const e of entries) Object.assign(e, { lastStatus: status, lastError: error });
      const base = this.opts.retryBaseMs ?? 500;
      const backoff = Math.min(base * 2 ** (attempt - 1), this.opts.retryMaxMs ?? 30_000) * (0.5 + this.rand() / 2);
      await sleep(Math.max(backoff, retryAfterMs), undefined, { signal: this.halt.signal }).catch(() => undefined);
    }
  }

  private headers(body: string, secret: string, fault: PushFaultMode | undefined): Record<string, string> {
    const nowMs = this.now() - (fault === 'stale-timestamp' ? 3600_000 : 0);
    const timestamp = String(Math.floor(nowMs / 1000));
    const key = fault === 'bad-signature' ? `${secret}-wrong` : secret;
    const signature = createHmac('sha256', key).update(`${timestamp}\n${body}`).digest('hex');
    return { 'content-type': 'application/json; charset=utf-8', 'x-countyhub-timestamp': timestamp, 'x-countyhub-signature': signature };
  }

  view(): { webhook: string | null; paused: boolean; total: number; acknowledged: number; pending: number; alarms: Array<Omit<LedgerEntry, 'push'> & { frame: string }> } {
    const all = [...this.ledger.values()];
    const acknowledged = all.filter((e) => e.acknowledged).length;
    return {
      webhook: this.webhook,
      paused: this.paused,
      total: all.length,
      acknowledged,
      pending: all.length - acknowledged,
      alarms: all.map(({ push, ...rest }) => ({ ...rest, frame: push.frame })),
    };
  }

  /** Stops retrying (the platform shuts down); unacknowledged alarms stay unacknowledged in the ledger. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.halt.abort();
    await Promise.allSettled([...this.inFlight]);
  }
}
