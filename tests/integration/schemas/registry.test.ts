/**
 * The canonical schemas against the real schema registry of the test stack (Apicurio 3 through its
 * Confluent-compatible API locally; Confluent's own works the same way). Each test uses subjects of
 * its own (a fresh topic prefix), so runs and tests never see one another's versions.
 */
import { describe, expect, it } from 'vitest';
import { SchemaError } from '../../../core/errors.js';
import { compatibilityLevelOf } from '../../../schemas/compatibility.js';
import { RECORD_KINDS, loadSchema, subjectFor, type RecordKind } from '../../../schemas/index.js';
import { SchemaCodec } from '../../../schemas/registry.js';
import { codecFor, testContext, type TestContext } from '../../support/context.js';

type Obj = { [k: string]: unknown };

const JSON_HEADERS = { 'content-type': 'application/vnd.schemaregistry.v1+json' };

function subject(ctx: TestContext, kind: RecordKind): string {
  return subjectFor(ctx.topics.records(kind));
}

async function getJson(ctx: TestContext, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${ctx.stack.schemaRegistryUrl}${path}`);
  return { status: res.status, body: await res.json() };
}

async function versionsOf(ctx: TestContext, kind: RecordKind): Promise<number[]> {
  const { status, body } = await getJson(ctx, `/subjects/${encodeURIComponent(subject(ctx, kind))}/versions`);
  expect(status).toBe(200);
  return body as number[];
}

function reportCopy(): { schema: Obj; fields: (record?: 'envelope') => Obj[] } {
  const schema = structuredClone(loadSchema('report')) as Obj;
  const fields = (record?: 'envelope'): Obj[] => {
    const top = schema.fields as Obj[];
    return record ? ((top.find((f) => f.name === record)!.type as Obj).fields as Obj[]) : top;
  };
  return { schema, fields };
}

async function rejection(promise: Promise<unknown>): Promise<SchemaError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(SchemaError);
    return err as SchemaError;
  }
  throw new Error('expected the registry to refuse the schema');
}

describe('canonical schemas in the registry', () => {
  it('registers every record kind, with BACKWARD compatibility set on each subject', async () => {
    const ctx = testContext('schemas');
    const codec = codecFor(ctx);
    const ids = new Map<RecordKind, number>();
    for (const kind of RECORD_KINDS) ids.set(kind, await codec.ensureRegistered(kind));
    expect(new Set(ids.values()).size).toBe(RECORD_KINDS.length);

    for (const kind of RECORD_KINDS) {
      // Apicurio and Confluent both answer GET /config/{subject} with {"compatibilityLevel": …}.
      const config = await getJson(ctx, `/config/${encodeURIComponent(subject(ctx, kind))}`);
      expect(config.status).toBe(200);
      expect(compatibilityLevelOf(config.body)).toBe('BACKWARD');

      const latest = await getJson(ctx, `/subjects/${encodeURIComponent(subject(ctx, kind))}/versions/latest`);
      const body = latest.body as { id: number; version: number; schema: string };
      expect(body.id).toBe(ids.get(kind));
      expect(body.version).toBe(1);
      expect(JSON.parse(body.schema)).toMatchObject({ name: (loadSchema(kind) as Obj).name, namespace: 'org.countyhub.v1' });
    }
  });

  it('re-registering the same schema is idempotent: same id, no new version', async () => {
    const ctx = testContext('schemas');
    const first = await codecFor(ctx).ensureRegistered('case');
    // A fresh codec has no cache, so this really asks the registry again.
    const again = await new SchemaCodec(ctx.stack.schemaRegistryUrl, ctx.topics).ensureRegistered('case');
    expect(again).toBe(first);
    expect(await codecFor(ctx).ensureRegistered('case', structuredClone(loadSchema('case')))).toBe(first);
    expect(await versionsOf(ctx, 'case')).toEqual([1]);
  });

  it('refuses a required field added without a default, naming the field in the error', async () => {
    const ctx = testContext('schemas');
    const codec = codecFor(ctx);
    await codec.ensureRegistered('report');
    const next = reportCopy();
    next.fields('envelope').push({ name: 'townCode', type: 'string', doc: '9-digit town code.' });

    const err = await rejection(codec.ensureRegistered('report', next.schema));
    expect(err.code).toBe('CH_SCHEMA');
    expect(err.field).toBe('envelope.townCode');
    expect(err.message).toContain(`schema for report is not BACKWARD-compatible with what is registered under ${subject(ctx, 'report')}`);
    expect(err.message).toContain('field `envelope.townCode` (string) was added without a default: readers of the new schema cannot read records written with the old one');
    expect(err.message).toMatch(/Registry: .*(townCode|incompatible)/i);
    expect(await versionsOf(ctx, 'report')).toEqual([1]);
  });

  it('refuses a type change (string → int), naming the field', async () => {
    const ctx = testContext('schemas');
    const codec = codecFor(ctx);
    await codec.ensureRegistered('report');
    const next = reportCopy();
    next.fields().find((f) => f.name === 'description')!.type = 'int';

    const err = await rejection(codec.ensureRegistered('report', next.schema));
    expect(err.field).toBe('description');
    expect(err.message).toContain('field `description` changed type from string to int');
  });

  it('registers a compatible change (an optional field with a default) as a new version', async () => {
    const ctx = testContext('schemas');
    const codec = codecFor(ctx);
    const v1 = await codec.ensureRegistered('report');
    const next = reportCopy();
    next.fields('envelope').push({ name: 'townCode', type: ['null', 'string'], default: null, doc: '9-digit town code.' });
    next.fields().push({ name: 'channelDetail', type: ['null', 'string'], default: null, doc: 'Sub-channel, e.g. 微信小程序.' });

    const v2 = await codec.ensureRegistered('report', next.schema);
    expect(v2).not.toBe(v1);
    expect(await versionsOf(ctx, 'report')).toEqual([1, 2]);
  });

  it('answers in the shapes the codec reads (GET /config before and after, incompatible POST)', async () => {
    const ctx = testContext('schemas');
    const subj = subject(ctx, 'dispatch');
    const enc = encodeURIComponent(subj);

    // No subject-level config yet: 404 (Apicurio: error_code 40401; Confluent: 40401 or 40408).
    const before = await getJson(ctx, `/config/${enc}`);
    expect(before.status).toBe(404);
    expect(compatibilityLevelOf(before.body)).toBeUndefined();

    await codecFor(ctx).ensureRegistered('dispatch');
    expect(compatibilityLevelOf((await getJson(ctx, `/config/${enc}`)).body)).toBe('BACKWARD');

    const broken = structuredClone(loadSchema('dispatch')) as Obj;
    (broken.fields as Obj[]).push({ name: 'mandatory', type: 'string' });
    const res = await fetch(`${ctx.stack.schemaRegistryUrl}/subjects/${enc}/versions`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ schema: JSON.stringify(broken) }) });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error_code: number; message: string };
    expect(body.error_code).toBe(409);
    // Apicurio: "…RuleViolationException: Incompatible artifact: <subject> [AVRO], … [mandatory at /fields/25]";
    // Confluent: "Schema being registered is incompatible with an earlier schema for subject …".
    expect(body.message).toMatch(/incompatible/i);
  });
});
