/**
 * Mainland China phone numbers.
 * - Mobile: 11 digits 1[3-9]xxxxxxxxx, optionally prefixed +86 / 0086 / 86.
 * - Landline: area code (010, 02x, or 4 digits 03xx–09xx) + 7 or 8 digit local number,
 *   optional extension. Canonical form "0571-88888888" or "0571-88888888-123".
 */
import { ValidationError } from '../errors.js';

export interface MobileNumber {
  kind: 'mobile';
  /** 11 digits, e.g. 18012341999 */
  number: string;
  /** +8618012341999 */
  e164: string;
}

export interface LandlineNumber {
  kind: 'landline';
  /** With the leading 0: 010, 0571 */
  areaCode: string;
  /** 7 or 8 digits */
  local: string;
  extension?: string;
  /** 0571-88888888 or 0571-88888888-123 */
  number: string;
  /** +8657188888888 (without extension) */
  e164: string;
}

export type PhoneNumber = MobileNumber | LandlineNumber;

/** NFKC (full-width digits → ASCII), unify dashes and brackets, trim. Keeps separators. */
function preclean(raw: string): string {
  return raw
    .normalize('NFKC')
    .replace(/[\u2010-\u2015\u2212\uFE63]/g, '-')
    .replace(/[\u200B\uFEFF]/g, '')
    .replace(/\p{Zs}/gu, ' ')
    .trim();
}

function phoneText(raw: unknown, field: string): string {
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return String(raw);
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new ValidationError(field, '电话号码为空 (phone number is missing)');
  }
  return preclean(raw);
}

/** Strip a +86 / 0086 / 86 country prefix from a digit string, if present. */
function stripCountryPrefix(digits: string, hadPlus: boolean): { rest: string; international: boolean } {
  if (digits.startsWith('0086')) return { rest: digits.slice(4), international: true };
  if (digits.startsWith('86') && (hadPlus || digits.length === 13 || /^86[1-9]\d{8,10}$/.test(digits))) {
    return { rest: digits.slice(2), international: true };
  }
  return { rest: digits, international: false };
}

const MOBILE = /^1[3-9]\d{9}$/;

/** Return the 11-digit mobile number, or null if the input is not a mainland mobile number. */
export function normaliseMobile(raw: string): string | null {
  const s = preclean(raw);
  if (!/^[+\d\s\-().]+$/.test(s)) return null;
  const digits = s.replace(/\D/g, '');
  const { rest } = stripCountryPrefix(digits, s.includes('+'));
  return MOBILE.test(rest) ? rest : null;
}

/** Validate a mainland mobile number; returns its 11 digits. */
export function validateMobile(raw: unknown, field: string): string {
  const text = phoneText(raw, field);
  const mobile = normaliseMobile(text);
  if (mobile === null) {
    throw new ValidationError(field, `手机号码无效 (not a mainland mobile number: expected 11 digits starting 13–19, optionally with +86; got "${text}")`);
  }
  return mobile;
}

const EXTENSION_SEPARATOR = /\s*(?:转|分机|ext\.?|extn\.?|x|#|,|;)\s*/i;

/** Parse a landline number; returns null if it is not one. */
export function normaliseLandline(raw: string): LandlineNumber | null {
  let s = preclean(raw);
  let extension: string | undefined;

  const extMatch = EXTENSION_SEPARATOR.exec(s);
  if (extMatch) {
    const ext = s.slice(extMatch.index + extMatch[0].length).replace(/[\s-]/g, '');
    if (!/^\d{1,6}$/.test(ext)) return null;
    extension = ext;
    s = s.slice(0, extMatch.index);
  }
  if (!/^[+\d\s\-().]+$/.test(s)) return null;

  const hadPlus = s.includes('+');
  // "0571-88888888-123": a third dash-separated group of 1–6 digits after a full number is an extension.
  const groups = s.replace(/[()+]/g, ' ').split(/[\s\-.]+/).filter((g) => g !== '');
  let digits = groups.join('');
  if (extension === undefined && groups.length >= 3) {
    const last = groups[groups.length - 1] as string;
    const head = groups.slice(0, -1).join('');
    if (last.length <= 6 && splitAreaCode(stripCountryPrefix(head, hadPlus).rest) !== null) {
      extension = last;
      digits = head;
    }
  }

  let { rest, international } = stripCountryPrefix(digits, hadPlus);
  if (international && !rest.startsWith('0')) rest = `0${rest}`;
  const split = splitAreaCode(rest);
  if (split === null) return null;
  const [areaCode, local] = split;
  const number = extension === undefined ? `${areaCode}-${local}` : `${areaCode}-${local}-${extension}`;
  const result: LandlineNumber = { kind: 'landline', areaCode, local, number, e164: `+86${areaCode.slice(1)}${local}` };
  if (extension !== undefined) result.extension = extension;
  return result;
}

/** Area codes: 010 and 020–029 have 3 digits; all others (03xx–09xx) have 4. */
function splitAreaCode(digits: string): [string, string] | null {
  const areaLength = /^0[12]/.test(digits) ? 3 : /^0[3-9]/.test(digits) ? 4 : 0;
  if (areaLength === 0) return null;
  if (digits.startsWith('01') && !digits.startsWith('010')) return null;
  const areaCode = digits.slice(0, areaLength);
  const local = digits.slice(areaLength);
  if (!/^[2-9]\d{6,7}$/.test(local)) return null;
  return [areaCode, local];
}

/** Validate a landline number with area code; returns its parsed canonical form. */
export function validateLandline(raw: unknown, field: string): LandlineNumber {
  const text = phoneText(raw, field);
  const landline = normaliseLandline(text);
  if (landline === null) {
    throw new ValidationError(
      field,
      `固定电话号码无效 (not a landline number: expected area code + 7 or 8 digits, e.g. 0571-88888888 or 010-12345678 转 123; got "${text}")`,
    );
  }
  return landline;
}

/** Validate a phone number that may be a mobile or a landline. */
export function validatePhone(raw: unknown, field: string): PhoneNumber {
  const text = phoneText(raw, field);
  const mobile = normaliseMobile(text);
  if (mobile !== null) return { kind: 'mobile', number: mobile, e164: `+86${mobile}` };
  const landline = normaliseLandline(text);
  if (landline !== null) return landline;
  throw new ValidationError(
    field,
    `电话号码无效 (not a mainland mobile or landline number: expected e.g. 18012341999 or 0571-88888888; got "${text}")`,
  );
}
