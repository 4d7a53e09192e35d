import type { ConnectorManifest } from '../../sdk/types.js';
import type { HttpPollSettings } from '../../sources/http-poll.js';

/** 12345 政务服务便民热线: work orders from the provincial hotline platform, polled by update time. */
export const manifest: ConnectorManifest<HttpPollSettings> = {
  id: 'hotline-12345',
  department: 'hotline',
  title: '12345热线工单',
  sourceSystem: 'hotline-12345',
  emits: ['report', 'status-change'],
  pollIntervalMs: 2000,
  source: {
    kind: 'http-poll',
    url: 'http://127.0.0.1:8801/api/v2/workorders',
    auth: { type: 'none' },
    pagination: { style: 'page', pageParam: 'pageNum', sizeParam: 'pageSize', size: 200, firstPage: 1 },
    incremental: { param: 'updateTimeBegin', field: 'gxsj', initial: '2000-01-01 00:00:00' },
    idField: 'gdbh',
    recordsPath: 'data.rows',
    bodyStatus: { path: 'code', ok: ['0000'], messagePath: 'msg' },
    // the platform sorts by acceptance time unless told otherwise; keyset reading needs update time
    extraParams: { orderBy: 'gxsj' },
    timeoutMs: 10_000,
    rateLimitPerSecond: 20,
  },
};
