/**
 * A connector worker's Prometheus metrics (served at /metrics): per connector, what it read,
 * produced and dead-lettered, retries, state, and how long a page takes from the first request to
 * the source to its commit; plus the process itself. Counters mirror the status (one source of
 * truth), read when scraped.
 */
import client from 'prom-client';
import type { ConnectorStatus, ConnectorStatusView } from './status.js';

// Seconds: a page of a quick platform commits in tens of milliseconds; a retried one takes minutes.
const PAGE_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export class WorkerMetrics {
  readonly registry = new client.Registry();

  constructor(statuses: ConnectorStatus[]) {
    const registers = [this.registry];
    client.collectDefaultMetrics({ register: this.registry, prefix: 'countyhub_connector_' });
    const views = () => statuses.map((s) => s.view());
    const labels = (v: ConnectorStatusView) => ({ connector: v.id, department: v.department });
    const mirror = (name: string, help: string, value: (v: ConnectorStatusView) => number | null) =>
      new client.Counter({
        name, help, labelNames: ['connector', 'department'], registers,
        collect() {
          this.reset();
          for (const v of views()) {
            const x = value(v);
            if (x !== null) this.inc(labels(v), x);
          }
        },
      });
    const gauge = (name: string, help: string, value: (v: ConnectorStatusView) => number | null) =>
      new client.Gauge({
        name, help, labelNames: ['connector', 'department'], registers,
        collect() {
          this.reset();
          for (const v of views()) {
            const x = value(v);
            if (x !== null) this.set(labels(v), x);
          }
        },
      });
    mirror('countyhub_connector_records_read_total', 'Source records read since the worker started.', (v) => v.recordsRead);
    mirror('countyhub_connector_records_produced_total', 'Canonical records committed to Kafka by this connector (kept across restarts in the cursor).', (v) => v.produced);
    mirror('countyhub_connector_dead_letters_total', 'Records dead-lettered by this connector (kept across restarts in the cursor).', (v) => v.deadLettered);
    mirror('countyhub_connector_retries_total', 'Retried source requests and transactions.', (v) => v.retries);
    mirror('countyhub_connector_warnings_total', 'Warnings about the data read (e.g. update times in the future), each with a dead letter.', (v) => v.warnings);
    mirror('countyhub_connector_errors_total', 'Times the connector became degraded, refused or failed.', (v) => v.errors);
    gauge('countyhub_connector_up', '1 when running, 0 when starting, degraded, refused, failed or stopped.', (v) => (v.state === 'running' ? 1 : 0));
    new client.Gauge({
      name: 'countyhub_connector_state', help: '1 for the state the connector is in (starting, running, degraded, refused, failed, stopped).', labelNames: ['connector', 'department', 'state'], registers,
      collect() {
        this.reset();
        for (const v of views()) this.set({ ...labels(v), state: v.state }, 1);
      },
    });
    gauge('countyhub_connector_seconds_since_last_success', 'Seconds since the last committed page (or an answer with nothing new).', (v) => v.secondsSinceLastSuccess);
    const pages = new client.Histogram({ name: 'countyhub_connector_page_seconds', help: 'One page: from the first request to the source to its Kafka commit, retries included.', labelNames: ['connector'], buckets: PAGE_BUCKETS, registers });
    for (const s of statuses) {
      const connector = s.view().id;
      s.onPage = (seconds) => pages.observe({ connector }, seconds);
    }
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
