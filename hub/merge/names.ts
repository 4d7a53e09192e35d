/**
 * Enterprise and place names for matching.
 *
 * A registered name is region + trade name + industry + legal form. What people and other
 * departments write is a part of it, a shop sign, or a variant (老王烧烤 for the registry's
 * 锡尼镇老王烧烤店). `nameKey` reduces each to the same key:
 *
 *   1. NFKC (full-width → ASCII), traditional → simplified for common characters,
 *      upper-case Latin letters, drop spaces and punctuation;
 *   2. bracketed notes removed and classified: a location, a numbered or named branch, or a
 *      legal-form note;
 *   3. legal form stripped from the end; a company's branch (…有限公司锡尼分公司) becomes the parent
 *      with a location note;
 *   4. industry word found at the end from a lexicon, a trailing shop word dropped from it;
 *   5. leading region names stripped unless nothing would be left;
 *   6. surname trade names unified: 老王 / 王姐 → 王记.
 *
 * `nameSimilarity` then compares keys: max(Jaro-Winkler, Dice on bigrams, pinyin Jaro-Winkler ×
 * PINYIN_DISCOUNT) on trade names, combined with the industry, with an explanation.
 */
import { LANGUAGE } from './language.js';
import { readFileSync } from 'node:fs';
import { REGION_PROFILE } from './region-profile.js';
import { EMPTY_REGIONS, RegionIndex, codesNest, type RegionHit } from './regions.js';
import { chars, codePointCount, compareStrings, dice, jaroWinkler, jaroWinklerSeq, memoised, PairMemo, pinyinSyllables, round4, toSimplified } from './strings.js';

// ── Lexicons ───────────────────────────────────────────────────────────────────────────────

/** Legal forms at the end of a name, longest first. */
export const LEGAL_FORMS: readonly string[] = LANGUAGE.legalForms;

/** Bracket notes that are about the legal form, not the subject's identity. */
const NAME_WORDS = LANGUAGE.names;
const LEGAL_NOTE = new RegExp(`^(?:${NAME_WORDS.legalNotes.join('|')}|.*?(?:${NAME_WORDS.legalNoteEndings.join('|')}))$`, 'u');

/** Shop words dropped from the end of an industry or name. */
const SHOP_WORDS = LANGUAGE.shopWords;

/** Trade names that carry no identity (无名). */
const EMPTY_CORES = new Set(LANGUAGE.emptyNameCores);

export interface IndustryEntry {
  readonly word: string;
  /** Coarse group, for "same kind of business" (food, retail …). */
  readonly group: string;
  /** A registry word covering the group (餐饮), as opposed to a specific trade (烧烤). */
  readonly generic?: boolean;
  /** Canonical form when synonyms are common. */
  readonly canonical?: string;
  /** A trade worked on other people's sites (construction): its reports come from anywhere in the county. */
  readonly siteWork?: boolean;
}

/** Industry words, as used in names: the county's matching data (schemas/catalogues/matching/industries.json). Extend with `NameOptions.industries`. */
export const INDUSTRIES: readonly IndustryEntry[] = loadIndustries(process.env.INDUSTRY_PROFILE_FILE ?? new URL('../../schemas/catalogues/matching/industries.json', import.meta.url).pathname);

function loadIndustries(file: string): IndustryEntry[] {
  const o = JSON.parse(readFileSync(file, 'utf8')) as { groups?: Array<{ group?: unknown; words?: unknown; generic?: unknown; canonical?: unknown; siteWork?: unknown }> };
  if (!Array.isArray(o.groups)) throw new Error(`industry profile ${file}: groups must be a list`);
  return o.groups.flatMap((grp, i) => {
    if (typeof grp.group !== 'string' || !Array.isArray(grp.words) || !grp.words.every((w) => typeof w === 'string' && w !== '')) throw new Error(`industry profile ${file}: groups[${i}] needs a group and a list of words`);
    return (grp.words as string[]).map((word) => ({
      word,
      group: grp.group as string,
      ...(grp.generic === true ? { generic: true } : {}),
      ...(typeof grp.canonical === 'string' ? { canonical: grp.canonical } : {}),
      ...(grp.siteWork === true ? { siteWork: true } : {}),
    }));
  });
}

/** Common Han surnames (single and compound), for surname trade names. */
const SURNAMES = new Set([...chars(LANGUAGE.surnames.single), ...LANGUAGE.surnames.compound]);

/** Patterns of surname trade names: prefix, a surname of one or two characters, suffix. */
const SURNAME_FORMS: ReadonlyArray<[RegExp, string]> = NAME_WORDS.surnameForms.map((f) => [
  new RegExp(`^${f.prefix}(.{1,2})${f.suffixes.length === 0 ? '' : `(?:${f.suffixes.join('|')})${f.suffixOptional === true ? '?' : ''}`}$`, 'u'),
  f.form,
]);
/** Surname trade names are all read as the surname + this mark. */
const SURNAME_MARK = NAME_WORDS.surnameMark;

