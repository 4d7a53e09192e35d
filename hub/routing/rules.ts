/**
 * The county's responsibility list as data (牵头/协同责任清单): which department leads a category
 * of matter, which cooperate, at what level, and the SLA clock. Loaded from
 * `schemas/catalogues/responsibility-rules.csv`, validated against the catalogue, resolvable
 * most-specific-first (category > family wildcard `env.*` > default `*`), and reloadable at run
 * time by a RulesStore that keeps the last good rules when a new file is invalid.
 *
 * CSV columns (header row required, English or Chinese names, order free):
 *   category (事项类别) · lead (牵头部门) · cooperating (协同部门) · level (层级) ·
 *   first_response_min (首次响应分钟) · on_site_min (到场分钟) · close_working_days (办结工作日) ·
 *   basis (依据) · verify_hours (核查时限小时)
 * `verify_hours` says the category needs verification before it counts as closed (GB/T 30428:
 * 处置 → 核查 → 结案): when every department's task is done, the grid worker of the matter's grid
 * gets a verification task (核查) due within that many wall-clock hours; empty = closed by the
 * departments' closure alone. Like the SLA it is the county's data, not code.
 * Rows whose first cell starts with `#` and blank rows are skipped. Departments may be given by
 * id or by any name in departments.json; several cooperating departments are separated by
 * `;`, `；`, `、` or `|`. Empty SLA cells take the defaults (30 min / 60 min / 5 working days).
 */
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError, ValidationError } from '../../core/errors.js';
import type { Catalogue } from '../../core/catalogue.js';
import type { WorkingCalendar } from './calendar.js';
import { parseCsv } from './csv.js';
import { DEFAULT_CATALOGUE_DIR, readTextFile } from '../../core/data-files.js';

export const DEFAULT_RULES_PATH = join(DEFAULT_CATALOGUE_DIR, 'responsibility-rules.csv');

export type Level = 'county' | 'town';
const LEVELS: readonly Level[] = ['county', 'town'];

export interface Sla {
  /** Lead department responds within this many wall-clock minutes (首问响应). */
  readonly firstResponseMinutes: number;
  /** Cooperating departments on site within this many wall-clock minutes (协同到场). */
  readonly onSiteMinutes: number;
  /** Closed within this many working days (办结). */
  readonly closeWorkingDays: number;
}

export const DEFAULT_SLA: Sla = Object.freeze({ firstResponseMinutes: 30, onSiteMinutes: 60, closeWorkingDays: 5 });

export type RuleScope = 'category' | 'family' | 'default';

export interface ResponsibilityRule {
  /** `env.cooking_fume`, `env.*` or `*`. */
  readonly pattern: string;
  readonly scope: RuleScope;
  readonly lead: string;
  readonly cooperating: readonly string[];
  readonly level: Level;
  readonly sla: Sla;
  readonly basis?: string;
  /** Verification (核查) before closure, due within this many hours; null: not required. */
  readonly verifyHours: number | null;
  /** Spreadsheet row the rule came from. */
  readonly row: number;
}

export interface Route {
  readonly category: string;
  readonly lead: string;
  readonly cooperating: readonly string[];
  readonly level: Level;
  readonly sla: Sla;
  /** Verification (核查) before closure, due within this many hours; null: not required. */
  readonly verifyHours: number | null;
  /** The rule that decided, for lineage ("why did this go to enforcement?"). */
  readonly rule: { readonly pattern: string; readonly row: number; readonly source: string; readonly basis?: string };
}

export interface Deadlines {
  readonly firstResponseBy: Date;
  readonly onSiteBy: Date;
  readonly closeBy: Date;
  /** True when the closure deadline was computed on a year whose holidays are not yet published. */
  readonly provisional: boolean;
}

const COLUMNS = {
  category: ['category', '事项类别', '类别', '事项'],
  lead: ['lead', '牵头部门', '牵头'],
  cooperating: ['cooperating', '协同部门', '配合部门', '协同'],
  level: ['level', '层级', '级别'],
  first_response_min: ['first_response_min', '首次响应分钟', '响应时限分钟'],
  on_site_min: ['on_site_min', '到场分钟', '到场时限分钟'],
  close_working_days: ['close_working_days', '办结工作日', '办结时限工作日'],
  basis: ['basis', '依据', '备注'],
  verify_hours: ['verify_hours', '核查时限小时', '核查时限'],
} as const;
type Column = keyof typeof COLUMNS;
const REQUIRED: readonly Column[] = ['category', 'lead', 'level'];
const LEVEL_ALIASES: Record<string, Level> = { county: 'county', town: 'town', 县级: 'county', 县: 'county', 镇级: 'town', 乡镇: 'town', 镇街: 'town' };

