import { findAdapter } from '../connectors/adapters/index.js';
import type { ConnectorManifest } from '../connectors/sdk/types.js';
import type { HttpPollSettings } from '../connectors/sources/http-poll.js';

/** The 12345 adapter pointed at a simulator, without rate limit, with a given page size. */
export function hotlineAdapter(url: string, pageSize: number) {
  const a = findAdapter('hotline-12345');
  const m = a.manifest as ConnectorManifest<HttpPollSettings>;
  const manifest: ConnectorManifest<HttpPollSettings> = {
    ...m,
    source: { ...m.source, url, rateLimitPerSecond: undefined, pagination: { ...m.source.pagination, size: pageSize } },
  };
  return { manifest, mapping: a.mapping };
}