// ── Types ──────────────────────────────────────────────────────────────────────────────────

export interface NameOptions {
  /** Region names to strip from the front: the county's division table (preferred) or plain names. */
  regions?: RegionIndex | readonly string[];
  /** Extra industry words (merged with INDUSTRIES). */
  industries?: readonly IndustryEntry[];
}

export interface NameKey {
  /** The name as given. */
  readonly original: string;
  /** NFKC + simplified + upper-cased, brackets and punctuation removed, nothing else stripped. */
  readonly cleaned: string;
  /** Trade name (字号), canonical (surname trade names unified); '' when the name has none. */
  readonly core: string;
  /** Industry word, canonical, without a shop word; '' when not recognised. */
  readonly industry: string;
  /** Group of the industry word (food, retail …); null when unknown. */
  readonly industryGroup: string | null;
  /** The industry word is a registry catch-all rather than a trade. */
  readonly genericIndustry: boolean;
  /** Legal form stripped from the end, or given in a note. */
  readonly legalForm: string | null;
  /** Region names found: stripped from the front, or in a location note, or in a company branch's name. */
  readonly regions: readonly RegionHit[];
  /** A distinguishing branch note: 2店 → '2'. Location notes are in `regions`. */
  readonly branch: string | null;
  /** Surname of a surname trade name, with the form it was written in. */
  readonly surname: { readonly surname: string; readonly form: string; readonly written?: string } | null;
  /** Bracket notes removed, as written (after NFKC). */
  readonly notes: readonly string[];
  /** Toneless pinyin of core + industry. */
  readonly pinyin: readonly string[];
  /** When the industry word was recognised by sound only: the characters as written. */
  readonly industryHomophone: string | null;
  /** The industry is worked on sites anywhere (IndustryEntry.siteWork). */
  readonly siteWork: boolean;
}

export type NameMethod = 'exact-key' | 'surname' | 'jaro-winkler' | 'dice' | 'pinyin' | 'none';

export interface NameSimilarity {
  /** 0..1. */
  readonly score: number;
  /** Which measure gave the trade-name similarity. */
  readonly method: NameMethod;
  /** Trade-name similarity (0..1). */
  readonly core: number;
  /** Industry similarity (0..1), or null when either side has no recognised industry. */
  readonly industry: number | null;
  /** The individual measures on the trade names, for the record. */
  readonly measures: { readonly jaroWinkler: number; readonly dice: number; readonly pinyin: number };
  /** Penalties applied (different-branch, different-location, no-trade-name). */
  readonly penalties: readonly string[];
  /** One line a person can read. */
  readonly explanation: string;
}

// ── Thresholds and weights ─────────────────────────────────────────────────────────────────

/** Weight of the trade name in a name's similarity; the industry has the rest. */
export const NAME_CORE_WEIGHT = 0.75;
/** Homophones are weaker evidence than the same characters: two surnames may sound alike. */
export const PINYIN_DISCOUNT = 0.9;
/** Same-surname trade names written differently: a shop's sign and its registration commonly differ so. */
export const SURNAME_FORM_SIMILARITY = 1;
/** Different surnames that sound the same: a typist's slip or another shop. */
export const SURNAME_HOMOPHONE_SIMILARITY = 0.85;
/** Industry similarity for: same word 1; same group, one a registry catch-all; same group, two trades; different groups. */
export const INDUSTRY_GENERIC_SIMILARITY = 0.9;
export const INDUSTRY_SAME_GROUP_SIMILARITY = 0.6;
export const INDUSTRY_DIFFERENT_SIMILARITY = 0.2;
/** One side names no industry: compare trade names only, slightly discounted. */
export const INDUSTRY_MISSING_FACTOR = 0.95;
/** Multipliers for notes that say "another branch" or "another town". */
export const DIFFERENT_BRANCH_FACTOR = 0.6;
export const DIFFERENT_LOCATION_FACTOR = 0.6;
/** Cap when neither name has a trade name: only the industry agrees. */
export const NO_TRADE_NAME_CAP = 0.5;

// ── Key ────────────────────────────────────────────────────────────────────────────────────

const BRACKETS = /[(\[{（【〔「『<《]([^()\[\]{}（）【】〔〕「」『』<>《》]*)[)\]}）】〕」』>》]/gu;

function regionIndexOf(opts: NameOptions): RegionIndex {
  const r = opts.regions;
  if (r === undefined) return EMPTY_REGIONS;
  if (r instanceof RegionIndex) return r;
  return new RegionIndex([], r);
}

interface Lexicon {
  byWord: Map<string, IndustryEntry>;
  words: string[];
  /** Toneless pinyin (space-joined) → word, for Han words of ≥ 2 characters; computed on first use. */
  byPinyin?: Map<string, string>;
}

