/**
 * String primitives shared by the matching modules: Jaro-Winkler, Dice and Jaccard on character
 * bigrams, a small traditional → simplified table, Chinese numerals and toneless pinyin.
 * Everything here is pure and deterministic and works on Unicode code points (not UTF-16 units),
 * so characters from the CJK extension planes count as one character.
 */
import { LANGUAGE } from './language.js';
import { pinyin } from 'pinyin-pro';

/** Code points of a string. */
export function chars(s: string): string[] {
  return Array.from(s);
}

/** `chars(s).length` without the array (a surrogate pair is one code point, a lone surrogate one too). */
export function codePointCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++, n++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

/**
 * Jaro-Winkler similarity of two sequences (characters, or tokens such as pinyin syllables):
 * 1 for equal, 0 for nothing in common. Prefix scale 0.1, prefix length up to 4 (Winkler's values).
 */
export function jaroWinklerSeq<T>(x: readonly T[], y: readonly T[]): number {
  // Greedy Jaro matching can differ by argument order; fix an order so that the result is symmetric.
  const swap = x.length > y.length || (x.length === y.length && compareStrings(x.join('\u0000'), y.join('\u0000')) > 0);
  const a = swap ? y : x;
  const b = swap ? x : y;
  if (a.length === 0 && b.length === 0) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const aMatched = new Array<boolean>(a.length).fill(false);
  const bMatched = new Array<boolean>(b.length).fill(false);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(b.length - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (bMatched[j] || a[i] !== b[j]) continue;
      aMatched[i] = true;
      bMatched[j] = true;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    if (!aMatched[i]) continue;
    while (!bMatched[k]) k++;
    if (a[i] !== b[k]) transpositions++;
    k++;
  }
  const m = matches;
  const jaro = (m / a.length + m / b.length + (m - transpositions / 2) / m) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  return round4(jaro + prefix * 0.1 * (1 - jaro));
}

/** Jaro-Winkler on the characters (code points) of two strings. */
export function jaroWinkler(a: string, b: string): number {
  return jaroWinklerSeq(chars(a), chars(b));
}

/**
 * The set of character bigrams of a string. A one-character string yields itself as its only
 * "bigram", so that "王" still compares with "王".
 */
export function bigrams(s: string): Set<string> {
  const cs = chars(s);
  const out = new Set<string>();
  if (cs.length === 1) out.add(cs[0] as string);
  for (let i = 0; i + 1 < cs.length; i++) out.add(`${cs[i]}${cs[i + 1]}`);
  return out;
}

function intersectionSize(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let n = 0;
  for (const x of small) if (large.has(x)) n++;
  return n;
}

/** Dice coefficient 2|A∩B| / (|A|+|B|) on two bigram sets; 0 when either is empty. */
export function diceSets(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  return round4((2 * intersectionSize(a, b)) / (a.size + b.size));
}

/** Jaccard |A∩B| / |A∪B| on two bigram sets; 0 when either is empty. */
export function jaccardSets(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  const inter = intersectionSize(a, b);
  return round4(inter / (a.size + b.size - inter));
}

/** Dice coefficient on the character bigrams of two strings. */
export function dice(a: string, b: string): number {
  return diceSets(bigrams(a), bigrams(b));
}

/** Bigrams present in both sets, sorted (for explanations). */
export function sharedBigrams(a: ReadonlySet<string>, b: ReadonlySet<string>): string[] {
  return [...a].filter((x) => b.has(x)).sort();
}

// ── Traditional → simplified ───────────────────────────────────────────────────────────────
// Only characters that turn up in shop names, addresses and complaints (language.json); a full
// converter (OpenCC) is not needed for matching, where both sides go through the same table.
const T2S_PAIRS = LANGUAGE.traditionalToSimplified.join('');

const T2S: ReadonlyMap<string, string> = (() => {
  const cs = chars(T2S_PAIRS);
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < cs.length; i += 2) {
    const t = cs[i] as string;
    const s = cs[i + 1] as string;
    if (t !== s) m.set(t, s);
  }
  return m;
})();

/** Traditional → simplified for the common characters of names and addresses (號→号, 記→记 …). */
export function toSimplified(s: string): string {
  let out = '';
  for (const c of s) out += T2S.get(c) ?? c;
  return out;
}

// ── Chinese numerals ───────────────────────────────────────────────────────────────────────
const CN_DIGIT: ReadonlyMap<string, number> = new Map(Object.entries(LANGUAGE.numerals.digits));
const CN_UNIT: ReadonlyMap<string, number> = new Map(Object.entries(LANGUAGE.numerals.units));
const CN_NUMERAL_CLASS = `${[...CN_DIGIT.keys()].join('')}${[...CN_UNIT.keys()].join('')}`;
const CN_NUMERAL = new RegExp(`^[${CN_NUMERAL_CLASS}]+$`, 'u');
const CN_HAS_UNIT = new RegExp(`[${[...CN_UNIT.keys()].join('')}]`, 'u');
const CN_BEFORE_ADDRESS_UNIT = new RegExp(`([${CN_NUMERAL_CLASS}]+)(?=${LANGUAGE.numerals.addressUnits.join('|')})`, 'gu');

