/**
 * A dead letter keeps everything a person needs to understand and fix a record that could not be
 * delivered: the original payload exactly as read, which connector, the reason in plain words,
 * the error code and the field. Replay sends the (fixed) payload through the mapping again.
 */
import { createHash } from 'node:crypto';
import type { Message } from '../../core/kafka/client.js';
import { CountyHubError } from '../../core/errors.js';

export interface DeadLetter {
  connector: string;
  sourceSystem: string;
  department: string;
  sourceRecordId: string | null;
  /** Stable error code (core/errors.ts). */
  code: string;
  reason: string;
  field: string | null;
  /** The original record as read from the source (text; binary sources store base64). */
  payload: string;
  /** What the mapping was given, as JSON: replay maps this again (after a fix to the mapping or the data). */
  mappingInput: string | null;
  failedAt: string;
  /**
   * Set when the record was too large to keep whole under the broker's message limit: `payload`
   * holds its beginning, `mappingInput` is null, and these identify the original.
   */
  truncated?: { originalBytes: number; sha256: string };
}

export function deadLetterFrom(
  err: unknown,
  meta: { connector: string; sourceSystem: string; department: string; sourceRecordId?: string; payload: string; mappingInput: unknown; at: number },
  maxBytes = DEAD_LETTER_MAX_BYTES,
): DeadLetter {
  const e = err instanceof CountyHubError ? err : undefined;
  const letter: DeadLetter = {
    connector: meta.connector,
    sourceSystem: meta.sourceSystem,
    department: meta.department,
    sourceRecordId: meta.sourceRecordId === undefined ? null : clip(meta.sourceRecordId, 1024),
    code: e?.code ?? 'CH_MAPPING',
    reason: clip(e?.message ?? `mapping failed unexpectedly: ${(err as Error)?.message ?? String(err)}`, 8 * 1024),
    field: e?.field === undefined ? null : clip(e.field, 1024),
    payload: meta.payload,
    mappingInput: safeJson(meta.mappingInput),
    failedAt: new Date(meta.at).toISOString(),
  };
  if (Buffer.byteLength(JSON.stringify(letter)) <= maxBytes) return letter;
  // Too large to keep whole: the beginning of the original (it is the same record as the mapping
  // input), its size and hash. JSON escaping can grow text up to 6×, hence the margin.
  const room = Math.max(1024, Math.floor((maxBytes - Buffer.byteLength(JSON.stringify({ ...letter, payload: '', mappingInput: null }))) / 6) - 200);
  const original = Buffer.from(meta.payload);
  const head = utf8Prefix(meta.payload, room);
  return {
    ...letter,
    payload: `${head}…[truncated: ${original.length} bytes in all, sha256 ${createHash('sha256').update(original).digest('hex')}]`,
    mappingInput: null,
    truncated: { originalBytes: original.length, sha256: createHash('sha256').update(original).digest('hex') },
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

/** A dead letter must itself fit in a Kafka message (the broker's default limit is 1 MiB). */
export const DEAD_LETTER_MAX_BYTES = 512 * 1024;

/** The longest prefix of `text` that is at most `bytes` bytes of UTF-8, never cutting a character in two. */
export function utf8Prefix(text: string, bytes: number): string {
  const buf = Buffer.from(text);
  if (buf.length <= bytes) return text;
  let end = bytes;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end -= 1; // back to the start of a character
  return buf.subarray(0, end).toString();
}

function clip(text: string, bytes: number): string {
  return Buffer.byteLength(text) <= bytes ? text : `${utf8Prefix(text, bytes)}…`;
}