const DEFAULT_LEXICON = buildLexicon([]);

function lexiconPinyin(lexicon: Lexicon): Map<string, string> {
  if (lexicon.byPinyin) return lexicon.byPinyin;
  const m = new Map<string, string>();
  // Longest words first, so that a shorter homophone never shadows a longer word.
  for (const w of lexicon.words) {
    if (codePointCount(w) < 2 || !/^\p{Script=Han}+$/u.test(w)) continue;
    const key = pinyinSyllables(w).join(' ');
    if (!m.has(key)) m.set(key, w);
  }
  lexicon.byPinyin = m;
  return m;
}

function buildLexicon(extra: readonly IndustryEntry[]): Lexicon {
  const byWord = new Map<string, IndustryEntry>();
  for (const e of [...INDUSTRIES, ...extra]) byWord.set(toSimplified(e.word.normalize('NFKC').toUpperCase()), e);
  const words = [...byWord.keys()].sort((a, b) => codePointCount(b) - codePointCount(a) || compareStrings(a, b));
  return { byWord, words };
}

/** NFKC, simplified, upper-case Latin, no spaces. Brackets are kept for the next step. */
function basicClean(s: string): string {
  return toSimplified(s.normalize('NFKC')).toUpperCase().replace(/[\s\u200B\uFEFF]+/gu, '');
}

function dropPunctuation(s: string): string {
  return s.replace(/[^\p{L}\p{N}]+/gu, '');
}

function stripShopWord(s: string): string {
  for (const w of SHOP_WORDS) {
    if (s.endsWith(w) && codePointCount(s) - codePointCount(w) >= 2) return s.slice(0, s.length - w.length);
  }
  return s;
}

/** Toneless pinyin of the legal forms of three or more characters, longest first. */
let LEGAL_FORM_SOUNDS: Array<{ form: string; length: number; sound: string }> | null = null;

/**
 * The legal form `s` ends with when read by sound (有线公司 for 有限公司), as written; only forms
 * of three or more characters, so that a trade name is never taken for one. Null when none.
 */
function legalFormBySound(s: string): string | null {
  LEGAL_FORM_SOUNDS ??= LEGAL_FORMS.filter((f) => codePointCount(f) >= 3).map((form) => ({ form, length: codePointCount(form), sound: pinyinSyllables(form).join(' ') }));
  const cs = chars(s);
  for (const f of LEGAL_FORM_SOUNDS) {
    if (cs.length <= f.length) continue;
    const tail = cs.slice(cs.length - f.length).join('');
    if (/^\p{Script=Han}+$/u.test(tail) && pinyinSyllables(tail).join(' ') === f.sound) return tail;
  }
  return null;
}

/**
 * A lexicon word longer than `word` that `prefix + word` ends with when read by sound (its last
 * characters being `word` as written), leaving at least one character of trade name.
 */
function homophoneTail(prefix: string, word: string, lexicon: Lexicon): { word: string; written: string; prefix: string } | null {
  const ps = chars(prefix);
  const wl = codePointCount(word);
  const byPinyin = lexiconPinyin(lexicon);
  // two or more characters typed by sound, not one
  for (let k = Math.min(4, ps.length - 1); k >= 2; k--) {
    const head = ps.slice(ps.length - k).join('');
    if (!/^\p{Script=Han}+$/u.test(head)) continue;
    const written = `${head}${word}`;
    const found = byPinyin.get(pinyinSyllables(written).join(' '));
    if (found !== undefined && found !== written && codePointCount(found) === k + wl && found.endsWith(word)) {
      return { word: found, written, prefix: ps.slice(0, ps.length - k).join('') };
    }
  }
  return null;
}

/** Toneless pinyin of the shop words. */
let SHOP_WORD_SOUNDS: Set<string> | null = null;

/**
 * The name without its last character when that character only sounds like a shop word (点 typed
 * for 店) and at least two characters stay; null otherwise.
 */
function stripShopHomophone(s: string): string | null {
  const cs = chars(s);
  const last = cs[cs.length - 1];
  if (cs.length < 3 || last === undefined || SHOP_WORDS.includes(last) || !/^\p{Script=Han}$/u.test(last)) return null;
  SHOP_WORD_SOUNDS ??= new Set(SHOP_WORDS.map((w) => pinyinSyllables(w)[0] as string));
  return SHOP_WORD_SOUNDS.has(pinyinSyllables(last)[0] as string) ? cs.slice(0, -1).join('') : null;
}