export class ResponsibilityRules {
  readonly rules: readonly ResponsibilityRule[];
  readonly source: string;
  /** sha256 of the text the rules were parsed from. */
  readonly digest: string;
  readonly #byPattern: ReadonlyMap<string, ResponsibilityRule>;
  readonly #catalogue: Catalogue;

  private constructor(rules: ResponsibilityRule[], catalogue: Catalogue, source: string, digest: string) {
    this.rules = Object.freeze(rules);
    this.#byPattern = new Map(rules.map((r) => [r.pattern, r]));
    this.#catalogue = catalogue;
    this.source = source;
    this.digest = digest;
  }

  /** Parse and validate rule CSV text. `source` names the file in error messages. */
  static parse(text: string, catalogue: Catalogue, source = 'responsibility-rules.csv'): ResponsibilityRules {
    const records = parseCsv(text, source).filter((r) => !(r.cells.length === 1 && r.cells[0]!.trim() === '') && !r.cells[0]!.trim().startsWith('#'));
    const header = records.shift();
    if (!header) throw new ConfigError(source, 'the file has no header row and no rules');
    const index = new Map<Column, number>();
    header.cells.forEach((raw, i) => {
      const name = raw.trim();
      if (name === '') return;
      const column = (Object.keys(COLUMNS) as Column[]).find((c) => (COLUMNS[c] as readonly string[]).includes(name.toLowerCase()));
      if (!column) {
        throw new ConfigError(`${source}[row ${header.row}]`, `unknown column "${name}"; expected ${Object.keys(COLUMNS).join(', ')}`);
      }
      if (index.has(column)) throw new ConfigError(`${source}[row ${header.row}]`, `column "${name}" appears twice`);
      index.set(column, i);
    });
    for (const c of REQUIRED) {
      if (!index.has(c)) throw new ConfigError(`${source}[row ${header.row}]`, `the header has no "${c}" column`);
    }

    const rules: ResponsibilityRule[] = [];
    const seen = new Map<string, number>();
    for (const rec of records) {
      const cell = (c: Column): string => {
        const i = index.get(c);
        return i === undefined ? '' : (rec.cells[i] ?? '').trim();
      };
      const at = (c: Column) => `${source}[row ${rec.row}].${c}`;

      const pattern = cell('category');
      let scope: RuleScope;
      if (pattern === '*') {
        scope = 'default';
      } else if (pattern.endsWith('.*')) {
        scope = 'family';
        const family = pattern.slice(0, -2);
        if (!catalogue.families.has(family)) {
          throw new ConfigError(at('category'), `unknown category family "${family}"; known: ${[...catalogue.families.keys()].join(', ')}`);
        }
      } else {
        scope = 'category';
        if (pattern === '') throw new ConfigError(at('category'), 'empty; give a category code, a family wildcard like "env.*", or "*"');
        if (!catalogue.categories.has(pattern)) {
          throw new ConfigError(at('category'), `unknown category "${pattern}"${suggest(pattern, [...catalogue.categories.keys()])}`);
        }
      }
      const prior = seen.get(pattern);
      if (prior !== undefined) throw new ConfigError(at('category'), `"${pattern}" already has a rule in row ${prior}`);
      seen.set(pattern, rec.row);

      const department = (ref: string, column: Column): string => {
        const id = catalogue.resolveDepartment(ref);
        if (!id) throw new ConfigError(at(column), `unknown department "${ref}"; use an id or name from departments.json (${[...catalogue.departments.keys()].join(', ')})`);
        return id;
      };
      const leadRef = cell('lead');
      if (leadRef === '') throw new ConfigError(at('lead'), 'empty; every rule needs a lead department');
      const lead = department(leadRef, 'lead');
      const cooperating: string[] = [];
      for (const ref of cell('cooperating').split(/[;；、|]/).map((s) => s.trim()).filter(Boolean)) {
        const id = department(ref, 'cooperating');
        if (id === lead) throw new ConfigError(at('cooperating'), `"${ref}" is already the lead department`);
        if (cooperating.includes(id)) throw new ConfigError(at('cooperating'), `"${ref}" is listed twice`);
        cooperating.push(id);
      }

      const levelRaw = cell('level');
      const level = LEVEL_ALIASES[levelRaw.toLowerCase()];
      if (!level) throw new ConfigError(at('level'), `"${levelRaw}" is not one of ${LEVELS.join(', ')}`);
      const leadIsTown = catalogue.department(lead)?.kind === 'town';
      if (leadIsTown !== (level === 'town')) {
        throw new ConfigError(
          at('level'),
          leadIsTown ? `the lead is the town government, so the level must be "town"` : `level "town" needs the town government ("town") as lead, got "${lead}"`,
        );
      }

      const whole = (c: Column, fallback: number, min: number): number => {
        const raw = cell(c);
        if (raw === '') return fallback;
        const n = Number(raw.normalize('NFKC'));
        if (!Number.isInteger(n) || n < min) throw new ConfigError(at(c), `"${raw}" is not a whole number ≥ ${min}`);
        return n;
      };
      const sla: Sla = Object.freeze({
        firstResponseMinutes: whole('first_response_min', DEFAULT_SLA.firstResponseMinutes, 1),
        onSiteMinutes: whole('on_site_min', DEFAULT_SLA.onSiteMinutes, 1),
        closeWorkingDays: whole('close_working_days', DEFAULT_SLA.closeWorkingDays, 1),
      });
      const basis = cell('basis');
      const verifyHours = cell('verify_hours') === '' ? null : whole('verify_hours', 0, 1);
      rules.push(
        Object.freeze({
          pattern,
          scope,
          lead,
          cooperating: Object.freeze(cooperating),
          level,
          sla,
          ...(basis ? { basis } : {}),
          verifyHours,
          row: rec.row,
        }),
      );
    }

    const result = new ResponsibilityRules(rules, catalogue, source, createHash('sha256').update(text).digest('hex'));
    const unrouted = [...catalogue.categories.keys()].filter((c) => !result.#match(c));
    if (unrouted.length > 0) {
      throw new ConfigError(source, `no rule for ${unrouted.length} categories (${unrouted.join(', ')}); add a row for each, a family wildcard, or a default "*" row`);
    }
    return result;
  }

  /** Read, parse and validate a rule file. */
  static load(path: string, catalogue: Catalogue): ResponsibilityRules {
    return ResponsibilityRules.parse(readTextFile(path), catalogue, basename(path));
  }

  /** The rule for a category: its own row, else its family's `x.*`, else `*`. */
  ruleFor(category: string): ResponsibilityRule {
    if (!this.#catalogue.categories.has(category)) {
      throw new ValidationError('category', `unknown county category "${category}"`);
    }
    const rule = this.#match(category);
    if (!rule) throw new ConfigError(this.source, `no rule for category "${category}"`); // unreachable: checked at load
    return rule;
  }

  /** Lead, cooperating departments, level and SLA for a county category. */
  resolveRoute(category: string): Route {
    const rule = this.ruleFor(category);
    return {
      category,
      lead: rule.lead,
      cooperating: rule.cooperating,
      level: rule.level,
      sla: rule.sla,
      verifyHours: rule.verifyHours,
      rule: { pattern: rule.pattern, row: rule.row, source: this.source, ...(rule.basis ? { basis: rule.basis } : {}) },
    };
  }

  #match(category: string): ResponsibilityRule | undefined {
    const family = this.#catalogue.category(category)?.family;
    return this.#byPattern.get(category) ?? (family ? this.#byPattern.get(`${family}.*`) : undefined) ?? this.#byPattern.get('*');
  }
}

