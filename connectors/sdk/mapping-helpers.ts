/** Small helpers every mapping needs; each throws a ValidationError/MappingError naming the field. */
import { MappingError, ValidationError } from './errors.js';
import { normaliseCode } from './normalise/index.js';

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
