/**
 * Similarity of short Chinese texts (report descriptions): character bigrams after removing the
 * boilerplate every complaint carries (市民来电反映 … 请相关部门处理), compared with Dice and
 * Jaccard. Fast: a fingerprint is computed once per text (a few microseconds) and compared as sets.
 *
 * The text is NFKC-normalised and simplified here for comparison only; the stored description
 * is never changed.
 */
import { LANGUAGE } from './language.js';
import { bigrams, codePointCount, memoised, round4, sharedBigrams, toSimplified } from './strings.js';

/**
 * Phrases that say nothing about the incident: intake boilerplate, requests for action,
 * politeness, intensifiers. Removed before comparing (longest first).
 */
export const STOP_PHRASES: readonly string[] = LANGUAGE.stopPhrases;

const STOP_RE = new RegExp(
  [...STOP_PHRASES].sort((a, b) => codePointCount(b) - codePointCount(a)).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
  'gu',
);

export interface TextFingerprint {
  /** The text as compared: normalised, boilerplate replaced by separators ('|'). */
  readonly cleaned: string;
  readonly bigrams: ReadonlySet<string>;
}

export interface TextSimilarity {
  /** Dice coefficient on the bigram sets (0..1): the score used by the matchers. */
  readonly score: number;
  readonly dice: number;
  readonly jaccard: number;
  /** Up to 12 shared bigrams, sorted, for the explanation. */
  readonly shared: readonly string[];
  readonly explanation: string;
}

export function normaliseText(text: string): string {
  return toSimplified(text.normalize('NFKC')).toLowerCase();
}

/**
 * Normalise a description for comparison and compute its bigrams (within segments, not across
 * removed phrases). `place`: the report's own address. Its bigrams are left out, because a 12345
 * work order repeats the caller's address in its text: two problems at one door (a gas bottle and
 * a cracked wall at 一社23号) would otherwise look like one text. Where it happened is the place
 * gate's question; the text is only asked what happened.
 */
export function textFingerprint(text: string, place?: string | null): TextFingerprint {
  // a candidate matter's reports are fingerprinted again in every run that meets them: remember
  // (the place's length first, so that no two (text, place) pairs give one key)
  const p = place ?? '';
  return memoised(FINGERPRINTS, undefined, `${p.length}:${p}${text}`, () => fingerprintUncached(text, place));
}

const FINGERPRINTS = new WeakMap<object, Map<string, TextFingerprint>>();

function fingerprintUncached(text: string, place?: string | null): TextFingerprint {
  const s = normaliseText(text);
  const cleaned = s
    .replace(STOP_RE, '|')
    .replace(/[^\p{L}\p{N}]+/gu, '|')
    .replace(/\|{2,}/g, '|')
    .replace(/^\||\|$/g, '');
  const set = new Set<string>();
  for (const seg of cleaned.split('|')) {
    if (codePointCount(seg) < 2) continue;
    for (const b of bigrams(seg)) set.add(b);
  }
  if (place) {
    for (const seg of normaliseText(place).split(/[^\p{L}\p{N}]+/u)) {
      if (codePointCount(seg) < 2) continue;
      for (const b of bigrams(seg)) set.delete(b);
    }
  }
  return { cleaned, bigrams: set };
}

/** Similarity of two descriptions (or fingerprints). Symmetric. */
export function textSimilarity(a: string | TextFingerprint, b: string | TextFingerprint): TextSimilarity {
  const fa = typeof a === 'string' ? textFingerprint(a) : a;
  const fb = typeof b === 'string' ? textFingerprint(b) : b;
  // (the intersection once: dice and jaccard as diceSets and jaccardSets compute them)
  const shared = sharedBigrams(fa.bigrams, fb.bigrams);
  const empty = fa.bigrams.size === 0 || fb.bigrams.size === 0;
  const d = empty ? 0 : round4((2 * shared.length) / (fa.bigrams.size + fb.bigrams.size));
  const j = empty ? 0 : round4(shared.length / (fa.bigrams.size + fb.bigrams.size - shared.length));
  return {
    score: d,
    dice: d,
    jaccard: j,
    shared: shared.slice(0, 12),
    explanation: `text Dice ${round4(d)} (Jaccard ${round4(j)}), ${shared.length} shared bigram(s)${shared.length ? `: ${shared.slice(0, 8).join(' ')}` : ''}`,
  };
}
