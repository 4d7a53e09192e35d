import { describe, it, expect } from 'vitest';
import {
  validateResidentId,
  residentIdCheckChar,
  residentIdInfo,
  normaliseResidentId,
} from '../../../core/normalise/resident-id.js';
import { ValidationError } from '../../../core/errors.js';

const NOW = new Date('2026-03-01T12:00:00+08:00');

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).message;
  }
  throw new Error('expected a ValidationError');
}

/** Build a valid ID from its parts. */
function makeId(address: string, birth: string, seq: string): string {
  const first17 = address + birth + seq;
  return first17 + residentIdCheckChar(first17);
}

describe('residentIdCheckChar', () => {
  it('computes the example from GB 11643', () => {
    expect(residentIdCheckChar('11010519491231002')).toBe('X');
  });

  it('matches hand-computed check characters', () => {
    // Σ(aᵢ·wᵢ) mod 11 → "10X98765432"
    expect(residentIdCheckChar('44052418800101001')).toBe('4');
    expect(residentIdCheckChar('33010219900307123')).toBe('0');
    expect(residentIdCheckChar('44030419851023061')).toBe('6');
  });

  it('produces every possible check character', () => {
    const seen = new Set<string>();
    for (let seq = 0; seq < 1000 && seen.size < 11; seq++) {
      seen.add(residentIdCheckChar(`33010219900307${String(seq).padStart(3, '0')}`));
    }
    expect([...seen].sort().join('')).toBe('0123456789X');
  });

  it('rejects input that is not 17 digits', () => {
    expect(() => residentIdCheckChar('1101051949123100')).toThrow(ValidationError);
    expect(() => residentIdCheckChar('1101051949123100X')).toThrow(ValidationError);
  });
});

