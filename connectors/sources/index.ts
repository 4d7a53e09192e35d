/** The generic source kinds, chosen by `source.kind` (and, for HTTP, the pagination style) in an adapter's manifest. */
import { ConfigError } from '../../core/errors.js';
import type { Source } from '../sdk/types.js';
import { HttpCursorSource, type CursorPollSettings } from './http-cursor.js';
import { HttpPollSource, type HttpPollSettings } from './http-poll.js';
import { FileDropSource, type FileDropSettings } from './file-drop.js';
import { SqlPollSource, type SqlPollSettings } from './sql-poll.js';
import { WebhookSource, type WebhookSettings } from './webhook.js';

export type SourceSettings = HttpPollSettings | CursorPollSettings | WebhookSettings | SqlPollSettings | FileDropSettings;

export function createSource(s: SourceSettings): Source {
  switch (s.kind) {
    case 'http-poll':
      return s.pagination.style === 'cursor' || s.pagination.style === 'next-link' ? (new HttpCursorSource(s as CursorPollSettings) as Source) : (new HttpPollSource(s as HttpPollSettings) as Source);
    case 'webhook':
      return new WebhookSource(s) as Source;
    case 'sql-poll':
      return new SqlPollSource(s) as Source;
    case 'file-drop':
      return new FileDropSource(s) as Source;
    default:
      throw new ConfigError('source.kind', `unknown source kind "${(s as { kind: string }).kind}"; known: http-poll, sql-poll, file-drop, webhook`);
  }
}
