/** What the connector status says while Kafka does not answer (issue 19, finding 5). */
import { describe, expect, it } from 'vitest';
import { manifest } from '../../../connectors/adapters/hotline-12345/manifest.js';
import { WorkerMetrics } from '../../../connectors/runtime/metrics.js';
import { ConnectorStatus } from '../../../connectors/runtime/status.js';

describe('connector status', () => {
  it('a page transaction that has waited over 10 s shows degraded with the reason, and running again once it commits', async () => {
    const s = new ConnectorStatus(manifest);
    s.running();
    s.producing(1_000);
    expect(s.view(5_000).state).toBe('running'); // a normal commit
    const stalled = s.view(40_000);
    expect(stalled.state).toBe('degraded');
    expect(stalled.stateLabel).toMatch(/Kafka写入已等待39秒/);
    s.produceEnded();
    s.committed(1, 0, 1, 41_000, 0.2);
    expect(s.view(42_000).state).toBe('running');
  });

  it('a warning about the data is shown while the connector keeps running', () => {
    const s = new ConnectorStatus(manifest);
    s.running();
    s.warned('记录 GD1 的更新时间不可信', 1_000);
    expect(s.view(2_000)).toMatchObject({ state: 'running', warning: '警告: 记录 GD1 的更新时间不可信', warnings: 1 });
  });

  it('metrics mirror the status and time the pages', async () => {
    const s = new ConnectorStatus(manifest);
    const metrics = new WorkerMetrics([s]);
    s.running();
    s.committed(3, 1, 4, Date.now(), 0.2);
    s.committed(2, 0, 2, Date.now(), 7);
    s.degraded(new Error('upstream 500'));
    const { body } = await metrics.render();
    expect(body).toMatch(/countyhub_connector_up\{connector="hotline-12345",department="hotline"\} 0/);
    expect(body).toMatch(/countyhub_connector_state\{connector="hotline-12345",department="hotline",state="degraded"\} 1/);
    expect(body).toMatch(/countyhub_connector_records_produced_total\{connector="hotline-12345",department="hotline"\} 5/);
    expect(body).toMatch(/countyhub_connector_dead_letters_total\{connector="hotline-12345",department="hotline"\} 1/);
    expect(body).toMatch(/countyhub_connector_page_seconds_bucket\{le="0.25",connector="hotline-12345"\} 1/);
    expect(body).toMatch(/countyhub_connector_page_seconds_count\{connector="hotline-12345"\} 2/);
    expect(body).toMatch(/countyhub_connector_process_cpu_seconds_total/);
  });
});
