/**
 * HTTP poll: the common case of a department platform with a list endpoint filtered by update
 * time. Declarative: the manifest states the URL, auth, pagination and the incremental field;
 * nothing here is specific to one department.
 *
 * Incremental reading is keyset on (update time, id), layered over whatever paging the platform
 * offers. Each request asks for records updated at or after the cursor time, from the first page;
 * records at exactly the cursor time that were already delivered are skipped by id. This survives
 * the classic quirks: coarse (second) timestamps shared by many records, and records that change
 * while we page (offset paging over a moving list would skip them). Only when a whole page shares
 * one timestamp does the cursor move to the next page within that timestamp; those pages are read
 * in passes until two passes agree (see `HttpPollCursor.pass`), so records updated while we page
 * cannot shift unread records onto pages already read.
 *
 * An update time that is unreadable, out of range or further in the future than a small clock-skew
 * allowance never moves the cursor: such a record is dead-lettered once (remembered in the cursor)
 * and the page carries a warning for the connector's status.
 */
import { createHash, hash } from 'node:crypto';
import { ConfigError, UpstreamRejectedError, ValidationError } from '../../core/errors.js';
import { formatShanghai, parseTimestamp } from '../../core/normalise/time.js';
import type { Source, SourcePage, SourceRecord } from '../sdk/types.js';
import { getPath } from './paths.js';
import { recordList, type BodyFormat } from './http-body.js';
import { HttpPlatformClient, type HttpAuth, type SoapCall } from './http-client.js';

export type { HttpAuth } from './http-client.js';
export { appKeySignature } from './http-client.js';

export interface HttpPollSettings {
  kind: 'http-poll';
  /** The list endpoint. */
  url: string;
  auth: HttpAuth;
  pagination:
    | { style: 'page'; pageParam: string; sizeParam: string; size: number; firstPage: number }
    | { style: 'offset'; offsetParam: string; limitParam: string; size: number }
    /**
     * Platforms that page a since-query with a token (`nextPageToken`): the first request carries
     * the since parameter only, each further page the token the previous answer gave. An empty or
     * absent token means the last page.
     */
    | { style: 'next-token'; tokenParam: string; tokenPath: string; sizeParam: string; size: number };
  incremental: {
    /** Request parameter carrying the cursor time. */
    param: string;
    /**
     * How the parameter is written: `as-is` (default: exactly as the records write their update
     * time), `yyyyMMddHHmmss`, `yyyy-MM-dd HH:mm:ss`, `epoch-ms`, `epoch-s` or `iso` (with +08:00).
     * Platforms that want another form than their records' answer 200 with no rows — ingestion would
     * stop without a word — so say it here.
     */
    paramFormat?: ParamFormat;
    /** Field of each record holding its update time. */
    field: string;
    /** Cursor time of the very first request. */
    initial: string;
    /** Update times further ahead of our clock than this are refused (dead-lettered); default 10 minutes. */
    maxClockSkewMs?: number;
    /**
     * A time after which the platform is known to hold records (written like `initial`). When set,
     * the connector asks for that window once at start, in the declared parameter form, and refuses
     * to run (a clear error in its status) when the platform answers no rows: a since parameter of
     * the wrong name or form is otherwise answered with 200 and no rows, and ingestion stops silently.
     */
    probeSince?: string;
  };
  /** Field holding the record's id in the source. */
  idField: string;
  /** Dotted path of the record list in the response body (for XML: Envelope.Body.… to the repeated element). */
  recordsPath: string;
  /** The body's format: json (default) or xml (SOAP envelopes included). */
  format?: BodyFormat;
  /** Charset of the body when the platform does not say it (Content-Type, XML declaration): gbk, gb18030 … */
  charset?: string;
  /** Platforms that answer HTTP 200 with an error code in the body ("系统繁忙"). */
  bodyStatus?: { path: string; ok: Array<string | number>; messagePath?: string };
  extraParams?: Record<string, string>;
  timeoutMs?: number;
  rateLimitPerSecond?: number;
  /**
   * A SOAP WebService instead of a GET: the parameters (since, paging, extraParams) are sent as the
   * operation's child elements in a SOAP 1.1 envelope; the answer is XML (recordsPath from Envelope.Body…).
   */
  soap?: SoapCall;
}

export const PARAM_FORMATS = ['as-is', 'yyyyMMddHHmmss', 'yyyy-MM-dd HH:mm:ss', 'epoch-ms', 'epoch-s', 'iso'] as const;
export type ParamFormat = (typeof PARAM_FORMATS)[number];

