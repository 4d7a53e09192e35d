/**
 * Names of shops and enterprises mentioned in a report's free text (12345 calls):
 * "团结路18号老王烧烤油烟直排" names 老王烧烤 although the work order has no enterprise field.
 *
 * A mention is found the way a reader finds it: an industry word of the lexicon (also when typed
 * as a homophone followed by a shop word), optionally followed by a shop word, a legal form and a
 * bracketed note; the trade name is what stands before it back to the nearest boundary —
 * punctuation, an address ending, a verb or preposition of the sentence. Region names at the
 * front are left to `nameKey`. Mentions without a trade name (一家烧烤店) are dropped: they
 * describe a kind of place, not a subject.
 *
 * Pure and deterministic; what is done with a mention (matched to a golden subject in the same
 * town, or a new subject) is decided by the subject matcher.
 */
import { LANGUAGE } from './language.js';
import { ADDRESS_PROFILE } from './address-profile.js';
import { INDUSTRIES, nameKey, type NameKey, type NameOptions } from './names.js';
import { EMPTY_REGIONS, RegionIndex } from './regions.js';
import { chars, codePointCount, pinyinSyllables, toSimplified } from './strings.js';

export interface Mention {
  /** The span as written (after NFKC and simplification). */
  readonly text: string;
  /** Offset (in characters) of the span in the normalised text. */
  readonly start: number;
  readonly key: NameKey;
  /** The industry word was found by its sound only. */
  readonly homophone: boolean;
}

/** Longest trade name looked for before an industry word (characters, after region names). */
export const MENTION_MAX_CORE = 6;
/** Longest trade name read after a demonstrative boundary. */
export const DETERMINER_MAX_CORE = 4;
/** Characters looked back from the industry word for the start of the name (region names included). */
const LOOK_BACK = 14;

const SHOP_WORDS = new Set(chars(LANGUAGE.mentions.shopWords));
const LEGAL_TAILS = LANGUAGE.mentions.legalTails;
const OPEN = '(（[【';
const CLOSE = ')）]】';

const LANDMARK_POINTERS = ADDRESS_PROFILE.landmarkPointers;

/**
 * Words after which a name starts (longest first when matched); a landmark pointer (…隔壁) ends a
 * place as those of the list do (旁边, 对面).
 */
const BOUNDARIES: readonly string[] = [...LANGUAGE.mentions.nameBoundaries, ...LANDMARK_POINTERS.filter((w) => !LANGUAGE.mentions.nameBoundaries.includes(w))];
const PROJECT_WORDS = LANGUAGE.mentions.projectWords;
const ROAD_SUFFIXES = ADDRESS_PROFILE.roadSuffixes;
/** How far after a name a project word may stand and still make it a project's name. */
const PROJECT_WORD_WITHIN = 4;

const SENTENCE_END = /[。.!！?？;；:：\n]/u;

/** A road or village word right after an industry word, with or without a direction (商贸北街). */
const ROAD_AFTER = new RegExp(`^[${LANGUAGE.mentions.roadAfter.directions}]?(?:${LANGUAGE.mentions.roadAfter.words.join('|')})`, 'u');

/** Boundaries that end an address: a name right after them stands on its own. */
const ADDRESS_END = new Set(LANGUAGE.mentions.addressEnds);
/** One-character reporting verbs (来电人称…): a name right after one stands on its own, as after a longer one (反映). */
const REPORTING_VERB = new Set(LANGUAGE.mentions.reportingVerbs);
/** The attributive after an address (门口的) introduces the name as well. */
const ADDRESS_END_BEFORE = new RegExp(`(?:${LANGUAGE.mentions.addressEndsBeforeAttributive.join('|')})$`, 'u');
const ATTRIBUTIVE = LANGUAGE.mentions.attributive;
const LOCATIVE = LANGUAGE.mentions.locative;
/**
 * A homophone industry word with neither a shop word nor a legal form after it is read as a name
 * only after an address, a reporting verb or at the start of a clause, and with a short trade name.
 */
const LOOSE_HOMOPHONE_MAX_CORE = 4;

