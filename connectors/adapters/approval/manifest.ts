import type { ConnectorManifest } from '../../sdk/types.js';
import type { HttpPollSettings } from '../../sources/http-poll.js';

/**
 * 行政审批局/政务服务中心: applications (办件) for the county's service items, including the power
 * items delegated to towns, read from the government-service platform's data-sharing interface
 * (省级数据共享交换平台 style): every request signed with the app key and secret
 * (HMAC-SHA256 over key + timestamp + nonce + path?query; the platform checks the clock skew and
 * refuses a nonce seen before), page/size paging filtered by update time. The platform's URL and
 * the county's app key and secret go in CONNECTOR_CONFIG:
 *   {"approval-applications":{"source":{"url":"https://…/api/v1/applications","auth":{"type":"app-key","appKey":"…","appSecret":"…"}}}}
 * The defaults below fit the demo simulator (simulators/approval).
 */
export const manifest: ConnectorManifest<HttpPollSettings> = {
  id: 'approval-applications',
  department: 'approval',
  title: '政务服务办件',
  sourceSystem: 'approval-applications',
  emits: ['approval', 'subject'],
  pollIntervalMs: 5000,
  source: {
    kind: 'http-poll',
    url: 'http://127.0.0.1:8831/api/v1/applications',
    auth: { type: 'app-key', appKey: 'countyhub-demo', appSecret: 'approval-demo-secret' },
    pagination: { style: 'page', pageParam: 'pageNo', sizeParam: 'pageSize', size: 200, firstPage: 1 },
    incremental: { param: 'updateTimeBegin', field: '更新时间', initial: '2000-01-01 00:00:00' },
    idField: '办件编号',
    recordsPath: 'data.list',
    // errors inside HTTP 200 answers: {"code":"50000","msg":"系统繁忙，请稍后再试","data":null}
    bodyStatus: { path: 'code', ok: ['00000'], messagePath: 'msg' },
    // sorted by application number unless told otherwise; keyset reading needs update time
    extraParams: { sortField: 'updateTime', sortOrder: 'asc' },
    timeoutMs: 10_000,
    rateLimitPerSecond: 10,
  },
};
