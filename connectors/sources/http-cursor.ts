/**
 * HTTP change feed with an opaque cursor token (`?cursor=<token>&limit=n` → records + nextCursor),
 * or with a next-page link (`"next": "/events?after=…"`).
 * The token is the whole incremental state: stored as given, never parsed. A null next token means
 * "you are at the head": keep the old one and poll again. Rows repeated within a page (a quirk of
 * such feeds) are delivered once; the hub is idempotent by version for repeats across pages.
 */
import { createHash } from 'node:crypto';
import { ConfigError, UpstreamRejectedError } from '../../core/errors.js';
import type { Source, SourcePage, SourceRecord } from '../sdk/types.js';
import { recordList, type BodyFormat } from './http-body.js';
import { HttpPlatformClient, type HttpAuth } from './http-client.js';
import { getPath } from './paths.js';

export interface CursorPagination {
  style: 'cursor';
  /** Query parameter carrying the token (absent on the very first request). */
  cursorParam: string;
  /** Query parameter carrying the page size. */
  limitParam: string;
  size: number;
  /** Dotted path of the token for the next request; null there means "nothing new, keep your cursor". */
  nextCursorPath: string;
  /** Dotted path of a boolean "more ready now"; without it, a full page means more. */
  hasMorePath?: string;
}

/** Feeds that hand out the whole URL of the next page (`"next": "https://…?page=…"`, HAL/JSON:API style). */
export interface NextLinkPagination {
  style: 'next-link';
  /** Query parameter carrying the page size on the first request. */
  limitParam: string;
  size: number;
  /** Dotted path of the next page's URL; null/absent there means "at the head: ask the same URL again later". */
  nextLinkPath: string;
}

export interface CursorPollSettings {
  kind: 'http-poll';
  url: string;
  auth: HttpAuth;
  pagination: CursorPagination | NextLinkPagination;
  idField: string;
  recordsPath: string;
  /** The body's format: json (default) or xml. */
  format?: BodyFormat;
  /** Charset of the body when the platform does not say it: gbk, gb18030 … */
  charset?: string;
  bodyStatus?: { path: string; ok: Array<string | number>; messagePath?: string };
  extraParams?: Record<string, string>;
  timeoutMs?: number;
  rateLimitPerSecond?: number;
}

export interface HttpCursorState {
  token: string | null;
}

export class HttpCursorSource implements Source<HttpCursorState> {
  readonly readAhead = false;
  private readonly client: HttpPlatformClient;

  constructor(private readonly s: CursorPollSettings) {
    try {
      new URL(s.url);
    } catch {
      throw new ConfigError('source.url', `not a valid URL: ${s.url}`);
    }
    if (s.pagination.size < 1 || s.pagination.size > 10_000) throw new ConfigError('source.pagination.size', 'must be between 1 and 10000');
    this.client = new HttpPlatformClient(s);
  }

  async nextPage(cursor: HttpCursorState | undefined, signal: AbortSignal): Promise<SourcePage<HttpCursorState>> {
    const p = this.s.pagination;
    let url: URL;
    if (p.style === 'next-link' && cursor?.token) {
      // the platform's own link, resolved against the configured URL (relative links are common)
      url = new URL(cursor.token, this.s.url);
      if (url.origin !== new URL(this.s.url).origin) throw new UpstreamRejectedError(`next link ${url.origin} leaves the platform ${new URL(this.s.url).origin}; refusing to follow it`);
    } else {
      url = new URL(this.s.url);
      for (const [k, v] of Object.entries(this.s.extraParams ?? {})) url.searchParams.set(k, v);
      if (p.style === 'cursor' && cursor?.token) url.searchParams.set(p.cursorParam, cursor.token);
      url.searchParams.set(p.limitParam, String(p.size));
    }
    const body = await this.client.get(url, signal);
    const list = recordList(getPath(body, this.s.recordsPath), this.s.format ?? 'json', this.s.recordsPath);
    const seen = new Set<string>();
    const records: SourceRecord[] = [];
    for (const item of list as unknown[]) {
      const id = String(getPath(item, this.s.idField) ?? '');
      const raw = JSON.stringify(item);
      const mark = `${id}#${createHash('sha1').update(raw).digest('base64url')}`;
      if (seen.has(mark)) continue;
      seen.add(mark);
      records.push({ id, payload: item, raw });
    }
    const next = getPath(body, p.style === 'cursor' ? p.nextCursorPath : p.nextLinkPath);
    const token = typeof next === 'string' && next !== '' ? next : (cursor?.token ?? null);
    const more = p.style === 'cursor' && p.hasMorePath ? getPath(body, p.hasMorePath) === true : list.length >= p.size;
    return { records, cursor: { token }, hasMore: more && token !== (cursor?.token ?? null) };
  }
}