/** The cursor time as the platform's request parameter wants it (Shanghai wall time where it has no zone). */
export function formatParam(raw: string, epochMs: number, format: ParamFormat = 'as-is'): string {
  const wall = formatShanghai(epochMs).slice(0, 19); // yyyy-MM-ddTHH:mm:ss
  switch (format) {
    case 'as-is':
      return raw;
    case 'yyyyMMddHHmmss':
      return wall.replace(/\D/g, '');
    case 'yyyy-MM-dd HH:mm:ss':
      return wall.replace('T', ' ');
    case 'epoch-ms':
      return String(epochMs);
    case 'epoch-s':
      return String(Math.floor(epochMs / 1000));
    case 'iso':
      return formatShanghai(epochMs);
  }
}

export interface HttpPollCursor {
  /** Update time of the newest delivered record, as the source writes it. */
  since: string;
  /**
   * Records already delivered whose update time equals `since`, as id#content-hash: a record changed
   * twice within one timestamp second comes back with new content and is delivered again.
   */
  seenAtSince: string[];
  /** Page within `since` (only advances when whole pages share one timestamp). */
  page: number;
  /** next-token paging: the platform's token for `page` (absent for the first page of `since`). */
  token?: string;
  /**
   * Present while the pages of one timestamp are read (more records share `since` than fit a page):
   * one digest per page of the previous complete pass over that timestamp (null on the first pass)
   * and of the pass under way. The cursor leaves `since` only after two passes saw the same pages:
   * a listing that shifted under the page numbers (records updated while we paged) forces another
   * pass instead of skipping the records that moved onto pages already read. `delivered` holds an
   * 8-byte digest (base64) of every record (id and content) this timestamp's passes delivered, so a
   * record that a shift moved onto another page is not produced twice (up to MAX_DELIVERED_MARKS;
   * beyond, a repeat is possible and the hub drops it by content — never a loss).
   */
  pass?: { prev: string[] | null; cur: string[]; delivered?: string };
  /**
   * Records whose update time cannot move the cursor (unreadable, out of range, or in the future)
   * and that were already dead-lettered, as id#content-hash: the platform lists them on every poll,
   * and each is dead-lettered once. A corrected record has new content and is read again.
   */
  held?: string[];
}

/** Records remembered as delivered while one timestamp's pages are read in passes (8 bytes each, about 11 characters of cursor). */
const MAX_DELIVERED_MARKS = 5_000;

/** Untrusted records remembered in the cursor; the oldest are forgotten beyond this (then dead-lettered again, never lost). */
const MAX_HELD = 500;
/** Default clock-skew allowance: an update time further ahead than this is a mistake, not a clock difference. */
const DEFAULT_MAX_CLOCK_SKEW_MS = 10 * 60_000;

export function validateHttpPollSettings(s: HttpPollSettings, at = 'source'): void {
  try {
    new URL(s.url);
  } catch {
    throw new ConfigError(`${at}.url`, `not a valid URL: ${s.url}`);
  }
  if (s.pagination.size < 1 || s.pagination.size > 10_000) throw new ConfigError(`${at}.pagination.size`, 'must be between 1 and 10000');
  if (s.auth.type === 'app-key' && (!s.auth.appKey || !s.auth.appSecret)) throw new ConfigError(`${at}.auth`, 'app-key auth needs appKey and appSecret');
  if (s.auth.type === 'bearer' && !s.auth.token) throw new ConfigError(`${at}.auth.token`, 'bearer auth needs a token');
  if (s.auth.type === 'headers' && (!s.auth.headers || !Object.keys(s.auth.headers).length)) throw new ConfigError(`${at}.auth.headers`, 'headers auth needs at least one header, e.g. {"X-App-Key": "…"}');
  if (s.auth.type === 'oauth2' && (!s.auth.tokenUrl || !s.auth.clientId || !s.auth.clientSecret)) throw new ConfigError(`${at}.auth`, 'oauth2 auth needs tokenUrl, clientId and clientSecret');
  if (s.auth.type === 'app-key' && s.auth.algorithm !== undefined && !['hmac-sha256', 'hmac-sm3'].includes(s.auth.algorithm)) throw new ConfigError(`${at}.auth.algorithm`, 'must be hmac-sha256 or hmac-sm3');
  if (s.incremental.paramFormat !== undefined && !PARAM_FORMATS.includes(s.incremental.paramFormat)) {
    throw new ConfigError(`${at}.incremental.paramFormat`, `must be one of ${PARAM_FORMATS.join(', ')}`);
  }
  if (s.format !== undefined && s.format !== 'json' && s.format !== 'xml') throw new ConfigError(`${at}.format`, 'must be "json" or "xml"');
  if (s.soap !== undefined && (!/^[A-Za-z_][\w.-]*$/.test(s.soap.operation ?? '') || !s.soap.namespace)) throw new ConfigError(`${at}.soap`, 'needs operation (an XML element name) and namespace (the service\'s target namespace from the WSDL)');
  if (!['page', 'offset', 'next-token'].includes(s.pagination.style)) throw new ConfigError(`${at}.pagination.style`, 'must be page, offset, next-token, cursor or next-link');
  if (s.pagination.style === 'next-token' && (!s.pagination.tokenParam || !s.pagination.tokenPath)) {
    throw new ConfigError(`${at}.pagination`, 'next-token paging needs tokenParam (the request parameter) and tokenPath (where the answer holds the next token)');
  }
  for (const key of ['initial', 'probeSince'] as const) {
    const v = s.incremental[key];
    if (v === undefined) continue;
    try {
      parseTimestamp(v, `${at}.incremental.${key}`, { notBefore: new Date(0) });
    } catch (err) {
      throw new ConfigError(`${at}.incremental.${key}`, `not a readable time: ${(err as Error).message}`);
    }
  }
}

