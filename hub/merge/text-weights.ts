/**
 * How much a shared phrase of two report texts says, estimated from the county's own records
 * (no labels, no word list): a bigram most reports carry (a complaint template's 夜间经营声音大,
 * a town's name) says little; one few reports carry (a shop's 字号 恒昌, a site's 贡水) says much.
 *
 * `TextWeights` holds the document frequency of every bigram over a corpus of descriptions,
 * fingerprinted as the matchers fingerprint them (text.ts: boilerplate removed, the report's own
 * address left out). `rareSharedEvidence` sums the inverse document frequency (bits) of the bigrams
 * two texts share and their addresses do not name — where they are (the group, the road) is the
 * place gate's question; the text is asked which shop or site, and how the complaint was worded
 * apart from the county's templates.
 *
 * The weights are a function of the corpus only, loaded once per run, so decisions stay
 * independent of the order reports arrive in. Build them with `scripts/text-weights.ts` from a
 * period of the county's records (eval:merge: from the dataset's reports, unlabelled).
 */
import { readFileSync } from 'node:fs';
import { arabiseAddressNumbers, bigrams, codePointCount, round4 } from './strings.js';
import { ADDRESS_PROFILE, type AddressProfile } from './address-profile.js';
import { normaliseText, textFingerprint } from './text.js';

export const TEXT_WEIGHTS_FORMAT = 'countyhub-text-weights';

export interface TextWeightsFile {
  readonly format: typeof TEXT_WEIGHTS_FORMAT;
  readonly version: 1;
  /** Descriptions counted per scope (a category code; '' for reports without one). */
  readonly docs: Readonly<Record<string, number>>;
  /** Scope → bigram → descriptions of the scope carrying it (bigrams carried once are left out). */
  readonly df: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** The county's place names (divisions, roads, compounds): cut out of texts, never evidence. */
  readonly placeNames: readonly string[];
}

export interface TextWeightsInput {
  readonly description: string;
  readonly address?: string | null;
  /** The scope frequencies are counted in: the report's category code (a complaint template is common within its kind). */
  readonly scope?: string | null;
}

const byCodeUnits = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

export class TextWeights {
  private readonly masker: RegExp | null;
  private readonly addressWords: RegExp;
  private readonly memo = new Map<string, ReadonlySet<string>>();
  private readonly rareMemo = new Map<string, Map<string, ReadonlySet<string>>>();

  private constructor(
    private readonly docs: ReadonlyMap<string, number>,
    private readonly df: ReadonlyMap<string, ReadonlyMap<string, number>>,
    private readonly placeNames: readonly string[],
    address: AddressProfile = ADDRESS_PROFILE,
  ) {
    this.masker = placeMasker(placeNames);
    // numbers and the address words around them (3组, 第三村民小组, 37号楼, 对面) say where, not what
    const words = [...address.groupLongForms, ...address.groupWords, ...address.buildingWords, address.doorWord, address.unitWord, ...address.roomWords, address.ordinalPrefix, ...address.landmarkPointers, ...address.approximate];
    this.addressWords = new RegExp(['\\p{N}+', ...[...new Set(words.filter((w) => w !== ''))].sort((a, b) => b.length - a.length || byCodeUnits(a, b)).map(escapeRe)].join('|'), 'gu');
  }

  /**
   * Count bigrams over descriptions, per scope (with the report's own address left out, as
   * text.ts does). `placeNames`: names whose bigrams are never evidence (the divisions' names: a
   * town's name in two texts says where, not what).
   */
  static fromTexts(texts: Iterable<TextWeightsInput>, placeNames: Iterable<string> = []): TextWeights {
    const docs = new Map<string, number>();
    const df = new Map<string, Map<string, number>>();
    const w = new TextWeights(docs, df, [...new Set(placeNames)]);
    for (const t of texts) {
      const scope = t.scope ?? '';
      docs.set(scope, (docs.get(scope) ?? 0) + 1);
      let m = df.get(scope);
      if (!m) df.set(scope, (m = new Map()));
      for (const b of w.evidenceBigrams(t.description, [t.address])) m.set(b, (m.get(b) ?? 0) + 1);
    }
    w.memo.clear();
    return w;
  }

