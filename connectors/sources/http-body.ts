/**
 * A department platform's answer body → a value the sources read with dotted paths: JSON or XML
 * (SOAP envelopes included), in whatever charset the platform writes (GBK and GB18030 are common).
 *
 * The charset comes from the manifest when set (platforms that declare one charset and send
 * another exist), else from the Content-Type header, else from the XML declaration, else UTF-8.
 * A body that is not the declared format is either a passing fault (an HTML error page from a
 * proxy, a truncated answer: retried) or a configuration mistake (well-formed XML where JSON was
 * declared, or the reverse: refused with what to set, because retrying cannot fix it).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import { UpstreamRejectedError, UpstreamUnavailableError } from '../../core/errors.js';

export type BodyFormat = 'json' | 'xml';

/**
 * The platform answered a body of another format than the manifest declares (XML where JSON is
 * declared, or the reverse). Retrying cannot fix it: the connector reports itself refused, and the
 * message says which setting to change. Not raised for an HTML error page of a proxy (retried).
 */
export class BodyFormatMismatchError extends UpstreamRejectedError {
  constructor(
    where: string,
    readonly declared: BodyFormat,
    readonly received: BodyFormat,
  ) {
    super(`${where} answered ${received.toUpperCase()}, but the connector expects ${declared.toUpperCase()}: set source.format to "${received}" in the manifest or CONNECTOR_CONFIG`);
  }
}

const XML_PARSER = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // codes keep their text: '01' is a status code, '0350' a district, never numbers
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // SOAP and namespaced payloads: <soap:Body><ns2:rows> read as Body.rows
  removeNSPrefix: true,
});

/** The charset to decode with: the manifest's, the header's, the XML declaration's, or UTF-8. */
export function charsetOf(bytes: Uint8Array, contentType: string | null, configured?: string): string {
  if (configured) return configured;
  const fromHeader = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '')?.[1];
  if (fromHeader) return fromHeader;
  // the declaration is ASCII in every charset these platforms use
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
  return /^\s*<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)["']/i.exec(head)?.[1] ?? 'utf-8';
}

export function decodeText(bytes: Uint8Array, charset: string, where: string): string {
  if (/^utf-?8$/i.test(charset)) {
    // Node's native decoder: iconv-lite's UTF-8 path goes through a stream decoder, several times
    // slower on the megabyte pages a bulk read gets. Same result: a BOM is dropped, bad bytes become U+FFFD.
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
  // GBK text is decoded as GB18030, its superset: platforms that say GBK often send its extensions
  const name = /^(gbk|gb2312|cp936)$/i.test(charset) ? 'gb18030' : charset;
  if (!iconv.encodingExists(name)) {
    throw new UpstreamRejectedError(`${where}: the answer's charset "${charset}" is not one we decode; set source.charset (utf-8, gbk, gb18030, big5)`);
  }
  return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), name);
}

// error pages of proxies and gateways: often bare fragments (<h1>502 Bad Gateway</h1>), which are well-formed XML too
const HTML_ROOT = /^\s*(<!--[\s\S]*?-->\s*)*<(!doctype html|html|head|body|title|h[1-6]|p|div|center|pre|hr|br|table)\b/i;
const looksLikeHtml = (t: string) => HTML_ROOT.test(t);
const looksLikeXml = (t: string) => /^\s*</.test(t) && !looksLikeHtml(t);

/** Parses `text` as the declared format, with an error that says whether retrying can help. */
export function parseBody(text: string, format: BodyFormat, where: string): unknown {
  if (format === 'json') {
    try {
      return JSON.parse(text);
    } catch (err) {
      if (looksLikeXml(text) && XMLValidator.validate(text) === true) {
        throw new BodyFormatMismatchError(where, 'json', 'xml');
      }
      // truncated or HTML error pages from a proxy in front of the platform: transient
      throw new UpstreamUnavailableError(`${where} answered with a body that is not JSON: ${text.slice(0, 120)}`, err);
    }
  }
  if (looksLikeHtml(text)) throw new UpstreamUnavailableError(`${where} answered an HTML page, not XML (a proxy or gateway error?): ${text.slice(0, 120)}`);
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const t = text.trimStart();
    if ((t.startsWith('{') || t.startsWith('[')) && isJson(t)) {
      throw new BodyFormatMismatchError(where, 'xml', 'json');
    }
    throw new UpstreamUnavailableError(`${where} answered with a body that is not well-formed XML (${valid.err.msg}, line ${valid.err.line}): ${text.slice(0, 120)}`);
  }
  return XML_PARSER.parse(text) as unknown;
}

function isJson(t: string): boolean {
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

/**
 * The records at a path, as a list. XML has no arrays: one <row> reads as an object and none as an
 * empty string or nothing at all; JSON must hold an array there (anything else: the platform is
 * mid-deploy or the path is wrong — retried, and the error names the path).
 */
export function recordList(value: unknown, format: BodyFormat, path: string): unknown[] {
  if (Array.isArray(value)) return value;
  if (format === 'xml') {
    if (value === undefined || value === null || value === '') return [];
    if (typeof value === 'object') return [value];
  }
  throw new UpstreamUnavailableError(`response has no list at "${path}" (got ${value === null ? 'null' : typeof value}); the platform may be mid-deploy, or source.recordsPath is wrong`);
}
