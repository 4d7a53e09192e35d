import { describe, it, expect } from 'vitest';
import {
  normaliseMobile,
  normaliseLandline,
  validateMobile,
  validateLandline,
  validatePhone,
} from '../../../core/normalise/phone.js';
import { ValidationError } from '../../../core/errors.js';

describe('mobile numbers', () => {
  it.each([
    ['18012341999', '18012341999'],
    ['180 1234 1999', '18012341999'],
    ['180-1234-1999', '18012341999'],
    ['+86 180 1234 1999', '18012341999'],
    ['+86-18012341999', '18012341999'],
    ['008618012341999', '18012341999'],
    ['8618012341999', '18012341999'],
    ['(+86) 180-1234-1999', '18012341999'],
    ['１８０１２３４１９９９', '18012341999'],
    ['13000000000', '13000000000'],
    ['19999999999', '19999999999'],
  ])('%s → %s', (raw, expected) => {
    expect(normaliseMobile(raw)).toBe(expected);
    expect(validateMobile(raw, 'c.mobile')).toBe(expected);
  });

  it('accepts a safe-integer number', () => {
    expect(validateMobile(18012341999, 'c.mobile')).toBe('18012341999');
  });

  it.each([
    '12012341999', // second digit 2
    '10012341999',
    '1801234199', // 10 digits
    '180123419990', // 12 digits
    '28012341999',
    '+1 180 1234 1999',
    '180abc41999',
    '0571-88888888',
  ])('rejects %s', (raw) => {
    expect(normaliseMobile(raw)).toBeNull();
    expect(() => validateMobile(raw, 'c.mobile')).toThrow(ValidationError);
  });

  it('rejects missing values with a clear message', () => {
    expect(() => validateMobile('', 'c.mobile')).toThrow(/missing/);
    expect(() => validateMobile(undefined, 'c.mobile')).toThrow(/missing/);
  });
});

describe('landline numbers', () => {
  it.each([
    ['010-62345678', '010-62345678', '010', '62345678', undefined],
    ['01062345678', '010-62345678', '010', '62345678', undefined],
    ['(010)62345678', '010-62345678', '010', '62345678', undefined],
    ['（010）6234 5678', '010-62345678', '010', '62345678', undefined],
    ['021-62345678', '021-62345678', '021', '62345678', undefined],
    ['0571-88888888', '0571-88888888', '0571', '88888888', undefined],
    ['0571 8888 8888', '0571-88888888', '0571', '88888888', undefined],
    ['057188888888', '0571-88888888', '0571', '88888888', undefined],
    ['0571-8888888', '0571-8888888', '0571', '8888888', undefined], // 7-digit local number
    ['0571-88888888-123', '0571-88888888-123', '0571', '88888888', '123'],
    ['0571-88888888 转 123', '0571-88888888-123', '0571', '88888888', '123'],
    ['0571-88888888分机8001', '0571-88888888-8001', '0571', '88888888', '8001'],
    ['0571-88888888 ext. 12', '0571-88888888-12', '0571', '88888888', '12'],
    ['0571-88888888#6', '0571-88888888-6', '0571', '88888888', '6'],
    ['+86 571 8888 8888', '0571-88888888', '0571', '88888888', undefined],
    ['+86-10-62345678', '010-62345678', '010', '62345678', undefined],
    ['0086 10 62345678', '010-62345678', '010', '62345678', undefined],
    ['0939-5123456', '0939-5123456', '0939', '5123456', undefined],
  ])('%s → %s', (raw, number, areaCode, local, extension) => {
    const parsed = validateLandline(raw, 'c.phone');
    expect(parsed.number).toBe(number);
    expect(parsed.areaCode).toBe(areaCode);
    expect(parsed.local).toBe(local);
    expect(parsed.extension).toBe(extension);
    expect(parsed.e164).toBe(`+86${areaCode.slice(1)}${local}`);
  });

  it.each([
    '88888888', // no area code
    '0571-888888', // 6-digit local
    '0571-888888888', // 9-digit local
    '0571-08888888', // local number starting with 0
    '0571-18888888', // local number starting with 1
    '011-62345678', // 01x other than 010 does not exist
    '0571-88888888 转 abc',
    '0571-8888-8888-8888-8888',
    '18012341999',
    'tel: 0571-88888888',
  ])('rejects %s', (raw) => {
    expect(normaliseLandline(raw)).toBeNull();
    expect(() => validateLandline(raw, 'c.phone')).toThrow(ValidationError);
  });
});

describe('validatePhone', () => {
  it('recognises mobiles and landlines', () => {
    expect(validatePhone('+86 180-1234-1999', 'c.phone')).toEqual({ kind: 'mobile', number: '18012341999', e164: '+8618012341999' });
    expect(validatePhone('0571-88888888', 'c.phone')).toMatchObject({ kind: 'landline', number: '0571-88888888' });
  });

  it('rejects anything else and names the field', () => {
    try {
      validatePhone('12345', 'c.phone');
      throw new Error('expected a ValidationError');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe('c.phone');
      expect((err as ValidationError).message).toMatch(/not a mainland mobile or landline number/);
    }
  });
});
