/**
 * GET a page from a department platform: auth (static headers, bearer, app-key signing), rate
 * limit, time-out, the body as JSON or XML in any charset (http-body.ts), and the HTTP status /
 * body status → error table (retriable or not) shared by the HTTP source kinds.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { UpstreamRejectedError, UpstreamUnavailableError } from '../../core/errors.js';
import { charsetOf, decodeText, parseBody, type BodyFormat } from './http-body.js';
import { getPath } from './paths.js';
import { RateLimiter } from './rate-limit.js';

export type HttpAuth =
  | { type: 'none' }
  | { type: 'bearer'; token: string }
  /** Fixed headers the platform issued (an X-App-Key, a token in a custom header). */
  | { type: 'headers'; headers: Record<string, string> }
  /** Provincial data-sharing platforms: app key + timestamp + nonce, HMAC-SHA256 signed with the secret. */
  | { type: 'app-key'; appKey: string; appSecret: string };

export interface HttpClientSettings {
  auth: HttpAuth;
  /** Platforms that answer HTTP 200 with an error code in the body ("系统繁忙"). */
  bodyStatus?: { path: string; ok: Array<string | number>; messagePath?: string };
  timeoutMs?: number;
  rateLimitPerSecond?: number;
  /** The body's format: json (default) or xml (SOAP envelopes included). */
  format?: BodyFormat;
  /** Charset of the body when the platform does not say it or says it wrongly: gbk, gb18030, utf-8 … */
  charset?: string;
}

/** Headers for app-key signing: sign = HMAC-SHA256(secret, appKey + timestamp + nonce + path?query). */
export function appKeySignature(appKey: string, appSecret: string, pathAndQuery: string, timestamp: string, nonce: string): string {
  return createHmac('sha256', appSecret).update(`${appKey}${timestamp}${nonce}${pathAndQuery}`).digest('hex');
}

export class HttpPlatformClient {
  private readonly limiter: RateLimiter | undefined;

  constructor(private readonly s: HttpClientSettings) {
    this.limiter = s.rateLimitPerSecond ? new RateLimiter(s.rateLimitPerSecond) : undefined;
  }

  private headers(url: URL): Record<string, string> {
    const a = this.s.auth;
    if (a.type === 'bearer') return { authorization: `Bearer ${a.token}` };
    if (a.type === 'headers') return { ...a.headers };
    if (a.type === 'app-key') {
      const timestamp = String(Date.now());
      const nonce = randomUUID();
      return {
        'x-app-key': a.appKey,
        'x-timestamp': timestamp,
        'x-nonce': nonce,
        'x-signature': appKeySignature(a.appKey, a.appSecret, url.pathname + url.search, timestamp, nonce),
      };
    }
    return {};
  }

  async get(url: URL, signal: AbortSignal): Promise<unknown> {
    await this.limiter?.take(signal);
    const timeout = AbortSignal.timeout(this.s.timeoutMs ?? 15_000);
    let res: Response;
    try {
      res = await fetch(url, { headers: { accept: this.s.format === 'xml' ? 'application/xml, text/xml' : 'application/json', ...this.headers(url) }, signal: AbortSignal.any([signal, timeout]) });
    } catch (err) {
      if (signal.aborted) throw err;
      const why = timeout.aborted ? `no answer within ${(this.s.timeoutMs ?? 15_000) / 1000} s` : (err as Error).message;
      throw new UpstreamUnavailableError(`GET ${url.host}${url.pathname} failed: ${why}`, err);
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    const where = `GET ${url.host}${url.pathname}`;
    const text = decodeText(bytes, charsetOf(bytes, res.headers.get('content-type'), this.s.charset), where);
    if (res.status === 429 || res.status >= 500) {
      throw new UpstreamUnavailableError(`${where} answered HTTP ${res.status}: ${text.slice(0, 200)}`);
    }
    if (res.status >= 400) {
      throw new UpstreamRejectedError(`${where} answered HTTP ${res.status}: ${text.slice(0, 200)} — check the connector's URL and credentials`);
    }
    const body = parseBody(text, this.s.format ?? 'json', where);
    const bs = this.s.bodyStatus;
    if (bs) {
      const code = getPath(body, bs.path) as string | number;
      if (!bs.ok.includes(code)) {
        const msg = bs.messagePath ? String(getPath(body, bs.messagePath) ?? '') : '';
        throw new UpstreamUnavailableError(`platform reported error ${String(code)} in an HTTP ${res.status} answer: ${msg}`);
      }
    }
    return body;
  }
}
