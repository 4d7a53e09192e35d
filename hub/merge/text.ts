/**
 * Similarity of short Chinese texts (report descriptions): character bigrams after removing the
 * boilerplate every complaint carries (市民来电反映 … 请相关部门处理), compared with Dice and
 * Jaccard. Fast: a fingerprint is computed once per text (a few microseconds) and compared as sets.
 *
 * The text is NFKC-normalised and simplified here for comparison only; the stored description
 * is never changed.
 */
import { bigrams, chars, memoised, round4, sharedBigrams, toSimplified } from './strings.js';

/**
 * Phrases that say nothing about the incident: intake boilerplate, requests for action,
 * politeness, intensifiers. Removed before comparing (longest first).
 */
export const STOP_PHRASES: readonly string[] = [
  // who reports and how
  '市民来电反映', '市民来电称', '来电人反映', '来电人称', '市民来电', '来电反映', '来电称', '来电人', '来电',
  '群众反映', '居民反映', '市民反映', '网友反映', '村民反映', '商户反映', '有人反映', '反映人', '反映',
  '投诉人称', '投诉人', '投诉', '举报人', '举报', '诉求人', '诉求', '来信', '留言', '市民', '群众', '网友',
  '网格员巡查发现', '网格员上报', '网格员发现', '巡查中发现', '巡查发现', '日常巡查', '执法人员', '网格员', '上报', '发现',
  '经核实', '经现场核实', '经查', '据了解', '工单', '转办', '交办', '派单',
  // requests for action
  '请相关部门尽快处理', '请相关部门核实处理', '请相关部门处理', '请有关部门尽快处理', '请有关部门处理', '请尽快处理', '请及时处理',
  '望相关部门尽快处理', '望尽快处理', '希望相关部门', '希望有关部门', '希望尽快解决', '希望尽快处理', '要求相关部门', '要求处理',
  '要求解决', '请求处理', '请求解决', '核实处理', '依法处理', '依法查处', '予以处理', '予以解决', '协调解决', '相关部门', '有关部门',
  '请核实', '核实', '尽快', '及时', '处理', '解决', '查处', '整改', '处置', '希望', '要求', '请求', '帮忙', '麻烦',
  // politeness and filler
  '您好', '你好', '谢谢', '感谢', '非常', '十分', '特别', '严重', '一直', '经常', '总是', '每天', '多次', '长期', '目前', '现在',
  '存在', '问题', '情况', '现象', '行为', '导致', '造成', '影响', '附近居民', '周边居民', '该处', '此处', '该', '此',
  '的', '了', '吗', '呢', '啊', '呀', '吧',
];

const STOP_RE = new RegExp(
  [...STOP_PHRASES].sort((a, b) => chars(b).length - chars(a).length).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
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
    if (chars(seg).length < 2) continue;
    for (const b of bigrams(seg)) set.add(b);
  }
  if (place) {
    for (const seg of normaliseText(place).split(/[^\p{L}\p{N}]+/u)) {
      if (chars(seg).length < 2) continue;
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
