import type { ConnectorManifest } from '../../sdk/types.js';
import type { WebhookSettings } from '../../sources/webhook.js';

/**
 * 公安110非警务警情移交: the 110 system pushes signed JSON batches ({records: [...]}) to this webhook, and
 * pushes an incident again when its handover state changes (签收, 退回) with a new update time.
 */
export const manifest: ConnectorManifest<WebhookSettings> = {
  id: 'police-110',
  department: 'public_security',
  title: '110非警务警情移交',
  sourceSystem: 'police-110-handover',
  emits: ['report'],
  pollIntervalMs: 0, // the webhook source waits for pushes itself
  source: {
    kind: 'webhook',
    host: '127.0.0.1',
    port: 8822,
    path: '/hooks/police-110/handovers',
    signature: { secretEnv: 'POLICE_110_WEBHOOK_SECRET', maxSkewSeconds: 300 },
    idempotency: { field: ['jjdbh', 'gxsj'] }, // each version once: the incident number alone would drop a re-push with a new state
    recordsPath: 'records',
  },
};
