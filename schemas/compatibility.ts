/**
 * Schema compatibility rules, checked locally with avsc's schema resolution so that an incompatible
 * change is explained field by field ("field `envelope.gridCode` (string) was added without a
 * default: …") instead of with the registry's terse verdict.
 *
 * avsc's `reader.createResolver(writer)` is the authority on whether data written with `writer`
 * can be read with `reader`; it stops at the first obstacle and says little about where it is, so
 * when it refuses, the two schemas are walked side by side to find and name every obstacle.
 *
 * Also here: reading the two registries' response shapes (Apicurio's Confluent-compatible API and
 * Confluent's own), which differ in small ways.
 */
import avro from 'avsc';

export type CompatibilityLevel =
  | 'NONE'
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE';

const LEVELS: readonly CompatibilityLevel[] = ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'];

export type ProblemRule =
  /** The reader has a field the writer lacks, and no default for it. */
  | 'FIELD_MISSING_DEFAULT'
  /** The writer may carry enum symbols the reader lacks, and the reader's enum has no default symbol. */
  | 'ENUM_SYMBOLS_MISSING'
  /** The reader's type cannot read the writer's (string → int, long → int, a union branch dropped…). */
  | 'TYPE_CHANGED'
  /** A named type (record, enum, fixed) was renamed without an alias. */
  | 'NAME_CHANGED'
  | 'FIXED_SIZE_CHANGED'
  /** avsc refused for a reason the walk could not place. */
  | 'OTHER';

export interface CompatibilityProblem {
  /** Dotted path of the field inside the record, e.g. `envelope.gridCode`; `items[]`/`values{}` step into arrays/maps; '' is the top level. */
  field: string;
  rule: ProblemRule;
  /** A sentence naming the field, what changed and what breaks. */
  message: string;
  /** The registered version the problem is against, when known. */
  againstVersion?: number;
}

/** A schema as a parsed avsc Type, an Avro schema object (e.g. from loadSchema), or its JSON text. */
export type SchemaInput = avro.Type | object | string;

export function toType(schema: SchemaInput): avro.Type {
  if (avro.Type.isType(schema)) return schema as avro.Type;
  const parsed = typeof schema === 'string' ? JSON.parse(schema) : schema;
  return avro.Type.forSchema(parsed as avro.Schema);
}

type Direction = 'backward' | 'forward';

const CONSEQUENCE: Record<Direction, string> = {
  backward: 'readers of the new schema cannot read records written with the old one',
  forward: 'readers of the old schema cannot read records written with the new one',
};

/**
 * BACKWARD: can a reader using `newSchema` read every record written with `oldSchema`?
 * Returns the obstacles, each naming its field; empty when compatible.
 */
export function backwardProblems(newSchema: SchemaInput, oldSchema: SchemaInput): CompatibilityProblem[] {
  return readProblems(toType(newSchema), toType(oldSchema), 'backward');
}

/** FORWARD: can a reader still using `oldSchema` read every record written with `newSchema`? */
export function forwardProblems(newSchema: SchemaInput, oldSchema: SchemaInput): CompatibilityProblem[] {
  return readProblems(toType(oldSchema), toType(newSchema), 'forward');
}

export interface RegisteredVersion {
  version?: number;
  schema: SchemaInput;
}

/**
 * Checks `newSchema` against the registered versions (oldest first) the way a registry with
 * `level` does: non-transitive levels compare with the latest version only.
 */
export function compatibilityProblems(level: CompatibilityLevel, newSchema: SchemaInput, registered: readonly RegisteredVersion[]): CompatibilityProblem[] {
  if (level === 'NONE' || registered.length === 0) return [];
  const against = level.endsWith('_TRANSITIVE') ? registered : registered.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const next = toType(newSchema);
  const out: CompatibilityProblem[] = [];
  for (const { version, schema } of against) {
    const old = toType(schema);
    const found = [...(backward ? readProblems(next, old, 'backward') : []), ...(forward ? readProblems(old, next, 'forward') : [])];
    for (const p of found) out.push(version === undefined ? p : { ...p, againstVersion: version });
  }
  return out;
}

/** One line per problem, for error messages and logs. */
export function describeProblems(problems: readonly CompatibilityProblem[]): string {
  return problems.map((p) => (p.againstVersion === undefined ? p.message : `${p.message} (against version ${p.againstVersion})`)).join('; ');
}

// ── the walk ──────────────────────────────────────────────────────────────────────────────────

