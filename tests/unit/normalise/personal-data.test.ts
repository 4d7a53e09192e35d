import { describe, it, expect } from 'vitest';
import { createHmac, getHashes } from 'node:crypto';
import {
  protectResidentId,
  protectPhone,
  maskName,
  keyedHash,
  PERSONAL_DATA_HASH_ALGORITHM,
} from '../../../core/normalise/personal-data.js';
import { ConfigError, ValidationError } from '../../../core/errors.js';

const KEY = 'county-330106-test-key-0123456789';
const OTHER_KEY = 'county-330108-test-key-9876543210';
const NOW = new Date('2026-03-01T12:00:00+08:00');

describe('keyedHash', () => {
  it('uses HMAC-SM3 when OpenSSL provides it, else HMAC-SHA256, and says which', () => {
    const expected = getHashes().includes('sm3') ? 'sm3' : 'sha256';
    expect(PERSONAL_DATA_HASH_ALGORITHM).toBe(expected);
    const hash = keyedHash('11010519491231002X', KEY);
    expect(hash).toBe(`${expected}:${createHmac(expected, KEY).update('11010519491231002X').digest('hex')}`);
    expect(hash).toMatch(/^(sm3|sha256):[0-9a-f]{64}$/);
  });

  it('can be asked for SHA-256 explicitly; the prefix keeps the two apart', () => {
    const sha = keyedHash('x', KEY, 'sha256');
    expect(sha.startsWith('sha256:')).toBe(true);
    if (getHashes().includes('sm3')) {
      const sm3 = keyedHash('x', KEY, 'sm3');
      expect(sm3.startsWith('sm3:')).toBe(true);
      expect(sm3.slice(4)).not.toBe(sha.slice(7));
    }
  });

  it('depends on the key', () => {
    expect(keyedHash('18012341999', KEY)).not.toBe(keyedHash('18012341999', OTHER_KEY));
  });

  it('throws ConfigError for a key shorter than 16 bytes, without revealing it', () => {
    try {
      keyedHash('x', 'short-key');
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).code).toBe('CH_CONFIG');
      expect((err as Error).message).toMatch(/at least 16 bytes, got 9/);
      expect((err as Error).message).not.toContain('short-key');
    }
    expect(() => keyedHash('x', new Uint8Array(15))).toThrow(ConfigError);
    expect(() => keyedHash('x', new Uint8Array(16))).not.toThrow();
    expect(() => keyedHash('x', '0123456789abcdef')).not.toThrow();
    // bytes, not characters: 6 Han characters are 18 bytes in UTF-8
    expect(() => keyedHash('x', '县数据中心密钥')).not.toThrow();
  });
});

describe('protectResidentId', () => {
  it('hashes the normalised ID and masks first 6 + last 4', () => {
    const out = protectResidentId('11010519491231002x', KEY, 'p.id', { now: NOW });
    expect(out.masked).toBe('110105********002X');
    expect(out.hash).toBe(keyedHash('11010519491231002X', KEY));
  });

  it('gives the same hash for the 15-digit and the upgraded 18-digit form', () => {
    const legacy = protectResidentId('320311770706001', KEY, 'p.id', { now: NOW });
    const modern = protectResidentId('320311197707060018', KEY, 'p.id', { now: NOW });
    expect(legacy).toEqual(modern);
    expect(modern.masked).toBe('320311********0018');
  });

  it('never contains the middle digits', () => {
    const id = '330102199003071230';
    const out = protectResidentId(id, KEY, 'p.id', { now: NOW });
    const middle = id.slice(6, 14);
    expect(out.masked).not.toContain(middle);
    expect(out.masked.slice(6, 14)).toBe('********');
    expect(JSON.stringify(out)).not.toContain(id);
    expect(out.hash).not.toContain(middle);
  });

  it('rejects an invalid ID with ValidationError and a short key with ConfigError first', () => {
    expect(() => protectResidentId('110105194912310021', KEY, 'p.id', { now: NOW })).toThrow(ValidationError);
    expect(() => protectResidentId('110105194912310021', 'short', 'p.id')).toThrow(ConfigError);
  });
});

describe('protectPhone', () => {
  it('masks a mobile as 180****1999 and hashes the 11 digits', () => {
    const out = protectPhone('+86 180-1234-1999', KEY, 'c.mobile');
    expect(out).toEqual({ kind: 'mobile', hash: keyedHash('18012341999', KEY), masked: '180****1999' });
    expect(out.masked).not.toContain('1234');
  });

  it('gives the same hash however the number was written', () => {
    const a = protectPhone('18012341999', KEY, 'c');
    const b = protectPhone('0086 180 1234 1999', KEY, 'c');
    expect(a.hash).toBe(b.hash);
  });

  it('masks a landline keeping the area code and last 4 digits', () => {
    const out = protectPhone('0571-87654321 转 123', KEY, 'c.phone');
    expect(out.kind).toBe('landline');
    expect(out.masked).toBe('0571-****4321');
    expect(out.masked).not.toContain('8765');
    expect(out.hash).toBe(keyedHash('0571-87654321-123', KEY));
    expect(protectPhone('0571-7654321', KEY, 'c').masked).toBe('0571-***4321');
  });

  it('rejects bad numbers and short keys', () => {
    expect(() => protectPhone('12345', KEY, 'c')).toThrow(ValidationError);
    expect(() => protectPhone('18012341999', 'short', 'c')).toThrow(ConfigError);
  });
});

describe('maskName', () => {
  it.each([
    ['段正淳', '段**'],
    ['段誉', '段*'],
    ['欧阳锋锐', '欧***'],
    ['段', '*'],
    ['  段正淳 ', '段**'],
    ['阿依古丽·买买提', '阿***·***'],
    ['阿依古丽•买买提', '阿***·***'],
    ['阿依古丽・买买提', '阿***·***'],
    ['𠮷野家', '𠮷**'], // first character outside the BMP
    ['张𠮷', '张*'],
    ['John Smith', 'J*** *****'],
    ['', ''],
  ])('%s → %s', (name, masked) => {
    expect(maskName(name)).toBe(masked);
  });

  it('never keeps anything but the first character', () => {
    const masked = maskName('诸葛孔明');
    expect(masked).toBe('诸***');
    for (const ch of '葛孔明') expect(masked).not.toContain(ch);
  });
});
