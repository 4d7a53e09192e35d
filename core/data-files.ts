/**
 * Reading the county's data files (catalogues, rules, calendars): one place that turns a missing
 * file, bad encoding or bad JSON into a ConfigError naming the file, and small field checkers
 * that name the offending dotted path.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { ConfigError } from './errors.js';

/** The catalogue folder shipped with the project: `schemas/catalogues/`. */
export const DEFAULT_CATALOGUE_DIR = fileURLToPath(new URL('../schemas/catalogues/', import.meta.url));

/**
 * Text of a data file. UTF-8 (with or without BOM) is expected; a file that is not valid UTF-8
 * is decoded as GB18030, the superset of the GBK that Chinese-Windows Excel writes.
 */
export function readTextFile(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new ConfigError(basename(path), `cannot read ${path}: ${(err as Error).message}`);
  }
  return decodeText(bytes);
}

export function decodeText(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = iconv.decode(Buffer.from(bytes), 'gb18030');
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function readJsonFile(path: string): unknown {
  const text = readTextFile(path);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ConfigError(basename(path), `not valid JSON: ${(err as Error).message}`);
  }
}

export type Json = Record<string, unknown>;

export function asObject(value: unknown, field: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(field, `must be an object, got ${describe(value)}`);
  }
  return value as Json;
}

export function asArray(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw new ConfigError(field, `must be an array, got ${describe(value)}`);
  return value;
}

export function asString(value: unknown, field: string, opts: { pattern?: RegExp; hint?: string } = {}): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(field, `must be a non-empty string, got ${describe(value)}`);
  }
  if (opts.pattern && !opts.pattern.test(value)) {
    throw new ConfigError(field, `"${value}" is not valid${opts.hint ? `: ${opts.hint}` : ''}`);
  }
  return value;
}

export function asOptionalString(value: unknown, field: string): string | undefined {
  return value === undefined ? undefined : asString(value, field);
}

export function asBoolean(value: unknown, field: string, fallback?: boolean): boolean {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(field, `must be true or false, got ${describe(value)}`);
  return value;
}

export function asStringArray(value: unknown, field: string): string[] {
  return asArray(value, field).map((item, i) => asString(item, `${field}[${i}]`));
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value}"`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
