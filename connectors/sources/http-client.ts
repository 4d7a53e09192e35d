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
  /**
   * Provincial data-sharing platforms: app key + timestamp + nonce, signed with the secret —
   * HMAC-SHA256 (default) or HMAC-SM3 (national crypto) — in the platform's header names.
   */
  | { type: 'app-key'; appKey: string; appSecret: string; algorithm?: 'hmac-sha256' | 'hmac-sm3'; headerNames?: Partial<Record<'key' | 'timestamp' | 'nonce' | 'signature', string>> }
  /** OAuth2 client credentials: a token from tokenUrl, kept until shortly before it expires, fetched again after a 401. */
  | { type: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string; scope?: string };

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

/** Headers for app-key signing: sign = HMAC-SHA256 or HMAC-SM3 (secret, appKey + timestamp + nonce + path?query), hex. */
export function appKeySignature(appKey: string, appSecret: string, pathAndQuery: string, timestamp: string, nonce: string, algorithm: 'hmac-sha256' | 'hmac-sm3' = 'hmac-sha256'): string {
  return createHmac(algorithm === 'hmac-sm3' ? 'sm3' : 'sha256', appSecret).update(`${appKey}${timestamp}${nonce}${pathAndQuery}`).digest('hex');
}

const RETRY_WITH_NEW_TOKEN = Symbol('retry with a new token');

/** A SOAP 1.1 WebService operation (no WSDL needed at run time: the operation, its namespace and SOAPAction). */
export interface SoapCall {
  /** The operation's element name, e.g. queryCases. */
  operation: string;
  /** The target namespace of the service, from the WSDL. */
  namespace: string;
  /** The SOAPAction header; default `<namespace>/<operation>`. */
  action?: string;
}