  /**
   * The bigrams of a description that may be evidence of what happened: boilerplate removed
   * (text.ts), and the county's place names and the given places (the pair's addresses) cut out
   * as boundaries, so that neither a place nor a bigram straddling one (在巴|拉贡镇) counts.
   */
  evidenceBigrams(description: string, places: readonly (string | null | undefined)[] = []): ReadonlySet<string> {
    const ps = places.filter((p): p is string => !!p && p.trim() !== '').map(normaliseText);
    const key = `${ps.join('\u0001')}\u0002${description}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    let cleaned = arabiseAddressNumbers(textFingerprint(description).cleaned);
    // longest first: a place containing another is cut whole
    for (const p of ps.sort((a, b) => b.length - a.length)) if (codePointCount(p) >= 2) cleaned = cleaned.split(p).join('|');
    if (this.masker) cleaned = cleaned.replace(this.masker, '|');
    cleaned = cleaned.replace(this.addressWords, '|');
    const out = new Set<string>();
    for (const seg of cleaned.split(EVIDENCE_BOUNDARY)) if (codePointCount(seg) >= 2) for (const b of bigrams(seg)) out.add(b);
    if (this.memo.size > 50_000) this.memo.clear();
    this.memo.set(key, out);
    return out;
  }

  /**
   * The bigrams of a description that can be rare evidence whatever places are cut out: every
   * bigram of its cleaned text's runs (cutting places, the county's names and the address words
   * only splits runs) that at most `maxShare` of the scope's descriptions carry. Two texts whose
   * sets do not meet share no rare evidence, and the pair needs no cutting (evidenceBigrams is
   * remembered by the pair's places, so it is computed anew for nearly every pair).
   */
  rareCandidates(description: string, scope: string | null, maxShare: number, minDocs = 0): ReadonlySet<string> {
    const key = `${scope ?? ''}\u0001${maxShare}\u0001${minDocs}`;
    let m = this.rareMemo.get(key);
    if (!m) this.rareMemo.set(key, (m = new Map()));
    const hit = m.get(description);
    if (hit) return hit;
    const out = new Set<string>();
    const most = this.rareLimit(scope, maxShare, minDocs);
    for (const seg of arabiseAddressNumbers(textFingerprint(description).cleaned).split(EVIDENCE_BOUNDARY)) {
      if (codePointCount(seg) < 2) continue;
      for (const b of bigrams(seg)) if (this.frequency(b, scope) <= most) out.add(b);
    }
    if (m.size > 50_000) m.clear();
    m.set(description, out);
    return out;
  }

  /**
   * How many of the scope's descriptions may carry a bigram for it to be rare: `maxShare` of them,
   * and never fewer than `minDocs` — in a category of 120 reports a share of 0.01 would leave no
   * phrase two reports share rare, however specific (a worksite's project name).
   */
  rareLimit(scope: string | null, maxShare: number, minDocs = 0): number {
    return Math.max(maxShare * this.count(scope), minDocs);
  }

  static fromJSON(file: TextWeightsFile): TextWeights {
    if (file.format !== TEXT_WEIGHTS_FORMAT || file.version !== 1) throw new Error(`not a ${TEXT_WEIGHTS_FORMAT} v1 file`);
    const docs = new Map(Object.entries(file.docs));
    if ([...docs.values()].some((n) => !(n > 0))) throw new Error('text weights: docs must be positive');
    const df = new Map(Object.entries(file.df).map(([s, m]) => [s, new Map(Object.entries(m))] as const));
    return new TextWeights(docs, df, file.placeNames);
  }

  static load(path: string): TextWeights {
    return TextWeights.fromJSON(JSON.parse(readFileSync(path, 'utf8')) as TextWeightsFile);
  }

  toJSON(): TextWeightsFile {
    const docs: Record<string, number> = {};
    const df: Record<string, Record<string, number>> = {};
    for (const s of [...this.docs.keys()].sort(byCodeUnits)) {
      docs[s] = this.docs.get(s)!;
      const m: Record<string, number> = {};
      for (const [b, n] of [...(this.df.get(s) ?? new Map<string, number>())].sort((x, y) => byCodeUnits(x[0], y[0]))) if (n > 1) m[b] = n;
      df[s] = m;
    }
    return { format: TEXT_WEIGHTS_FORMAT, version: 1, docs, df, placeNames: [...this.placeNames].sort(byCodeUnits) };
  }

  /** Descriptions counted in the scope (all scopes when the scope is unknown). */
  count(scope?: string | null): number {
    const n = scope != null ? this.docs.get(scope) : undefined;
    return n ?? [...this.docs.values()].reduce((a, b) => a + b, 0);
  }

  /** Descriptions of the scope carrying the bigram (at least 1: one never seen is as rare as one seen once). */
  frequency(bigram: string, scope?: string | null): number {
    const m = scope != null ? this.df.get(scope) : undefined;
    if (m) return Math.max(1, m.get(bigram) ?? 0);
    let n = 0;
    for (const s of this.df.values()) n += s.get(bigram) ?? 0;
    return Math.max(1, n);
  }

  /** Inverse document frequency in bits within the scope: log2(docs / df). */
  bits(bigram: string, scope?: string | null): number {
    return Math.max(0, Math.log2(this.count(scope) / this.frequency(bigram, scope)));
  }
}

export interface RareSharedEvidence {
  /** Sum of the shared bigrams' bits, counting only bigrams at most `maxShare` of the corpus carries. */
  readonly bits: number;
  /** The shared rare bigrams, rarest first (up to 8), for the explanation. */
  readonly shared: readonly string[];
  readonly explanation: string;
}

/** What separates the runs of a cleaned text whose bigrams are evidence. */
const EVIDENCE_BOUNDARY = /[|\s\p{P}]+/u;

function meet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) return true;
  return false;
}

const escapeRe = (n: string): string => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function placeMasker(names: readonly string[]): RegExp | null {
  const ns = [...new Set(names.map(normaliseText).filter((n) => codePointCount(n) >= 2))].sort((a, b) => b.length - a.length || byCodeUnits(a, b));
  return ns.length ? new RegExp(ns.map(escapeRe).join('|'), 'gu') : null;
}

/**
 * What two texts share beyond the county's common wording: the bits of their shared bigrams that
 * at most `maxShare` of the county's descriptions of the scope (the pair's category code) carry, leaving out the bigrams either report's
 * address names (both are in one group or on one road; the place gate judges that). Symmetric.
 */
export function rareSharedEvidence(
  a: string,
  b: string,
  weights: TextWeights,
  opts: { places?: readonly (string | null | undefined)[]; maxShare?: number; minDocs?: number; scope?: string | null } = {},
): RareSharedEvidence {
  const maxShare = opts.maxShare ?? 0.05;
  const scope = opts.scope ?? null;
  const places = opts.places ?? [];
  const rare: Array<[string, number]> = [];
  const minDocs = opts.minDocs ?? 0;
  const most = weights.rareLimit(scope, maxShare, minDocs);
  const ra = weights.rareCandidates(a, scope, maxShare, minDocs);
  const rb = weights.rareCandidates(b, scope, maxShare, minDocs);
  if (meet(ra, rb)) {
    const bb = weights.evidenceBigrams(b, places);
    for (const x of weights.evidenceBigrams(a, places)) {
      if (!bb.has(x)) continue;
      if (weights.frequency(x, scope) > most) continue;
      rare.push([x, weights.bits(x, scope)]);
    }
  }
  rare.sort((p, q) => q[1] - p[1] || byCodeUnits(p[0], q[0]));
  const bits = round4(rare.reduce((s, [, w]) => s + w, 0));
  const shared = rare.slice(0, 8).map(([x]) => x);
  return { bits, shared, explanation: `${rare.length} rare shared bigram(s), ${bits} bits${shared.length ? `: ${shared.join(' ')}` : ''}` };
}