function canRead(reader: avro.Type, writer: avro.Type): { ok: true } | { ok: false; reason: string } {
  try {
    reader.createResolver(writer);
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

function readProblems(reader: avro.Type, writer: avro.Type, dir: Direction): CompatibilityProblem[] {
  const verdict = canRead(reader, writer);
  if (verdict.ok) return [];
  const out: CompatibilityProblem[] = [];
  explain(reader, writer, '', dir, out, new Set());
  if (out.length === 0) {
    out.push({ field: '', rule: 'OTHER', message: `${subjectOf('')} cannot be read as before (avsc: ${verdict.reason}): ${CONSEQUENCE[dir]}` });
  }
  return out;
}

/** Avro type names as a reader would recognise them: the type's own kind and name. */
export function describeType(t: avro.Type): string {
  const any = t as avro.Type & { types?: avro.Type[]; itemsType?: avro.Type; valuesType?: avro.Type; size?: number };
  switch (t.typeName) {
    case 'record':
    case 'error':
    case 'enum':
      return `${t.typeName} ${t.name ?? '(anonymous)'}`;
    case 'fixed':
      return `fixed ${t.name ?? '(anonymous)'}(${any.size})`;
    case 'array':
      return `array<${describeType(any.itemsType!)}>`;
    case 'map':
      return `map<${describeType(any.valuesType!)}>`;
    default:
      if (any.types) return `[${any.types.map(describeType).join(', ')}]`;
      if (t.typeName.startsWith('logical:')) return describeType((t as unknown as { underlyingType: avro.Type }).underlyingType);
      return t.typeName;
  }
}

function subjectOf(path: string): string {
  return path ? `field \`${path}\`` : 'the top-level schema';
}

function isUnion(t: avro.Type): t is avro.Type & { types: avro.Type[] } {
  return t.typeName.startsWith('union');
}

function unwrapLogical(t: avro.Type): avro.Type {
  return t.typeName.startsWith('logical:') ? (t as unknown as { underlyingType: avro.Type }).underlyingType : t;
}

function aliasesOf(t: avro.Type): string[] {
  const a = (t as unknown as { aliases?: string[] }).aliases ?? [];
  return [t.name!, ...a];
}

/** Would these two be matched by name (or are they the same kind of unnamed type)? */
function sameKind(reader: avro.Type, writer: avro.Type): boolean {
  if (reader.name && writer.name) return reader.typeName === writer.typeName || (isRecordish(reader) && isRecordish(writer)) ? aliasesOf(reader).includes(writer.name) : false;
  return reader.typeName === writer.typeName;
}

function isRecordish(t: avro.Type): boolean {
  return t.typeName === 'record' || t.typeName === 'error';
}

function explain(readerIn: avro.Type, writerIn: avro.Type, path: string, dir: Direction, out: CompatibilityProblem[], seen: Set<string>): void {
  const reader = unwrapLogical(readerIn);
  const writer = unwrapLogical(writerIn);
  if (canRead(reader, writer).ok) return;
  const where = subjectOf(path);
  const tail = CONSEQUENCE[dir];

  // Unions: every branch the writer may have written needs a reader branch (or the reader itself)
  // that reads it. A branch with a counterpart of the same kind/name is explained inside; the rest
  // are reported as a change of the field's type.
  if (isUnion(writer) || isUnion(reader)) {
    const writerBranches = (isUnion(writer) ? writer.types : [writer]).map(unwrapLogical);
    const readerBranches = (isUnion(reader) ? reader.types : [reader]).map(unwrapLogical);
    const orphans: avro.Type[] = [];
    for (const wb of writerBranches) {
      if (readerBranches.some((rb) => canRead(rb, wb).ok)) continue;
      const counterpart = readerBranches.find((rb) => sameKind(rb, wb)) ?? readerBranches.find((rb) => isRecordish(rb) && isRecordish(wb));
      if (counterpart) explain(counterpart, wb, path, dir, out, seen);
      else orphans.push(wb);
    }
    if (orphans.length) {
      out.push({ field: path, rule: 'TYPE_CHANGED', message: `${where} changed type from ${describeType(dirOld(reader, writer, dir))} to ${describeType(dirNew(reader, writer, dir))} (${orphans.map(describeType).join(' and ')} values cannot be read as ${describeType(reader)}): ${tail}` });
    }
    return;
  }

  if (isRecordish(reader) && isRecordish(writer)) {
    if (!aliasesOf(reader).includes(writer.name!)) {
      out.push({ field: path, rule: 'NAME_CHANGED', message: `${where} (record) was renamed from ${dirOld(reader, writer, dir).name} to ${dirNew(reader, writer, dir).name} without an alias: ${tail}` });
      return;
    }
    const key = `${reader.name}<-${writer.name}`;
    if (seen.has(key)) return;
    seen.add(key);
    const rFields = (reader as avro.types.RecordType).fields;
    const wFields = new Map((writer as avro.types.RecordType).fields.map((f) => [f.name, f]));
    for (const rf of rFields) {
      const fieldPath = path ? `${path}.${rf.name}` : rf.name;
      const names = [rf.name, ...(rf.aliases ?? [])];
      const matches = names.filter((n) => wFields.has(n));
      if (matches.length === 0) {
        if (rf.defaultValue() === undefined) {
          const message =
            dir === 'backward'
              ? `field \`${fieldPath}\` (${describeType(rf.type)}) was added without a default: ${tail}; give it a default (e.g. make it ["null", …] with default null)`
              : `field \`${fieldPath}\` (${describeType(rf.type)}) was removed, and the old schema gives it no default: ${tail}`;
          out.push({ field: fieldPath, rule: 'FIELD_MISSING_DEFAULT', message });
        }
        continue;
      }
      if (matches.length > 1) {
        out.push({ field: fieldPath, rule: 'OTHER', message: `field \`${fieldPath}\` matches several fields (${matches.join(', ')}) by its aliases: ${tail}` });
        continue;
      }
      explain(rf.type, wFields.get(matches[0]!)!.type, fieldPath, dir, out, seen);
    }
    return;
  }

  if (reader.typeName === 'enum' && writer.typeName === 'enum') {
    if (!aliasesOf(reader).includes(writer.name!)) {
      out.push({ field: path, rule: 'NAME_CHANGED', message: `${where} (enum) was renamed from ${dirOld(reader, writer, dir).name} to ${dirNew(reader, writer, dir).name} without an alias: ${tail}` });
      return;
    }
    const readerSymbols = new Set((reader as avro.types.EnumType).symbols);
    const missing = (writer as avro.types.EnumType).symbols.filter((s) => !readerSymbols.has(s));
    const what =
      dir === 'backward'
        ? `no longer has symbol${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, and the new enum has no default symbol`
        : `gained symbol${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, and the old enum has no default symbol`;
    out.push({ field: path, rule: 'ENUM_SYMBOLS_MISSING', message: `${where} (enum ${reader.name}) ${what}: ${tail} that carry ${missing.length > 1 ? 'them' : 'it'}; keep the symbol${missing.length > 1 ? 's' : ''} or declare a default symbol` });
    return;
  }

  if (reader.typeName === 'fixed' && writer.typeName === 'fixed') {
    const [rs, ws] = [(reader as avro.types.FixedType).size, (writer as avro.types.FixedType).size];
    if (rs !== ws) {
      const [o, n] = dir === 'backward' ? [ws, rs] : [rs, ws];
      out.push({ field: path, rule: 'FIXED_SIZE_CHANGED', message: `${where} (fixed ${reader.name}) changed size from ${o} to ${n} bytes: ${tail}` });
    } else {
      out.push({ field: path, rule: 'NAME_CHANGED', message: `${where} (fixed) was renamed from ${dirOld(reader, writer, dir).name} to ${dirNew(reader, writer, dir).name} without an alias: ${tail}` });
    }
    return;
  }

  if (reader.typeName === 'array' && writer.typeName === 'array') {
    explain((reader as avro.types.ArrayType).itemsType, (writer as avro.types.ArrayType).itemsType, `${path}[]`, dir, out, seen);
    return;
  }
  if (reader.typeName === 'map' && writer.typeName === 'map') {
    explain((reader as avro.types.MapType).valuesType, (writer as avro.types.MapType).valuesType, `${path}{}`, dir, out, seen);
    return;
  }

  out.push({ field: path, rule: 'TYPE_CHANGED', message: `${where} changed type from ${describeType(dirOld(reader, writer, dir))} to ${describeType(dirNew(reader, writer, dir))}: ${tail}` });
}

/** In backward checks the writer is the old schema; in forward checks the reader is. */
function dirOld(reader: avro.Type, writer: avro.Type, dir: Direction): avro.Type {
  return dir === 'backward' ? writer : reader;
}
function dirNew(reader: avro.Type, writer: avro.Type, dir: Direction): avro.Type {
  return dir === 'backward' ? reader : writer;
}

// ── registry response shapes ──────────────────────────────────────────────────────────────────

/**
 * The compatibility level in a registry's config response. GET /config/{subject} answers
 * `{"compatibilityLevel":"BACKWARD"}` on both Apicurio 3 and Confluent; PUT answers
 * `{"compatibility":"BACKWARD"}` on Confluent but `{"compatibilityLevel":…}` on Apicurio.
 * Undefined when the body carries neither (e.g. a 404 error body).
 */
export function compatibilityLevelOf(body: unknown): CompatibilityLevel | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const o = body as { compatibilityLevel?: unknown; compatibility?: unknown };
  const raw = o.compatibilityLevel ?? o.compatibility;
  if (typeof raw !== 'string') return undefined;
  const level = raw.toUpperCase() as CompatibilityLevel;
  return LEVELS.includes(level) ? level : undefined;
}

/**
 * The useful part of a registry's refusal, from the client's error message. Apicurio 3 answers an
 * incompatible POST with 409 `{"error_code":409,"message":"io.apicurio.registry.rules.RuleViolationException:
 * Incompatible artifact: <subject> [AVRO], num of incompatible diffs: {1}, list of diff types: [b at /fields/1]"}`;
 * Confluent with 409 `{"error_code":409,"message":"Schema being registered is incompatible with an
 * earlier schema for subject \"…\", details: [{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'…'}, …]"}`.
 * The Java exception class and @kafkajs/confluent-schema-registry's " - " prefix are dropped.
 */
export function registryErrorDetail(message: string): string {
  return message
    .replace(/^[^\s-]*\s-\s/, '')
    .replace(/^(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error):\s*/, '')
    .trim();
}
