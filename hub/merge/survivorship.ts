/**
 * Golden-record survivorship (一企一档): which of the values that departments hold for one field
 * of one subject becomes the golden value, with its provenance. Per-field rules:
 *
 *   uscc                    validated-identifier   any value that passes the GB 32100 check; the registry's, then the newest
 *   idHash                  identifier             the newest non-empty keyed hash
 *   name, legalForm,
 *   registeredAddress,
 *   registrationStatus,
 *   subjectType, industry…  registry-latest        the newest value from a registry department (market regulation);
 *                                                  without one, the newest value from anyone
 *   businessAddress, phone,
 *   location, placeType…    most-recent            the newest value, whoever holds it
 *   divisionCode            most-specific          the deepest code (12-digit village over 6-digit county), then the newest
 *   formerNames, licences   union                  every distinct value, each with the provenance of its newest holder
 *
 * "Newest" is by observedAt (the record's event time), then source version; remaining ties are
 * broken by department, source system and record id, so the result never depends on the order
 * the values are given in. Empty values (null, '', []) never win: a source that does not know a
 * value does not erase it.
 */
import { validateUscc } from '../../core/normalise/uscc.js';
import { codeDepth } from './regions.js';
import { compareStrings } from './strings.js';

export interface Provenance {
  readonly sourceSystem: string;
  readonly department: string;
  readonly sourceRecordId: string;
  readonly sourceVersion: number;
  /** When the source says this was true: the record's event time (epoch ms). */
  readonly observedAt: number;
}

export interface FieldValue<T> {
  readonly value: T;
  readonly provenance: Provenance;
}

export type SurvivorshipRule = 'validated-identifier' | 'identifier' | 'registry-latest' | 'most-recent' | 'most-specific' | 'union';

export interface Survived<T> {
  readonly field: string;
  readonly value: T;
  readonly provenance: Provenance;
  /** For `union`: the provenance of each element, in value order. */
  readonly elementProvenance?: readonly Provenance[];
  readonly rule: SurvivorshipRule;
  /** How the rule was applied, e.g. 'registry department market' or 'no registry value: newest'. */
  readonly reason: string;
  /** How many non-empty values were considered. */
  readonly considered: number;
  /** Non-empty values that differ from the winner (for data-quality review). */
  readonly conflicts: readonly FieldValue<T>[];
}

/** Departments whose word is authoritative for registration facts. */
export const REGISTRY_DEPARTMENTS: readonly string[] = ['market'];

/** The rule of each known field; fields not listed use `most-recent`. */
export const FIELD_RULES: Readonly<Record<string, SurvivorshipRule>> = {
  uscc: 'validated-identifier',
  legacyCode: 'registry-latest',
  idHash: 'identifier',
  name: 'registry-latest',
  legalForm: 'registry-latest',
  legalRepresentative: 'registry-latest',
  registeredAddress: 'registry-latest',
  registeredDivisionCode: 'registry-latest',
  registrationStatus: 'registry-latest',
  registrationAuthority: 'registry-latest',
  establishedDate: 'registry-latest',
  subjectType: 'registry-latest',
  industryCode: 'registry-latest',
  industryName: 'registry-latest',
  businessScope: 'registry-latest',
  businessAddress: 'most-recent',
  address: 'most-recent',
  location: 'most-recent',
  phoneHash: 'most-recent',
  phoneMasked: 'most-recent',
  placeType: 'most-recent',
  operatorUscc: 'most-recent',
  divisionCode: 'most-specific',
  formerNames: 'union',
  licences: 'union',
};

export interface SurviveOptions {
  registryDepartments?: readonly string[];
  /** Override the rule for this call. */
  rule?: SurvivorshipRule;
}

/** Enum values that mean "the source does not say" for a field. */
const UNINFORMATIVE: Readonly<Record<string, readonly string[]>> = {
  registrationStatus: ['UNKNOWN'],
  subjectType: ['OTHER'],
};

function isEmpty(v: unknown, field?: string): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'string') return v.trim() === '' || (field !== undefined && (UNINFORMATIVE[field] ?? []).includes(v));
  return Array.isArray(v) && v.length === 0;
}

/** Newest first; deterministic tie-breaks. */
export function compareNewestFirst(a: Provenance, b: Provenance): number {
  return (
    b.observedAt - a.observedAt ||
    b.sourceVersion - a.sourceVersion ||
    compareStrings(a.department, b.department) ||
    compareStrings(a.sourceSystem, b.sourceSystem) ||
    compareStrings(a.sourceRecordId, b.sourceRecordId)
  );
}

