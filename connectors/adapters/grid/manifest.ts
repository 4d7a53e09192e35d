import type { ConnectorManifest } from '../../sdk/types.js';
import { countyProfile } from '../../../core/county-profile.js';
import type { BBox } from '../../../core/normalise/index.js';
import type { CursorPollSettings } from '../../sources/http-cursor.js';

/** The county's bounding box (WGS-84) used to detect swapped coordinates: its profile's (COUNTY_PROFILE). */
export const COUNTY_BBOX: BBox = countyProfile().bbox;

/** 县网格化服务管理信息系统: grid workers' event reports and their verifications (核查) of the center's closures, read from the platform's change feed with a cursor token. */
export const manifest: ConnectorManifest<CursorPollSettings> = {
  id: 'grid',
  department: 'grid',
  title: '网格事件',
  sourceSystem: 'grid',
  emits: ['report', 'status-change'],
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
