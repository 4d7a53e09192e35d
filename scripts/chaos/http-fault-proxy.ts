/**
 * An HTTP relay in front of a department platform that misbehaves on request, the way real
 * platforms do, without changing the simulator: answers 500 (with an HTML error page), 429 with
 * Retry-After, hangs past the client's time-out, answers 200 with an HTML maintenance page instead
 * of JSON, or — "page shift" — changes records the connector already read on page 1 before it
 * serves page 2, so the list shifts under the page numbers and a page comes back with changed
 * contents (through the simulator's own control API, so the platform's truth changes too).
 *
 * It also counts every (id, version) it served, so the suite can say how many records a connector
 * read again after a fault without relying on the connector's own counters.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { rowsAt, versionOf, type PlatformSpec } from './platforms.js';

export type HttpFault = { mode: 'http500' | 'http429' | 'html'; count: number } | { mode: 'timeout'; count: number; holdMs: number } | { mode: 'page-shift'; count: number; touch: number };

export class HttpFaultProxy {
  private server: Server | undefined;
  private faults: HttpFault[] = [];
  /** (id@version) → times served. */
  readonly served = new Map<string, number>();
  /** Faulty answers given so far, by mode. */
  readonly injected: Record<string, number> = {};
  /** Records touched by page shifts. */
  touched = 0;
  private page1Rows: Array<Record<string, unknown>> = [];
  url = '';

  constructor(
    private readonly platform: PlatformSpec,
    private readonly target: string,
  ) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res).catch(() => res.destroy()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.server = server;
    const a = server.address();
    this.url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
    return this.url;
  }

  inject(f: HttpFault): void {
    this.faults.push(f);
  }

  pending(): number {
    return this.faults.reduce((n, f) => n + f.count, 0);
  }

  clear(): void {
    this.faults = [];
  }

  /** Served (id, version) pairs counted more than once: re-reads. */
  reReads(): number {
    let n = 0;
    for (const c of this.served.values()) n += c - 1;
    return n;
  }

  private take(req: IncomingMessage): HttpFault | undefined {
    const f = this.faults[0];
    if (!f || !req.url?.startsWith(this.platform.listPath)) return undefined;
    if (f.mode === 'page-shift') {
      // only the second page of a sequence is the moment to shift the list
      const page = new URL(req.url, 'http://x').searchParams.get(this.platform.paging?.pageParam ?? 'page');
      if (page !== '2') return undefined;
    }
    f.count -= 1;
    if (f.count <= 0) this.faults.shift();
    this.injected[f.mode] = (this.injected[f.mode] ?? 0) + 1;
    return f;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fault = this.take(req);
    switch (fault?.mode) {
      case 'http500':
        res.writeHead(500, { 'content-type': 'text/html; charset=utf-8' }).end('<html><head><title>500 Internal Server Error</title></head><body><center><h1>500 Internal Server Error</h1></center><hr><center>nginx</center></body></html>');
        return;
      case 'http429':
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' }).end(JSON.stringify({ code: 429, msg: '请求过于频繁，请稍后再试' }));
        return;
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><html><head><meta charset="utf-8"><title>系统维护</title></head><body><h1>系统维护中，请稍后访问</h1></body></html>');
        return;
      case 'timeout':
        await sleep(fault.holdMs);
        res.destroy();
        return;
      case 'page-shift':
        await this.shift(fault.touch);
        break;
      default:
        break;
    }
    await this.forward(req, res);
  }

  /** Changes records of the page just served, so they move to the end of an update-time list. */
  private async shift(touch: number): Promise<void> {
    const paging = this.platform.paging;
    if (!paging) return;
    for (const row of this.page1Rows.slice(0, touch)) {
      const { path, body } = paging.touch(row);
      const r = await fetch(`${this.target}${path}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (r.ok) this.touched += 1;
    }
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k)) headers[k] = v;
    const upstream = await fetch(`${this.target}${req.url ?? '/'}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
    const body = Buffer.from(await upstream.arrayBuffer());
    if (req.url?.startsWith(this.platform.listPath) && upstream.ok) this.count(req.url, body);
    const out: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(k)) out[k] = v;
    });
    res.writeHead(upstream.status, out).end(body);
  }

  private count(url: string, body: Buffer): void {
    let rows: Array<Record<string, unknown>>;
    try {
      rows = rowsAt(JSON.parse(body.toString('utf8')), this.platform.rowsPath);
    } catch {
      return;
    }
    for (const r of rows) {
      const k = `${String(r[this.platform.idField])}@${String(versionOf(r[this.platform.updateField]))}`;
      this.served.set(k, (this.served.get(k) ?? 0) + 1);
    }
    const pageParam = this.platform.paging?.pageParam;
    if (pageParam) {
      const page = new URL(url, 'http://x').searchParams.get(pageParam);
      if (page === '1' || page === null) this.page1Rows = rows;
    }
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }
}