/** Value of a Chinese numeral up to 9999 (十二 → 12, 一百零五 → 105); null if not one. */
export function parseChineseNumber(s: string): number | null {
  if (s === '' || !CN_NUMERAL.test(s)) return null;
  if (!CN_HAS_UNIT.test(s)) {
    // digit by digit: 二〇三 → 203
    let v = 0;
    for (const c of s) v = v * 10 + (CN_DIGIT.get(c) as number);
    return v;
  }
  let total = 0;
  let digit: number | null = null;
  for (const c of s) {
    const d = CN_DIGIT.get(c);
    if (d !== undefined) {
      digit = d;
    } else {
      const unit = CN_UNIT.get(c) as number;
      total += (digit ?? 1) * unit;
      digit = null;
    }
  }
  return total + (digit ?? 0);
}

/**
 * Replace Chinese numerals that precede an address unit (language.json numerals.addressUnits)
 * with Arabic digits: 三组 → 3组. Numerals elsewhere (五金) are left alone.
 */
export function arabiseAddressNumbers(s: string): string {
  return s.replace(CN_BEFORE_ADDRESS_UNIT, (m) => {
    const v = parseChineseNumber(m);
    return v === null ? m : String(v);
  });
}

// ── Pinyin ─────────────────────────────────────────────────────────────────────────────────
const pinyinCache = new Map<string, string[]>();
const PINYIN_CACHE_MAX = 20_000;

/**
 * Toneless pinyin syllables of a string, one per character (non-Han characters stand for
 * themselves), for catching homophone typos (汪记稍烤 ~ 王记烧烤). Cached; the cache is bounded and
 * only memoises a pure function, so results never depend on call order.
 */
export function pinyinSyllables(s: string): string[] {
  const hit = pinyinCache.get(s);
  if (hit) return hit;
  const out = s === '' ? [] : (pinyin(s, { toneType: 'none', type: 'array', v: true }) as string[]).map((x) => x.toLowerCase());
  if (pinyinCache.size >= PINYIN_CACHE_MAX) pinyinCache.clear();
  pinyinCache.set(s, out);
  return out;
}

export function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** Deterministic comparison of strings by code unit order (not locale). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const NO_TABLE = {};
const MEMO_MAX = 20_000;

/**
 * A pure function's answer for a string under one region table (by identity), remembered; bounded
 * (cleared when full). For the parsers the matchers call again and again on the same names and
 * addresses (nameKey, parseAddress): a candidate's are given as strings and parsed per comparison.
 */
export function memoised<T>(tables: WeakMap<object, Map<string, T>>, table: object | undefined, input: string, compute: () => T): T {
  const t = table ?? NO_TABLE;
  let m = tables.get(t);
  if (!m) tables.set(t, (m = new Map()));
  const hit = m.get(input);
  if (hit !== undefined) return hit;
  const v = compute();
  if (m.size >= MEMO_MAX) m.clear();
  m.set(input, v);
  return v;
}

/** Numbers for objects, for memo keys that must not keep the objects alive. */
const OBJECT_NUMBERS = new WeakMap<object, number>();
let lastObjectNumber = 0;
function objectNumber(o: object): number {
  let n = OBJECT_NUMBERS.get(o);
  if (n === undefined) OBJECT_NUMBERS.set(o, (n = ++lastObjectNumber));
  return n;
}

/**
 * A pure function of two objects (parsed addresses, name keys), remembered per ordered pair and
 * bounded by the number of pairs (cleared when full). A WeakMap per first object is not bounded:
 * its pairs live as long as the memo tables keep both objects, and a county day's comparisons
 * kept hundreds of thousands of answers (with their explanations) until the hub ran out of heap.
 */
export class PairMemo<A extends object, B extends object, V> {
  private readonly rows = new Map<number, Map<number, V>>();
  private size = 0;

  constructor(private readonly max: number) {}

  get(a: A, b: B, compute: () => V): V {
    return this.getByNumbers(objectNumber(a), objectNumber(b), compute);
  }

  /** The same, for a pair already named by numbers (each number standing for one value only). */
  getByNumbers(na: number, nb: number, compute: () => V): V {
    let row = this.rows.get(na);
    const hit = row?.get(nb);
    if (hit !== undefined) return hit;
    const v = compute();
    if (this.size >= this.max) {
      this.rows.clear();
      this.size = 0;
      row = undefined;
    }
    if (!row) this.rows.set(na, (row = new Map()));
    row.set(nb, v);
    this.size += 1;
    return v;
  }
}
