/**
 * The county code catalogues, loaded and validated once: departments, the two-level matter
 * category catalogue (family → category) and each department's own category codes mapped onto
 * it. A Catalogue is an immutable value; load it at start-up and pass it to whoever needs it.
 *
 * Files (under `schemas/catalogues/` unless another folder is given):
 *   departments.json · categories.json · category-mappings/<department id>.json
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConfigError } from './errors.js';
import {
  DEFAULT_CATALOGUE_DIR,
  asArray,
  asBoolean,
  asObject,
  asOptionalString,
  asString,
  asStringArray,
  readJsonFile,
} from './data-files.js';

export type DepartmentKind = 'platform' | 'department' | 'town';
const DEPARTMENT_KINDS: readonly DepartmentKind[] = ['platform', 'department', 'town'];

export interface Department {
  /** Stable ASCII id used in rules, records and topics (`enforcement`, `natural_resources`). */
  readonly id: string;
  readonly name: string;
  readonly shortName: string;
  /** platform: intake/command platform; department: county department; town: the town of the matter's location. */
  readonly kind: DepartmentKind;
  /** Managed from above (垂直管理): its data lives on a provincial or national platform. */
  readonly vertical: boolean;
  readonly aliases: readonly string[];
  readonly note?: string;
}

export interface CategoryFamily {
  readonly code: string;
  readonly name: string;
  /** GB/T 30428.2 class, e.g. `事件/市容环境`, where one fits. */
  readonly gbt30428?: string;
}

export interface Category {
  /** `<family>.<item>`, e.g. `env.cooking_fume`. */
  readonly code: string;
  readonly name: string;
  readonly family: string;
  readonly gbt30428?: string;
  readonly keywords: readonly string[];
}

export interface DepartmentCategoryEntry {
  readonly department: string;
  /** The department's own category code, as its system sends it. */
  readonly code: string;
  /** The department's own category name. */
  readonly name: string;
  /** County catalogue code. */
  readonly category: string;
}

export interface DepartmentCategoryMapping {
  readonly department: string;
  readonly system: string;
  readonly entries: readonly DepartmentCategoryEntry[];
}

export interface Classification {
  /** Best county category code. */
  readonly category: string;
  /** Sum of the lengths (in characters) of the distinct keywords found; higher is surer. */
  readonly score: number;
  /** score / (score + runner-up's score): 1 when no other category matched at all. */
  readonly confidence: number;
  readonly matched: readonly string[];
  readonly runnerUp?: { readonly category: string; readonly score: number };
}

export interface CatalogueData {
  readonly departments: readonly Department[];
  readonly families: readonly CategoryFamily[];
  readonly categories: readonly Category[];
  readonly mappings: readonly DepartmentCategoryMapping[];
}

const ID = /^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$/;
const ID_HINT = 'use lower-case ASCII words joined by _ or -';

/** Codes are compared after NFKC (full-width → ASCII), trimming and upper-casing. */
function normaliseCode(code: string): string {
  return code.normalize('NFKC').trim().toUpperCase();
}

/** Names are compared after NFKC, with spaces dropped and the usual separators unified. */
function normaliseName(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/[—–_/>|·]/g, '-');
}

export class Catalogue {
  readonly departments: ReadonlyMap<string, Department>;
  readonly families: ReadonlyMap<string, CategoryFamily>;
  readonly categories: ReadonlyMap<string, Category>;
  readonly mappings: ReadonlyMap<string, DepartmentCategoryMapping>;
  readonly #departmentRefs = new Map<string, string>();
  readonly #byCode = new Map<string, Map<string, string>>();
  readonly #byName = new Map<string, Map<string, string>>();
  readonly #matchers: { code: string; keywords: { text: string; weight: number }[] }[];