/** Boundaries that are also common last characters of trade names (佳和): right before the industry word they are the name's. */
const NAME_CONJUNCTIONS = new Set(LANGUAGE.mentions.nameConjunctions);

/** Classifiers (家, 个): a determiner and one before a trade (一家五金店) say which kind of shop, not which shop. */
const CLASSIFIERS = new Set(LANGUAGE.mentions.genericCores);
const KIND_MAX_CORE = 5;
/** Trade-name starts that are determiners or classifiers, not names. */
const GENERIC_CORE = new RegExp(`^(?:${LANGUAGE.mentions.genericCores.join('|')})$|^(?:${LANGUAGE.mentions.determinerStarts.join('|')})`, 'u');
/**
 * A clause that reports what was done or sold, not who (a handling note, a stall's goods). A
 * trade name does not start with an aspect adverb or a verb of trade.
 */
const ACTION_START = new RegExp(`^(?:${LANGUAGE.mentions.actionStarts.join('|')})`, 'u');

/**
 * What complaints are about or say happened, never a trade name (垃圾收集点, which sounds like a
 * shop).
 */
const COMPLAINT_NOUN = new RegExp(`^(?:${LANGUAGE.mentions.complaintWords.join('|')})`, 'u');

const HAN = /\p{Script=Han}/u;

/** A complaint word (COMPLAINT_NOUN) starts inside [start, end) and runs past its end. */
function overlapsComplaintWord(cs: readonly string[], start: number, end: number): boolean {
  for (let k = start + 1; k < end; k++) {
    const m = COMPLAINT_NOUN.exec(cs.slice(k).join(''));
    if (m && k + codePointCount(m[0]) > end) return true;
  }
  return false;
}

const SPLIT = /[\s,，。.;；!！?？、:：“”"'‘’《》<>/\\|]+/u;

interface Lex {
  /** Longest first; each as its characters. */
  words: Array<{ word: string; cs: string[] }>;
  /** Pinyin of words of two or more Han characters → the word, each as its syllables. */
  byPinyin: Array<{ word: string; syllables: string[] }>;
  /** Indexes into `words` by their first character, and into `byPinyin` by their first syllable (ascending). */
  wordsByFirst: Map<string, number[]>;
  pinyinByFirst: Map<string, number[]>;
}
let LEXICON: Lex | null = null;
function lexicon(): Lex {
  if (LEXICON) return LEXICON;
  const words = [...new Set(INDUSTRIES.map((e) => e.word))].sort((a, b) => codePointCount(b) - codePointCount(a));
  const byPinyin = new Map<string, string>();
  for (const w of words) if (codePointCount(w) >= 2 && /^\p{Script=Han}+$/u.test(w)) byPinyin.set(pinyinSyllables(w).join(' '), w);
  const lex: Lex = { words: words.map((word) => ({ word, cs: chars(word) })), byPinyin: [...byPinyin].map(([p, word]) => ({ word, syllables: p.split(' ') })), wordsByFirst: new Map(), pinyinByFirst: new Map() };
  const index = (m: Map<string, number[]>, first: string | undefined, i: number) => {
    if (first === undefined) return;
    (m.get(first) ?? m.set(first, []).get(first)!).push(i);
  };
  lex.words.forEach((w, i) => index(lex.wordsByFirst, w.cs[0], i));
  lex.byPinyin.forEach((w, i) => index(lex.pinyinByFirst, w.syllables[0], i));
  LEXICON = lex;
  return LEXICON;
}

/** The entries (indexes, ascending) whose first element occurs in the clause: only they can occur in it. */
function present(byFirst: Map<string, number[]>, elements: readonly string[]): number[] {
  const out = new Set<number>();
  for (const e of new Set(elements)) for (const i of byFirst.get(e) ?? []) out.add(i);
  return [...out].sort((a, b) => a - b);
}

/** `needle` occurs in `hay` at `i` (element by element). */
function occursAt(hay: readonly string[], needle: readonly string[], i: number): boolean {
  for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) return false;
  return true;
}

function normalise(text: string): string {
  return toSimplified(text.normalize('NFKC'));
}

