import { describe, it, expect } from 'vitest';
import * as normalise from '../../../core/normalise/index.js';

describe('normalise index', () => {
  it('re-exports the public functions', () => {
    for (const name of [
      'normaliseUscc', 'validateUscc', 'usccCheckChar', 'usccKind',
      'validateResidentId', 'residentIdCheckChar', 'residentIdInfo', 'normaliseResidentId',
      'normaliseMobile', 'normaliseLandline', 'validateMobile', 'validateLandline', 'validatePhone',
      'protectResidentId', 'protectPhone', 'maskName', 'maskResidentId', 'maskMobile', 'keyedHash',
      'toCanonical', 'transformToWgs84', 'transformFromWgs84',
      'parseTimestamp', 'formatShanghai',
      'cleanText', 'normaliseCode', 'normaliseName', 'looksLikeInjection', 'assertNotMisdecoded',
    ] as const) {
      expect(typeof normalise[name], name).toBe('function');
    }
  });

  it('works end to end on a typical record', () => {
    const key = 'a-county-secret-key-of-enough-length';
    const person = normalise.protectResidentId('11010519491231002x', key, 'reporter.id', { now: new Date('2026-03-01') });
    expect(person.masked).toBe('110105********002X');
    expect(normalise.maskName('段正淳')).toBe('段**');
    expect(normalise.validateUscc('91310110666007217t', 'org.uscc')).toBe('91310110666007217T');
    expect(normalise.parseTimestamp('2026/2/1 8:00', 'e.time', { now: new Date('2026-03-01') }).iso).toBe('2026-02-01T08:00:00+08:00');
  });
});
