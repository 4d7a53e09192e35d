/**
 * Registering the canonical schemas and encoding/decoding records through the schema registry
 * (Confluent wire format: magic byte, 4-byte schema id, Avro body). Compatibility is set per
 * subject by the project, BACKWARD by default, before the first version is registered.
 */
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { SchemaError } from '../connectors/sdk/errors.js';
import { loadSchema, subjectFor, type RecordKind, type Topics } from './index.js';

export type Compatibility = 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE';

export class SchemaCodec {
  readonly registry: SchemaRegistry;
  private readonly ids = new Map<RecordKind, number>();

  constructor(
    readonly registryUrl: string,
    private readonly topicNames: Topics,
    private readonly compatibility: Compatibility = 'BACKWARD',
  ) {
    this.registry = new SchemaRegistry({ host: registryUrl });
  }

  /** Registers (idempotently) the schema of `kind` under its topic's subject and returns its id. */
  async ensureRegistered(kind: RecordKind, schema: object = loadSchema(kind)): Promise<number> {
    const known = this.ids.get(kind);
    if (known !== undefined && schema === loadSchema(kind)) return known;
    const subject = subjectFor(this.topicNames.records(kind));
    await this.setCompatibility(subject);
    try {
      const { id } = await this.registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject, compatibility: COMPATIBILITY[this.compatibility], updateConfig: false });
      if (schema === loadSchema(kind)) this.ids.set(kind, id);
      return id;
    } catch (err) {
      const status = (err as { status?: number }).status;
      const detail = (err as Error).message;
      throw new SchemaError(
        status === 409
          ? `schema for ${kind} is not ${this.compatibility}-compatible with the version registered under ${subject}: ${detail}`
          : `could not register the ${kind} schema under ${subject}: ${detail}`,
        undefined,
        err,
      );
    }
  }

  private async setCompatibility(subject: string): Promise<void> {
    const res = await fetch(`${this.registryUrl}/config/${encodeURIComponent(subject)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ compatibility: this.compatibility }),
    });
    if (!res.ok) throw new SchemaError(`could not set ${this.compatibility} compatibility on ${subject}: HTTP ${res.status} ${await res.text()}`);
  }

  /** Avro-encodes with the registered schema; a value that does not fit names the failing fields. */
  async encode(kind: RecordKind, value: unknown): Promise<Buffer> {
    const id = this.ids.get(kind) ?? (await this.ensureRegistered(kind));
    try {
      return await this.registry.encode(id, value);
    } catch (err) {
      const paths = ((err as { paths?: string[][] }).paths ?? []).map((p) => p.join('.'));
      throw new SchemaError(`record does not fit the ${kind} schema${paths.length ? ` at ${paths.join(', ')}` : ''}`, paths[0], err);
    }
  }

  /** Decodes any record in the wire format, fetching its schema from the registry by id. */
  async decode<T = unknown>(buf: Buffer): Promise<T> {
    return (await this.registry.decode(buf)) as T;
  }
}
