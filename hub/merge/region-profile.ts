/**
 * Region words the matchers read (schemas/catalogues/matching/regions.json): administrative
 * suffixes, the provinces and their short forms, the words that carry a short form on into a road
 * or place name. National data, the same for every county; the county's own divisions come from
 * its division table (regions.ts).
 */
import { readFileSync } from 'node:fs';

export interface RegionProfile {
  readonly version: number;
  /** Suffixes dropped for a division's short form, in the order tried (longest first). */
  readonly adminSuffixes: readonly string[];
  /** GB/T 2260 province codes, full names and short forms. */
  readonly provinces: ReadonlyArray<{ readonly code: string; readonly name: string; readonly short: readonly string[] }>;
  /** A short form followed by [direction][numeral…] and one of words is part of that word (锡尼路). */
  readonly shortFormFollowers: { readonly directions: string; readonly words: readonly string[] };
  /** Suffixes dropped from a bracket note's place before it is looked up. */
  readonly noteSuffixes: readonly string[];
}

const FILE = new URL('../../schemas/catalogues/matching/regions.json', import.meta.url);

function load(): RegionProfile {
  const o = JSON.parse(readFileSync(FILE, 'utf8')) as Partial<RegionProfile>;
  const plain = (l: unknown): boolean => Array.isArray(l) && l.length > 0 && l.every((w) => typeof w === 'string' && w !== '' && !/[|()[\]\\^$*+?.{}]/.test(w));
  if (!plain(o.adminSuffixes) || !plain(o.noteSuffixes)) throw new Error(`${FILE.pathname}: adminSuffixes and noteSuffixes must be lists of plain words`);
  if (!Array.isArray(o.provinces) || !o.provinces.every((p) => /^\d{2}$/.test(p.code) && typeof p.name === 'string' && p.name !== '' && Array.isArray(p.short) && p.short.every((s: unknown) => typeof s === 'string'))) {
    throw new Error(`${FILE.pathname}: provinces needs { code (2 digits), name, short } each`);
  }
  const f = o.shortFormFollowers;
  if (!f || typeof f.directions !== 'string' || /[\]\\^-]/.test(f.directions) || !plain(f.words)) throw new Error(`${FILE.pathname}: shortFormFollowers needs directions (characters) and words`);
  return { version: typeof o.version === 'number' ? o.version : 0, adminSuffixes: o.adminSuffixes!, provinces: o.provinces, shortFormFollowers: f, noteSuffixes: o.noteSuffixes! };
}

export const REGION_PROFILE: RegionProfile = load();