/** The numerals for 1 … 10 and their values; a branch's number, written as an ordinal or not. */
const ORDINAL_VALUE: ReadonlyMap<string, number> = new Map(chars(LANGUAGE.numerals.ordinals).map((c, i) => [c, i + 1]));
const TEN = chars(LANGUAGE.numerals.ordinals)[9] as string;
const ORDINAL = new RegExp(`^(?:${NAME_WORDS.branchNumber.prefix})?([0-9]+|[${LANGUAGE.numerals.ordinals}]+)(?:${NAME_WORDS.branchNumber.suffix})?$`, 'u');

function chineseOrdinal(s: string): string {
  // 第二, 2号 → '2'
  const m = ORDINAL.exec(s);
  if (!m) return s;
  const d = m[1] as string;
  if (/^\d+$/.test(d)) return String(Number(d));
  if (codePointCount(d) === 1) return String(ORDINAL_VALUE.get(d) ?? d);
  if (d.startsWith(TEN)) return String(10 + (ORDINAL_VALUE.get(d.slice(1)) ?? 0));
  return d;
}

interface NoteResult {
  regions: RegionHit[];
  branch: string | null;
  legalForm: string | null;
}

function classifyNote(note: string, regions: RegionIndex): NoteResult {
  const out: NoteResult = { regions: [], branch: null, legalForm: null };
  const n = dropPunctuation(note);
  if (n === '') return out;
  if (LEGAL_NOTE.test(n)) {
    out.legalForm = n;
    return out;
  }
  const branchMatch = BRANCH_NOTE.exec(n);
  const place = branchMatch ? (branchMatch[1] as string) : n;
  if (place === '') return out; // a branch, but says nothing about which
  const hit = regions.resolve(place) ?? regions.resolve(stripRegionSuffix(place));
  if (hit) {
    out.regions.push(hit);
    return out;
  }
  if (branchMatch) out.branch = chineseOrdinal(place);
  // Anything else in brackets is a remark and does not tell subjects apart.
  return out;
}

const BRANCH_NOTE = new RegExp(`^(.*?)(?:${NAME_WORDS.branchWords.join('|')})$`, 'u');
const REGION_SUFFIX = new RegExp(`(?:${REGION_PROFILE.noteSuffixes.join('|')})$`, 'u');

function stripRegionSuffix(s: string): string {
  return s.replace(REGION_SUFFIX, '');
}

/** An enforcement case names its party after a role word, not part of the name. */
const PARTY_PREFIX = new RegExp(`^${NAME_WORDS.partyPrefix}[:：]?`, 'u');
/** A company's branch: parent, its legal form, the branch's place, the branch form. */
const COMPANY_BRANCH = new RegExp(`^(.+?)(${NAME_WORDS.companyForms.join('|')})(.+?)(${NAME_WORDS.companyBranchForms.join('|')})$`, 'u');
const INLINE_BRANCH = new RegExp(`^(.+?)(${NAME_WORDS.inlineBranchWords.join('|')})$`, 'u');

/**
 * The matching key of an enterprise or place name. Pure; the same name and options always give
 * the same key.
 */
export function nameKey(name: string, opts: NameOptions = {}): NameKey {
  // candidates' names are given as strings and keyed again at every comparison: remember them
  if (opts.industries && opts.industries.length > 0) return nameKeyUncached(name, opts);
  return memoised(NAME_KEYS, opts.regions, name, () => nameKeyUncached(name, opts));
}

const NAME_KEYS = new WeakMap<object, Map<string, NameKey>>();

