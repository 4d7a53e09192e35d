/**
 * One error base for the whole project. Every error says whether retrying can help
 * (`retriable`), carries a stable `code` from the catalogue below and a message meant
 * for the person who has to act on it. Retry helpers consult `retriable`; dead-letter
 * writers record `code`, `message` and `field`.
 */
export const ERROR_CODES = {
  CH_VALIDATION: 'A record field failed validation (dead-lettered, not retried).',
  CH_MAPPING: 'A source record could not be mapped to a canonical record (dead-lettered).',
  CH_UPSTREAM_UNAVAILABLE: 'The department platform did not answer or answered with a server error (retried).',
  CH_UPSTREAM_REJECTED: 'The department platform refused the request: check credentials or settings (not retried).',
  CH_CONFIG: 'The configuration is invalid: fix the named setting and restart.',
  CH_SCHEMA: 'A schema is incompatible with the registered one, or a record does not fit its schema.',
  CH_STACK: 'A required server (Kafka, registry, PostgreSQL) could not be started or reached.',
  CH_FENCED: 'Another worker took over this connector; this one stops.',
  CH_STATE: 'The operation does not fit the current state (e.g. a cursor reset on a connector that runs): do the named step first.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class CountyHubError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  /** Dotted path of the offending field, when the error is about one field. */
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, opts: { retriable?: boolean; field?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = opts.retriable ?? false;
    this.field = opts.field;
  }
}

/** A value in a source record is wrong. Never retriable: the same input fails the same way. */
export class ValidationError extends CountyHubError {
  constructor(field: string, message: string, cause?: unknown) {
    super('CH_VALIDATION', message, { field, cause });
  }
}

/** The mapping could not make sense of a source record (shape, missing keys). */
export class MappingError extends CountyHubError {
  constructor(message: string, field?: string, cause?: unknown) {
    super('CH_MAPPING', message, { field, cause });
  }
}

/** The upstream platform failed in a way that may pass (5xx, timeout, "系统繁忙"). */
export class UpstreamUnavailableError extends CountyHubError {
  constructor(message: string, cause?: unknown) {
    super('CH_UPSTREAM_UNAVAILABLE', message, { retriable: true, cause });
  }
}

/** The upstream platform refused us (4xx, bad signature): retrying will not help. */
export class UpstreamRejectedError extends CountyHubError {
  constructor(message: string, cause?: unknown) {
    super('CH_UPSTREAM_REJECTED', message, { cause });
  }
}

export class ConfigError extends CountyHubError {
  constructor(field: string, message: string) {
    super('CH_CONFIG', `${field}: ${message}`, { field });
  }
}

export class SchemaError extends CountyHubError {
  constructor(message: string, field?: string, cause?: unknown) {
    super('CH_SCHEMA', message, { field, cause });
  }
}

export class StackError extends CountyHubError {
  constructor(message: string, cause?: unknown) {
    super('CH_STACK', message, { cause });
  }
}

export function isRetriable(err: unknown): boolean {
  if (err instanceof CountyHubError) return err.retriable;
  // kafkajs errors carry their own flag
  if (err && typeof err === 'object' && 'retriable' in err) return Boolean((err as { retriable: unknown }).retriable);
  // network-level failures from fetch/undici
  if (err instanceof TypeError && /fetch failed/i.test(err.message)) return true;
  return false;
}