/**
 * The platform answered no rows for a window it is known to hold records in (incremental.probeSince):
 * the since parameter is not what the platform expects. Not retried: the settings must change.
 */
export class SinceParameterRejectedError extends UpstreamRejectedError {
  constructor(
    readonly param: string,
    readonly sent: string,
    readonly paramFormat: ParamFormat,
  ) {
    super(
      `平台对已知有数据的时间窗口返回0条: the platform answered no rows for ${param}=${sent} although it holds records after incremental.probeSince; ` +
        `the parameter's name (incremental.param "${param}") or form (incremental.paramFormat "${paramFormat}"; one of ${PARAM_FORMATS.join(', ')}) is probably not what the platform expects — ` +
        'without this check ingestion would stop without a word. Fix the manifest or CONNECTOR_CONFIG.',
    );
  }
}

export class HttpPollSource implements Source<HttpPollCursor> {
  // a page is a function of the cursor alone: the worker may fetch the next page while this one is
  // mapped and group pages into one transaction (COUNTYHUB_READ_AHEAD=0 turns both off)
  readonly readAhead = process.env.COUNTYHUB_READ_AHEAD !== '0';
  private readonly client: HttpPlatformClient;
  private probed = false;

  constructor(
    private readonly s: HttpPollSettings,
    /** Our clock, for refusing update times from the future (tests pin it). */
    private readonly now: () => number = Date.now,
  ) {
    validateHttpPollSettings(s);
    this.client = new HttpPlatformClient(s);
  }

