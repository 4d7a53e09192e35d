/**
 * The county's region names (province → prefecture → county → town → village/community) for
 * stripping them from the front of enterprise names and addresses and for telling which town or
 * village a name or address points at. Built once from the division table (statistical codes:
 * 2/4/6 digits for province/prefecture/county, 9 for a town, 12 for a village) and immutable.
 *
 * Each division is known by its full name (锡尼镇) and, when at least two characters remain, its
 * short form without the administrative suffix (锡尼). Province names are known as well
 * (regions.json), since names and addresses often start with one.
 */
import { LANGUAGE } from './language.js';
import { REGION_PROFILE } from './region-profile.js';
import { codePointCount, toSimplified } from './strings.js';

export interface Division {
  /** Statistical division code: 2, 4, 6, 9 or 12 digits (trailing zero groups allowed: 150625100000). */
  readonly code: string;
  readonly name: string;
}

export interface RegionHit {
  /** The text that was recognised, as it appeared (full name or short form). */
  readonly text: string;
  /** Whether `text` was the short form (suffix dropped). */
  readonly short: boolean;
  /** The division it names, when unambiguous: the deepest code all readings share; null when unknown. */
  readonly code: string | null;
}

const ADMIN_SUFFIXES = REGION_PROFILE.adminSuffixes;
const PROVINCES = REGION_PROFILE.provinces;

/** A short form followed by a road, compound or building word, after a direction or an ordinal or not, is part of that word (北门二路). */
const FOLLOWING_WORD = new RegExp(
  `^[${REGION_PROFILE.shortFormFollowers.directions}]?[${LANGUAGE.numerals.ordinals}0-9０-９]*(?:${REGION_PROFILE.shortFormFollowers.words.join('|')})`,
  'u',
);

/** Significant length of a statistical code: 150625100000 → 9, 150600 → 4. */
export function codeDepth(code: string): string {
  let c = code;
  if (/^\d{12}$/.test(c)) {
    if (c.endsWith('000000')) c = c.slice(0, 6);
    else if (c.endsWith('000')) c = c.slice(0, 9);
    else return c;
  }
  if (/^\d{9}$/.test(c)) return c;
  if (/^\d{6}$/.test(c)) {
    if (c.endsWith('0000')) return c.slice(0, 2);
    if (c.endsWith('00')) return c.slice(0, 4);
    return c;
  }
  return c;
}

/** The 9-digit town code of a 9- or 12-digit division code; null for county-level or unknown codes. */
export function townCodeOf(code: string | null | undefined): string | null {
  if (!code) return null;
  const d = codeDepth(code.trim());
  return /^\d{9}(\d{3})?$/.test(d) ? d.slice(0, 9) : null;
}

/** The 12-digit village code when the code names a village/community; else null. */
export function villageCodeOf(code: string | null | undefined): string | null {
  if (!code) return null;
  const d = codeDepth(code.trim());
  return /^\d{12}$/.test(d) ? d : null;
}

/** Whether one code is the other or one of its ancestors. */
export function codesNest(a: string, b: string): boolean {
  const x = codeDepth(a);
  const y = codeDepth(b);
  return x.startsWith(y) || y.startsWith(x);
}

function commonCode(codes: readonly string[]): string | null {
  if (codes.length === 0) return null;
  let prefix = codes[0] as string;
  for (const c of codes.slice(1)) {
    let i = 0;
    while (i < prefix.length && i < c.length && prefix[i] === c[i]) i++;
    prefix = prefix.slice(0, i);
  }
  // Only whole levels count: 2, 4, 6, 9, 12 digits.
  for (const len of [12, 9, 6, 4, 2]) if (prefix.length >= len) return prefix.slice(0, len);
  return null;
}

/** Short form of a division name: the name without its administrative suffix, if ≥ 2 characters remain. */
export function shortRegionName(name: string): string | null {
  for (const suffix of ADMIN_SUFFIXES) {
    if (name.endsWith(suffix)) {
      const short = name.slice(0, name.length - suffix.length);
      return codePointCount(short) >= 2 ? short : null;
    }
  }
  return null;
}