function suggest(value: string, known: string[]): string {
  const close = known.filter((k) => k.startsWith(value.split('.')[0] + '.'));
  return close.length ? `; in that family: ${close.join(', ')}` : '';
}

/**
 * SLA deadlines of a route for a matter reported at `reportedAt`. First response and on-site
 * are wall-clock minutes (the clock runs at nights and on holidays); closure is counted in
 * working days on the calendar, at the same Asia/Shanghai wall-clock time.
 */
export function computeDeadlines(route: Pick<Route, 'sla'>, reportedAt: Date, calendar: WorkingCalendar): Deadlines {
  const t = reportedAt.getTime();
  if (Number.isNaN(t)) throw new ValidationError('reportedAt', 'invalid date');
  const closeBy = calendar.addWorkingDays(reportedAt, route.sla.closeWorkingDays);
  return {
    firstResponseBy: new Date(t + route.sla.firstResponseMinutes * 60_000),
    onSiteBy: new Date(t + route.sla.onSiteMinutes * 60_000),
    closeBy,
    provisional: calendar.isProvisional(reportedAt) || calendar.isProvisional(closeBy),
  };
}

export type RulesEvent =
  | { readonly type: 'reloaded'; readonly rules: ResponsibilityRules; readonly previous: ResponsibilityRules }
  | { readonly type: 'invalid'; readonly error: Error; readonly kept: ResponsibilityRules };