  async nextPage(cursor: HttpPollCursor | undefined, signal: AbortSignal): Promise<SourcePage<HttpPollCursor>> {
    if (this.s.incremental.probeSince !== undefined && !this.probed) await this.probe(signal);
    const c = cursor ?? { since: this.s.incremental.initial, seenAtSince: [], page: 0 };
    const body = await this.request(c, signal);
    const nextToken = this.nextTokenOf(body);
    const list = recordList(getPath(body, this.s.recordsPath), this.format(), this.s.recordsPath);
    const seen = new Set(c.seenAtSince);
    const held = new Set(c.held ?? []);
    const sinceMs = this.timeOf(c.since);
    // bulk operations give whole pages one update time: each distinct text is parsed once per page
    const times = new Map<string, number>();
    const latestTrusted = this.now() + (this.s.incremental.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS);
    const atSince: Array<{ rec: SourceRecord; mark: string }> = [];
    const later: Array<{ rec: SourceRecord; mark: string; t: number; rawTime: string }> = [];
    const untrusted: Array<{ rec: SourceRecord; mark: string }> = [];
    for (const item of list as unknown[]) {
      const id = String(getPath(item, this.s.idField) ?? '');
      const raw = JSON.stringify(item);
      const mark = `${id}#${hash('sha1', raw, 'base64url').slice(0, 12)}`;
      const rawTime = getPath(item, this.s.incremental.field);
      let t: number;
      try {
        const text = String(rawTime);
        const known = times.get(text);
        t = known ?? this.timeOf(text);
        if (known === undefined) times.set(text, t);
      } catch (err) {
        // an unreadable or out-of-range update time cannot move the cursor; dead-lettered once
        untrusted.push({ rec: { id, payload: item, raw, rejected: err as ValidationError }, mark });
        continue;
      }
      if (t > latestTrusted) {
        // Dead-lettered, not delivered: the update time is the record's version, and a version months
        // ahead would make the hub ignore every genuine change of the record until then.
        const why = new ValidationError(
          this.s.incremental.field,
          `更新时间在未来: ${String(rawTime)} is more than ${Math.round((latestTrusted - this.now()) / 60_000)} minutes ahead of this connector's clock; ` +
            'it cannot move the cursor (nothing updated before it would be read again). Correct the time on the platform: the corrected record is read again.',
        );
        untrusted.push({ rec: { id, payload: item, raw, rejected: why }, mark });
        continue;
      }
      if (t < sinceMs) continue; // a platform that ignores the filter must not make us go back
      if (t === sinceMs) atSince.push({ rec: { id, payload: item, raw, sourceTime: t }, mark });
      else later.push({ rec: { id, payload: item, raw, sourceTime: t }, mark, t, rawTime: String(rawTime) });
    }
    // next-token paging: a token in the answer means another page; other styles: a full page does
    const full = this.s.pagination.style === 'next-token' ? nextToken !== undefined : list.length >= this.s.pagination.size;
    const fresh = untrusted.filter((u) => !held.has(u.mark));
    const nextHeld = [...(c.held ?? []), ...fresh.map((u) => u.mark)].slice(-MAX_HELD);
    const heldPart = nextHeld.length ? { held: nextHeld } : {};
    const warnings = fresh.map((u) => `记录 ${u.rec.id} 的更新时间不可信，已转入死信: ${u.rec.rejected!.message}`);
    const marksAtSince = atSince.map((a) => a.mark);
    const unseen = atSince.filter((a) => !seen.has(a.mark)).map((a) => a.rec);

    const inPass = c.pass !== undefined || c.page > 0;
    const blockContinues = full && later.length === 0 && atSince.length > 0;
    if (!inPass && !blockContinues) {
      // The common case: this page reaches past `since`, so reading on from the newest time is keyset-safe.
      return { records: [...unseen, ...later.map((l) => l.rec), ...fresh.map((u) => u.rec)], cursor: { ...this.advance({ ...c, seenAtSince: marksAtSince }, later), ...heldPart }, hasMore: full, warnings };
    }
    // Reading the pages of one timestamp (page numbers over a list that may shift while we read).
    const pass = c.pass ?? { prev: null, cur: [] };
    const digest = createHash('sha1').update(marksAtSince.join('|')).digest('base64url').slice(0, 12);
    // a page identical to the same page of the previous pass was delivered whole in that pass, and a
    // record the passes delivered from another page (the listing shifted) is not produced again
    const digestOf = (mark: string) => createHash('sha1').update(mark).digest().subarray(0, 8);
    // the first page of the passes starts from what was delivered at this time before them (seenAtSince)
    const before = c.pass ? Buffer.from(c.pass.delivered ?? '', 'base64') : Buffer.concat(c.seenAtSince.map(digestOf));
    const done = new Set<string>();
    for (let i = 0; i + 8 <= before.length; i += 8) done.add(before.subarray(i, i + 8).toString('hex'));
    const deliverMarks = pass.prev?.[c.page] === digest ? [] : atSince.filter((a) => !seen.has(a.mark) && !done.has(digestOf(a.mark).toString('hex')));
    const deliver = deliverMarks.map((a) => a.rec);
    const all = Buffer.concat([before, ...deliverMarks.map((a) => digestOf(a.mark))]);
    const delivered = all.subarray(Math.max(0, all.length - 8 * MAX_DELIVERED_MARKS)).toString('base64');
    const cur = [...pass.cur, digest];
    if (blockContinues) {
      return {
        records: [...deliver, ...fresh.map((u) => u.rec)],
        cursor: { since: c.since, seenAtSince: marksAtSince, page: c.page + 1, ...(nextToken !== undefined ? { token: nextToken } : {}), pass: { prev: pass.prev, cur, delivered }, ...heldPart },
        hasMore: true,
        warnings,
      };
    }
    const stable = pass.prev !== null && pass.prev.length === cur.length && pass.prev.every((d, i) => d === cur[i]);
    if (!stable) {
      // The listing of this timestamp may have shifted under the page numbers: read its pages again
      // before leaving it. Newer records on this page come again once a pass is stable.
      return {
        records: [...deliver, ...fresh.map((u) => u.rec)],
        cursor: { since: c.since, seenAtSince: marksAtSince, page: 0, pass: { prev: cur, cur: [], delivered }, ...heldPart },
        hasMore: true,
        warnings,
      };
    }
    if (later.length === 0) {
      // Read to the head of the listing: stay on this timestamp's last page with this pass as the
      // reference, so the next poll reads one page, not the whole timestamp again.
      return {
        records: [...deliver, ...fresh.map((u) => u.rec)],
        cursor: { since: c.since, seenAtSince: marksAtSince, page: c.page, ...(c.token !== undefined ? { token: c.token } : {}), pass: { prev: cur, cur: cur.slice(0, c.page), delivered }, ...heldPart },
        hasMore: false,
        warnings,
      };
    }
    return { records: [...deliver, ...later.map((l) => l.rec), ...fresh.map((u) => u.rec)], cursor: { ...this.advance({ ...c, seenAtSince: marksAtSince }, later), ...heldPart }, hasMore: full, warnings };
  }

