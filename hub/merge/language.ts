/**
 * General Chinese language data the matchers read (schemas/catalogues/matching/language.json):
 * traditional→simplified pairs, intake boilerplate, legal forms, shop words, surnames. It is data,
 * not code, so it can grow without touching the algorithms; the same for every county.
 */
import { readFileSync } from 'node:fs';

export interface LanguageData {
  /** Pairs of characters, traditional then simplified, written one after another. */
  traditionalToSimplified: string[];
  stopPhrases: string[];
  legalForms: string[];
  shopWords: string[];
  emptyNameCores: string[];
  surnames: { single: string; compound: string[] };
  numerals: {
    digits: Record<string, number>;
    units: Record<string, number>;
    /** The characters for 1 … 10, in order. */
    ordinals: string;
    /** Words before which a numeral is written as digits (三组 → 3组). */
    addressUnits: string[];
  };
  names: {
    /** The role word before an enforcement case's party (当事人XX). */
    partyPrefix: string;
    /** Bracket notes about the legal form: whole, or by their ending. */
    legalNotes: string[];
    legalNoteEndings: string[];
    /** A bracket note ending in one names a branch; inline: the same at the end of the name. */
    branchWords: string[];
    inlineBranchWords: string[];
    /** Put after a company branch's place to read it as a branch note. */
    noteShopWord: string;
    /** The optional words around a branch's number. */
    branchNumber: { prefix: string; suffix: string };
    /** Parent and branch forms of a company's branch (…有限公司锡尼分公司). */
    companyForms: string[];
    companyBranchForms: string[];
    /** What every surname trade name is read as, after the surname (王记). */
    surnameMark: string;
    /** Ways a surname trade name is written: prefix + surname + one of suffixes (optional or not); form names it, X the surname. */
    surnameForms: Array<{ form: string; prefix: string; suffixes: string[]; suffixOptional?: boolean }>;
  };
  mentions: {
    /** Characters that end a shop's name. */
    shopWords: string;
    legalTails: string[];
    /** Words after which a name starts. */
    nameBoundaries: string[];
    /** One-character boundaries that are reporting verbs (来电人称…): a name after one stands on its own, as after 反映. */
    reportingVerbs: string[];
    /** Trade-name starts that are determiners, not names (这家). */
    determinerStarts: string[];
    /** Clause starts that report what was done or sold, not who. */
    actionStarts: string[];
    /** What complaints are about or say happened, never a trade name. */
    complaintWords: string[];
    /** Words that make the name before them a project's or a site's (…工地), not the firm responsible. */
    projectWords: string[];
    /** An industry word followed by [direction] and one of words is a road's or village's name (商贸北街). */
    roadAfter: { directions: string; words: string[] };
    /** Boundaries that end an address: a name right after one stands on its own. */
    addressEnds: string[];
    /** The attributive after one of these (门口的) introduces a name as well. */
    addressEndsBeforeAttributive: string[];
    attributive: string;
    /** A name right after the locative stands on its own. */
    locative: string;
    /** Boundaries that are also common last characters of trade names (佳和): before the industry word they are the name's. */
    nameConjunctions: string[];
    /** Whole trade names that are classifiers, not names. */
    genericCores: string[];
    /** Characters a bracket note naming a branch ends in. */
    branchNoteEnds: string;
  };
  /** Sounds an accent merges (fuzzy pinyin): [written, read as] for initials and finals, longest first. */
  fuzzyPinyin?: { initials: Array<[string, string]>; finals: Array<[string, string]> };
}

const FILE = new URL('../../schemas/catalogues/matching/language.json', import.meta.url);

function load(): LanguageData {
  const o = JSON.parse(readFileSync(FILE, 'utf8')) as Partial<LanguageData>;
  const lists = ['traditionalToSimplified', 'stopPhrases', 'legalForms', 'shopWords', 'emptyNameCores'] as const;
  for (const k of lists) {
    if (!Array.isArray(o[k]) || !o[k].every((w) => typeof w === 'string' && w !== '')) throw new Error(`${FILE.pathname}: ${k} must be a list of words`);
  }
  const m = o.mentions;
  if (!m || typeof m.shopWords !== 'string' || ![m.legalTails, m.nameBoundaries, m.determinerStarts, m.actionStarts, m.complaintWords, m.projectWords].every((l) => Array.isArray(l) && l.every((w) => typeof w === 'string' && w !== '' && !/[|()[\]\\^$*+?.{}]/.test(w)))) {
    throw new Error(`${FILE.pathname}: mentions needs shopWords and lists of plain words (no pattern characters)`);
  }
  const plain = (l: unknown): boolean => Array.isArray(l) && l.every((w) => typeof w === 'string' && w !== '' && !/[|()[\]\\^$*+?.{}]/.test(w));
  const text = (w: unknown): boolean => typeof w === 'string' && w !== '' && !/[|()[\]\\^$*+?.{}-]/.test(w);
  if (!text(m.roadAfter?.directions) || !plain(m.roadAfter.words) || ![m.addressEnds, m.addressEndsBeforeAttributive, m.nameConjunctions, m.genericCores, m.reportingVerbs].every(plain) || ![m.attributive, m.locative, m.branchNoteEnds].every(text)) {
    throw new Error(`${FILE.pathname}: mentions needs roadAfter, address ends, reporting verbs, attributive, locative, conjunctions, generic cores and branch note ends as plain words`);
  }
  const num = o.numerals;
  const values = (r: unknown): boolean => typeof r === 'object' && r !== null && Object.entries(r).every(([k, v]) => text(k) && Number.isInteger(v));
  if (!num || !values(num.digits) || !values(num.units) || !text(num.ordinals) || [...num.ordinals].length !== 10 || !plain(num.addressUnits)) {
    throw new Error(`${FILE.pathname}: numerals needs digits and units (character → value), ordinals (the 10 characters for 1 … 10) and addressUnits`);
  }
  const n = o.names;
  if (!n || ![n.partyPrefix, n.noteShopWord, n.surnameMark, n.branchNumber?.prefix, n.branchNumber?.suffix].every(text) || ![n.legalNotes, n.legalNoteEndings, n.branchWords, n.inlineBranchWords, n.companyForms, n.companyBranchForms].every(plain)
    || !Array.isArray(n.surnameForms) || !n.surnameForms.every((f) => text(f.form) && typeof f.prefix === 'string' && !/[|()[\]\\^$*+?.{}]/.test(f.prefix) && (f.prefix !== '' || f.suffixes.length > 0) && plain(f.suffixes))) {
    throw new Error(`${FILE.pathname}: names needs partyPrefix, noteShopWord, surnameMark, lists of plain words and surnameForms ({ form, prefix, suffixes })`);
  }
  if (typeof o.surnames?.single !== 'string' || !Array.isArray(o.surnames.compound)) throw new Error(`${FILE.pathname}: surnames needs single (a string of characters) and compound (a list)`);
  return o as LanguageData;
}

export const LANGUAGE: LanguageData = load();