/** Industry word occurrences in a clause: [start, end) in characters, by the characters or by their sound. */
function industryHits(cs: readonly string[]): Array<{ start: number; end: number; homophone: boolean }> {
  const lex = lexicon();
  const hits: Array<{ start: number; end: number; homophone: boolean }> = [];
  const taken = new Array<boolean>(cs.length).fill(false);
  // the lexicon's words in its order (longest first), but only those whose first character is in
  // the clause: the same hits as trying every word at every position, for a fraction of the cost
  for (const wi of present(lex.wordsByFirst, cs)) {
    const w = lex.words[wi]!;
    const wl = w.cs.length;
    for (let i = 0; i + wl <= cs.length; i++) {
      if (taken[i] || !occursAt(cs, w.cs, i)) continue;
      hits.push({ start: i, end: i + wl, homophone: false });
      for (let k = i; k < i + wl; k++) taken[k] = true;
    }
  }
  // homophones of words of two or more characters, only where no word was found
  if (cs.some((c) => HAN.test(c))) {
    const py = cs.map((c) => (HAN.test(c) ? (pinyinSyllables(c)[0] ?? '') : ''));
    for (const pi of present(lex.pinyinByFirst, py)) {
      const { word, syllables } = lex.byPinyin[pi]!;
      const n = syllables.length;
      for (let i = 0; i + n <= cs.length; i++) {
        if (!occursAt(py, syllables, i) || taken.slice(i, i + n).some((t) => t) || cs.slice(i, i + n).join('') === word) continue;
        // a sound-alike that runs into a complaint word is that word, not a typo
        if (overlapsComplaintWord(cs, i, i + n)) continue;
        hits.push({ start: i, end: i + n, homophone: true });
        for (let k = i; k < i + n; k++) taken[k] = true;
      }
    }
  }
  return hits.sort((a, b) => a.start - b.start);
}

/**
 * The shop and enterprise names a text mentions, in order of appearance (at most one per industry
 * word). `opts.regions` lets `nameKey` strip town and village names standing before the name.
 */
export function subjectMentions(text: string, opts: NameOptions = {}): Mention[] {
  return mentionsOf(text, opts).named;
}

/**
 * The nameless shops and stalls of a known trade a text mentions (路边米粉摊, 无名烧烤店): an empty
 * trade name (LANGUAGE.emptyNameCores, as `nameKey` reads it), an industry word and a shop word,
 * and nothing else. Not names: `subjectMentions` leaves them out, and what a report is about is one
 * of them only when it names no shop (`reportSubjectMention`). Such a record has no name to be
 * found by; the subject matcher joins two of them only at one door and of one trade.
 */
export function namelessMentions(text: string, opts: NameOptions = {}): Mention[] {
  return mentionsOf(text, opts).nameless;
}

/**
 * The shops a text names only by their kind after a determiner (一家五金店, 一家超市): no name to
 * find a subject by, but a trade — a hardware shop and a supermarket at one door are two shops.
 */
export function kindMentions(text: string, opts: NameOptions = {}): Mention[] {
  return mentionsOf(text, opts).kinds;
}

/**
 * The shop or enterprise a report without subject fields is about (apply-report.ts): the first name
 * its text mentions, else the first nameless stall of a known trade, else null.
 */
export function reportSubjectMention(text: string, opts: NameOptions = {}): Mention | null {
  const found = mentionsOf(text, opts);
  return found.named[0] ?? found.nameless[0] ?? null;
}

interface Found {
  named: Mention[];
  nameless: Mention[];
  kinds: Mention[];
}

function mentionsOf(text: string, opts: NameOptions): Found {
  // the matter matcher asks again for every candidate's reports: remember recent answers per region table
  let cache = CACHE.get(opts.regions ?? NO_REGIONS);
  if (!cache) CACHE.set(opts.regions ?? NO_REGIONS, (cache = new Map()));
  const hit = opts.industries ? undefined : cache.get(text);
  if (hit) return hit;
  const found = findMentions(text, opts);
  if (!opts.industries) {
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(text, found);
  }
  return found;
}

