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
