import { describe, expect, it } from 'vitest';
import {
  backwardProblems,
  compatibilityLevelOf,
  compatibilityProblems,
  describeProblems,
  forwardProblems,
  registryErrorDetail,
} from '../../../schemas/compatibility.js';
import { RECORD_KINDS, loadSchema } from '../../../schemas/index.js';

type Obj = { [k: string]: unknown };

/** A deep copy of a kind's registered schema, with a helper to reach a field by dotted path. */
function copyOf(kind: (typeof RECORD_KINDS)[number]) {
  const schema = structuredClone(loadSchema(kind)) as Obj;
  const field = (path: string): Obj => {
    let record = schema;
    let found: Obj | undefined;
    for (const name of path.split('.')) {
      found = (record.fields as Obj[]).find((f) => f.name === name);
      if (!found) throw new Error(`no field ${path}`);
      const t = found.type;
      record = (Array.isArray(t) ? t.find((b) => b !== 'null') : t) as Obj;
    }
    return found!;
  };
  const recordOf = (f: Obj): Obj => (Array.isArray(f.type) ? f.type.find((b) => b !== 'null') : f.type) as Obj;
  const fields = (path?: string): Obj[] => (path ? recordOf(field(path)) : schema).fields as Obj[];
  return { schema, field, fields };
}

describe('backwardProblems (the new schema must read data written with the old one)', () => {
  it.each(RECORD_KINDS)('finds nothing wrong between %s and itself', (kind) => {
    expect(backwardProblems(loadSchema(kind), loadSchema(kind))).toEqual([]);
  });

  it('names a required field added without a default, inside the envelope', () => {
    const next = copyOf('report');
    next.fields('envelope').push({ name: 'townCode', type: 'string', doc: 'x' });
    const problems = backwardProblems(next.schema, loadSchema('report'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ field: 'envelope.townCode', rule: 'FIELD_MISSING_DEFAULT' });
    expect(problems[0]!.message).toBe(
      'field `envelope.townCode` (string) was added without a default: readers of the new schema cannot read records written with the old one; give it a default (e.g. make it ["null", …] with default null)',
    );
  });

  it('names every broken field, not only the first', () => {
    const next = copyOf('case');
    next.fields().push({ name: 'a', type: 'int' });
    next.fields('penalty').push({ name: 'b', type: 'long' });
    expect(backwardProblems(next.schema, loadSchema('case')).map((p) => p.field)).toEqual(['penalty.b', 'a']);
  });

  it('names an enum that lost a symbol and has no default symbol', () => {
    const old = copyOf('report');
    delete (old.field('status').type as Obj).default;
    const next = copyOf('report');
    const status = next.field('status').type as Obj;
    status.symbols = (status.symbols as string[]).filter((s) => s !== 'REJECTED');
    delete status.default;
    const problems = backwardProblems(next.schema, old.schema);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ field: 'status', rule: 'ENUM_SYMBOLS_MISSING' });
    expect(problems[0]!.message).toContain('no longer has symbol REJECTED');
    expect(problems[0]!.message).toContain('readers of the new schema cannot read records written with the old one');
  });

  it('accepts a removed enum symbol when the enum keeps its default symbol (old symbols read as the default)', () => {
    const next = copyOf('approval');
    const status = next.field('status').type as Obj;
    status.symbols = (status.symbols as string[]).filter((s) => s !== 'WITHDRAWN');
    expect(backwardProblems(next.schema, loadSchema('approval'))).toEqual([]);
  });

  it('names a type change from string to int', () => {
    const next = copyOf('report');
    next.field('description').type = 'int';
    const problems = backwardProblems(next.schema, loadSchema('report'));
    expect(problems).toEqual([
      {
        field: 'description',
        rule: 'TYPE_CHANGED',
        message: 'field `description` changed type from string to int: readers of the new schema cannot read records written with the old one',
      },
    ]);
  });

  it('names a type change deep inside a union, an array and a nested record', () => {
    const next = copyOf('status-change');
    const attachment = ((next.field('attachments').type as Obj).items as Obj).fields as Obj[];
    attachment.find((f) => f.name === 'url')!.type = 'int';
    next.fields('result').find((f) => f.name === 'text')!.type = 'long';
    expect(backwardProblems(next.schema, loadSchema('status-change')).map((p) => p.field)).toEqual(['result.text', 'attachments[].url']);
  });

  it('names an optional field made required ([null, string] → string)', () => {
    const next = copyOf('subject');
    next.field('name').type = 'string';
    delete next.field('name').default;
    const [problem] = backwardProblems(next.schema, loadSchema('subject'));
    expect(problem).toMatchObject({ field: 'name', rule: 'TYPE_CHANGED' });
    expect(problem!.message).toContain('null values cannot be read as string');
  });

  it('allows promotions Avro defines (int → long, float → double, string ↔ bytes)', () => {
    const old = copyOf('approval');
    const next = copyOf('approval');
    next.field('statutoryLimitDays').type = ['null', 'long'];
    expect(backwardProblems(next.schema, old.schema)).toEqual([]);
    expect(backwardProblems(old.schema, next.schema).map((p) => p.field)).toEqual(['statutoryLimitDays']);
  });

  it('names a record renamed without an alias, and accepts it with one', () => {
    const next = copyOf('dispatch');
    (next.field('envelope').type as Obj).name = 'Envelope2';
    expect(backwardProblems(next.schema, loadSchema('dispatch'))[0]).toMatchObject({ field: 'envelope', rule: 'NAME_CHANGED' });
    (next.field('envelope').type as Obj).aliases = ['org.countyhub.v1.Envelope'];
    expect(backwardProblems(next.schema, loadSchema('dispatch'))).toEqual([]);
  });

  it('accepts adding an optional field with a default, and removing a field', () => {
    const next = copyOf('report');
    next.fields().push({ name: 'channelDetail', type: ['null', 'string'], default: null, doc: 'x' });
    next.fields('envelope').push({ name: 'townCode', type: ['null', 'string'], default: null, doc: 'x' });
    expect(backwardProblems(next.schema, loadSchema('report'))).toEqual([]);
    const smaller = copyOf('report');
    smaller.schema.fields = smaller.fields().filter((f) => f.name !== 'urgency');
    expect(backwardProblems(smaller.schema, loadSchema('report'))).toEqual([]);
  });

  it('accepts JSON text as registries return it', () => {
    expect(backwardProblems(JSON.stringify(loadSchema('subject')), JSON.stringify(loadSchema('subject')))).toEqual([]);
  });
});

