/**
 * A dead letter keeps everything a person needs to understand and fix a record that could not be
 * delivered: the original payload exactly as read, which connector, the reason in plain words,
 * the error code and the field. Replay sends the (fixed) payload through the mapping again.
 */
import type { Message } from 'kafkajs';
import { CountyHubError } from '../sdk/errors.js';

export interface DeadLetter {
  connector: string;
  sourceSystem: string;
  department: string;
  sourceRecordId: string | null;
  /** Stable error code (connectors/sdk/errors.ts). */
  code: string;
  reason: string;
  field: string | null;
  /** The original record as read from the source (text; binary sources store base64). */
  payload: string;
  /** What the mapping was given, as JSON: replay maps this again (after a fix to the mapping or the data). */
  mappingInput: string | null;
  failedAt: string;
}

export function deadLetterFrom(
  err: unknown,
  meta: { connector: string; sourceSystem: string; department: string; sourceRecordId?: string; payload: string; mappingInput: unknown; at: number },
): DeadLetter {
  const e = err instanceof CountyHubError ? err : undefined;
  return {
    connector: meta.connector,
    sourceSystem: meta.sourceSystem,
    department: meta.department,
    sourceRecordId: meta.sourceRecordId ?? null,
    code: e?.code ?? 'CH_MAPPING',
    reason: e?.message ?? `mapping failed unexpectedly: ${(err as Error)?.message ?? String(err)}`,
    field: e?.field ?? null,
    payload: capped(meta.payload),
    mappingInput: capped(safeJson(meta.mappingInput)),
    failedAt: new Date(meta.at).toISOString(),
  };
}

export function deadLetterMessage(d: DeadLetter): Message {
  return {
    key: `${d.connector}:${d.sourceRecordId ?? ''}`,
    value: JSON.stringify(d),
    headers: { 'countyhub-connector': d.connector, 'countyhub-error-code': d.code },
  };
}

function safeJson(v: unknown): string | null {
  try {
    return JSON.stringify(v) ?? null;
  } catch {
    return null;
  }
}

/** A dead letter must itself fit in Kafka: an oversized record keeps its first 256 KiB and says so. */
const MAX_STORED_CHARS = 256 * 1024;

function capped<T extends string | null>(text: T): T {
  if (text === null || text.length <= MAX_STORED_CHARS) return text;
  return `${text.slice(0, MAX_STORED_CHARS)}…[truncated: ${text.length} characters in all]` as T;
}
