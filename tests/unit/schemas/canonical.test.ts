import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { validateUscc } from '../../../core/normalise/index.js';
import { RECORD_KINDS, avroType, loadSchema, type RecordKind } from '../../../schemas/index.js';
import { EXAMPLES } from './examples.js';

const AVRO_DIR = join(import.meta.dirname, '../../../schemas/avro');
const KIND_FILES = new Set(RECORD_KINDS.map((k) => `${k}.avsc`));
/** Written before these rules; their existing fields may not be edited (only optional ones added). */
const GRANDFATHERED = new Set(['report.avsc', 'envelope.avsc']);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

function readAvsc(file: string): Obj {
  return JSON.parse(readFileSync(join(AVRO_DIR, file), 'utf8')) as Obj;
}

/** Every record type defined anywhere inside a schema, with the path of the field holding it. */
function recordsIn(node: Json, path = ''): Array<{ path: string; record: Obj }> {
  if (Array.isArray(node)) return node.flatMap((n) => recordsIn(n, path));
  if (!node || typeof node !== 'object') return [];
  const out: Array<{ path: string; record: Obj }> = [];
  if (node.type === 'record') {
    out.push({ path, record: node });
    for (const f of node.fields as Obj[]) out.push(...recordsIn(f.type as Json, path ? `${path}.${String(f.name)}` : String(f.name)));
  } else if (node.type === 'array') out.push(...recordsIn(node.items as Json, `${path}[]`));
  else if (node.type === 'map') out.push(...recordsIn(node.values as Json, `${path}{}`));
  else if (typeof node.type === 'object') out.push(...recordsIn(node.type, path));
  return out;
}

function enumsIn(node: Json): Obj[] {
  if (Array.isArray(node)) return node.flatMap(enumsIn);
  if (!node || typeof node !== 'object') return [];
  return [...(node.type === 'enum' ? [node] : []), ...Object.entries(node).flatMap(([k, v]) => (k === 'default' ? [] : enumsIn(v)))];
}

const newFiles = readdirSync(AVRO_DIR).filter((f) => f.endsWith('.avsc') && !GRANDFATHERED.has(f));

describe('the .avsc files', () => {
  it('include one file per record kind', () => {
    for (const kind of RECORD_KINDS) expect(readdirSync(AVRO_DIR)).toContain(`${kind}.avsc`);
  });

  it('parse: shared types together, each kind self-contained once the shared types are inlined', () => {
    const shared = readdirSync(AVRO_DIR).filter((f) => f.endsWith('.avsc') && !KIND_FILES.has(f));
    // Shared types may reference one another: parse them into one registry, retrying in dependency order.
    // A failed attempt leaves a half-registered name behind, so each attempt works on a copy.
    const registry: Record<string, avro.Type> = {};
    let pending = shared;
    while (pending.length) {
      const failed = pending.filter((f) => {
        const attempt = { ...registry };
        try {
          avro.Type.forSchema(readAvsc(f) as avro.Schema, { registry: attempt });
        } catch {
          return true;
        }
        Object.assign(registry, attempt);
        return false;
      });
      if (failed.length === pending.length) {
        avro.Type.forSchema(readAvsc(failed[0]!) as avro.Schema, { registry: { ...registry } }); // throws with avsc's message
      }
      pending = failed;
    }
    expect(Object.keys(registry)).toEqual(expect.arrayContaining(['org.countyhub.v1.Envelope', 'org.countyhub.v1.Party', 'org.countyhub.v1.PersonIdentity', 'org.countyhub.v1.RecordRef']));
    for (const kind of RECORD_KINDS) expect(() => avroType(kind)).not.toThrow();
  });

  it.each(RECORD_KINDS)('%s is in namespace org.countyhub.v1 and starts with the shared envelope', (kind) => {
    const raw = readAvsc(`${kind}.avsc`);
    expect(raw.namespace).toBe('org.countyhub.v1');
    const first = (raw.fields as Obj[])[0]!;
    expect(first.name).toBe('envelope');
    expect(first.type).toBe('org.countyhub.v1.Envelope');
  });

  it.each(newFiles)('%s documents every type and field', (file) => {
    const raw = readAvsc(file);
    const undocumented: string[] = [];
    for (const { path, record } of recordsIn(raw)) {
      if (typeof record.doc !== 'string' || !record.doc) undocumented.push(`record ${String(record.name)}`);
      for (const f of record.fields as Obj[]) {
        if (typeof f.doc !== 'string' || !f.doc.trim()) undocumented.push(path ? `${path}.${String(f.name)}` : String(f.name));
      }
    }
    for (const e of enumsIn(raw)) if (typeof e.doc !== 'string' || !e.doc) undocumented.push(`enum ${String(e.name)}`);
    expect(undocumented).toEqual([]);
  });

  it.each(newFiles)('%s gives every enum a default symbol, so readers survive symbols added later', (file) => {
    for (const e of enumsIn(readAvsc(file))) {
      expect(e.default, `enum ${String(e.name)}`).toBeTypeOf('string');
      expect(e.symbols as string[]).toContain(e.default);
    }
  });

  it.each(newFiles)('%s writes optional fields as ["null", T] with default null', (file) => {
    for (const { record } of recordsIn(readAvsc(file))) {
      for (const f of record.fields as Obj[]) {
        if (!Array.isArray(f.type)) continue;
        expect(f.type[0], `${String(record.name)}.${String(f.name)}`).toBe('null');
        expect(f.type).toHaveLength(2);
        expect(f.default, `${String(record.name)}.${String(f.name)}`).toBeNull();
      }
    }
  });

  it('define each named type once across all files', () => {
    const names = new Map<string, string>();
    const walk = (node: Json, file: string): void => {
      if (Array.isArray(node)) return node.forEach((n) => walk(n, file));
      if (!node || typeof node !== 'object') return;
      if ((node.type === 'record' || node.type === 'enum' || node.type === 'fixed') && typeof node.name === 'string') {
        expect(names.get(node.name), `${node.name} in ${file} and ${names.get(node.name)}`).toBeUndefined();
        names.set(node.name, file);
      }
      for (const [k, v] of Object.entries(node)) if (k !== 'default') walk(v, file);
    };
    for (const f of readdirSync(AVRO_DIR).filter((x) => x.endsWith('.avsc'))) walk(readAvsc(f), f);
  });
});

