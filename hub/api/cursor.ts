/** Opaque keyset cursors for list endpoints: base64url of [sort value, id]. */
export class BadCursorError extends Error {
  readonly statusCode = 400;
  constructor() {
    super('cursor is not valid: pass back exactly the nextCursor of the previous page');
  }
}

export function encodeCursor(sortValue: string, id: string): string {
  return Buffer.from(JSON.stringify([sortValue, id])).toString('base64url');
}

export function decodeCursor(cursor: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && /^\d+$/.test(String(v[1])) && !Number.isNaN(Date.parse(v[0]))) {
      return [v[0], String(v[1])];
    }
  } catch {
    // fall through
  }
  throw new BadCursorError();
}

/** The paging parameters every list route accepts (JSON schema properties of its querystring). */
export const PAGE_PROPERTIES = {
  limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  cursor: { type: 'string', maxLength: 200 },
} as const;
