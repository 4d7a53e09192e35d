/**
 * Text cleaning for values coming from department systems.
 *
 * - `cleanText` is for free text (descriptions, addresses, opinions): it fixes whitespace and removes
 *   control characters but never applies NFKC (full-width punctuation is meaningful in Chinese prose).
 * - `normaliseCode` / `normaliseName` apply NFKC: full-width digits, letters and brackets become ASCII.
 * - Injection-looking strings are data and are kept; `looksLikeInjection` only reports them.
 */
import { ValidationError } from '../errors.js';

export interface CleanTextOptions {
  /** Dotted field path, used in error messages. */
  field: string;
  /** Maximum length in characters (Unicode code points), checked after cleaning. */
  maxLength?: number;
  /** When true, a missing or blank value is an error; otherwise it yields `null`. */
  required?: boolean;
}

// C0 and C1 control characters except \n (tab and \r are handled before this runs).
const CONTROL_CHARS = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g;
// Invisible characters that creep in from copy-paste: zero-width space, word joiner, BOM.
const INVISIBLE_CHARS = /[\u200B\u2060\uFEFF]/g;
// Every Unicode space separator (full-width space U+3000, NBSP, thin spaces...) except the plain space.
const OTHER_SPACES = /\p{Zs}/gu;
const HAN = /\p{Script=Han}/u;
/**
 * Anything cleanText would change besides trimming the ends: \r, tabs, line/paragraph separators,
 * space separators other than the plain space (the \p{Zs} members spelt out), control and invisible
 * characters, two spaces in a row, a space next to a line break.
 */
const NEEDS_CLEANING = /[\r\t\u2028\u2029\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000\u0000-\u0009\u000B-\u001F\u007F-\u009F\u200B\u2060\uFEFF]| {2}| \n|\n /;

/**
 * Trim, remove control characters (keeping \n), turn full-width/no-break spaces and tabs into spaces,
 * collapse runs of spaces, normalise line endings. Rejects text damaged by a wrong decoding.
 */
export function cleanText(raw: unknown, opts: CleanTextOptions & { required: true }): string;
export function cleanText(raw: unknown, opts: CleanTextOptions): string | null;
export function cleanText(raw: unknown, opts: CleanTextOptions): string | null {
  const { field, maxLength, required = false } = opts;
  const text = toText(raw, field);
  if (text === null) return missing(field, required);

  // most department text needs none of the replacements below: one scan decides
  const cleaned = NEEDS_CLEANING.test(text)
    ? text
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(/[\u2028\u2029]/g, '\n')
    .replace(OTHER_SPACES, ' ')
    .replace(CONTROL_CHARS, '')
    .replace(INVISIBLE_CHARS, '')
    .replace(/ {2,}/g, ' ')
    .replace(/ *\n */g, '\n')
    .trim()
    : text.trim();

  if (cleaned === '') return missing(field, required);
  assertNotMisdecoded(cleaned, field);
  if (maxLength !== undefined) assertMaxLength(cleaned, maxLength, field);
  return cleaned;
}

/**
 * Normalise an identifier-like code (case numbers, division codes, licence numbers): NFKC
 * (full-width → ASCII), remove all whitespace and invisible characters. Case is preserved.
 */
export function normaliseCode(raw: string, field = 'code'): string {
  const code = raw.normalize('NFKC').replace(INVISIBLE_CHARS, '').replace(/[\s\p{Zs}]+/gu, '');
  assertNotMisdecoded(code, field, { strict: true });
  return code;
}

// Characters people and systems use in place of the name separator "·" (U+00B7).
const NAME_SEPARATORS = /[\u00B7\u2022\u2027\u2219\u22C5\u30FB\uFF65.]/g;

/**
 * Normalise a person or organisation name: NFKC (full-width letters/brackets → ASCII), trim, collapse
 * spaces, drop spaces between Han characters ("张 三" → "张三"), and turn the separator variants
 * (•, ・, ‧, or "." between Han characters) into the standard "·" (U+00B7).
 */
export function normaliseName(raw: string, field = 'name'): string {
  const nfkc = raw
    .normalize('NFKC')
    .replace(INVISIBLE_CHARS, '')
    .replace(CONTROL_CHARS, '')
    .replace(/[\s\p{Zs}]+/gu, ' ')
    .trim();
  const chars = Array.from(nfkc);
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    const prev = chars[i - 1];
    const next = chars[i + 1];
    const betweenHan = prev !== undefined && next !== undefined && HAN.test(prev) && HAN.test(next);
    if (ch === ' ' && betweenHan) continue;
    NAME_SEPARATORS.lastIndex = 0;
    if (NAME_SEPARATORS.test(ch) && (ch !== '.' || betweenHan)) {
      out += '\u00B7';
      continue;
    }
    out += ch;
  }
  const name = out.replace(/ ?\u00B7 ?/g, '\u00B7');
  assertNotMisdecoded(name, field, { strict: true });
  return name;
}