/** The shape of a value, compared with the schema's field names, recursively. */
function keyMismatches(schema: Json, value: unknown, path: string): string[] {
  if (Array.isArray(schema)) {
    if (value === null) return [];
    const branch = schema.find((b) => b !== 'null')!;
    return keyMismatches(branch, value, path);
  }
  if (!schema || typeof schema !== 'object') return [];
  if (schema.type === 'record') {
    const fields = schema.fields as Obj[];
    const obj = value as Record<string, unknown>;
    const expected = fields.map((f) => String(f.name)).sort();
    const actual = Object.keys(obj).sort();
    const out: string[] = [];
    for (const k of expected) if (!actual.includes(k)) out.push(`${path}${k} is in the schema but not in the TypeScript example (add it to schemas/types.ts and to tests/unit/schemas/examples.ts)`);
    for (const k of actual) if (!expected.includes(k)) out.push(`${path}${k} is in the TypeScript example but not in the schema`);
    for (const f of fields) if (f.name as string in obj) out.push(...keyMismatches(f.type as Json, obj[f.name as string], `${path}${String(f.name)}.`));
    return out;
  }
  if (schema.type === 'array') return (value as unknown[]).flatMap((v, i) => keyMismatches(schema.items as Json, v, `${path}[${i}].`));
  if (typeof schema.type === 'object') return keyMismatches(schema.type, value, path);
  return [];
}

describe('the canonical records', () => {
  it.each(RECORD_KINDS)('%s: the TypeScript example has exactly the schema fields, recursively', (kind) => {
    expect(keyMismatches(loadSchema(kind), EXAMPLES[kind], '')).toEqual([]);
  });

  it.each(RECORD_KINDS)('%s: a realistic example fits the schema and survives an Avro round trip', (kind: RecordKind) => {
    const type = avroType(kind);
    const bad: string[] = [];
    const valid = type.isValid(EXAMPLES[kind], { errorHook: (path) => bad.push(path.join('.')) });
    expect(bad).toEqual([]);
    expect(valid).toBe(true);
    const buf = type.toBuffer(EXAMPLES[kind]);
    expect(type.fromBuffer(buf)).toEqual(EXAMPLES[kind]);
  });

  it('keep Chinese text intact through the round trip', () => {
    const type = avroType('case');
    const back = type.fromBuffer(type.toBuffer(EXAMPLES.case)) as typeof EXAMPLES.case;
    expect(back.causeOfAction).toBe('餐饮服务业经营者未安装油烟净化设施排放油烟案');
    expect(back.penalty?.fineFen).toBe(500_000);
  });

  it('carry valid USCCs and only hashed or masked personal data in the examples', () => {
    const usccs = [EXAMPLES.subject.uscc, EXAMPLES.case.party?.uscc, EXAMPLES.approval.applicant.uscc].filter((u): u is string => !!u);
    for (const u of usccs) expect(() => validateUscc(u, 'uscc')).not.toThrow();
    const text = JSON.stringify(EXAMPLES);
    expect(text).not.toContain('11010519491231002X'); // the operator's ID number
    expect(text).not.toContain('18047771999'); // the restaurant's phone
    expect(text).not.toContain('王建国');
  });

  it('read an unknown future enum symbol as the default symbol', () => {
    const writerSchema = structuredClone(loadSchema('dispatch')) as Obj;
    const action = (writerSchema.fields as Obj[]).find((f) => f.name === 'action')!;
    (action.type as Obj).symbols = [...((action.type as Obj).symbols as string[]), 'RECALL'];
    const writer = avro.Type.forSchema(writerSchema as avro.Schema);
    const reader = avroType('dispatch');
    const buf = writer.toBuffer({ ...EXAMPLES.dispatch, action: 'RECALL' });
    const read = reader.fromBuffer(buf, reader.createResolver(writer)) as typeof EXAMPLES.dispatch;
    expect(read.action).toBe('UNKNOWN');
  });
});
