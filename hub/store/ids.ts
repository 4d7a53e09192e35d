import { createHash } from 'node:crypto';

/**
 * Row ids derived from source identities (first 52 bits of a SHA-256), not from sequences: a batch
 * rolled back by a crash and applied again, or applied by another hub instance, yields the same
 * ids — so "the same final state" can be compared row by row. 52 bits keep ids exact in JSON.
 */
export function deterministicId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest();
  return String(h.readUIntBE(0, 6) * 16 + (h[6]! >> 4));
}