/**
 * Throw if the text shows signs of a wrong character decoding:
 * U+FFFD replacement characters, the classic "锟斤拷" (U+FFFD bytes re-read as GBK), or runs of "?"
 * left where characters could not be represented. With `strict` (codes, names) any "?" counts,
 * since names and codes never contain one; in free text only a run of 3+ "?" inside the text
 * (followed by more text) or text that is mostly "?" counts, so "怎么回事???" at the end is accepted.
 */
export function assertNotMisdecoded(text: string, field: string, opts: { strict?: boolean } = {}): void {
  if (text.includes('\uFFFD') || text.includes('锟斤拷')) {
    throw new ValidationError(
      field,
      '疑似编码错误: the text contains replacement characters (\uFFFD); the file was probably GBK read as UTF-8. ' +
        'Re-export or re-read the source with the right encoding.',
    );
  }
  if (!text.includes('?')) return;
  const nonSpace = text.replace(/\s/g, '');
  const questionMarks = (nonSpace.match(/\?/g) ?? []).length;
  const midTextRun = /\?{3,}(?=[\p{L}\p{N}])/u.test(text);
  const mostlyQuestionMarks = questionMarks >= 2 && questionMarks / nonSpace.length >= 0.5;
  if ((opts.strict ?? false) || midTextRun || mostlyQuestionMarks) {
    throw new ValidationError(
      field,
      '疑似编码错误: the text contains "?" where characters should be; characters were lost when the source ' +
        'saved or exported them in an encoding that cannot hold them (e.g. GBK or latin1). Fix the export encoding.',
    );
  }
}

function toText(raw: unknown, field: string): string | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'bigint' || typeof raw === 'boolean') return String(raw);
  throw new ValidationError(field, `文本格式错误: expected text, got ${Array.isArray(raw) ? 'a list' : typeof raw}`);
}

function missing(field: string, required: boolean): null {
  if (required) throw new ValidationError(field, '必填项为空: this field is required but the record has no value for it');
  return null;
}

function assertMaxLength(text: string, maxLength: number, field: string): void {
  if (text.length <= maxLength) return; // code points never outnumber UTF-16 units
  const length = Array.from(text).length;
  if (length > maxLength) {
    throw new ValidationError(
      field,
      `文本过长: the text has ${length} characters; the limit is ${maxLength}`,
    );
  }
}

const INJECTION_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/<\s*script\b/i, 'contains a <script> tag (possible script injection)'],
  [/\bjavascript\s*:/i, 'contains a javascript: URL (possible script injection)'],
  [/<[^>]*\son[a-z]+\s*=/i, 'contains an HTML event handler attribute such as onerror= (possible script injection)'],
  [
    /['"`]\s*\)?\s*(?:or|and)\s+(?:['"`]?\w+['"`]?\s*(?:=|<|>|like\s*['"`])|true\b|not\b|\w+\s*\()/i,
    "contains a quote followed by OR/AND and a comparison, like ' OR '1'='1 (possible SQL injection)",
  ],
  [
    /(?:['"`;]|\)\s*;?)\s*(?:union\s+(?:all\s+)?select|select\b[\s\S]+?\bfrom\b|insert\s+into|update\s+\S+\s+set\b|delete\s+from|drop\s+(?:table|database|schema)|truncate\s+table|alter\s+table|exec(?:ute)?\s*[\s(]|xp_cmdshell|sleep\s*\(|waitfor\s+delay|benchmark\s*\()/i,
    'contains an SQL statement after a quote or semicolon (possible SQL injection)',
  ],
  [/['"`]\s*(?:--|#|\/\*)/, 'contains a quote followed by an SQL comment (possible SQL injection)'],
];

/**
 * Report whether text looks like an injection attempt. Returns a plain-language reason, or null.
 * The text is not changed: it is data, and the caller decides (flag, alert, or store as is).
 */
export function looksLikeInjection(text: string): string | null {
  for (const [pattern, reason] of INJECTION_PATTERNS) {
    if (pattern.test(text)) return reason;
  }
  return null;
}