const CACHE_MAX = 20_000;
const NO_REGIONS = {};
const CACHE = new WeakMap<object, Map<string, Found>>();
/** Trade names that say there is none (路边, 无名): `nameKey` reads them as an empty core. */
const EMPTY_CORES = new Set(LANGUAGE.emptyNameCores);

/**
 * The start of a region name that covers the boundary word at [bStart, bEnd) and ends before the
 * industry word, or null.
 */
function regionAcross(cs: readonly string[], bStart: number, bEnd: number, industryStart: number, regions: RegionIndex): number | null {
  for (let k = Math.max(0, bStart - 6); k <= bStart; k++) {
    const { hits } = regions.stripLeading(cs.slice(k, industryStart).join(''), { keepAtLeast: 1 });
    const first = hits[0];
    if (first && k + codePointCount(first.text) >= bEnd) return k;
  }
  return null;
}

/** Whether a region name of the division table covers the characters [start, end). */
function insideRegion(cs: readonly string[], start: number, end: number, regions: RegionIndex): boolean {
  for (let k = Math.max(0, start - 6); k <= start; k++) {
    const first = regions.stripLeading(cs.slice(k).join(''), { keepAtLeast: 1 }).hits[0];
    if (first && !first.short && k + codePointCount(first.text) >= end) return true;
  }
  return false;
}

/** A slip for the surname mark by its sound, right before the trade (和计米粉 for 和记米粉). */
function soundsLikeJi(c: string | undefined): boolean {
  return c !== undefined && /\p{Script=Han}/u.test(c) && pinyinSyllables(c)[0] === JI;
}
const SURNAME_MARK = LANGUAGE.names.surnameMark;
const JI = pinyinSyllables(SURNAME_MARK)[0];
/** A bracket note ending in one of these names a branch. */
const BRANCH_NOTE_END = new RegExp(`[${LANGUAGE.mentions.branchNoteEnds}]$`, 'u');