function nameKeyUncached(name: string, opts: NameOptions): NameKey {
  const regions = regionIndexOf(opts);
  const lexicon = opts.industries && opts.industries.length > 0 ? buildLexicon(opts.industries) : DEFAULT_LEXICON;
  const basic = basicClean(name).replace(PARTY_PREFIX, '');

  // 1. Bracket notes (possibly nested: strip innermost first).
  const notes: string[] = [];
  let s = basic;
  for (let guard = 0; guard < 4 && /[(\[{（【〔「『<《]/u.test(s); guard++) {
    const next = s.replace(BRACKETS, (_m, inner: string) => {
      notes.push(inner);
      return ' ';
    });
    if (next === s) break;
    s = next;
  }
  const foundRegions: RegionHit[] = [];
  let branch: string | null = null;
  let legalForm: string | null = null;
  for (const note of notes) {
    const r = classifyNote(note, regions);
    foundRegions.push(...r.regions);
    branch ??= r.branch;
    legalForm ??= r.legalForm;
  }
  s = dropPunctuation(s);
  const cleaned = s;

  // 2. Legal form, including a company's branch (parent + location + branch form).
  const branchCo = COMPANY_BRANCH.exec(s);
  if (branchCo) {
    s = branchCo[1] as string;
    legalForm = `${branchCo[2]}${branchCo[4]}`;
    const r = classifyNote(`${branchCo[3]}${NAME_WORDS.noteShopWord}`, regions);
    foundRegions.push(...r.regions);
    branch ??= r.branch;
  } else {
    for (let guard = 0; guard < 3; guard++) {
      const exact = LEGAL_FORMS.find((f) => s.endsWith(f) && codePointCount(s) > codePointCount(f));
      const bySound = legalFormBySound(s);
      const form = bySound !== null && codePointCount(bySound) > codePointCount(exact ?? '') ? bySound : exact;
      if (!form) break;
      s = s.slice(0, s.length - form.length);
      legalForm = legalForm === null ? form : `${form}${legalForm}`;
      // a branch with its place in brackets leaves the region in a note
    }
  }

  // 2b. An inline location branch at the end: a region's name before the shop word.
  {
    const m = INLINE_BRANCH.exec(s);
    if (m) {
      const body = chars(m[1] as string);
      for (let k = Math.min(6, body.length - 2); k >= 2; k--) {
        const place = body.slice(body.length - k).join('');
        const hit = regions.resolve(place);
        if (hit) {
          foundRegions.push(hit);
          s = body.slice(0, body.length - k).join('');
          break;
        }
      }
    }
  }

  // 3. Industry at the end (longest lexicon word, with or without a trailing shop word).
  let industry = '';
  let entry: IndustryEntry | undefined;
  let prefix = s;
  const candidates = [s, stripShopWord(s)];
  // the longest word at the end of either form; between the two forms, the one that explains more
  // of the name
  for (const cand of candidates) {
    for (const word of lexicon.words) {
      if (cand.endsWith(word)) {
        const rest = cand.slice(0, cand.length - word.length);
        if (entry === undefined || codePointCount(rest) < codePointCount(prefix)) {
          entry = lexicon.byWord.get(word);
          prefix = rest;
          industry = word;
        }
        break;
      }
    }
  }
  let industryAsWritten: string | null = null;
  if (entry) {
    // a longer industry word whose first characters were typed as homophones is the industry, not
    // the shorter word it ends with
    const longer = homophoneTail(prefix, industry, lexicon);
    if (longer) {
      entry = lexicon.byWord.get(longer.word);
      industryAsWritten = longer.written;
      prefix = longer.prefix;
      industry = longer.word;
    }
  }
  // A homophone typo in the trailing shop word (蒙餐管 for 蒙餐馆): the
  // industry word is then found as written, before the slip.
  const shopHomophone = stripShopHomophone(s);
  if (!entry && shopHomophone !== null) {
    for (const word of lexicon.words) {
      if (shopHomophone.endsWith(word)) {
        entry = lexicon.byWord.get(word);
        prefix = shopHomophone.slice(0, shopHomophone.length - word.length);
        industry = word;
        industryAsWritten = `${word}${s.slice(shopHomophone.length)}`;
        break;
      }
    }
  }
  if (!entry) {
    // A homophone typo in the industry word (稍烤 for 烧烤): match the ending by pinyin.
    const byPinyin = lexiconPinyin(lexicon);
    // without a trailing shop word first: a homophone industry + shop word rather than a shorter one
    const byPinyinCands = [...new Set([stripShopWord(s), s, ...(shopHomophone === null ? [] : [shopHomophone])])];
    outerPinyin: for (const cand of byPinyinCands) {
      const cs = chars(cand);
      for (let k = Math.min(5, cs.length - 1); k >= 2; k--) {
        const tail = cs.slice(cs.length - k).join('');
        if (!/^\p{Script=Han}+$/u.test(tail)) continue;
        const word = byPinyin.get(pinyinSyllables(tail).join(' '));
        if (word !== undefined) {
          entry = lexicon.byWord.get(word);
          industry = word;
          industryAsWritten = tail;
          prefix = cs.slice(0, cs.length - k).join('');
          break outerPinyin;
        }
      }
    }
  }
  if (entry) industry = entry.canonical ?? stripShopWord(industry);
  else prefix = stripShopWord(prefix);

  // 4. Regions at the front of the trade-name part; never strip the whole trade name.
  const stripped = regions.stripLeading(prefix, { keepAtLeast: 1 });
  foundRegions.unshift(...stripped.hits);
  let core = stripped.rest;
  if (core === '' && prefix !== '') core = prefix;

  // 5. Surname trade names.
  const unified = surnameTradeName(core);
  const surname = unified.surname;
  core = unified.core;
  if (EMPTY_CORES.has(core)) core = '';

  return {
    original: name,
    cleaned,
    core,
    industry,
    industryGroup: entry?.group ?? null,
    genericIndustry: entry?.generic ?? false,
    legalForm,
    regions: dedupeHits(foundRegions),
    branch,
    surname,
    notes,
    pinyin: pinyinSyllables(`${core}${industry}`),
    industryHomophone: industryAsWritten,
    siteWork: entry?.siteWork ?? false,
  };
}

function dedupeHits(hits: readonly RegionHit[]): RegionHit[] {
  const seen = new Set<string>();
  return hits.filter((h) => {
    const k = `${h.text}|${h.code ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// ── Similarity ─────────────────────────────────────────────────────────────────────────────

function industrySimilarity(a: NameKey, b: NameKey): number | null {
  if (a.industry === '' || b.industry === '') return null;
  if (a.industry === b.industry) return 1;
  // one word within the other: the same trade said shorter
  if (a.industry.includes(b.industry) || b.industry.includes(a.industry)) return INDUSTRY_GENERIC_SIMILARITY;
  if (a.industryGroup !== null && a.industryGroup === b.industryGroup) {
    return a.genericIndustry || b.genericIndustry ? INDUSTRY_GENERIC_SIMILARITY : INDUSTRY_SAME_GROUP_SIMILARITY;
  }
  // one side's word was read by its sound, and the two words sound the same
  if ((a.industryHomophone !== null || b.industryHomophone !== null) && pinyinSyllables(a.industry).join(' ') === pinyinSyllables(b.industry).join(' ')) return INDUSTRY_GENERIC_SIMILARITY;
  return Math.max(INDUSTRY_DIFFERENT_SIMILARITY, round4(Math.max(jaroWinkler(a.industry, b.industry), dice(a.industry, b.industry)) * 0.5));
}

/**
 * Toneless pinyin with the sounds an accent merges made one (language.json `fuzzyPinyin`: initials
 * zh/z, ch/c, sh/s, n/l; finals ang/an, eng/en, ing/in), as input methods' fuzzy pinyin does.
 */
export function fuzzySyllables(s: string): string[] {
  const f = LANGUAGE.fuzzyPinyin;
  if (!f) return pinyinSyllables(s);
  return pinyinSyllables(s).map((syl) => {
    let x = syl;
    for (const [from, to] of f.initials) if (x.startsWith(from)) { x = to + x.slice(from.length); break; }
    for (const [from, to] of f.finals) if (x.endsWith(from)) { x = x.slice(0, x.length - from.length) + to; break; }
    return x;
  });
}

/** A trade name written as the pinyin initials of the other's (吴氏 ~ WS). */
export const PINYIN_INITIALS_SIMILARITY = 0.9;

/**
 * Is `letters` (2–4 Latin letters) the toneless pinyin initials of `han` (as many Han characters)?
 * Shop signs and work orders abbreviate a trade name so.
 */
export function pinyinInitialsMatch(letters: string, han: string): boolean {
  const l = letters.normalize('NFKC').toLowerCase();
  if (!/^[a-z]{2,4}$/u.test(l)) return false;
  const cs = chars(han);
  if (cs.length !== l.length || !cs.every((c) => /\p{Script=Han}/u.test(c))) return false;
  const syl = pinyinSyllables(han);
  // zh/ch/sh are written by their first letter
  return syl.length === cs.length && syl.every((x, i) => x[0] === l[i]);
}

function initialsOf(k: NameKey): string[] {
  return [k.core, ...(k.surname?.written ? [k.surname.written] : [])].filter((x) => x !== '');
}

function coreSimilarity(a: NameKey, b: NameKey): { score: number; method: NameMethod; jw: number; dc: number; py: number; note?: string } {
  for (const [x, y] of [[a, b], [b, a]] as const) {
    if (/^[A-Za-z]{2,4}$/u.test(x.core) && initialsOf(y).some((h) => pinyinInitialsMatch(x.core, h))) {
      return { score: PINYIN_INITIALS_SIMILARITY, method: 'pinyin', jw: 0, dc: 0, py: 1, note: `${x.core} = initials of ${y.surname?.written ?? y.core}` };
    }
    // the other's trade is not a lexicon word, so its core ran on into it;
    // the initials name the characters before this side's industry word
    if (/^[A-Za-z]{2,4}$/u.test(x.core) && x.industry !== '' && y.industry === '') {
      const head = chars(y.core).slice(0, x.core.length).join('');
      if (y.core.slice(head.length).startsWith(x.industry) && pinyinInitialsMatch(x.core, head)) {
        return { score: PINYIN_INITIALS_SIMILARITY, method: 'pinyin', jw: 0, dc: 0, py: 1, note: `${x.core} = initials of ${head}` };
      }
    }
  }
  const jw = jaroWinkler(a.core, b.core);
  const dc = dice(a.core, b.core);
  const py = jaroWinklerSeq(pinyinSyllables(a.core), pinyinSyllables(b.core));
  if (a.surname && b.surname) {
    if (a.surname.surname === b.surname.surname) {
      const note = a.surname.form === b.surname.form ? undefined : `${a.surname.form} ~ ${b.surname.form}`;
      return { score: SURNAME_FORM_SIMILARITY, method: 'surname', jw, dc, py, ...(note ? { note } : {}) };
    }
    const same = py === 1;
    return { score: same ? SURNAME_HOMOPHONE_SIMILARITY : 0, method: same ? 'pinyin' : 'surname', jw, dc, py, note: `surname ${a.surname.surname} ≠ ${b.surname.surname}` };
  }
  const plain = plainCoreSimilarity(a.core, b.core, jw, dc, py);
  // one side read as a surname trade name, the other not because a slip took its surname away
  // (老今 for 老金): the unified key no longer resembles the other; compare as written
  const written = (a.surname?.written && !b.surname) ? [a.surname.written, b.core] : (b.surname?.written && !a.surname) ? [b.surname.written, a.core] : null;
  if (written) {
    const [x, y] = written as [string, string];
    const w = plainCoreSimilarity(x, y, jaroWinkler(x, y), dice(x, y), jaroWinklerSeq(pinyinSyllables(x), pinyinSyllables(y)));
    if (w.score > plain.score) return { ...w, note: `as written: ${x} ~ ${y}` };
  }
  return plain;
}

function plainCoreSimilarity(a: string, b: string, jw: number, dc: number, py: number): { score: number; method: NameMethod; jw: number; dc: number; py: number } {
  // accents that merge sounds (n/l, -n/-ng, zh/z: the fuzzy pinyin of input methods) write one name two ways
  const pyFuzzy = py < 1 ? jaroWinklerSeq(fuzzySyllables(a), fuzzySyllables(b)) : py;
  const pyScore = round4(Math.max(py, pyFuzzy) * PINYIN_DISCOUNT);
  const best = Math.max(jw, dc, pyScore);
  const method: NameMethod = best === 0 ? 'none' : best === jw ? 'jaro-winkler' : best === dc ? 'dice' : 'pinyin';
  return { score: best, method, jw, dc, py };
}

function locationConflict(a: NameKey, b: NameKey): string | null {
  // Only town-level or deeper codes tell branches apart (a county name does not).
  const deep = (k: NameKey): string[] => k.regions.map((r) => r.code).filter((c): c is string => c !== null && c.length >= 9);
  const ca = deep(a);
  const cb = deep(b);
  if (ca.length === 0 || cb.length === 0) return null;
  const overlap = ca.some((x) => cb.some((y) => codesNest(x, y)));
  return overlap ? null : `${a.regions.map((r) => r.text).join('/')} vs ${b.regions.map((r) => r.text).join('/')}`;
}

/**
 * Similarity of two names (strings or keys). Symmetric. The trade names are compared with
 * max(Jaro-Winkler, Dice on bigrams, pinyin Jaro-Winkler × PINYIN_DISCOUNT) — or by surname when
 * both are surname trade names (老王 ~ 王记 = 1) — and weighted NAME_CORE_WEIGHT
 * against the industry.
 */
export function nameSimilarity(a: NameKey | string, b: NameKey | string, opts: NameOptions = {}): NameSimilarity {
  const ka = typeof a === 'string' ? nameKey(a, opts) : a;
  const kb = typeof b === 'string' ? nameKey(b, opts) : b;
  // keys are shared by their name (nameKey remembers them) and a shop is named again and again:
  // remember each ordered pair's answer, a function of the two keys
  return NAME_PAIRS.get(ka, kb, () => nameSimilarityOfKeys(ka, kb));
}

const NAME_PAIRS = new PairMemo<NameKey, NameKey, NameSimilarity>(50_000);

/** A surname trade name → its unified form, with the surname and the form it was written in; other cores as they are. */
function surnameTradeName(core: string): { core: string; surname: NameKey['surname'] } {
  for (const [re, form] of SURNAME_FORMS) {
    const m = re.exec(core);
    if (m && SURNAMES.has(m[1] as string)) return { core: `${m[1]}${SURNAME_MARK}`, surname: { surname: m[1] as string, form: form.replace('X', m[1] as string), written: core } };
  }
  return { core, surname: null };
}

/** A trade word typed with one character wrong is still the trade (擂荼 for 擂茶). */
export const MISTYPED_INDUSTRY_FACTOR = 0.95;

/**
 * `k` found no trade word, so its core ran on to the end; when the other name's
 * trade word stands at the end of it with at most one character typed wrong — and at most one
 * character after it — `k` split there, else null.
 */
function splitMistypedIndustry(k: NameKey, other: NameKey): NameKey | null {
  if (k.industry !== '' || other.industry === '') return null;
  const cs = chars(k.core);
  const ind = chars(other.industry);
  if (ind.length < 2) return null;
  for (let tail = 0; tail <= 1; tail++) {
    const p = cs.length - tail - ind.length;
    if (p < 1) continue;
    const diffs = ind.reduce((n, c, i) => n + (cs[p + i] === c ? 0 : 1), 0);
    if (diffs <= 1 && !(diffs === 0 && tail === 0)) {
      return { ...k, ...surnameTradeName(cs.slice(0, p).join('')), industry: other.industry, industryGroup: other.industryGroup, genericIndustry: other.genericIndustry };
    }
  }
  return null;
}

function nameSimilarityOfKeys(ka0: NameKey, kb0: NameKey): NameSimilarity {
  const penalties: string[] = [];
  const parts: string[] = [];
  const splitA = splitMistypedIndustry(ka0, kb0);
  const splitB = splitA ? null : splitMistypedIndustry(kb0, ka0);
  const ka = splitA ?? ka0;
  const kb = splitB ?? kb0;
  const mistyped = splitA ?? splitB;

  const noCore = ka.core === '' || kb.core === '';
  const core = noCore ? { score: ka.core === kb.core ? 1 : 0, method: 'none' as NameMethod, jw: 0, dc: 0, py: 0 } : coreSimilarity(ka, kb);
  const ind = industrySimilarity(ka, kb);

  let score: number;
  let method: NameMethod = core.method;
  if (ka.core === kb.core && ka.industry === kb.industry && ka.core !== '') {
    score = 1;
    method = 'exact-key';
    parts.push(`same key ${ka.core}|${ka.industry || '-'}`);
  } else if (ind === null) {
    score = core.score * (ka.industry === kb.industry ? 1 : INDUSTRY_MISSING_FACTOR);
    parts.push(`trade name ${ka.core || '∅'} ~ ${kb.core || '∅'} = ${round4(core.score)} (${core.method})`);
    if (ka.industry !== kb.industry) parts.push(`industry only on one side (${ka.industry || kb.industry}) ×${INDUSTRY_MISSING_FACTOR}`);
  } else {
    score = NAME_CORE_WEIGHT * core.score + (1 - NAME_CORE_WEIGHT) * ind;
    parts.push(`trade name ${ka.core || '∅'} ~ ${kb.core || '∅'} = ${round4(core.score)} (${core.method})`);
    parts.push(`industry ${ka.industry} ~ ${kb.industry} = ${ind}`);
  }
  if ('note' in core && core.note) parts.push(core.note);

  if (noCore) {
    if (score > NO_TRADE_NAME_CAP) score = NO_TRADE_NAME_CAP;
    penalties.push('no-trade-name');
    parts.push(`no trade name on ${ka.core === '' && kb.core === '' ? 'either side' : 'one side'}: capped at ${NO_TRADE_NAME_CAP}`);
  }
  if (ka.branch !== null && kb.branch !== null && ka.branch !== kb.branch) {
    score *= DIFFERENT_BRANCH_FACTOR;
    penalties.push('different-branch');
    parts.push(`branches differ (${ka.branch} vs ${kb.branch}) ×${DIFFERENT_BRANCH_FACTOR}`);
  }
  const conflict = locationConflict(ka, kb);
  if (conflict !== null) {
    score *= DIFFERENT_LOCATION_FACTOR;
    penalties.push('different-location');
    parts.push(`places in the names differ (${conflict}) ×${DIFFERENT_LOCATION_FACTOR}`);
  }
  if (mistyped) {
    score *= MISTYPED_INDUSTRY_FACTOR;
    penalties.push('mistyped-industry');
    parts.push(`${(splitA ? ka0 : kb0).core} read as ${mistyped.core} + ${mistyped.industry} (trade word mistyped or run on) ×${MISTYPED_INDUSTRY_FACTOR}`);
  }
  score = round4(score);
  return {
    score,
    method,
    core: round4(core.score),
    industry: ind,
    measures: { jaroWinkler: core.jw, dice: core.dc, pinyin: core.py },
    penalties,
    explanation: `name ${score} (${ka.original} ~ ${kb.original}): ${parts.join('; ')}`,
  };
}

/** The best similarity between any name of one side and any of the other (current and former names). */
export function bestNameSimilarity(as: readonly (NameKey | string)[], bs: readonly (NameKey | string)[], opts: NameOptions = {}): (NameSimilarity & { readonly pair: readonly [string, string] }) | null {
  let best: (NameSimilarity & { pair: readonly [string, string] }) | null = null;
  const ka = as.map((x) => (typeof x === 'string' ? nameKey(x, opts) : x));
  const kb = bs.map((x) => (typeof x === 'string' ? nameKey(x, opts) : x));
  for (const x of ka) {
    for (const y of kb) {
      const s = nameSimilarity(x, y, opts);
      const pair = [x.original, y.original] as const;
      if (
        best === null ||
        s.score > best.score ||
        (s.score === best.score && compareStrings(`${pair[0]}\u0000${pair[1]}`, `${best.pair[0]}\u0000${best.pair[1]}`) < 0)
      ) {
        best = { ...s, pair };
      }
    }
  }
  return best;
}

/** A short display form of a key for explanations and blocking: core|industry. */
export function keyString(k: NameKey): string {
  return `${k.core}|${k.industry}`;
}
