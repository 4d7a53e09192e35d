import { describe, it, expect } from 'vitest';
import { normaliseUscc, validateUscc, usccCheckChar, usccKind, USCC_ALPHABET } from '../../../core/normalise/uscc.js';
import { ValidationError } from '../../../core/errors.js';

// Codes published on business-registration records (each passes the GB 32100 check; a random
// string passes with probability 1/31).
const PUBLISHED = [
  '91310110666007217T', // the worked example in DOMAIN.md
  '9144030071526726XG',
  '914403001922038216',
  '91110000802100433B',
  '91110108551385082Q',
  '91330100716105852F',
  '91440300192317458F',
  '91110000710925462X',
  '11100000000013127D',
  '12100000400000624D',
];

function catchError(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('usccCheckChar', () => {
  it('computes the worked example (Σ = 966 → T)', () => {
    expect(usccCheckChar('91310110666007217')).toBe('T');
  });

  it.each(PUBLISHED)('matches the check character of published code %s', (code) => {
    expect(usccCheckChar(code.slice(0, 17))).toBe(code[17]);
  });

  it('rejects input that is not 17 alphabet characters', () => {
    expect(() => usccCheckChar('9131011066600721')).toThrow(ValidationError);
    expect(() => usccCheckChar('9131011066600721I')).toThrow(/I, O, Z, S, V/);
  });
});

describe('normaliseUscc', () => {
  it('applies NFKC, strips spaces and hyphens, upper-cases', () => {
    expect(normaliseUscc(' ９１３１０１１０-６６６００７２１７ｔ ')).toBe('91310110666007217T');
    expect(normaliseUscc('9131 0110 6660 0721 7t')).toBe('91310110666007217T');
    expect(normaliseUscc('9131011066600\u30007217t')).toBe('91310110666007217T');
  });
});

describe('validateUscc', () => {
  it.each(PUBLISHED)('accepts %s', (code) => {
    expect(validateUscc(code, 'org.uscc')).toBe(code);
  });

  it('accepts messy input and returns the normalised code', () => {
    expect(validateUscc('９１３１０１１０６６６００７２１７ｔ', 'org.uscc')).toBe('91310110666007217T');
    expect(validateUscc('9144-0300-7152-6726-xg', 'org.uscc')).toBe('9144030071526726XG');
  });

  it('accepts generated codes with every possible check character', () => {
    const seen = new Set<string>();
    for (let serial = 0; seen.size < 31 && serial < 100_000; serial++) {
      const first17 = `91330100${String(serial).padStart(9, '0')}`;
      const code = first17 + usccCheckChar(first17);
      expect(validateUscc(code, 'f')).toBe(code);
      seen.add(code[17] as string);
    }
    expect([...seen].sort().join('')).toBe([...USCC_ALPHABET].sort().join(''));
  });

  it('rejects a wrong check character and names the expected one', () => {
    const err = catchError(() => validateUscc('91310110666007217X', 'org.uscc'));
    expect(err.field).toBe('org.uscc');
    expect(err.code).toBe('CH_VALIDATION');
    expect(err.message).toContain('expected T, got X');
  });

  it('detects every single-character substitution', () => {
    const code = '91310110666007217T';
    for (let i = 0; i < 18; i++) {
      for (const ch of USCC_ALPHABET) {
        if (ch === code[i]) continue;
        if (i >= 2 && i < 8 && !/\d/.test(ch)) continue; // area code positions
        const bad = code.slice(0, i) + ch + code.slice(i + 1);
        expect(() => validateUscc(bad, 'f')).toThrow(ValidationError);
      }
    }
  });

  it('rejects letters outside the alphabet (I, O, Z, S, V)', () => {
    for (const ch of ['I', 'O', 'Z', 'S', 'V']) {
      expect(() => validateUscc(`91310110666007217${ch}`, 'f')).toThrow(/非法字符/);
    }
  });

  it('rejects wrong lengths and explains legacy codes', () => {
    expect(catchError(() => validateUscc('91310110666007217', 'f')).message).toMatch(/18 characters, got 17/);
    expect(catchError(() => validateUscc('310110000123456', 'f')).message).toMatch(/15-digit business registration number/);
    expect(catchError(() => validateUscc('66600721-7', 'f')).message).toMatch(/9-character organisation code/);
    expect(() => validateUscc('91310110666007217TT', 'f')).toThrow(ValidationError);
  });

  it('rejects a non-numeric area code', () => {
    const first17 = '9131A110666007217';
    expect(() => validateUscc(first17 + usccCheckChar(first17), 'f')).toThrow(/地区码/);
  });

  it('rejects missing values', () => {
    expect(() => validateUscc('', 'f')).toThrow(/为空/);
    expect(() => validateUscc('   ', 'f')).toThrow(/为空/);
    expect(() => validateUscc(undefined, 'f')).toThrow(/为空/);
    expect(() => validateUscc(913101106660072, 'f')).toThrow(/must be text/);
  });
});

describe('usccKind', () => {
  it.each([
    ['91310110666007217T', 'enterprise'],
    ['92330100MA2XXXXXXX', 'individual-business'],
    ['93330100MA2XXXXXXX', 'farmers-cooperative'],
    ['11100000000013127D', 'government-organ'],
    ['12100000400000624D', 'public-institution'],
    ['51330100MJ0000000X', 'social-organisation'],
    ['52330100MJ0000000X', 'private-non-enterprise'],
    ['53100000500000000X', 'foundation'],
    ['N2330100MF0000000X', 'collective-economic'],
    ['59330100MJ0000000X', 'social-organisation'],
    ['Y1330100000000000X', 'other'],
  ])('%s is %s', (code, kind) => {
    expect(usccKind(code).kind).toBe(kind);
  });

  it('gives Chinese and English labels and the prefix', () => {
    expect(usccKind('92330100MA2XXXXXXX')).toEqual({ kind: 'individual-business', prefix: '92', zh: '个体工商户', en: 'individual business' });
    expect(usccKind('n1330100').prefix).toBe('N1');
  });
});