export class RegionIndex {
  /** Region text → codes it may name; full names and short forms in separate maps. */
  readonly #full = new Map<string, Set<string>>();
  readonly #short = new Map<string, Set<string>>();
  /** All texts, longest first (ties: code-unit order), for longest-match at the front. */
  readonly #texts: readonly string[];
  readonly #names = new Map<string, string>();

  constructor(divisions: readonly Division[] = [], extraNames: readonly string[] = []) {
    const add = (map: Map<string, Set<string>>, text: string, code: string | null): void => {
      const key = toSimplified(text.normalize('NFKC').replace(/\s+/g, ''));
      if (codePointCount(key) < 2) return;
      const set = map.get(key) ?? new Set<string>();
      if (code !== null) set.add(code);
      map.set(key, set);
    };
    for (const { code, name, short: shorts } of PROVINCES) {
      add(this.#full, name, code);
      for (const s of shorts) add(this.#short, s, code);
    }
    for (const d of divisions) {
      const code = codeDepth(d.code.trim());
      add(this.#full, d.name, code);
      this.#names.set(code, d.name);
      const short = shortRegionName(d.name);
      if (short !== null) add(this.#short, short, code);
    }
    for (const n of extraNames) add(this.#full, n, null);
    const texts = new Set([...this.#full.keys(), ...this.#short.keys()]);
    this.#texts = [...texts].sort((a, b) => codePointCount(b) - codePointCount(a) || (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The name of a division by code, when the table has it. */
  nameOf(code: string): string | undefined {
    return this.#names.get(codeDepth(code));
  }

  /** Whether `text` is exactly a region name or short form. */
  has(text: string): boolean {
    return this.#full.has(text) || this.#short.has(text);
  }

  /** Resolve a region text to a hit (null when unknown). */
  resolve(text: string): RegionHit | null {
    const full = this.#full.get(text);
    if (full) return { text, short: false, code: commonCode([...full].sort()) };
    const short = this.#short.get(text);
    if (short) return { text, short: true, code: commonCode([...short].sort()) };
    return null;
  }

  /**
   * Strip region names from the front of `text`, repeatedly (…演示旗锡尼镇团结路 → 团结路). A short
   * form is stripped only when what follows does not continue it into a road or place word.
   * `keepAtLeast` characters are always left.
   */
  stripLeading(text: string, opts: { keepAtLeast?: number } = {}): { rest: string; hits: RegionHit[] } {
    const keep = opts.keepAtLeast ?? 1;
    const hits: RegionHit[] = [];
    let rest = text;
    for (let guard = 0; guard < 8; guard++) {
      const hit = this.#matchFront(rest, keep);
      if (!hit) break;
      // a short form naming a division outside the one already named (a town, then another town's
      // short form) is not a region here but the start of a place word
      if (hit.short && hit.code !== null && hits.some((h) => h.code !== null && !codesNest(h.code, hit.code!))) break;
      hits.push(hit);
      rest = rest.slice(hit.text.length);
    }
    return { rest, hits };
  }

  #matchFront(text: string, keep: number): RegionHit | null {
    for (const t of this.#texts) {
      if (!text.startsWith(t)) continue;
      const after = text.slice(t.length);
      if (codePointCount(after) < keep) continue;
      const isFull = this.#full.has(t);
      if (!isFull && FOLLOWING_WORD.test(after)) continue;
      // A full name that is also a prefix of a longer region name was handled by longest-first order.
      return this.resolve(t);
    }
    return null;
  }

  /** Find region names anywhere in `text` (for bracket notes). */
  find(text: string): RegionHit | null {
    return this.resolve(text);
  }

  /** Deepest code among hits, when the hits nest (a town and its community → the community); null when none or they conflict. */
  static deepest(hits: readonly RegionHit[]): string | null {
    let best: string | null = null;
    for (const h of hits) {
      if (h.code === null) continue;
      if (best === null) best = h.code;
      else if (h.code.startsWith(best)) best = h.code;
      else if (!best.startsWith(h.code)) return null;
    }
    return best;
  }
}

/** An index with the built-in provinces only. */
export const EMPTY_REGIONS = new RegionIndex();
