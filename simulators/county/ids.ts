/**
 * Identifiers with valid check characters: USCCs (GB 32100, positions 9–17 a GB 11714 organisation code
 * with its own check) and synthetic resident ID numbers (GB 11643). Check characters come from the
 * connector SDK so that generator and validator can never disagree.
 */
import { USCC_ALPHABET, usccCheckChar } from '../../core/normalise/uscc.js';
import { residentIdCheckChar } from '../../core/normalise/resident-id.js';
import type { Rng } from './random.js';

const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/** GB 11714 organisation-code check character for an 8-character body (digits and A–Z). */
export function orgCodeCheckChar(body8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const ch = body8[i] as string;
    const v = /\d/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 55; // A=10 … Z=35
    sum += v * (ORG_WEIGHTS[i] as number);
  }
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

const LETTERS = USCC_ALPHABET.slice(10);

export type UsccPrefix = '91' | '92' | '93' | '12' | '11' | 'N2';

/**
 * A new USCC: registering authority + organisation type, the area code, a 9-character organisation
 * code (post-2015 "MA…" codes issued by market regulators, or a legacy all-digit code) and the check.
 */
export function makeUscc(rng: Rng, prefix: UsccPrefix, areaCode: string, used: Set<string>, legacy = false): string {
  for (;;) {
    let body: string;
    if (legacy) body = rng.digits(8);
    else {
      body = 'MA';
      for (let i = 0; i < 6; i++) body += rng.chance(0.55) ? String(rng.int(0, 9)) : rng.pick([...LETTERS]);
    }
    const org = body + orgCodeCheckChar(body);
    const first17 = `${prefix}${areaCode}${org}`;
    const code = first17 + usccCheckChar(first17);
    if (!used.has(code)) {
      used.add(code);
      return code;
    }
  }
}

/** Synthetic 18-digit resident ID: address code + birth date + sequence (odd male) + check. */
export function makeResidentId(rng: Rng, addressCode: string, birth: string, male: boolean, used: Set<string>): string {
  for (;;) {
    const seqHead = rng.int(0, 99);
    const sexDigit = male ? rng.pick([1, 3, 5, 7, 9]) : rng.pick([0, 2, 4, 6, 8]);
    const first17 = `${addressCode}${birth.replace(/-/g, '')}${String(seqHead).padStart(2, '0')}${sexDigit}`;
    const id = first17 + residentIdCheckChar(first17);
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
}

const MOBILE_PREFIXES = ['139', '138', '137', '135', '158', '150', '151', '152', '186', '185', '189', '180', '177', '176', '199', '198', '133', '153', '157', '182', '183', '187', '188', '130', '131', '132', '155', '156', '166', '181'];

export function makeMobile(rng: Rng): string {
  return rng.pick(MOBILE_PREFIXES) + rng.digits(8);
}
