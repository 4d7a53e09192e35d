import { countyProfile } from '../../../core/county-profile.js';
import type { BBox } from '../../../core/normalise/index.js';
import type { ConnectorManifest } from '../../sdk/types.js';
import type { SqlPollSettings } from '../../sources/sql-poll.js';

/** The county's bounding box (WGS-84) used to detect swapped coordinates: its profile's (COUNTY_PROFILE). */
export const COUNTY_BBOX: BBox = countyProfile().bbox;

/**
 * 综合行政执法局 · 综合行政执法办案系统: the case table of the case-handling system (MariaDB), read
 * through a read-only account. Column names are those of the system's data catalogue (Chinese).
 *
 * Quirk: 更新时间 and the other times are DATETIME without fractional seconds, in Shanghai wall
 * time, and MariaDB usually runs in UTC (and often has no time-zone tables): the session zone must be
 * the offset "+08:00". A case updated twice within one second keeps one 更新时间; that is harmless
 * because rows are read only a safety lag after their update time (both updates are then visible
 * and the later state is read once), but the lag must exceed one second plus the longest write
 * transaction. The real county's URL, account and database go in CONNECTOR_CONFIG; the defaults
 * below are those of `simulators/enforcement/main.ts --database enforcement`.
 */
export const manifest: ConnectorManifest<SqlPollSettings> = {
  id: 'enforcement-cases',
  department: 'enforcement',
  title: '综合行政执法案件',
  sourceSystem: 'enforcement-cases',
  emits: ['case', 'report'],
  pollIntervalMs: 5000,
  source: {
    kind: 'sql-poll',
    client: 'mysql2',
    connection: 'mysql://enforcement_reader@127.0.0.1:3306/enforcement',
    table: '案件信息',
    updatedAtColumn: '更新时间',
    idColumn: '案件编号',
    pageSize: 500,
    safetyLagMs: 5000,
    timeZone: '+08:00',
    queryTimeoutMs: 30_000,
  },
};
