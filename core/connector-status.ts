/**
 * What a connector worker's /status answers, one view per connector: the contract between the
 * workers and the hub, which shows and controls them (hub/api/connectors.ts, connector-control.ts).
 */

/**
 * `degraded`: the upstream is failing in a way that may pass (5xx, time-outs); `refused`: it refuses
 * us in a way that will not pass by itself (credentials, signature, a setting) — a person must act.
 */
export type ConnectorState = 'starting' | 'running' | 'paused' | 'degraded' | 'refused' | 'failed' | 'stopped';

export interface ConnectorStatusView {
  id: string;
  title: string;
  department: string;
  state: ConnectorState;
  stateLabel: string;
  recordsRead: number;
  produced: number;
  deadLettered: number;
  retries: number;
  errors: number;
  lastSuccessAt: string | null;
  lastError: string | null;
  /** The latest thing an operator should look at although the connector runs (e.g. a record with an update time in the future). */
  warning: string | null;
  warningAt: string | null;
  warnings: number;
  /** Seconds since the last committed page (the connector's staleness). */
  secondsSinceLastSuccess: number | null;
  timings: { fetchMs: number; mapMs: number; encodeMs: number; produceMs: number };
}
