/** Small helpers every mapping needs; each throws a ValidationError/MappingError naming the field. */
import { MappingError, ValidationError } from './errors.js';
import { cleanText, looksLikeInjection, normaliseCode, type CleanTextOptions } from './normalise/index.js';

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

/**
 * The Kafka key of a report: its town (9-digit prefix of the division code), so that reports that
 * may be about the same matter meet in the same partition; the record id when the town is unknown.
 */
export function townKey(division: string | null, fallback: string): string {
  return division ? division.slice(0, 9) : `id:${fallback}`;
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
