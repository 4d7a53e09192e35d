import type { ConnectorManifest } from '../../sdk/types.js';
import type { HttpPollSettings } from '../../sources/http-poll.js';

/**
 * 派单反馈: what the departments did with the centre's assignments — 到场 and 办结 with their times
 * and result — read back from the platform each assignment went to (its 反馈接口, next to the
 * 派单接收接口 the sink posts to; simulators/shared/dispatch-inbox.ts). One connector per platform.
 */
function feedback(id: string, department: string, title: string, url: string): ConnectorManifest<HttpPollSettings> {
  return {
    id,
    department,
    title,
    sourceSystem: id,
    emits: ['status-change'],
    pollIntervalMs: 2000,
    source: {
      kind: 'http-poll',
      url,
      auth: { type: 'none' },
      pagination: { style: 'page', pageParam: 'pageNum', sizeParam: 'pageSize', size: 200, firstPage: 1 },
      // gxsj is when the platform recorded the step: a step of the past recorded late is still read
      incremental: { param: 'updateTimeBegin', field: 'gxsj', initial: '2000-01-01 00:00:00' },
      idField: 'fkbh',
      recordsPath: 'data.rows',
      bodyStatus: { path: 'code', ok: ['0000'], messagePath: 'msg' },
      timeoutMs: 10_000,
      rateLimitPerSecond: 20,
    },
  };
}

export const hotlineFeedback = feedback('hotline-feedback', 'hotline', '12345平台派单反馈', 'http://127.0.0.1:8801/api/v2/dispatches/feedback');
export const gridFeedback = feedback('grid-feedback', 'grid', '网格平台派单反馈', 'http://127.0.0.1:8802/api/grid/v1/assignments/feedback');
export const environmentFeedback = feedback('environment-feedback', 'environment', '生态环境平台派单反馈', 'http://127.0.0.1:8803/api/12369/dispatches/feedback');