  /** The cursor after a page that reached past `since`: the newest time delivered and the records at it. */
  private advance(c: HttpPollCursor, later: Array<{ mark: string; t: number; rawTime: string }>): HttpPollCursor {
    if (later.length === 0) return { since: c.since, seenAtSince: c.seenAtSince, page: 0 };
    const maxMs = Math.max(...later.map((l) => l.t));
    const atMax = later.filter((l) => l.t === maxMs);
    return { since: atMax[0]!.rawTime, seenAtSince: atMax.map((l) => l.mark), page: 0 };
  }

  position(cursor: HttpPollCursor): number | undefined {
    try {
      return this.timeOf(cursor.since);
    } catch {
      return undefined;
    }
  }

  private timeOf(raw: string): number {
    return parseTimestamp(raw, this.s.incremental.field, { notBefore: new Date(0) }).epochMs;
  }

  private buildUrl(c: HttpPollCursor): URL {
    const url = new URL(this.s.url);
    for (const [k, v] of Object.entries(this.s.extraParams ?? {})) url.searchParams.set(k, v);
    const inc = this.s.incremental;
    url.searchParams.set(inc.param, inc.paramFormat && inc.paramFormat !== 'as-is' ? formatParam(c.since, this.timeOf(c.since), inc.paramFormat) : c.since);
    const p = this.s.pagination;
    if (p.style === 'next-token') {
      if (c.token !== undefined) url.searchParams.set(p.tokenParam, c.token);
      url.searchParams.set(p.sizeParam, String(p.size));
    } else if (p.style === 'page') {
      url.searchParams.set(p.pageParam, String(p.firstPage + c.page));
      url.searchParams.set(p.sizeParam, String(p.size));
    } else {
      url.searchParams.set(p.offsetParam, String(c.page * p.size));
      url.searchParams.set(p.limitParam, String(p.size));
    }
    return url;
  }

  private async request(c: HttpPollCursor, signal: AbortSignal): Promise<unknown> {
    return this.fetchUrl(this.buildUrl(c), signal);
  }

  private fetchUrl(url: URL, signal: AbortSignal): Promise<unknown> {
    return this.s.soap ? this.client.soap(url, this.s.soap, signal) : this.client.get(url, signal);
  }

  private format(): 'json' | 'xml' {
    return this.s.soap ? 'xml' : (this.s.format ?? 'json');
  }

  private nextTokenOf(body: unknown): string | undefined {
    const p = this.s.pagination;
    if (p.style !== 'next-token') return undefined;
    const t = getPath(body, p.tokenPath);
    return (typeof t === 'string' && t.trim() !== '') || typeof t === 'number' ? String(t).trim() : undefined;
  }

  /**
   * Once per process, before the first page: the known window must answer rows, each with the
   * configured id and update-time fields. Anything else is a setting to fix, said in the status.
   */
  private async probe(signal: AbortSignal): Promise<void> {
    const inc = this.s.incremental;
    const since = inc.probeSince as string;
    const url = this.buildUrl({ since, seenAtSince: [], page: 0 });
    const body = await this.fetchUrl(url, signal);
    const list = recordList(getPath(body, this.s.recordsPath), this.format(), this.s.recordsPath);
    if (list.length === 0) throw new SinceParameterRejectedError(inc.param, url.searchParams.get(inc.param) ?? '', inc.paramFormat ?? 'as-is');
    const first = list[0];
    const fields = first && typeof first === 'object' ? Object.keys(first).join(', ') : typeof first;
    for (const [setting, path] of [['idField', this.s.idField], ['incremental.field', inc.field]] as const) {
      const v = getPath(first, path);
      if (v === undefined || v === null || v === '') {
        throw new UpstreamRejectedError(`source.${setting} "${path}" is not in the platform's records (a record of the known window has: ${fields}); fix source.${setting}`);
      }
    }
    this.probed = true;
  }
}