  /** Validates cross-references; `loadCatalogue` validates the file shapes before this. */
  constructor(data: CatalogueData, source = 'catalogue') {
    const departments = new Map<string, Department>();
    for (const d of data.departments) {
      if (departments.has(d.id)) throw new ConfigError(`${source}.departments.${d.id}`, 'duplicate department id');
      departments.set(d.id, Object.freeze({ ...d, aliases: Object.freeze([...d.aliases]) }));
      for (const ref of [d.id, d.name, d.shortName, ...d.aliases]) {
        const key = normaliseName(ref);
        const other = this.#departmentRefs.get(key);
        if (other !== undefined && other !== d.id) {
          throw new ConfigError(`${source}.departments.${d.id}`, `name or alias "${ref}" is already used by department "${other}"`);
        }
        this.#departmentRefs.set(key, d.id);
      }
    }

    const families = new Map<string, CategoryFamily>();
    for (const f of data.families) {
      if (families.has(f.code)) throw new ConfigError(`${source}.families.${f.code}`, 'duplicate family code');
      families.set(f.code, Object.freeze({ ...f }));
    }

    const categories = new Map<string, Category>();
    const used = new Set<string>();
    for (const c of data.categories) {
      const field = `${source}.categories.${c.code}`;
      if (categories.has(c.code)) throw new ConfigError(field, 'duplicate category code');
      if (!families.has(c.family)) {
        throw new ConfigError(`${field}.family`, `unknown family "${c.family}"; known: ${[...families.keys()].join(', ')}`);
      }
      if (!c.code.startsWith(`${c.family}.`)) {
        throw new ConfigError(`${field}.code`, `a category code must start with its family: "${c.family}.<item>"`);
      }
      categories.set(c.code, Object.freeze({ ...c, keywords: Object.freeze([...new Set(c.keywords)]) }));
      used.add(c.family);
    }
    for (const f of families.keys()) {
      if (!used.has(f)) throw new ConfigError(`${source}.families.${f}`, 'family has no categories');
    }

    const mappings = new Map<string, DepartmentCategoryMapping>();
    for (const m of data.mappings) {
      const field = `${source}.category-mappings.${m.department}`;
      if (!departments.has(m.department)) throw new ConfigError(`${field}.department`, `unknown department "${m.department}"`);
      if (mappings.has(m.department)) throw new ConfigError(field, 'more than one mapping for this department');
      const byCode = new Map<string, string>();
      const byName = new Map<string, string>();
      m.entries.forEach((e, i) => {
        const f = `${field}.mappings[${i}]`;
        if (!categories.has(e.category)) throw new ConfigError(`${f}.category`, `unknown county category "${e.category}"`);
        const code = normaliseCode(e.code);
        if (byCode.has(code)) throw new ConfigError(`${f}.code`, `source code "${e.code}" is mapped twice`);
        byCode.set(code, e.category);
        const name = normaliseName(e.name);
        const prior = byName.get(name);
        if (prior !== undefined && prior !== e.category) {
          throw new ConfigError(`${f}.name`, `source name "${e.name}" maps to both "${prior}" and "${e.category}"`);
        }
        byName.set(name, e.category);
      });
      this.#byCode.set(m.department, byCode);
      this.#byName.set(m.department, byName);
      mappings.set(m.department, Object.freeze({ ...m, entries: Object.freeze(m.entries.map((e) => Object.freeze({ ...e }))) }));
    }

    this.departments = departments;
    this.families = families;
    this.categories = categories;
    this.mappings = mappings;
    this.#matchers = [...categories.values()].map((c) => ({
      code: c.code,
      keywords: [...new Set([c.name, ...c.keywords].map((k) => k.normalize('NFKC').toLowerCase()))].map((text) => ({
        text,
        weight: [...text].length,
      })),
    }));
  }

  department(id: string): Department | undefined {
    return this.departments.get(id);
  }

  category(code: string): Category | undefined {
    return this.categories.get(code);
  }

  /** Categories of one family, in catalogue order. */
  categoriesOf(family: string): Category[] {
    return [...this.categories.values()].filter((c) => c.family === family);
  }

  /** A department id from its id, full name, short name or alias (e.g. `综合行政执法局` → `enforcement`). */
  resolveDepartment(ref: string): string | undefined {
    return this.#departmentRefs.get(normaliseName(ref));
  }

  /**
   * The county category for a department's own category code (or, failing that, its own
   * category name). undefined when the department has no mapping or the code is not in it.
   * An unknown department is a configuration error and throws.
   */
  mapDepartmentCategory(department: string, sourceCode: string): string | undefined {
    if (!this.departments.has(department)) {
      throw new ConfigError('department', `unknown department "${department}"; known: ${[...this.departments.keys()].join(', ')}`);
    }
    return (
      this.#byCode.get(department)?.get(normaliseCode(sourceCode)) ??
      this.#byName.get(department)?.get(normaliseName(sourceCode))
    );
  }

  /**
   * The best county category for a free-text description, by keyword. undefined when no
   * category scores at least `minScore` (default 2: one two-character keyword).
   */
  classifyText(text: string, opts: { minScore?: number } = {}): Classification | undefined {
    const minScore = opts.minScore ?? 2;
    const haystack = text.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
    if (haystack === '') return undefined;
    const scored: { code: string; score: number; matched: string[]; order: number }[] = [];
    this.#matchers.forEach((m, order) => {
      const matched = m.keywords.filter((k) => haystack.includes(k.text));
      if (matched.length === 0) return;
      scored.push({ code: m.code, score: matched.reduce((s, k) => s + k.weight, 0), matched: matched.map((k) => k.text), order });
    });
    scored.sort((a, b) => b.score - a.score || b.matched.length - a.matched.length || a.order - b.order);
    const [best, second] = scored;
    if (!best || best.score < minScore) return undefined;
    return {
      category: best.code,
      score: best.score,
      confidence: best.score / (best.score + (second?.score ?? 0)),
      matched: best.matched,
      ...(second ? { runnerUp: { category: second.code, score: second.score } } : {}),
    };
  }
}