describe('validateResidentId', () => {
  it('accepts the standard example, with upper- or lower-case x', () => {
    expect(validateResidentId('11010519491231002X', 'p.id', { now: NOW })).toBe('11010519491231002X');
    expect(validateResidentId('11010519491231002x', 'p.id', { now: NOW })).toBe('11010519491231002X');
  });

  it('normalises full-width digits and spaces', () => {
    expect(normaliseResidentId(' １１０１０５ １９４９１２３１ ００２ｘ ')).toBe('11010519491231002X');
    expect(validateResidentId('110105 19491231 002X', 'p.id', { now: NOW })).toBe('11010519491231002X');
  });

  it('accepts generated IDs, including retired address codes', () => {
    for (const [address, birth, seq] of [
      ['330102', '19900307', '123'],
      ['440304', '19851023', '061'],
      ['110105', '20000229', '001'], // leap day
      ['330106', '19000101', '002'], // earliest allowed day
      ['999999', '20260301', '001'], // born today; address code not in any table
      ['320311', '19770706', '001'],
    ] as const) {
      const id = makeId(address, birth, seq);
      expect(validateResidentId(id, 'p.id', { now: NOW })).toBe(id);
    }
  });

  it('upgrades a 15-digit legacy number by inserting 19 and computing the check', () => {
    expect(validateResidentId('320311770706001', 'p.id', { now: NOW })).toBe('320311197707060018');
    expect(validateResidentId(320311770706001, 'p.id', { now: NOW })).toBe('320311197707060018');
  });

  it('rejects a legacy number with an impossible birth date', () => {
    expect(messageOf(() => validateResidentId('320311770230001', 'p.id', { now: NOW }))).toMatch(/1977-02-30 does not exist/);
  });

  it('rejects a wrong check character and names the expected one', () => {
    const msg = messageOf(() => validateResidentId('110105194912310021', 'p.id', { now: NOW }));
    expect(msg).toContain('expected X, got 1');
    expect(msg).toContain('校验位');
  });

  it('detects every single-digit substitution', () => {
    const id = '11010519491231002X';
    for (let i = 0; i < 17; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === id[i]) continue;
        expect(() => validateResidentId(id.slice(0, i) + d + id.slice(i + 1), 'f', { now: NOW })).toThrow(ValidationError);
      }
    }
  });

  it('rejects birth dates that do not exist, are before 1900 or in the future', () => {
    expect(messageOf(() => validateResidentId(makeId('110105', '19490230', '002'), 'f', { now: NOW }))).toMatch(/does not exist/);
    expect(messageOf(() => validateResidentId(makeId('110105', '19491301', '002'), 'f', { now: NOW }))).toMatch(/does not exist/);
    expect(messageOf(() => validateResidentId(makeId('110105', '19490100', '002'), 'f', { now: NOW }))).toMatch(/does not exist/);
    expect(messageOf(() => validateResidentId(makeId('110105', '19010229', '002'), 'f', { now: NOW }))).toMatch(/does not exist/);
    // the often-quoted example 440524188001010014 has a correct check character but a birth year of 1880
    expect(messageOf(() => validateResidentId('440524188001010014', 'f', { now: NOW }))).toMatch(/before 1900/);
    expect(messageOf(() => validateResidentId(makeId('110105', '20260302', '002'), 'f', { now: NOW }))).toMatch(/in the future/);
  });

  it('uses the Shanghai date for "today"', () => {
    // 2026-03-01T17:00Z is already 2 March in Shanghai
    const lateUtc = new Date('2026-03-01T17:00:00Z');
    const id = makeId('110105', '20260302', '002');
    expect(validateResidentId(id, 'f', { now: lateUtc })).toBe(id);
  });

  it('rejects wrong shapes', () => {
    expect(messageOf(() => validateResidentId('1101051949123100', 'f'))).toMatch(/18 characters/);
    expect(messageOf(() => validateResidentId('11010519491231002', 'f'))).toMatch(/check character .* is missing/);
    expect(messageOf(() => validateResidentId('11010519491231002Y', 'f'))).toMatch(/18 characters/);
    expect(messageOf(() => validateResidentId('X1010519491231002X', 'f'))).toMatch(/18 characters/);
    expect(messageOf(() => validateResidentId('', 'f'))).toMatch(/missing/);
    expect(messageOf(() => validateResidentId(null, 'f'))).toMatch(/missing/);
  });

  describe('spreadsheet damage', () => {
    it('rejects scientific notation and says the export damaged it', () => {
      for (const raw of ['1.10105E+17', '1.10105194912310E+17', '1.10105e17']) {
        expect(messageOf(() => validateResidentId(raw, 'f', { now: NOW }))).toMatch(/damaged by a spreadsheet export.*scientific notation/);
      }
    });

    it('rejects trailing 000 when the check fails, with the export explanation', () => {
      const msg = messageOf(() => validateResidentId('110105194912310000', 'f', { now: NOW }));
      expect(msg).toMatch(/damaged by a spreadsheet export/);
      expect(msg).toMatch(/000/);
      expect(msg).not.toMatch(/mistyped/);
    });

    it('rejects an 18-digit ID delivered as a JavaScript number', () => {
      // 110105194912310020 cannot be represented exactly as a double
      expect(messageOf(() => validateResidentId(110105194912310020, 'f', { now: NOW }))).toMatch(/cannot hold 18 digits/);
      expect(messageOf(() => validateResidentId(1.10105e17, 'f', { now: NOW }))).toMatch(/damaged/);
    });

    it('rejects a decimal rendering', () => {
      expect(messageOf(() => validateResidentId('110105194912310000.0', 'f', { now: NOW }))).toMatch(/decimal point/);
    });
  });
});

describe('residentIdInfo', () => {
  it('reads address code, birth date and sex', () => {
    expect(residentIdInfo('11010519491231002X')).toEqual({ addressCode: '110105', birthDate: '1949-12-31', sex: 'female' });
    expect(residentIdInfo('320311197707060018')).toEqual({ addressCode: '320311', birthDate: '1977-07-06', sex: 'male' });
  });
});