function findMentions(text: string, opts: NameOptions): Found {
  const s = normalise(text);
  const regions = opts.regions === undefined ? EMPTY_REGIONS : opts.regions instanceof RegionIndex ? opts.regions : new RegionIndex([], opts.regions);
  const out: Mention[] = [];
  /** Mentions read by the sound of the industry word and their context only: after the others. */
  const weak: Mention[] = [];
  const nameless: Mention[] = [];
  const kinds: Mention[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (const clause of s.split(SPLIT)) {
    const at = s.indexOf(clause, offset);
    // a clause that starts the text or a sentence (not one after a comma)
    const sentenceStart = at === 0 || SENTENCE_END.test(s.slice(offset, at));
    offset = at + clause.length;
    const cs = chars(clause);
    if (cs.length < 3) continue;
    for (const h of industryHits(cs)) {
      // an industry word inside a division's name is the place's (茶园村)
      if (insideRegion(cs, h.start, h.end, regions)) continue;
      // an industry word that goes on into a road or a village is its name
      if (ROAD_AFTER.test(cs.slice(h.end, h.end + 3).join(''))) continue;
      // the end: shop word, legal form, bracketed note
      let end = h.end;
      const shopWord = end < cs.length && SHOP_WORDS.has(cs[end] as string);
      if (shopWord) end++;
      const rest = cs.slice(end).join('');
      const tail = LEGAL_TAILS.find((t) => rest.startsWith(t));
      if (tail) end += codePointCount(tail);
      // a word that only sounds like an industry counts when a shop word or legal form
      // follows it, or when the name stands right after an address number or a reporting verb (below)
      let looseHomophone = h.homophone && !shopWord && !tail && !SHOP_WORDS.has(cs[h.end - 1] as string);
      if (end < cs.length && OPEN.includes(cs[end] as string)) {
        const close = cs.findIndex((c, i) => i > end && CLOSE.includes(c));
        if (close > end && close - end <= 8) {
          // a branch note right after it says a shop's name, as a shop word does
          if (BRANCH_NOTE_END.test(cs.slice(end + 1, close).join(''))) looseHomophone = false;
          end = close + 1;
        }
      }
      // a shop named to say where (陈记烧腊对面) is a landmark, not what the report is about
      const after = cs.slice(end).join('');
      if (LANDMARK_POINTERS.some((w) => after.startsWith(w))) continue;
      // a project or a site named for what is built (…住院楼项目工地) is where the
      // work is; the firm responsible is its contractor, whom other reports name
      if (PROJECT_WORDS.some((w) => { const i = after.indexOf(w); return i >= 0 && i <= PROJECT_WORD_WITHIN; })) continue;
      // the start: after the nearest boundary word before the industry word
      // a one-character boundary right before the industry word is part of the name
      let start = Math.max(0, h.start - LOOK_BACK);
      // the start of a sentence bounds a name as well as a reporting verb does
      let strong = sentenceStart && h.start <= LOOK_BACK;
      // a name after a demonstrative is short: a longer run is a clause
      let afterDeterminer = false;
      for (let i = h.start - 1; i >= start; i--) {
        const before = cs.slice(0, i + 1).join('');
        const b = BOUNDARIES.find((w) => before.endsWith(w));
        // …, and so is one standing before the surname mark (于记面馆): a surname
        if (b && !(i === h.start - 1 && NAME_CONJUNCTIONS.has(b)) && !(codePointCount(b) === 1 && (cs[i + 1] === SURNAME_MARK || (i + 2 === h.start && soundsLikeJi(cs[i + 1]))))) {
          // a boundary character inside a region name is the region's
          const region = regionAcross(cs, i - codePointCount(b) + 1, i + 1, h.start, regions);
          if (region !== null) {
            start = region;
            break;
          }
          start = i + 1;
          afterDeterminer = codePointCount(b) >= 2 && LANGUAGE.mentions.determinerStarts.some((d) => b.startsWith(d));
          strong = codePointCount(b) >= 2 || ADDRESS_END.has(b) || REPORTING_VERB.has(b) || b === LOCATIVE || (b === ATTRIBUTIVE && ADDRESS_END_BEFORE.test(before.slice(0, -ATTRIBUTIVE.length)));
          break;
        }
        // a bracketed note before the name ends there: the name starts after it
        if (/[0-9]/.test(cs[i] as string) || CLOSE.includes(cs[i] as string)) {
          start = i + 1;
          strong = true;
          break;
        }
      }
      if (start >= h.start) continue;
      if (looseHomophone && !strong) continue;
      const span = cs.slice(start, end).join('');
      if (seen.has(span)) continue;
      const key = nameKey(span, opts);
      const core = chars(key.core);
      // a stall of a known trade with no name (路边米粉摊): the words before the trade say only that
      if (shopWord && core.length === 0 && key.industry !== '' && !tail && EMPTY_CORES.has(cs.slice(start, h.start).join(''))) {
        seen.add(span);
        nameless.push({ text: span, start: at + start, key, homophone: h.homophone });
        continue;
      }
      // a shop named only by its kind after a determiner and a classifier (有一家五金店): no name,
      // but its trade
      if (key.surname === null && key.industry !== '' && !key.genericIndustry && !h.homophone && !tail && core.length <= KIND_MAX_CORE && GENERIC_CORE.test(key.core) && CLASSIFIERS.has(core[core.length - 1] as string)) {
        seen.add(span);
        kinds.push({ text: span, start: at + start, key, homophone: false });
        continue;
      }
      // a surname trade name (老那) is a name even when its surname is also a determiner
      const generic = key.surname === null ? GENERIC_CORE.test(key.core) || COMPLAINT_NOUN.test(key.core) || ACTION_START.test(key.core) : false;
      // a road and a trade says which shop by where it is: the shop on that road, not its name
      if (ROAD_SUFFIXES.some((w) => key.core.endsWith(w))) continue;
      if (core.length === 0 || (looseHomophone && core.length < 2) || core.length > (looseHomophone ? LOOSE_HOMOPHONE_MAX_CORE : afterDeterminer ? DETERMINER_MAX_CORE : MENTION_MAX_CORE) || generic || key.industry === '') continue;
      seen.add(span);
      (looseHomophone ? weak : out).push({ text: span, start: at + start, key, homophone: h.homophone });
    }
  }
  return { named: [...out, ...weak], nameless, kinds };
}