/** Load and validate `departments.json`, `categories.json` and `category-mappings/*.json` from `dir`. */
export function loadCatalogue(dir: string = DEFAULT_CATALOGUE_DIR): Catalogue {
  const departments = parseDepartments(readJsonFile(join(dir, 'departments.json')));
  const { families, categories } = parseCategories(readJsonFile(join(dir, 'categories.json')));
  const mappingDir = join(dir, 'category-mappings');
  let files: string[] = [];
  try {
    files = readdirSync(mappingDir).filter((f) => f.endsWith('.json')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError('category-mappings', `cannot list ${mappingDir}: ${(err as Error).message}`);
    }
  }
  const mappings = files.map((f) => parseMapping(readJsonFile(join(mappingDir, f)), f));
  return new Catalogue({ departments, families, categories, mappings });
}

function parseDepartments(raw: unknown): Department[] {
  const root = asObject(raw, 'departments.json');
  return asArray(root.departments, 'departments.json.departments').map((item, i) => {
    const field = `departments.json.departments[${i}]`;
    const o = asObject(item, field);
    const kind = asString(o.kind, `${field}.kind`);
    if (!DEPARTMENT_KINDS.includes(kind as DepartmentKind)) {
      throw new ConfigError(`${field}.kind`, `"${kind}" is not one of ${DEPARTMENT_KINDS.join(', ')}`);
    }
    const note = asOptionalString(o.note, `${field}.note`);
    return {
      id: asString(o.id, `${field}.id`, { pattern: ID, hint: ID_HINT }),
      name: asString(o.name, `${field}.name`),
      shortName: asString(o.shortName, `${field}.shortName`),
      kind: kind as DepartmentKind,
      vertical: asBoolean(o.vertical, `${field}.vertical`, false),
      aliases: o.aliases === undefined ? [] : asStringArray(o.aliases, `${field}.aliases`),
      ...(note !== undefined ? { note } : {}),
    };
  });
}

function parseCategories(raw: unknown): { families: CategoryFamily[]; categories: Category[] } {
  const root = asObject(raw, 'categories.json');
  const families = asArray(root.families, 'categories.json.families').map((item, i) => {
    const field = `categories.json.families[${i}]`;
    const o = asObject(item, field);
    const gbt30428 = asOptionalString(o.gbt30428, `${field}.gbt30428`);
    return {
      code: asString(o.code, `${field}.code`, { pattern: ID, hint: ID_HINT }),
      name: asString(o.name, `${field}.name`),
      ...(gbt30428 !== undefined ? { gbt30428 } : {}),
    };
  });
  const categories = asArray(root.categories, 'categories.json.categories').map((item, i) => {
    const field = `categories.json.categories[${i}]`;
    const o = asObject(item, field);
    const gbt30428 = asOptionalString(o.gbt30428, `${field}.gbt30428`);
    return {
      code: asString(o.code, `${field}.code`, {
        pattern: /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/,
        hint: 'a category code is "<family>.<item>" in lower-case ASCII',
      }),
      name: asString(o.name, `${field}.name`),
      family: asString(o.family, `${field}.family`),
      ...(gbt30428 !== undefined ? { gbt30428 } : {}),
      keywords: asStringArray(o.keywords ?? [], `${field}.keywords`),
    };
  });
  return { families, categories };
}

function parseMapping(raw: unknown, file: string): DepartmentCategoryMapping {
  const root = asObject(raw, file);
  const department = asString(root.department, `${file}.department`);
  if (department !== basename(file, '.json')) {
    throw new ConfigError(`${file}.department`, `"${department}" does not match the file name; name the file ${department}.json`);
  }
  const entries = asArray(root.mappings, `${file}.mappings`).map((item, i) => {
    const field = `${file}.mappings[${i}]`;
    const o = asObject(item, field);
    return {
      department,
      code: asString(o.code, `${field}.code`),
      name: asString(o.name, `${field}.name`),
      category: asString(o.category, `${field}.category`),
    };
  });
  return { department, system: asString(root.system, `${file}.system`), entries };
}
