/**
 * Protection of personal identifiers (PIPL art. 51, GB/T 35273 display masking).
 *
 * Each identifier becomes `{ hash, masked }`:
 * - `hash` is a keyed HMAC of the normalised value, hex, prefixed with the algorithm
 *   (`sm3:` when Node's OpenSSL provides SM3, otherwise `sha256:`) so that hashes made with
 *   different algorithms are never compared. A plain hash would be brute-forceable (~10^11 IDs);
 *   without the county's key the HMAC is not.
 * - `masked` is for display only and never contains the hidden middle digits.
 */
import { createHmac, createSecretKey, getHashes, type KeyObject } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { validateResidentId, type ResidentIdOptions } from './resident-id.js';
import { validatePhone } from './phone.js';

export type PersonalDataHashAlgorithm = 'sm3' | 'sha256';

/** The algorithm this process uses: HMAC-SM3 when available, else HMAC-SHA256. */
export const PERSONAL_DATA_HASH_ALGORITHM: PersonalDataHashAlgorithm = getHashes().includes('sm3') ? 'sm3' : 'sha256';

export const MIN_KEY_BYTES = 16;
/** Setting name reported in ConfigError when the key is too short. */
const KEY_SETTING = 'personalDataKey';

export type PersonalDataKey = string | Uint8Array;

export interface ProtectedValue {
  /** `sm3:<hex>` or `sha256:<hex>` */
  hash: string;
  /** Display form, e.g. 110105********002X or 180****1999 */
  masked: string;
}

function assertKey(key: PersonalDataKey): void {
  const length = typeof key === 'string' ? Buffer.byteLength(key, 'utf8') : key.byteLength;
  if (length < MIN_KEY_BYTES) {
    throw new ConfigError(
      KEY_SETTING,
      `个人信息哈希密钥太短 (the key used to hash personal data must be at least ${MIN_KEY_BYTES} bytes, got ${length}); set a long random secret in the county configuration`,
    );
  }
}

/**
 * Keyed hash of an already-normalised value: `<algorithm>:<hex HMAC>`. Throws ConfigError for a
 * short key. `algorithm` defaults to PERSONAL_DATA_HASH_ALGORITHM.
 */
export function keyedHash(
  value: string,
  key: PersonalDataKey,
  algorithm: PersonalDataHashAlgorithm = PERSONAL_DATA_HASH_ALGORITHM,
): string {
  return `${algorithm}:${createHmac(algorithm, keyObject(key)).update(value, 'utf8').digest('hex')}`;
}

/** Checked county keys as key objects: a connector hashes with one key for every record it reads. */
const keyObjects = new Map<string, KeyObject>();

function keyObject(key: PersonalDataKey): KeyObject {
  if (typeof key !== 'string') {
    assertKey(key);
    return createSecretKey(key);
  }
  let k = keyObjects.get(key);
  if (!k) {
    assertKey(key);
    if (keyObjects.size >= 16) keyObjects.clear();
    k = createSecretKey(Buffer.from(key, 'utf8'));
    keyObjects.set(key, k);
  }
  return k;
}

/** First 6 + 8 asterisks + last 4 of an 18-character ID: 110105********002X. */
export function maskResidentId(id18: string): string {
  return `${id18.slice(0, 6)}********${id18.slice(-4)}`;
}

/** First 3 + 4 asterisks + last 4 of an 11-digit mobile: 180****1999. */
export function maskMobile(mobile: string): string {
  return `${mobile.slice(0, 3)}****${mobile.slice(-4)}`;
}

/**
 * Validate (15-digit numbers are upgraded first, so both forms hash alike), then hash and mask a
 * resident ID. Throws ConfigError for a short key, ValidationError for a bad ID.
 */
export function protectResidentId(raw: unknown, key: PersonalDataKey, field: string, opts?: ResidentIdOptions): ProtectedValue {
  assertKey(key);
  const id = validateResidentId(raw, field, opts);
  return { hash: keyedHash(id, key), masked: maskResidentId(id) };
}

/**
 * Validate, hash and mask a mobile or landline number. The hash covers the canonical form
 * (11 digits for mobiles; 0571-88888888[-ext] for landlines). Landlines are masked as
 * area code + asterisks + last 4 digits (0571-****8888), without the extension.
 */
export function protectPhone(raw: unknown, key: PersonalDataKey, field: string): ProtectedValue & { kind: 'mobile' | 'landline' } {
  assertKey(key);
  const phone = validatePhone(raw, field);
  if (phone.kind === 'mobile') {
    return { kind: 'mobile', hash: keyedHash(phone.number, key), masked: maskMobile(phone.number) };
  }
  const hidden = '*'.repeat(phone.local.length - 4);
  return { kind: 'landline', hash: keyedHash(phone.number, key), masked: `${phone.areaCode}-${hidden}${phone.local.slice(-4)}` };
}

const DOT_SEPARATORS = /^[\u00B7\u2022\u2027\u2219\u22C5\u30FB\uFF65.]$/u;
const SPACE = /^\s$/u;

/**
 * Mask a person's name for display: keep the first character, replace every other character with
 * "*" (段正淳 → 段**). Separators keep the structure: 阿依古丽·买买提 → 阿***·***; the dot variants
 * (•, ・) become "·". A one-character name becomes "*". Handles characters outside the BMP.
 */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  const letters = chars.filter((ch) => !DOT_SEPARATORS.test(ch) && !SPACE.test(ch)).length;
  let keptFirst = letters <= 1; // a one-character name is fully masked
  let out = '';
  for (const ch of chars) {
    if (DOT_SEPARATORS.test(ch)) out += '\u00B7';
    else if (SPACE.test(ch)) out += ' ';
    else if (!keptFirst) {
      out += ch;
      keptFirst = true;
    } else out += '*';
  }
  return out.replace(/ {2,}/g, ' ');
}
