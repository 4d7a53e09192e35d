/** Small helpers every mapping needs; each throws a ValidationError/MappingError naming the field. */
import { MappingError, ValidationError } from '../../core/errors.js';
import { cleanText, looksLikeInjection, normaliseCode, type CleanTextOptions } from '../../core/normalise/index.js';
import type { CountyPlaces } from '../../core/places.js';
import type { Emitted } from './types.js';

/** The payload as an object, or a MappingError (arrays, strings and null are not records). */
export function object(payload: unknown): Record<string, unknown> {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new MappingError(`记录不是一个对象 (expected a JSON object, got ${Array.isArray(payload) ? 'an array' : typeof payload})`);
  }
  return payload as Record<string, unknown>;
}

/** A 12-digit statistical division code, or null when absent. */
export function divisionCode(raw: unknown, field: string): string | null {
  if (raw === null || raw === undefined || raw === '') return null;
  const code = normaliseCode(String(raw), field);
  if (!/^\d{12}$/.test(code)) {
    throw new ValidationError(field, `行政区划代码应为12位数字 (division code must be 12 digits, got "${code}")`);
  }
  return code;
}

const UNPLACED = 'id:';

/**
 * The Kafka key of a report: its town (9-digit prefix of the division code), so that reports that
 * may be about the same matter meet in the same partition. Without a division code the key says
 * the town is not known yet; the worker places the report from its address, text or position
 * (placeReportKey) before producing it.
 */
export function townKey(division: string | null, fallback: string): string {
  return division ? division.slice(0, 9) : `${UNPLACED}${fallback}`;
}

/** A report the mapping could not key by town gets the town its address, text or position names. */
export function placeReportKey(e: Emitted, places: CountyPlaces): Emitted {
  if (e.kind !== 'report' || !e.key.startsWith(UNPLACED)) return e;
  const r = e.value;
  return { ...e, key: places.keyOf({ divisionCode: r.envelope.divisionCode, address: r.address, description: r.description, location: r.envelope.location }) };
}

/**
 * Text of a structured field (name, title, address, code). Unlike free text (a citizen may quote
 * anything in a complaint), such fields never legitimately hold SQL or script fragments: those are
 * dead-lettered so a person looks at them before they reach any downstream system.
 */
export function structuredText(raw: unknown, opts: CleanTextOptions): string | null {
  const text = cleanText(raw, opts);
  if (text === null) return null;
  const why = looksLikeInjection(text);
  if (why) throw new ValidationError(opts.field, `字段内容疑似注入攻击 (${why}); check the source record before replaying it`);
  return text;
}

// C0/C1 controls (tab, CR and LF included: no system issues ids with them), zero-width and BOM characters.
const ID_FORBIDDEN = /[\u0000-\u001F\u007F-\u009F\u200B-\u200F\u2060\uFEFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A source record's id, kept exactly as the source wrote it (surrounding spaces aside: file cells
 * are padded) — or refused. Never cleaned: removing a NUL byte ("abc\0def" → "abcdef") or
 * replacing a lone surrogate with U+FFFD would make two records of the source one record here.
 */
export function sourceRecordId(raw: unknown, field: string, maxLength = 64): string {
  if (raw === null || raw === undefined || raw === '') throw new ValidationError(field, '编号为空: the record has no id');
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'bigint') {
    throw new ValidationError(field, `编号格式错误: expected text or a number, got ${Array.isArray(raw) ? 'a list' : typeof raw}`);
  }
  const id = String(raw).replace(/^ +| +$/g, '');
  if (id === '') throw new ValidationError(field, '编号为空: the record has no id');
  const bad = ID_FORBIDDEN.exec(id);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new ValidationError(field, `编号含有控制字符或不可见字符 (U+${code} at position ${bad.index}); an id is never changed, so the record is refused — fix the id at the source`);
  }
  const lone = LONE_SURROGATE.exec(id);
  if (lone) {
    throw new ValidationError(field, `编号含有无效的Unicode字符 (a lone surrogate at position ${lone.index}, not valid UTF-8); the record is refused — fix the id at the source`);
  }
  if (Array.from(id).length > maxLength) throw new ValidationError(field, `编号过长: ${Array.from(id).length} characters; the limit is ${maxLength}`);
  return id;
}

/** A record id that must also not look like an injection (ids other systems will query by). */
export function structuredId(raw: unknown, field: string, maxLength = 64): string {
  const id = sourceRecordId(raw, field, maxLength);
  const why = looksLikeInjection(id);
  if (why) throw new ValidationError(field, `字段内容疑似注入攻击 (${why}); check the source record before replaying it`);
  return id;
}
