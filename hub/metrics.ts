/**
 * The hub's Prometheus metrics (served at /metrics): what it applies and how fast, how far behind
 * Kafka it is, what it waits for, what the API answers, and the process itself. The names follow
 * Prometheus conventions (`countyhub_hub_…_seconds`, `…_total`); ops/prometheus/alerts.yml and the
 * Grafana dashboard in ops/grafana are written against them.
 */
import client from 'prom-client';
import { consumedKinds } from './ingest/handlers.js';
import type { Db } from './store/db.js';
import { HOUR_MS } from '../core/reconciliation.js';
import { reconciliationHours, type ReconciliationHour } from './store/reconciliation.js';

/** An hour's records may still be on their way to the hub for this long after it ended. */
const RECONCILIATION_GRACE_MS = 15 * 60_000;

const OUTCOMES = ['new', 'updated', 'stale', 'duplicate'] as const;

export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

/** What the metrics read from the consumer when scraped. */
export interface IngestSource {
  readonly stats: { waiting: Record<string, number | null>; lastAppliedAt: number | null };
  lagByPartition(): Promise<PartitionLag[]>;
}

// Seconds: a run of a few records takes milliseconds; a large run under load takes tens of seconds.
const APPLY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
// Source change → applied: the departments' own times, so seconds to hours (a platform read late).
const END_TO_END_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600];
const API_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class HubMetrics {
  readonly registry = new client.Registry();
  private readonly records = new client.Counter({ name: 'countyhub_hub_records_total', help: 'Records applied, by kind and outcome (new, updated, stale, duplicate).', labelNames: ['kind', 'outcome'], registers: [this.registry] });
  private readonly deadLetters = new client.Counter({ name: 'countyhub_hub_dead_letters_total', help: 'Records the hub could not decode or store, kept in hub_dead_letters, by kind.', labelNames: ['kind'], registers: [this.registry] });
  private readonly batches = new client.Counter({ name: 'countyhub_hub_batches_total', help: 'Runs (chunks of one partition) applied in one PostgreSQL transaction.', registers: [this.registry] });
  private readonly apply = new client.Histogram({ name: 'countyhub_hub_apply_seconds', help: 'Time to apply one run of records, commit included, by kind.', labelNames: ['kind'], buckets: APPLY_BUCKETS, registers: [this.registry] });
  private readonly endToEnd = new client.Histogram({ name: 'countyhub_hub_end_to_end_seconds', help: "From the department's change (the record's source version time) to applied in the hub, by kind.", labelNames: ['kind'], buckets: END_TO_END_BUCKETS, registers: [this.registry] });
  private readonly api = new client.Histogram({ name: 'countyhub_api_request_duration_seconds', help: 'API requests by route, method and status code.', labelNames: ['route', 'method', 'status_code'], buckets: API_BUCKETS, registers: [this.registry] });

  constructor(opts: { db: Db; ingest?: IngestSource }) {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'countyhub_hub_' });
    const { db, ingest } = opts;
    // every series present from the start, at 0: "no duplicates" is a 0, not a missing line
    for (const kind of consumedKinds()) {
      for (const outcome of OUTCOMES) this.records.inc({ kind, outcome }, 0);
      this.deadLetters.inc({ kind }, 0);
    }
    if (ingest) {
      new client.Gauge({
        name: 'countyhub_hub_consumer_lag',
        help: 'Records in Kafka the hub has not applied yet, by topic and partition (from the offsets committed with the effects in PostgreSQL).',
        labelNames: ['topic', 'partition'],
        registers: [this.registry],
        async collect() {
          this.reset();
          // a broker that does not answer leaves the series out (the alert on absent lag fires), never stalls a scrape for long
          const lags = await withTimeout(ingest.lagByPartition(), 5000).catch(() => []);
          for (const l of lags) this.set({ topic: l.topic, partition: String(l.partition) }, l.lag);
        },
      });
      new client.Gauge({
        name: 'countyhub_hub_waiting_seconds',
        help: 'How long the hub has been waiting for a server it needs (records kept, not dead-lettered); 0 when it is not.',
        labelNames: ['server'],
        registers: [this.registry],
        collect() {
          for (const [server, since] of Object.entries(ingest.stats.waiting)) this.set({ server }, since === null ? 0 : (Date.now() - since) / 1000);
        },
      });
      new client.Gauge({
        name: 'countyhub_hub_last_applied_timestamp_seconds',
        help: 'When the hub last applied a run (Unix time); 0 before the first.',
        registers: [this.registry],
        collect() {
          this.set(ingest.stats.lastAppliedAt === null ? 0 : ingest.stats.lastAppliedAt / 1000);
        },
      });
    }
    new client.Gauge({
      name: 'countyhub_hub_open_tasks_breached',
      help: 'Open tasks (not done) with a breached SLA clock, by department and clock (first_response, on_site, close).',
      labelNames: ['department', 'breach'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const rows = await withTimeout(
          db.raw<{ rows: Array<{ department: string; breach: string; n: number }> }>(
            "select department, b as breach, count(*)::int as n from tasks, unnest(breaches) as b where status <> 'DONE' group by department, b",
          ),
          5000,
        ).catch(() => ({ rows: [] }));
        for (const r of rows.rows) this.set({ department: r.department, breach: r.breach }, r.n);
      },
    });
    this.reconciliationGauges(db);
  }

  /**
   * Per connector over the last 24 hours (of the records' own update time): each stage's records,
   * and the records missing between stages in the hours that ended at least RECONCILIATION_GRACE_MS
   * ago (the hub applies within seconds; a later hour can still be on its way). One query per scrape.
   */
  private reconciliationGauges(db: Db): void {
    let pending: { at: number; hours: Promise<ReconciliationHour[]> } | undefined;
    const hours = () => {
      // both gauges are collected in one scrape: one query for the two
      if (!pending || Date.now() - pending.at > 2000) {
        const to = new Date();
        pending = { at: Date.now(), hours: withTimeout(reconciliationHours(db, { from: new Date(to.getTime() - 24 * HOUR_MS), to }), 5000).catch(() => []) };
      }
      return pending.hours;
    };
    new client.Gauge({
      name: 'countyhub_reconciliation_records',
      help: 'Records per connector and stage (read, delivered, dead_lettered, produced, hub_applied, hub_dead_lettered) over the last 24 hours of the records\' own update time.',
      labelNames: ['connector', 'department', 'stage'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const sums = new Map<string, { connector: string; department: string; stage: string; n: number }>();
        for (const h of await hours()) {
          for (const [stage, n] of Object.entries(h.counts)) {
            const key = `${h.connector}\u001f${stage}`;
            const s = sums.get(key) ?? { connector: h.connector, department: h.department, stage, n: 0 };
            s.n += n;
            sums.set(key, s);
          }
        }
        for (const s of sums.values()) this.set({ connector: s.connector, department: s.department, stage: s.stage }, s.n);
      },
    });
    new client.Gauge({
      name: 'countyhub_reconciliation_missing_records',
      help: 'Records missing between stages (read − delivered − dead-lettered, produced − applied − hub dead letters) per connector, summed over the complete hours of the last 24.',
      labelNames: ['connector', 'department'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const settled = Date.now() - RECONCILIATION_GRACE_MS;
        const sums = new Map<string, { connector: string; department: string; n: number }>();
        for (const h of await hours()) {
          const s = sums.get(h.connector) ?? { connector: h.connector, department: h.department, n: 0 };
          if (Date.parse(h.hour) + HOUR_MS <= settled) s.n += h.missing;
          sums.set(h.connector, s);
        }
        for (const s of sums.values()) this.set({ connector: s.connector, department: s.department }, s.n);
      },
    });
  }

  /** One run applied: its outcome counts, dead letters, duration and the source times of its records. */
  applied(kind: string, counts: Partial<Record<string, number>>, deadLettered: number, seconds: number, sourceTimesMs: number[], now = Date.now()): void {
    for (const [outcome, n] of Object.entries(counts)) if (n) this.records.inc({ kind, outcome }, n);
    if (deadLettered) this.deadLetters.inc({ kind }, deadLettered);
    this.batches.inc();
    this.apply.observe({ kind }, seconds);
    for (const t of sourceTimesMs) {
      // a version that is not a plausible time (a counter, a clock far ahead) says nothing about latency
      if (t > 946_684_800_000 && t <= now + 600_000) this.endToEnd.observe({ kind }, Math.max(0, (now - t) / 1000));
    }
  }

  request(route: string, method: string, statusCode: number, seconds: number): void {
    this.api.observe({ route, method, status_code: String(statusCode) }, seconds);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}