describe('forwardProblems and compatibilityProblems', () => {
  it('names a removed required field as a FORWARD problem only', () => {
    const next = copyOf('report');
    next.schema.fields = next.fields().filter((f) => f.name !== 'description');
    expect(backwardProblems(next.schema, loadSchema('report'))).toEqual([]);
    const [problem] = forwardProblems(next.schema, loadSchema('report'));
    expect(problem).toMatchObject({ field: 'description', rule: 'FIELD_MISSING_DEFAULT' });
    expect(problem!.message).toContain('readers of the old schema cannot read records written with the new one');
  });

  it('checks the latest version only for BACKWARD and every version for BACKWARD_TRANSITIVE', () => {
    const v1 = copyOf('report');
    const v2 = copyOf('report');
    v2.fields().push({ name: 'extra', type: ['null', 'string'], default: null });
    const v3 = copyOf('report');
    v3.fields().push({ name: 'extra', type: 'string', default: 'x' });
    v3.field('description').type = ['null', 'string'];
    v3.field('description').default = null;
    // v4 makes `extra` required without a default and `description` required again: it cannot read v1 (no `extra`), v2 (`extra` may be null) or v3 (`description` may be null).
    const v4 = copyOf('report');
    v4.fields().push({ name: 'extra', type: 'string' });
    const registered = [
      { version: 1, schema: v1.schema },
      { version: 2, schema: v2.schema },
      { version: 3, schema: v3.schema },
    ];
    const latestOnly = compatibilityProblems('BACKWARD', v4.schema, registered);
    expect(latestOnly.map((p) => [p.field, p.againstVersion])).toEqual([
      ['description', 3],
    ]);
    const all = compatibilityProblems('BACKWARD_TRANSITIVE', v4.schema, registered);
    expect(all.map((p) => [p.field, p.againstVersion])).toEqual([
      ['extra', 1],
      ['extra', 2],
      ['description', 3],
    ]);
    expect(describeProblems(all)).toContain('(against version 1)');
    expect(compatibilityProblems('NONE', v4.schema, registered)).toEqual([]);
    expect(compatibilityProblems('BACKWARD', v4.schema, [])).toEqual([]);
  });
});

describe('registry response shapes', () => {
  it('reads the compatibility level from Apicurio and Confluent config bodies', () => {
    expect(compatibilityLevelOf({ compatibilityLevel: 'BACKWARD' })).toBe('BACKWARD'); // GET on both; PUT on Apicurio
    expect(compatibilityLevelOf({ compatibility: 'FULL_TRANSITIVE' })).toBe('FULL_TRANSITIVE'); // PUT on Confluent
    expect(compatibilityLevelOf({ compatibilityLevel: 'backward' })).toBe('BACKWARD');
    expect(compatibilityLevelOf({ message: "No artifact with ID 'x-value' in group 'null' was found.", error_code: 40401 })).toBeUndefined();
    expect(compatibilityLevelOf({ error_code: 40408, message: "Subject 'x-value' does not have subject-level compatibility configured" })).toBeUndefined();
    expect(compatibilityLevelOf(null)).toBeUndefined();
  });

  it("keeps the useful part of Apicurio's and Confluent's 409 messages", () => {
    // As @kafkajs/confluent-schema-registry words it: `${clientId} - ${body.message}`.
    expect(
      registryErrorDetail(
        ' - io.apicurio.registry.rules.RuleViolationException: Incompatible artifact: t.x.report-value [AVRO], num of incompatible diffs: {1}, list of diff types: [townCode at /fields/0/type/fields/10]',
      ),
    ).toBe('Incompatible artifact: t.x.report-value [AVRO], num of incompatible diffs: {1}, list of diff types: [townCode at /fields/0/type/fields/10]');
    const confluent =
      'Schema being registered is incompatible with an earlier schema for subject "t.x.report-value", details: [{errorType:\'READER_FIELD_MISSING_DEFAULT_VALUE\', description:\'The field \'townCode\' at path \'/fields/0/type/fields/10\' in the new schema has no default value and is missing in the old schema\', additionalInfo:\'townCode\'}]';
    expect(registryErrorDetail(` - ${confluent}`)).toBe(confluent);
    expect(registryErrorDetail(`countyhub - ${confluent}`)).toBe(confluent);
  });
});
