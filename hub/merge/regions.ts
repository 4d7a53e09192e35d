/**
 * The county's region names (province → prefecture → county → town → village/community) for
 * stripping them from the front of enterprise names and addresses and for telling which town or
 * village a name or address points at. Built once from the division table (statistical codes:
 * 2/4/6 digits for province/prefecture/county, 9 for a town, 12 for a village) and immutable.
 *
 * Each division is known by its full name (锡尼镇) and, when at least two characters remain, its
 * short form without the administrative suffix (锡尼). Province names are built in, since names
 * and addresses often start with one (内蒙古自治区…, 北京…).
 */
import { chars, toSimplified } from './strings.js';

export interface Division {
  /** Statistical division code: 2, 4, 6, 9 or 12 digits (trailing zero groups allowed: 150625100000). */
  readonly code: string;
  readonly name: string;
}

export interface RegionHit {
  /** The text that was recognised, as it appeared (锡尼镇 or 锡尼). */
  readonly text: string;
  /** Whether `text` was the short form (suffix dropped). */
  readonly short: boolean;
  /** The division it names, when unambiguous: the deepest code all readings share; null when unknown. */
  readonly code: string | null;
}

/** Administrative suffixes, longest first. */
const ADMIN_SUFFIXES = [
  '特别行政区', '维吾尔自治区', '壮族自治区', '回族自治区', '自治区', '自治州', '自治县', '自治旗',
  '街道办事处', '街道', '苏木', '嘎查', '社区', '居委会', '村委会', '地区', '省', '市', '盟', '州', '县', '旗', '区', '镇', '乡', '村',
];

/** Provinces and their usual short forms (codes are GB/T 2260 province codes). */
const PROVINCES: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['11', '北京市', ['北京']], ['12', '天津市', ['天津']], ['13', '河北省', ['河北']], ['14', '山西省', ['山西']],
  ['15', '内蒙古自治区', ['内蒙古']], ['21', '辽宁省', ['辽宁']], ['22', '吉林省', ['吉林']], ['23', '黑龙江省', ['黑龙江']],
  ['31', '上海市', ['上海']], ['32', '江苏省', ['江苏']], ['33', '浙江省', ['浙江']], ['34', '安徽省', ['安徽']],
  ['35', '福建省', ['福建']], ['36', '江西省', ['江西']], ['37', '山东省', ['山东']], ['41', '河南省', ['河南']],
  ['42', '湖北省', ['湖北']], ['43', '湖南省', ['湖南']], ['44', '广东省', ['广东']], ['45', '广西壮族自治区', ['广西']],
  ['46', '海南省', ['海南']], ['50', '重庆市', ['重庆']], ['51', '四川省', ['四川']], ['52', '贵州省', ['贵州']],
  ['53', '云南省', ['云南']], ['54', '西藏自治区', ['西藏']], ['61', '陕西省', ['陕西']], ['62', '甘肃省', ['甘肃']],
  ['63', '青海省', ['青海']], ['64', '宁夏回族自治区', ['宁夏']], ['65', '新疆维吾尔自治区', ['新疆']],
];

/** Characters that start a road, compound or building word, after a direction or an ordinal or not: a short form followed by one is part of that word (锡尼路, 胜利南巷, 北门二路). */
const FOLLOWING_WORD = /^[东西南北中]?[一二三四五六七八九十0-9０-９]*(?:路|街|大街|大道|巷|胡同|道|线|小区|家园|花园|苑|广场|大厦|市场|公寓|桥|村|河|湖|山|站|口)/u;

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
      return chars(short).length >= 2 ? short : null;
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
      if (chars(key).length < 2) return;
      const set = map.get(key) ?? new Set<string>();
      if (code !== null) set.add(code);
      map.set(key, set);
    };
    for (const [code, name, shorts] of PROVINCES) {
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
    this.#texts = [...texts].sort((a, b) => chars(b).length - chars(a).length || (a < b ? -1 : a > b ? 1 : 0));
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
   * Strip region names from the front of `text`, repeatedly (内蒙古自治区鄂尔多斯市演示旗锡尼镇团结路 →
   * 团结路). A short form is stripped only when what follows does not continue it into a road or
   * place word (锡尼路 keeps 锡尼). `keepAtLeast` characters are always left.
   */
  stripLeading(text: string, opts: { keepAtLeast?: number } = {}): { rest: string; hits: RegionHit[] } {
    const keep = opts.keepAtLeast ?? 1;
    const hits: RegionHit[] = [];
    let rest = text;
    for (let guard = 0; guard < 8; guard++) {
      const hit = this.#matchFront(rest, keep);
      if (!hit) break;
      // a short form naming a division outside the one already named (锡尼镇 then another town's
      // 北门) is not a region here but the start of a place word (锡尼镇北门二路)
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
      if (chars(after).length < keep) continue;
      const isFull = this.#full.has(t);
      if (!isFull && FOLLOWING_WORD.test(after)) continue;
      // A full name that is also a prefix of a longer region name was handled by longest-first order.
      return this.resolve(t);
    }
    return null;
  }

  /** Find region names anywhere in `text` (for bracket notes such as 锡尼店). */
  find(text: string): RegionHit | null {
    return this.resolve(text);
  }

  /** Deepest code among hits, when the hits nest (锡尼镇 + 锡尼社区 → the community); null when none or they conflict. */
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
