/**
 * A service's settings, declared once: name, type, default, bounds and a description. Read from
 * the environment at start-up and checked all together, so a service never runs on a value it
 * misread (`HUB_SLA_CHECK_MS=abc` used to turn breach marking off without a word); the same
 * declarations generate the settings table in docs/configuration.md.
 */
import { ConfigError } from './errors.js';

type Env = Record<string, string | undefined>;

interface Base {
  description: string;
  /** Never echoed back in errors or logs. */
  secret?: boolean;
}

export interface Setting<T> extends Base {
  /** What a value must look like, in the words the error and the table use. */
  expects: string;
  /** The default, as written in the table; undefined when there is none. */
  shownDefault: string | undefined;
  required: boolean;
  /** Parses a present value; returns an Error saying what is wrong, or the value. */
  parse(raw: string): T | Error;
  fallback: T;
}

function setting<T>(s: Setting<T>): Setting<T> {
  return s;
}

/** Text; empty counts as unset. */
export function text(o: Base & { required: true }): Setting<string>;
export function text(o: Base & { default: string }): Setting<string>;
export function text(o: Base & { default?: string }): Setting<string | undefined>;
export function text(o: Base & { default?: string; required?: boolean }): Setting<string | undefined> {
  return setting({ ...o, expects: 'text', shownDefault: o.default, required: o.required ?? false, parse: (raw) => raw, fallback: o.default });
}

/** A whole number within bounds (milliseconds, ports, counts). */
export function int(o: Base & { default: number; min?: number; max?: number; unit?: string }): Setting<number>;
export function int(o: Base & { default?: number; min?: number; max?: number; unit?: string }): Setting<number | undefined>;
export function int(o: Base & { default?: number; min?: number; max?: number; unit?: string }): Setting<number | undefined> {
  const min = o.min ?? Number.MIN_SAFE_INTEGER;
  const max = o.max ?? Number.MAX_SAFE_INTEGER;
  const range = o.min !== undefined && o.max !== undefined ? ` from ${o.min} to ${o.max}` : o.min !== undefined ? ` ≥ ${o.min}` : o.max !== undefined ? ` ≤ ${o.max}` : '';
  const expects = `a whole number${o.unit ? ` of ${o.unit}` : ''}${range}`;
  return setting({
    ...o,
    expects,
    shownDefault: o.default === undefined ? undefined : String(o.default),
    required: false,
    parse: (raw) => {
      const t = raw.trim();
      if (!/^-?\d+$/.test(t)) return new Error(`expected ${expects}`);
      const n = Number(t);
      return n < min || n > max || !Number.isSafeInteger(n) ? new Error(`expected ${expects}`) : n;
    },
    fallback: o.default,
  });
}

/** A comma-separated list (brokers, URLs); empty items are dropped. */
export function list(o: Base & { required?: boolean; default?: string[] }): Setting<string[]> {
  return setting({
    ...o,
    expects: 'a comma-separated list',
    shownDefault: o.default?.join(','),
    required: o.required ?? false,
    parse: (raw) => {
      const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
      return items.length ? items : new Error('expected at least one item, comma-separated');
    },
    fallback: o.default ?? [],
  });
}

/** An http(s) URL. */
export function url(o: Base & { required: true }): Setting<string> {
  return setting({
    ...o,
    expects: 'an http:// or https:// URL',
    shownDefault: undefined,
    required: true,
    parse: (raw) => {
      try {
        const u = new URL(raw.trim());
        return u.protocol === 'http:' || u.protocol === 'https:' ? raw.trim() : new Error('expected an http:// or https:// URL');
      } catch {
        return new Error('expected an http:// or https:// URL');
      }
    },
    fallback: '',
  });
}

/** One of a few words. */
export function oneOf<const V extends string>(o: Base & { values: readonly V[]; default: V }): Setting<V> {
  const expects = `one of ${o.values.join(', ')}`;
  return setting({
    ...o,
    expects,
    shownDefault: o.default,
    required: false,
    parse: (raw) => (o.values.includes(raw.trim() as V) ? (raw.trim() as V) : new Error(`expected ${expects}`)),
    fallback: o.default,
  });
}

export type Spec = Record<string, Setting<unknown>>;
export type Settings<S extends Spec> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

/**
 * Every setting of `spec` from `env`, or one ConfigError naming every bad or missing one with
 * what it expects (the value is repeated unless the setting is secret).
 */
export function readSettings<S extends Spec>(spec: S, env: Env = process.env): Settings<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, s] of Object.entries(spec)) {
    const raw = env[name];
    if (raw === undefined || raw === '') {
      if (s.required) problems.push(`${name} is not set: expected ${s.expects} — ${s.description}`);
      else out[name] = s.fallback;
      continue;
    }
    const v = s.parse(raw);
    if (v instanceof Error) problems.push(`${name}=${s.secret ? '(hidden)' : JSON.stringify(raw)}: ${v.message}`);
    else out[name] = v;
  }
  if (problems.length) throw new ConfigError(problems.map((p) => p.split(/[=: ]/, 1)[0]).join(', '), `\n  ${problems.join('\n  ')}\n(see docs/configuration.md)`);
  return out as Settings<S>;
}

/** The settings table of one service, in Markdown. */
export function settingsTable(spec: Spec): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = Object.entries(spec).map(([name, s]) => `| \`${name}\` | ${s.required ? '**required**' : s.shownDefault === undefined ? '—' : `\`${cell(s.shownDefault)}\``} | ${cell(s.expects)} | ${cell(s.description)} |`);
  return ['| Setting | Default | Value | What it does |', '|---|---|---|---|', ...rows].join('\n');
}

/**
 * Ends a service that met a configuration it cannot run on — at start, or when the cluster turns
 * out not to match it (TOPIC_PARTITIONS): says which settings and what they expect, without a stack
 * trace, with exit code 78 (EX_CONFIG), which supervisors do not restart in a loop. Rethrows anything else.
 */
export function exitOnConfigError(service: string, err: unknown): never {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${service}: configuration error (配置错误): ${err.message}\n`);
  process.exit(78);
}
