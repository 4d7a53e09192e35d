/** What the connector status says while Kafka does not answer (issue 19, finding 5). */
import { describe, expect, it } from 'vitest';
import { manifest } from '../../../connectors/adapters/hotline-12345/manifest.js';
import { ConnectorStatus, renderMetrics } from '../../../connectors/runtime/status.js';

describe('connector status', () => {
  it('a page transaction that has waited over 10 s shows degraded with the reason, and running again once it commits', () => {
    const s = new ConnectorStatus(manifest);
    s.running();
    s.producing(1_000);
    expect(s.view(5_000).state).toBe('running'); // a normal commit
    const stalled = s.view(40_000);
    expect(stalled.state).toBe('degraded');
    expect(stalled.stateLabel).toMatch(/Kafka写入已等待39秒/);
    expect(renderMetrics([s], 40_000)).toMatch(/countyhub_connector_up\{connector="hotline-12345",department="hotline"\} 0/);
    s.produced_();
    s.committed(1, 0, 1, 41_000);
    expect(s.view(42_000).state).toBe('running');
  });

  it('a warning about the data is shown while the connector keeps running', () => {
    const s = new ConnectorStatus(manifest);
    s.running();
    s.warned('记录 GD1 的更新时间不可信', 1_000);
    expect(s.view(2_000)).toMatchObject({ state: 'running', warning: '警告: 记录 GD1 的更新时间不可信', warnings: 1 });
  });
});