export type ReloadResult =
  | { readonly ok: true; readonly changed: boolean; readonly rules: ResponsibilityRules }
  | { readonly ok: false; readonly error: Error; readonly kept: ResponsibilityRules };

export interface RulesStoreOptions {
  readonly catalogue: Catalogue;
  /** Rule file; defaults to the project's `schemas/catalogues/responsibility-rules.csv`. */
  readonly path?: string;
  /** Quiet time after the last file-system event before reloading (editors write in bursts). */
  readonly debounceMs?: number;
}

/**
 * The current responsibility rules, reloadable from their file. The constructor loads the file
 * and throws if it is invalid (there are no older rules to fall back on); later reloads that fail
 * keep the rules in force and report why (`lastError`, an `invalid` event).
 */
export class RulesStore {
  readonly path: string;
  readonly #catalogue: Catalogue;
  readonly #debounceMs: number;
  readonly #listeners = new Set<(event: RulesEvent) => void>();
  #rules: ResponsibilityRules;
  #lastError: Error | undefined;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: RulesStoreOptions) {
    this.path = opts.path ?? DEFAULT_RULES_PATH;
    this.#catalogue = opts.catalogue;
    this.#debounceMs = opts.debounceMs ?? 250;
    this.#rules = ResponsibilityRules.load(this.path, this.#catalogue);
  }

  get rules(): ResponsibilityRules {
    return this.#rules;
  }

  /** Why the last reload was refused; undefined after a successful one. */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  resolveRoute(category: string): Route {
    return this.#rules.resolveRoute(category);
  }

  /** Listen to reloads and refused reloads; returns the unsubscribe function. */
  subscribe(listener: (event: RulesEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Re-read the file now. Invalid → old rules kept, error returned and reported; unchanged text → no event. */
  reload(): ReloadResult {
    let next: ResponsibilityRules;
    try {
      next = ResponsibilityRules.load(this.path, this.#catalogue);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.#lastError = error;
      this.#emit({ type: 'invalid', error, kept: this.#rules });
      return { ok: false, error, kept: this.#rules };
    }
    this.#lastError = undefined;
    if (next.digest === this.#rules.digest) return { ok: true, changed: false, rules: this.#rules };
    const previous = this.#rules;
    this.#rules = next;
    this.#emit({ type: 'reloaded', rules: next, previous });
    return { ok: true, changed: true, rules: next };
  }

  /**
   * Reload whenever the file changes (debounced). Watches the folder, not the file, so that
   * editors and deploy tools that replace the file by renaming are seen too. The watcher does
   * not keep the process alive. Returns a function that stops watching.
   */
  watch(): () => void {
    if (!this.#watcher) {
      const name = basename(this.path);
      this.#watcher = watch(dirname(this.path), { persistent: false }, (_event, filename) => {
        if (filename !== null && filename.toString() !== name) return;
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => this.reload(), this.#debounceMs);
        this.#timer.unref();
      });
      this.#watcher.on('error', (err) => {
        this.#lastError = err;
        this.#emit({ type: 'invalid', error: err, kept: this.#rules });
      });
    }
    return () => this.close();
  }

  /** Stop watching. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  #emit(event: RulesEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // a listener's failure must not break reloading
      }
    }
  }
}
