/**
 * The live feed: one EventSource per signed-in tab on /api/v1/stream (already cut to the caller's
 * jurisdiction by the hub). A browser EventSource cannot send headers, so the short-lived token
 * goes in the query; when it expires the stream is reopened with a fresh one from the last event.
 */
import { token } from './api.js';

export interface FeedEvent {
  id: string;
  matterId: string;
  type: string;
  at: string;
  divisionCode: string | null;
  matterStatus: string;
  detail: unknown;
  receivedAt: number;
}

/** Every type the hub writes to a matter's timeline (an SSE listener per named event). */
export const FEED_TYPES = ['created', 'report_linked', 'dispatched', 'redispatched', 'status_changed', 'closed', 'reopened', 'merged', 'merged_into', 'split', 'review', 'sla_breached', 'escalated', 'result_sent', 'result_delivered', 'verification_dispatched', 'result_withdrawn'];
const events: FeedEvent[] = [];
const listeners = new Set<(e: FeedEvent) => void>();
let source: EventSource | null = null;
let lastId: string | null = null;
let stopped = true;

export function feedEvents(): readonly FeedEvent[] {
  return events;
}

export function onFeed(fn: (e: FeedEvent) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export async function startFeed(): Promise<void> {
  stopped = false;
  if (source) return;
  const t = await token();
  const url = `/api/v1/stream?access_token=${encodeURIComponent(t)}${lastId ? `&lastEventId=${encodeURIComponent(lastId)}` : ''}`;
  const es = new EventSource(url);
  source = es;
  es.onmessage = () => undefined;
  const handle = (m: MessageEvent<string>) => {
    const e = { ...(JSON.parse(m.data) as Omit<FeedEvent, 'receivedAt'>), receivedAt: Date.now() };
    lastId = e.id;
    events.unshift(e);
    if (events.length > 200) events.length = 200;
    for (const l of listeners) l(e);
  };
  for (const type of FEED_TYPES) es.addEventListener(type, handle as EventListener);
  es.onerror = () => {
    // closed for good (e.g. the token expired): reopen with a fresh token from the last event seen
    if (es.readyState === EventSource.CLOSED) {
      source = null;
      if (!stopped) setTimeout(() => void startFeed(), 2000);
    }
  };
}

export function stopFeed(): void {
  stopped = true;
  source?.close();
  source = null;
  events.length = 0;
  lastId = null;
}
