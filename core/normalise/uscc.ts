/**
 * Unified social credit code (统一社会信用代码, GB 32100-2015).
 * 18 characters: registering authority (1), organisation type (1), area code (6),
 * organisation code (9), check character (1).
 */
import { ValidationError } from '../errors.js';

export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
/** 3^(i-1) mod 31 for i = 1..17. */
const WEIGHTS = Array.from({ length: 17 }, (_, i) => {
  let w = 1;
  for (let k = 0; k < i; k++) w = (w * 3) % 31;
  return w;
});

/** NFKC (full-width → ASCII), remove spaces and hyphens, upper-case. */
export function normaliseUscc(raw: string): string {
  return raw
    .normalize('NFKC')
    .replace(/[\s\p{Zs}\u200B\uFEFF\-\u2010-\u2015]/gu, '')
    .toUpperCase();
}

/** The GB 32100 check character for the first 17 characters of a code. */
export function usccCheckChar(first17: string): string {
  if (first17.length !== 17) {
    throw new ValidationError('uscc', `统一社会信用代码长度错误 (USCC: need 17 characters to compute the check, got ${first17.length})`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const ch = first17[i] as string;
    const value = USCC_ALPHABET.indexOf(ch);
    if (value < 0) {
      throw new ValidationError('uscc', `统一社会信用代码含非法字符 (USCC contains "${ch}" at position ${i + 1}; I, O, Z, S, V are never used)`);
    }
    sum += value * (WEIGHTS[i] as number);
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31] as string;
}

/**
 * Normalise and validate a USCC. Returns the normalised 18-character code or throws ValidationError
 * with a message an operator can act on.
 */
export function validateUscc(raw: unknown, field: string): string {
  if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) {
    throw new ValidationError(field, '统一社会信用代码为空 (USCC is missing)');
  }
  if (typeof raw !== 'string') {
    throw new ValidationError(field, `统一社会信用代码格式错误 (USCC must be text, got a ${typeof raw}; a spreadsheet may have turned it into a number)`);
  }
  const code = normaliseUscc(raw);
  if (code.length !== 18) {
    throw new ValidationError(field, `统一社会信用代码长度错误 (USCC must have 18 characters, got ${code.length})${legacyHint(code)}`);
  }
  for (let i = 0; i < 18; i++) {
    const ch = code[i] as string;
    if (!USCC_ALPHABET.includes(ch)) {
      throw new ValidationError(
        field,
        `统一社会信用代码含非法字符 (USCC contains "${ch}" at position ${i + 1}; only digits and ${USCC_ALPHABET.slice(10)} are allowed — I, O, Z, S, V are never used)`,
      );
    }
  }
  if (!/^\d{6}$/.test(code.slice(2, 8))) {
    throw new ValidationError(field, `统一社会信用代码地区码错误 (USCC positions 3–8 must be a 6-digit area code, got ${code.slice(2, 8)})`);
  }
  const expected = usccCheckChar(code.slice(0, 17));
  const got = code[17];
  if (got !== expected) {
    throw new ValidationError(field, `统一社会信用代码校验位错误 (USCC check character wrong: expected ${expected}, got ${got}); the code was probably mistyped`);
  }
  return code;
}

function legacyHint(code: string): string {
  if (/^\d{15}$/.test(code)) return '; this looks like an old 15-digit business registration number (注册号), not a USCC';
  if (/^[0-9A-Z]{8}[0-9X]$/.test(code)) return '; this looks like an old 9-character organisation code (组织机构代码), not a USCC';
  return '';
}

export type UsccKindName =
  | 'government-organ'
  | 'public-institution'
  | 'mass-organisation'
  | 'social-organisation'
  | 'private-non-enterprise'
  | 'foundation'
  | 'enterprise'
  | 'individual-business'
  | 'farmers-cooperative'
  | 'collective-economic'
  | 'legal-service'
  | 'religious'
  | 'trade-union'
  | 'foreign-or-military'
  | 'other';

export interface UsccKind {
  kind: UsccKindName;
  /** Positions 1–2 of the code. */
  prefix: string;
  zh: string;
  en: string;
}

const KINDS: Record<string, [UsccKindName, string, string]> = {
  '11': ['government-organ', '机关', 'government organ'],
  '12': ['public-institution', '事业单位', 'public institution'],
  '13': ['mass-organisation', '中央编办直接管理机构编制的群众团体', 'mass organisation'],
  '19': ['other', '其他机构编制单位', 'other establishment-managed body'],
  '21': ['foreign-or-military', '外国常驻新闻机构', 'resident foreign news agency'],
  '31': ['legal-service', '律师执业机构', 'law firm'],
  '32': ['legal-service', '公证处', 'notary office'],
  '33': ['legal-service', '基层法律服务所', 'grassroots legal service office'],
  '34': ['legal-service', '司法鉴定机构', 'forensic appraisal institution'],
  '35': ['legal-service', '仲裁委员会', 'arbitration commission'],
  '51': ['social-organisation', '社会团体', 'social organisation (association)'],
  '52': ['private-non-enterprise', '民办非企业单位', 'private non-enterprise unit'],
  '53': ['foundation', '基金会', 'foundation'],
  '71': ['religious', '宗教活动场所', 'religious venue'],
  '72': ['religious', '宗教院校', 'religious college'],
  '81': ['trade-union', '基层工会', 'grassroots trade union'],
  '91': ['enterprise', '企业', 'enterprise'],
  '92': ['individual-business', '个体工商户', 'individual business'],
  '93': ['farmers-cooperative', '农民专业合作社', "farmers' cooperative"],
  N1: ['collective-economic', '组级集体经济组织', 'group-level collective economic organisation'],
  N2: ['collective-economic', '村级集体经济组织', 'village-level collective economic organisation'],
  N3: ['collective-economic', '乡镇级集体经济组织', 'township-level collective economic organisation'],
  A1: ['foreign-or-military', '军队事业单位', 'military public institution'],
};

const AUTHORITY_FALLBACK: Record<string, [UsccKindName, string, string]> = {
  '1': ['other', '机构编制部门登记的其他单位', 'other body registered by the establishment office'],
  '5': ['social-organisation', '民政部门登记的其他组织', 'other organisation registered by civil affairs'],
  '9': ['other', '市场监管部门登记的其他主体', 'other market entity'],
  N: ['collective-economic', '其他农村集体经济组织', 'other collective economic organisation'],
};

/**
 * What kind of organisation a USCC belongs to, from positions 1–2 (e.g. 91 enterprise,
 * 92 individual business, 93 farmers' cooperative, 11 government organ, 12 public institution,
 * 5x social organisations, N1–N3 collective economic organisations). Expects a normalised code.
 */
export function usccKind(code: string): UsccKind {
  const prefix = normaliseUscc(code).slice(0, 2);
  const entry = KINDS[prefix] ?? AUTHORITY_FALLBACK[prefix.slice(0, 1)] ?? ['other', '其他', 'other'];
  const [kind, zh, en] = entry;
  return { kind, prefix, zh, en };
}
