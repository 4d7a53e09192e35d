/**
 * Registering the canonical schemas and encoding/decoding records through the schema registry
 * (Confluent wire format: magic byte, 4-byte schema id, Avro body). Compatibility is set per
 * subject by the project, BACKWARD by default, before the first version is registered.
 */
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { CountyHubError, SchemaError } from '../core/errors.js';
import { registryAuthorization } from '../core/cluster-access.js';
import { compatibilityProblems, describeProblems, registryErrorDetail, type RegisteredVersion } from './compatibility.js';
import { loadSchema, subjectFor, type RecordKind, type Topics } from './index.js';

/**
 * The schema a record names could not be fetched: the registry is unreachable, answers a server
 * error, or does not know the id (yet — a registry restarting may still be restoring its storage).
 * Nothing is wrong with the record: wait and decode it again.
 */
export class SchemaUnavailableError extends CountyHubError {
  constructor(
    readonly schemaId: number,
    /** The registry's HTTP status, when it answered. */
    readonly status: number | undefined,
    message: string,
    cause?: unknown,
  ) {
    super('CH_STACK', message, { retriable: true, cause });
  }
}

/** The bytes are not a record in the wire format, or not Avro of the schema they name: dead-letter it. */
export class UndecodableRecordError extends SchemaError {}

const ACCEPT = 'application/vnd.schemaregistry.v1+json, application/json';

/** What the codec uses of an avsc type (the registry client builds them; avsc has no types of its own here). */
interface AvroType {
  encode(value: unknown, buf: Buffer, pos: number): number;
  isValid(value: unknown, opts: { errorHook: (path: string[]) => void }): boolean;
}

/**
 * Headers for a request of ours to the registry: its credentials (SCHEMA_REGISTRY_USERNAME and
 * _PASSWORD, or _TOKEN) when it wants them, and `extra`.
 */
export function registryHeaders(extra: Record<string, string> = {}, authorization = registryAuthorization()): Record<string, string> {
  return authorization ? { ...extra, authorization } : extra;
}

/** The registry client, sending the same credentials on every request. */
export function registryClient(host: string, authorization = registryAuthorization()): SchemaRegistry {
  if (!authorization) return new SchemaRegistry({ host });
  return new SchemaRegistry({ host, middlewares: [() => ({ request: (req) => req.enhance({ headers: { authorization } }) })] });
}

export type Compatibility = 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE';

export class SchemaCodec {
  readonly registry: SchemaRegistry;
  private readonly ids = new Map<RecordKind, number>();
  /** Registrations under way: records encoded at once must not race to set a subject's rule (the registry answers 409). */
  private readonly registering = new Map<RecordKind, Promise<number>>();
  private readonly authorization = registryAuthorization();

  constructor(
    readonly registryUrl: string,
    private readonly topicNames: Topics,
    private readonly compatibility: Compatibility = 'BACKWARD',
  ) {
    this.registry = registryClient(registryUrl, this.authorization);
  }

  /** Registers (idempotently) the schema of `kind` under its topic's subject and returns its id. */
  async ensureRegistered(kind: RecordKind, schema: object = loadSchema(kind)): Promise<number> {
    const known = this.ids.get(kind);
    if (known !== undefined && schema === loadSchema(kind)) return known;
    if (schema !== loadSchema(kind)) return this.register(kind, schema);
    const under = this.registering.get(kind);
    if (under) return under;
    const p = this.register(kind, schema).finally(() => this.registering.delete(kind));
    this.registering.set(kind, p);
    return p;
  }

