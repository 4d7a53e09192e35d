import { createHash } from 'node:crypto';

/**
 * Row ids derived from source identities (first 52 bits of a SHA-256), not from sequences: a batch
 * rolled back by a crash and applied again, or applied by another hub instance, yields the same
 * ids — so "the same final state" can be compared row by row. 52 bits keep ids exact in JSON.
 */
export function deterministicId(...parts: string[]): string {
  // a run asks for the same ids again and again (a matter's, its tasks', a subject's at every
  // arrival of one of its records): remember recent answers; bounded
  const key = parts.join('\u0000');
  const hit = IDS.get(key);
  if (hit !== undefined) return hit;
  const h = createHash('sha256').update(key).digest();
  const id = String(h.readUIntBE(0, 6) * 16 + (h[6]! >> 4));
  if (IDS.size >= IDS_MAX) IDS.clear();
  IDS.set(key, id);
  return id;
}

const IDS = new Map<string, string>();
const IDS_MAX = 100_000;

/**
 * Numeric order of two ids given as decimal strings (as PostgreSQL bigints come back), without
 * making BigInts: sorting a run's candidates and subjects by id did that for every comparison.
 */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  // (a sign or a leading zero: the general comparison)
  if (a[0] === '-' || b[0] === '-' || (a.length > 1 && a[0] === '0') || (b.length > 1 && b[0] === '0')) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : 1;
}
