/**
 * Resident identity card number (公民身份号码, GB 11643-1999):
 * 6-digit address code + YYYYMMDD birth date + 3-digit sequence (odd = male) + check character
 * (ISO 7064 MOD 11-2). The address code is not checked against a division table: retired codes
 * stay valid for life.
 */
import { ValidationError } from '../errors.js';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** The ISO 7064 MOD 11-2 check character ('0'–'9' or 'X') for the first 17 digits. */
export function residentIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) {
    throw new ValidationError('residentId', `身份证号格式错误 (resident ID: need 17 digits to compute the check character, got "${first17.length} characters")`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] as number);
  return CHECK_CHARS[sum % 11] as string;
}

/** NFKC (full-width digits → ASCII), remove spaces and hyphens, upper-case a trailing x. */
export function normaliseResidentId(raw: string): string {
  return raw
    .normalize('NFKC')
    .replace(/[\s\p{Zs}\u200B\uFEFF\-]/gu, '')
    .toUpperCase();
}

export interface ResidentIdOptions {
  /** Reference time for "birth date not in the future"; defaults to the current time. */
  now?: Date;
}

const EXPORT_DAMAGED =
  '身份证号已被导出损坏 (the resident ID was damaged by a spreadsheet export: Excel stored it as a number';

/**
 * Validate a resident ID and return its canonical 18-character form (upper-case X). A 15-digit
 * legacy number is upgraded (19 inserted before the year, check character computed). Numbers damaged
 * by a spreadsheet export (scientific notation, float digits, trailing 000) are rejected, never repaired.
 */
export function validateResidentId(raw: unknown, field: string, opts: ResidentIdOptions = {}): string {
  const id = residentIdText(raw, field);

  if (/^[+-]?\d+(?:\.\d+)?E[+-]?\d+$/.test(id)) {
    throw new ValidationError(field, `${EXPORT_DAMAGED} and shows it in scientific notation "${id}"; the last digits are lost). Re-export the column as text.`);
  }
  if (/^\d+\.\d*$/.test(id)) {
    throw new ValidationError(field, `${EXPORT_DAMAGED} with a decimal point; digits beyond the 15th may be lost). Re-export the column as text.`);
  }

  if (/^\d{15}$/.test(id)) return upgradeLegacy(id, field, opts);

  if (!/^\d{17}[\dX]$/.test(id)) {
    const hint = /^\d{17}$/.test(id) ? '; the check character (last digit or X) is missing' : '';
    throw new ValidationError(field, `身份证号格式错误 (resident ID must be 18 characters: 17 digits and a digit or X, or a 15-digit old number; got ${id.length} characters${hint})`);
  }

  const expected = residentIdCheckChar(id.slice(0, 17));
  const got = id[17];
  if (got !== expected) {
    if (id.endsWith('000')) {
      throw new ValidationError(field, `${EXPORT_DAMAGED}, which keeps only 15 significant digits, so the last digits became 000). Re-export the column as text.`);
    }
    throw new ValidationError(field, `身份证号校验位错误 (resident ID check character wrong: expected ${expected}, got ${got}); the number was probably mistyped`);
  }
  assertBirthDate(id.slice(6, 14), field, opts);
  return id;
}

export interface ResidentIdInfo {
  addressCode: string;
  /** yyyy-MM-dd */
  birthDate: string;
  sex: 'male' | 'female';
}

/** Read the address code, birth date and sex out of a validated 18-character ID. */
export function residentIdInfo(id18: string): ResidentIdInfo {
  const b = id18.slice(6, 14);
  return {
    addressCode: id18.slice(0, 6),
    birthDate: `${b.slice(0, 4)}-${b.slice(4, 6)}-${b.slice(6, 8)}`,
    sex: Number(id18[16]) % 2 === 1 ? 'male' : 'female',
  };
}

function residentIdText(raw: unknown, field: string): string {
  if (typeof raw === 'number') {
    // 15-digit legacy numbers fit a double exactly; 18-digit ones never do.
    if (Number.isSafeInteger(raw) && raw >= 1e14 && raw < 1e15) return String(raw);
    throw new ValidationError(field, `${EXPORT_DAMAGED} (${String(raw)}), and a number cannot hold 18 digits exactly). Re-export the column as text.`);
  }
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new ValidationError(field, '身份证号为空 (resident ID is missing)');
  }
  return normaliseResidentId(raw);
}

function upgradeLegacy(id15: string, field: string, opts: ResidentIdOptions): string {
  const first17 = `${id15.slice(0, 6)}19${id15.slice(6, 15)}`;
  assertBirthDate(first17.slice(6, 14), field, opts);
  return first17 + residentIdCheckChar(first17);
}

function assertBirthDate(yyyymmdd: string, field: string, opts: ResidentIdOptions): void {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  const shown = `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
  const date = new Date(Date.UTC(year, month - 1, day));
  const real = month >= 1 && month <= 12 && day >= 1 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  if (!real) {
    throw new ValidationError(field, `身份证号出生日期无效 (resident ID birth date ${shown} does not exist)`);
  }
  if (year < 1900) {
    throw new ValidationError(field, `身份证号出生日期无效 (resident ID birth date ${shown} is before 1900)`);
  }
  const now = opts.now ?? new Date();
  const todayShanghai = new Date(now.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
  if (shown > todayShanghai) {
    throw new ValidationError(field, `身份证号出生日期无效 (resident ID birth date ${shown} is in the future)`);
  }
}
