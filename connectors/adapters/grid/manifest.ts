import type { ConnectorManifest } from '../../sdk/types.js';
import type { BBox } from '../../sdk/normalise/index.js';
import type { HttpAuth } from '../../sources/http-poll.js';

/**
 * Cursor-token paging for http-poll (not yet supported by connectors/sources/http-poll.ts: the lead adds
 * it). The platform hands out an opaque token for the position after each page; the token is the
 * whole incremental state, there is no update-time filter.
 */
export interface CursorPagination {
  style: 'cursor';
  /** Query parameter carrying the token (absent on the very first request). */
  cursorParam: string;
  /** Query parameter carrying the page size. */
  limitParam: string;
  size: number;
  /** Dotted path of the token for the next request; null there means "nothing new, keep your cursor". */
  nextCursorPath: string;
  /** Dotted path of a boolean "more ready now"; without it, a full page means more. */
  hasMorePath?: string;
}

export interface CursorPollSettings {
  kind: 'http-poll';
  url: string;
  auth: HttpAuth;
  pagination: CursorPagination;
  /** Field holding the record's id in the source (pages may repeat a row: dedupe by id + content). */
  idField: string;
  /** Dotted path of the record array in the response body. */
  recordsPath: string;
  bodyStatus?: { path: string; ok: Array<string | number>; messagePath?: string };
  extraParams?: Record<string, string>;
  timeoutMs?: number;
  rateLimitPerSecond?: number;
}

/** The county's bounding box (WGS-84) used to detect swapped coordinates: the demo county's. */
export const COUNTY_BBOX: BBox = [106.5, 39.2, 109.0, 40.9];

/** 县网格化服务管理信息系统: grid workers' event reports, read from the platform's change feed with a cursor token. */
export const manifest: ConnectorManifest<CursorPollSettings> = {
  id: 'grid',
  department: 'grid',
  title: '网格事件',
  sourceSystem: 'grid',
  emits: ['report'],
  pollIntervalMs: 2000,
  source: {
    kind: 'http-poll',
    url: 'http://127.0.0.1:8802/api/grid/v1/events',
    auth: { type: 'none' },
    pagination: { style: 'cursor', cursorParam: 'cursor', limitParam: 'limit', size: 200, nextCursorPath: 'data.nextCursor', hasMorePath: 'data.hasMore' },
    idField: 'eventId',
    recordsPath: 'data.records',
    bodyStatus: { path: 'code', ok: [0], messagePath: 'msg' },
    timeoutMs: 10_000,
    rateLimitPerSecond: 20,
  },
};
