import type { ConnectorManifest } from '../../sdk/types.js';
import type { HttpPollSettings } from '../../sources/http-poll.js';

/** 数字化城管: the case WebService (SOAP 1.1, GBK), queryCases(since yyyyMMddHHmmss, pageNo, pageSize). */
export const manifest: ConnectorManifest<HttpPollSettings> = {
  id: 'urban-management',
  department: 'urban',
  title: '数字化城管案件',
  sourceSystem: 'digital-urban-management',
  emits: ['report'],
  pollIntervalMs: 5000,
  source: {
    kind: 'http-poll',
    url: 'http://127.0.0.1:8806/ws/UrbanCaseService', // the county's in CONNECTOR_CONFIG
    auth: { type: 'none' },
    soap: { operation: 'queryCases', namespace: 'http://szcg.example.gov.cn/ws/case' },
    pagination: { style: 'page', pageParam: 'pageNo', sizeParam: 'pageSize', size: 100, firstPage: 1 },
    incremental: { param: 'since', paramFormat: 'yyyyMMddHHmmss', field: 'gxsj', initial: '2026-01-01 00:00:00', probeSince: '2026-01-01 00:00:00' },
    idField: 'ajbh',
    recordsPath: 'Envelope.Body.queryCasesResponse.return.case',
    bodyStatus: { path: 'Envelope.Body.queryCasesResponse.return.resultCode', ok: ['0'] },
  },
};