function stable(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([p], [q]) => compareStrings(p, q))) : x,
  );
}

function sortValues<T>(values: readonly FieldValue<T>[]): FieldValue<T>[] {
  return [...values].sort((a, b) => compareNewestFirst(a.provenance, b.provenance) || compareStrings(stable(a.value), stable(b.value)));
}

function validUscc(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  try {
    return validateUscc(v, 'uscc');
  } catch {
    return null;
  }
}

/**
 * The surviving value of one field, or null when no source has a non-empty value.
 * `values` may come in any order.
 */
export function survive<T>(field: string, values: readonly FieldValue<T>[], opts: SurviveOptions = {}): Survived<T> | null {
  const rule = opts.rule ?? FIELD_RULES[field] ?? 'most-recent';
  const registry = new Set(opts.registryDepartments ?? REGISTRY_DEPARTMENTS);
  let pool = sortValues(values.filter((v) => !isEmpty(v.value, field)));
  const considered = pool.length;
  if (pool.length === 0) return null;

  const done = (winner: FieldValue<T>, reason: string, extra: Partial<Survived<T>> = {}): Survived<T> => ({
    field,
    value: winner.value,
    provenance: winner.provenance,
    rule,
    reason,
    considered,
    conflicts: pool.filter((v) => stable(v.value) !== stable(winner.value)),
    ...extra,
  });

  switch (rule) {
    case 'validated-identifier': {
      const valid = pool
        .map((v) => ({ v, code: validUscc(v.value) }))
        .filter((x): x is { v: FieldValue<T>; code: string } => x.code !== null)
        .map((x) => ({ value: x.code as unknown as T, provenance: x.v.provenance }));
      if (valid.length === 0) return null;
      pool = valid;
      const fromRegistry = valid.find((v) => registry.has(v.provenance.department));
      const winner = fromRegistry ?? (valid[0] as FieldValue<T>);
      return done(winner, fromRegistry ? `validated; from registry department ${winner.provenance.department}` : 'validated; newest');
    }
    case 'identifier':
    case 'most-recent':
      return done(pool[0] as FieldValue<T>, 'newest');
    case 'registry-latest': {
      const fromRegistry = pool.find((v) => registry.has(v.provenance.department));
      if (fromRegistry) return done(fromRegistry, `newest from registry department ${fromRegistry.provenance.department}`);
      return done(pool[0] as FieldValue<T>, 'no registry value: newest from any department');
    }
    case 'most-specific': {
      const depth = (v: unknown): number => (typeof v === 'string' ? codeDepth(v).length : 0);
      const winner = [...pool].sort((a, b) => depth(b.value) - depth(a.value) || compareNewestFirst(a.provenance, b.provenance))[0] as FieldValue<T>;
      return done(winner, 'most specific, then newest');
    }
    case 'union': {
      // Elements of arrays (or scalar values) — each kept once, with its newest holder.
      const seen = new Map<string, { element: unknown; provenance: Provenance }>();
      for (const v of pool) {
        const elements: unknown[] = Array.isArray(v.value) ? (v.value as unknown[]) : [v.value];
        for (const e of elements) {
          if (isEmpty(e)) continue;
          const k = stable(e);
          if (!seen.has(k)) seen.set(k, { element: e, provenance: v.provenance });
        }
      }
      const entries = [...seen.entries()].sort(([a], [b]) => compareStrings(a, b));
      const newest = pool[0] as FieldValue<T>;
      return {
        field,
        value: entries.map(([, x]) => x.element) as unknown as T,
        provenance: newest.provenance,
        elementProvenance: entries.map(([, x]) => x.provenance),
        rule,
        reason: `union of ${considered} value(s)`,
        considered,
        conflicts: [],
      };
    }
  }
}

/** Survivorship over every field given: field → values (any order). Fields without a non-empty value are left out. */
export function surviveAll(fields: Readonly<Record<string, readonly FieldValue<unknown>[]>>, opts: Omit<SurviveOptions, 'rule'> = {}): Record<string, Survived<unknown>> {
  const out: Record<string, Survived<unknown>> = {};
  for (const field of Object.keys(fields).sort(compareStrings)) {
    const s = survive(field, fields[field] ?? [], opts);
    if (s) out[field] = s;
  }
  return out;
}