const escapeXml = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export class HttpPlatformClient {
  private readonly limiter: RateLimiter | undefined;

  constructor(private readonly s: HttpClientSettings) {
    this.limiter = s.rateLimitPerSecond ? new RateLimiter(s.rateLimitPerSecond) : undefined;
  }

  private token: { value: string; until: number } | undefined;

  private async headers(url: URL, signal: AbortSignal): Promise<Record<string, string>> {
    const a = this.s.auth;
    if (a.type === 'bearer') return { authorization: `Bearer ${a.token}` };
    if (a.type === 'headers') return { ...a.headers };
    if (a.type === 'oauth2') return { authorization: `Bearer ${await this.accessToken(a, signal)}` };
    if (a.type === 'app-key') {
      const timestamp = String(Date.now());
      const nonce = randomUUID();
      const h = a.headerNames ?? {};
      return {
        [h.key ?? 'x-app-key']: a.appKey,
        [h.timestamp ?? 'x-timestamp']: timestamp,
        [h.nonce ?? 'x-nonce']: nonce,
        [h.signature ?? 'x-signature']: appKeySignature(a.appKey, a.appSecret, url.pathname + url.search, timestamp, nonce, a.algorithm),
      };
    }
    return {};
  }

  /** The client-credentials token, fetched when there is none or it expires within a minute. */
  private async accessToken(a: Extract<HttpAuth, { type: 'oauth2' }>, signal: AbortSignal): Promise<string> {
    if (this.token && this.token.until > Date.now()) return this.token.value;
    const where = `POST ${new URL(a.tokenUrl).host}${new URL(a.tokenUrl).pathname} (OAuth2 token)`;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: a.clientId, client_secret: a.clientSecret, ...(a.scope ? { scope: a.scope } : {}) });
    let res: Response;
    try {
      res = await fetch(a.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Basic ${Buffer.from(`${encodeURIComponent(a.clientId)}:${encodeURIComponent(a.clientSecret)}`).toString('base64')}` },
        body: form,
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.s.timeoutMs ?? 15_000)]),
      });
    } catch (err) {
      if (signal.aborted) throw err;
      throw new UpstreamUnavailableError(`${where} failed: ${(err as Error).message}`, err);
    }
    const text = await res.text();
    if (res.status === 429 || res.status >= 500) throw new UpstreamUnavailableError(`${where} answered HTTP ${res.status}: ${text.slice(0, 200)}`);
    if (res.status >= 400) throw new UpstreamRejectedError(`${where} refused the client credentials (HTTP ${res.status}: ${text.slice(0, 200)}) — check source.auth.clientId/clientSecret/scope`);
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch (err) {
      throw new UpstreamUnavailableError(`${where} answered a body that is not JSON: ${text.slice(0, 120)}`, err);
    }
    if (typeof body.access_token !== 'string' || body.access_token === '') throw new UpstreamRejectedError(`${where} answered without an access_token: ${text.slice(0, 200)}`);
    const lifetimeS = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? 3600);
    this.token = { value: body.access_token, until: Date.now() + Math.max(0, (Number.isFinite(lifetimeS) ? lifetimeS : 3600) - 60) * 1000 };
    return this.token.value;
  }

  async get(url: URL, signal: AbortSignal): Promise<unknown> {
    return this.request(url, signal);
  }

  /**
   * A SOAP 1.1 call: the query parameters of `url` become the child elements of `<ns:operation>` in
   * the envelope's body, POSTed with the SOAPAction header; the answer is read as XML. A Client
   * fault (the request is wrong) is a refusal; a Server fault is retried.
   */
  async soap(url: URL, soap: SoapCall, signal: AbortSignal): Promise<unknown> {
    const endpoint = new URL(url);
    endpoint.search = '';
    const params = [...url.searchParams].map(([k, v]) => `<ns:${k}>${escapeXml(v)}</ns:${k}>`).join('');
    const body =
      `<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns="${escapeXml(soap.namespace)}">` +
      `<soapenv:Header/><soapenv:Body><ns:${soap.operation}>${params}</ns:${soap.operation}></soapenv:Body></soapenv:Envelope>`;
    return this.request(endpoint, signal, { body, headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${soap.action ?? `${soap.namespace}/${soap.operation}`}"` } });
  }

  private async request(url: URL, signal: AbortSignal, post?: { body: string; headers: Record<string, string> }): Promise<unknown> {
    const first = await this.once(url, signal, post);
    if (first !== RETRY_WITH_NEW_TOKEN) return first;
    const second = await this.once(url, signal, post);
    if (second === RETRY_WITH_NEW_TOKEN) throw new UpstreamRejectedError(`${post ? 'POST' : 'GET'} ${url.host}${url.pathname} answered HTTP 401 with a fresh OAuth2 token — check the client's grants (scope) on the platform`);
    return second;
  }

  private async once(url: URL, signal: AbortSignal, post?: { body: string; headers: Record<string, string> }): Promise<unknown> {
    await this.limiter?.take(signal);
    const timeout = AbortSignal.timeout(this.s.timeoutMs ?? 15_000);
    const auth = await this.headers(url, signal); // a token endpoint's refusal stays a refusal
    const method = post ? 'POST' : 'GET';
    let res: Response;
    try {
      const accept = this.s.format === 'xml' || post ? 'application/xml, text/xml' : 'application/json';
      res = await fetch(url, { method, headers: { accept, ...auth, ...post?.headers }, ...(post ? { body: post.body } : {}), signal: AbortSignal.any([signal, timeout]) });
    } catch (err) {
      if (signal.aborted) throw err;
      const why = timeout.aborted ? `no answer within ${(this.s.timeoutMs ?? 15_000) / 1000} s` : (err as Error).message;
      throw new UpstreamUnavailableError(`${method} ${url.host}${url.pathname} failed: ${why}`, err);
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    const where = `${method} ${url.host}${url.pathname}`;
    const text = decodeText(bytes, charsetOf(bytes, res.headers.get('content-type'), this.s.charset), where);
    if (post && res.status === 500 && /<(\w+:)?Fault\b/.test(text)) {
      const fault = getPath(parseBody(text, 'xml', where), 'Envelope.Body.Fault') as { faultcode?: string; faultstring?: string } | undefined;
      const code = String(fault?.faultcode ?? '');
      const message = `${where} answered a SOAP fault ${code}: ${String(fault?.faultstring ?? '').slice(0, 200)}`;
      if (/(^|:)Client/.test(code)) throw new UpstreamRejectedError(`${message} — the request is wrong: check source.soap and the parameters`);
      throw new UpstreamUnavailableError(message);
    }
    if (res.status === 429 || res.status >= 500) {
      throw new UpstreamUnavailableError(`${where} answered HTTP ${res.status}: ${text.slice(0, 200)}`);
    }
    if (res.status === 401 && this.s.auth.type === 'oauth2' && this.token) {
      this.token = undefined; // revoked or expired early: one more try with a new token
      return RETRY_WITH_NEW_TOKEN;
    }
    if (res.status >= 400) {
      throw new UpstreamRejectedError(`${where} answered HTTP ${res.status}: ${text.slice(0, 200)} — check the connector's URL and credentials`);
    }
    const body = parseBody(text, post ? 'xml' : (this.s.format ?? 'json'), where);
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