  private async register(kind: RecordKind, schema: object): Promise<number> {
    const subject = subjectFor(this.topicNames.records(kind));
    await this.setCompatibility(subject);
    try {
      const { id } = await this.registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject, compatibility: COMPATIBILITY[this.compatibility], updateConfig: false });
      if (schema === loadSchema(kind)) this.ids.set(kind, id);
      return id;
    } catch (err) {
      const status = (err as { status?: number }).status;
      const detail = registryErrorDetail((err as Error).message);
      if (status === 409) throw await this.incompatibilityError(kind, subject, schema, detail, err);
      throw new SchemaError(`could not register the ${kind} schema under ${subject}: ${detail}`, undefined, err);
    }
  }

  /**
   * The registry refused a schema as incompatible (409; its own message says little: Apicurio lists
   * JSON pointers, Confluent names rule types). Fetch what is registered, check locally which fields
   * broke what (schemas/compatibility.ts), and say so; the registry's words are kept at the end.
   */
  private async incompatibilityError(kind: RecordKind, subject: string, schema: object, detail: string, cause: unknown): Promise<SchemaError> {
    const head = `schema for ${kind} is not ${this.compatibility}-compatible with what is registered under ${subject}`;
    let registered: RegisteredVersion[];
    try {
      registered = await this.registeredVersions(subject, this.compatibility.endsWith('_TRANSITIVE'));
    } catch (lookup) {
      return new SchemaError(`${head}: ${detail} (the registered schema could not be fetched to name the field: ${(lookup as Error).message})`, undefined, cause);
    }
    const problems = compatibilityProblems(this.compatibility, schema, registered);
    if (problems.length === 0) {
      return new SchemaError(`${head}: ${detail} (the local check finds no incompatible field against version ${registered.map((r) => r.version).join(', ')})`, undefined, cause);
    }
    return new SchemaError(`${head}: ${describeProblems(problems)}. Registry: ${detail}`, problems[0]!.field, cause);
  }

  /** The latest registered version, or every version (oldest first) for transitive levels. */
  private async registeredVersions(subject: string, all: boolean): Promise<RegisteredVersion[]> {
    const base = `${this.registryUrl}/subjects/${encodeURIComponent(subject)}/versions`;
    const get = async (url: string): Promise<unknown> => {
      const res = await fetch(url, { headers: registryHeaders({ accept: ACCEPT }, this.authorization) });
      if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
      return res.json();
    };
    const versions = all ? ((await get(base)) as number[]) : ['latest'];
    const out: RegisteredVersion[] = [];
    for (const v of versions) {
      const body = (await get(`${base}/${v}`)) as { version?: number; schema?: string };
      if (typeof body.schema !== 'string') throw new Error(`GET ${base}/${v}: no schema in the answer`);
      out.push({ version: body.version, schema: body.schema });
    }
    return out;
  }

  private async setCompatibility(subject: string): Promise<void> {
    const put = () =>
      fetch(`${this.registryUrl}/config/${encodeURIComponent(subject)}`, {
        method: 'PUT',
        headers: registryHeaders({ 'content-type': 'application/vnd.schemaregistry.v1+json' }, this.authorization),
        body: JSON.stringify({ compatibility: this.compatibility }),
      });
    // Apicurio answers 409 "rule already exists" when another client (a second worker starting at the
    // same moment) created the rule meanwhile: the rule that is there now is what counts
    let res = await put();
    for (let attempt = 1; res.status === 409 && attempt < 5; attempt++) {
      if ((await this.currentCompatibility(subject)) === this.compatibility) return;
      await new Promise((r) => setTimeout(r, 100 * attempt));
      res = await put();
    }
    if (res.status === 409 && (await this.currentCompatibility(subject)) === this.compatibility) return;
    if (!res.ok) throw new SchemaError(`could not set ${this.compatibility} compatibility on ${subject}: HTTP ${res.status} ${await res.text()}`);
  }

  /** The compatibility level set on the subject, if any (undefined when unset or not readable). */
  private async currentCompatibility(subject: string): Promise<string | undefined> {
    const res = await fetch(`${this.registryUrl}/config/${encodeURIComponent(subject)}`, { headers: registryHeaders({ accept: ACCEPT }, this.authorization) });
    if (!res.ok) return undefined;
    const body = (await res.json().catch(() => ({}))) as { compatibilityLevel?: string; compatibility?: string };
    return body.compatibilityLevel ?? body.compatibility;
  }

  /** Avro-encodes with the registered schema; a value that does not fit names the failing fields. */
  async encode(kind: RecordKind, value: unknown): Promise<Buffer> {
    const writer = this.writers.get(kind) ?? (await this.writerFor(kind));
    return writer(value);
  }

  /**
   * Per kind, the registered schema's compiled type writing into one scratch buffer that already
   * holds the wire header (magic byte, schema id): a connector encodes every record of a page with
   * the same few schemas, so neither the schema lookup nor the header is paid per record, and each
   * record costs one exact-size copy out of the scratch buffer.
   */
  private readonly writers = new Map<RecordKind, (value: unknown) => Buffer>();

  private async writerFor(kind: RecordKind): Promise<(value: unknown) => Buffer> {
    const id = this.ids.get(kind) ?? (await this.ensureRegistered(kind));
    const type = (await this.registry.getSchema(id)) as unknown as AvroType;
    let scratch = Buffer.alloc(64 * 1024);
    const header = (buf: Buffer) => {
      buf.writeUInt8(0, 0);
      buf.writeInt32BE(id, 1);
    };
    header(scratch);
    const writer = (value: unknown): Buffer => {
      let end: number;
      try {
        end = type.encode(value, scratch, 5);
        if (end < 0) {
          // avsc answers how many bytes were missing
          scratch = Buffer.alloc(Math.max(2 * scratch.length, scratch.length - end));
          header(scratch);
          end = type.encode(value, scratch, 5);
        }
      } catch (err) {
        const paths: string[] = [];
        type.isValid(value, { errorHook: (path) => paths.push(path.join('.')) });
        throw new SchemaError(`record does not fit the ${kind} schema${paths.length ? ` at ${paths.join(', ')}` : ''}`, paths[0], err);
      }
      const out = Buffer.allocUnsafe(end);
      scratch.copy(out, 0, 0, end);
      return out;
    };
    // only the project's own schema is registered under ensureRegistered's id: keep its writer
    if (this.ids.get(kind) === id) this.writers.set(kind, writer);
    return writer;
  }

  /**
   * Decodes any record in the wire format, fetching its schema from the registry by id (kept in
   * memory once fetched). Throws SchemaUnavailableError when the schema cannot be had now — a
   * reason to wait — and UndecodableRecordError when the bytes themselves are wrong.
   */
  async decode<T = unknown>(buf: Buffer): Promise<T> {
    if (buf.length < 5 || buf[0] !== 0) {
      throw new UndecodableRecordError(buf.length < 5 ? `a message of ${buf.length} bytes is too short for the wire format (magic byte and schema id)` : `a message with magic byte ${buf[0]} is not in the registry's wire format (expected 0)`);
    }
    const id = buf.readInt32BE(1);
    try {
      await this.registry.getSchema(id);
    } catch (err) {
      throw this.unavailable(id, err);
    }
    try {
      return (await this.registry.decode(buf)) as T;
    } catch (err) {
      throw new UndecodableRecordError(`the record does not decode with schema ${id}: ${(err as Error).message}`, undefined, err);
    }
  }

  private unavailable(id: number, err: unknown): SchemaUnavailableError {
    const status = (err as { status?: unknown }).status;
    // the HTTP client reports a network failure as status 400 with the socket error in its message
    const network = /ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ENOTFOUND|socket hang up|fetch failed/i.test((err as Error).message);
    const code = typeof status === 'number' && status >= 100 && !network ? status : undefined;
    const why =
      code === 404
        ? `the registry does not know schema id ${id} (it may still be restoring its storage after a restart)`
        : code !== undefined
          ? `the registry answered HTTP ${code} for schema id ${id}`
          : `the registry could not be reached for schema id ${id}`;
    return new SchemaUnavailableError(id, code, `${why} (${this.registryUrl}): ${(err as Error).message}`, err);
  }
}
