/** The generic source kinds, chosen by `source.kind` in an adapter's manifest. */
import { ConfigError } from '../sdk/errors.js';
import type { Source } from '../sdk/types.js';
import { HttpPollSource, type HttpPollSettings } from './http-poll.js';

export type SourceSettings = HttpPollSettings;

export function createSource(s: SourceSettings): Source {
  switch (s.kind) {
    case 'http-poll':
      return new HttpPollSource(s) as Source;
    default:
      throw new ConfigError('source.kind', `unknown source kind "${(s as { kind: string }).kind}"; known: http-poll`);
  }
}
