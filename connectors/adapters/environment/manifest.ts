/**
 * 生态环境分局 (environment department): two connectors.
 *  - environment-alarms: the online-monitoring platform (污染源自动监控平台) PUSHES alarms, each
 *    wrapping an HJ 212-2017 frame, to our webhook; the push is answered once it is in Kafka.
 *  - environment-complaints: the 12369 complaint platform's list, polled by update time; its rows are
 *    the platform's native records (connectors/adapters/environment/native.ts#EnvironmentComplaint:
 *    举报编号 as id, 更新时间 as update time), under result.records.
 * Production settings (webhook host/port, the platform URL and credentials) come from
 * CONNECTOR_CONFIG; the defaults below fit the demo simulator (simulators/environment).
 */
import type { ConnectorManifest } from '../../sdk/types.js';
import type { HttpPollSettings } from '../../sources/http-poll.js';
import type { WebhookSettings } from '../../sources/webhook.js';

export const alarmsManifest: ConnectorManifest<WebhookSettings> = {
  id: 'environment-alarms',
  department: 'environment',
  title: '污染源在线监控报警',
  sourceSystem: 'environment-online-monitoring',
  emits: ['report'],
  // the webhook source waits for pushes inside nextPage (maxWaitMs); no sleep between pages
  pollIntervalMs: 0,
  source: {
    kind: 'webhook',
    host: '127.0.0.1',
    port: 8821,
    path: '/hooks/environment/alarms',
    // the shared secret agreed with the platform; never in a config file
    signature: { secretEnv: 'ENVIRONMENT_ALARMS_WEBHOOK_SECRET', maxSkewSeconds: 300 },
    idempotency: { field: 'id' },
    maxBodyBytes: 512 * 1024,
    maxQueuedRecords: 5000,
    maxPageRecords: 200,
    // a push wakes the waiting page at once; the wait only bounds how often an idle connector
    // commits its (unchanged) cursor and refreshes its status
    maxWaitMs: 5000,
    ackTimeoutMs: 20_000,
    dedupeWindow: 2000,
  },
};

export const complaintsManifest: ConnectorManifest<HttpPollSettings> = {
  id: 'environment-complaints',
  department: 'environment',
  title: '12369环保投诉举报',
  sourceSystem: 'environment-12369',
  emits: ['report'],
  pollIntervalMs: 5000,
  source: {
    kind: 'http-poll',
    url: 'http://127.0.0.1:8802/api/12369/complaints',
    // demo credentials of the simulator; the county's own come from CONNECTOR_CONFIG
    auth: { type: 'app-key', appKey: 'countyhub-demo', appSecret: 'environment-demo-secret' },
    pagination: { style: 'page', pageParam: 'current', sizeParam: 'size', size: 100, firstPage: 1 },
    // the request parameter is the API's; the field is the record's own (yyyy-MM-dd HH:mm:ss)
    incremental: { param: 'updateTimeStart', field: '更新时间', initial: '2000-01-01 00:00:00' },
    idField: '举报编号',
    recordsPath: 'result.records',
    // errors come as HTTP 200 with {"success":false,"code":500,"message":"系统繁忙"}
    bodyStatus: { path: 'code', ok: [200], messagePath: 'message' },
    // the list is sorted by report time unless told otherwise; keyset reading needs update time
    extraParams: { sortField: 'updateTime', sortOrder: 'asc' },
    timeoutMs: 10_000,
    rateLimitPerSecond: 10,
  },
};
