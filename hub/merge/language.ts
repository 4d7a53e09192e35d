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
  mentions: {
    /** Characters that end a shop's name (店, 馆 …). */
    shopWords: string;
    legalTails: string[];
    /** Words after which a name starts. */
    nameBoundaries: string[];
    /** Trade-name starts that are determiners, not names (一家, 这家 …). */
    determinerStarts: string[];
    /** Clause starts that report what was done or sold, not who. */
    actionStarts: string[];
    /** What complaints are about or say happened, never a trade name. */
    complaintWords: string[];
    /** Words that make the name before them a project's or a site's (…住院楼项目, …工地), not the firm responsible. */
    projectWords: string[];
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
  if (typeof o.surnames?.single !== 'string' || !Array.isArray(o.surnames.compound)) throw new Error(`${FILE.pathname}: surnames needs single (a string of characters) and compound (a list)`);
  return o as LanguageData;
}

export const LANGUAGE: LanguageData = load();
