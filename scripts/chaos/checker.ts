/**
 * The sequence checker: compares what the department platforms hold (each record's id and latest
 * version, read from the simulators' own stores) with what Kafka holds (read_committed) and with
 * what the hub applied; and the center's queued decisions with what the platforms received.
 *
 *   missing in Kafka   a platform record whose current version is in no committed record
 *   missing in the hub a platform record whose current version the hub has not stored
 *   duplicated         the same change (id, version, content) committed twice to Kafka; a matter
 *                      event written twice by the hub (one per application of a record); a decision
 *                      received as two different assignments
 *   lag                committed records on the hub's topics after the hub's stored offsets
 *   states             every connector's own status must say `running`
 */
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from '../../core/kafka/client.js';
import pg from 'pg';
import { readToEnd } from '../../core/read-to-end.js';
import type { DeadLetter } from '../../connectors/runtime/dead-letters.js';
import { departmentsOf, deliveryKey } from '../../connectors/sinks/assignment.js';
import { canonical } from '../../hub/ingest/source-records.js';
import { consumedKinds } from '../../hub/ingest/handlers.js';
import { topics as topicNames, type Dispatch, type Envelope, type RecordKind } from '../../schemas/index.js';
import { registryClient } from '../../schemas/registry.js';
import type { Pipeline } from './pipeline.js';
import { rowsAt, versionOf } from './platforms.js';

export interface Observation {
  at: number;
  truth: number;
  missingInKafka: string[];
  missingInHub: string[];
  deadLettered: string[];
  kafkaDuplicates: string[];
  hubDuplicates: number;
  lag: number | undefined;
  notRunning: string[];
  dispatches: { queued: number; unpublished: number; undelivered: string[]; duplicated: string[]; redelivered: number };
  problems: string[];
}

/** `known` holds losses already reported by an earlier fault ("kafka:key", "hub:key"): they stay lost, and are not counted again. */
export function converged(o: Observation, known: Set<string> = new Set()): boolean {
  return (
    o.problems.length === 0 &&
    o.missingInKafka.every((k) => known.has(`kafka:${k}`)) &&
    o.missingInHub.every((k) => known.has(`hub:${k}`)) &&
    o.lag === 0 &&
    o.notRunning.length === 0 &&
    o.dispatches.unpublished === 0 &&
    o.dispatches.undelivered.length === 0
  );
}

export class SequenceChecker {
  private readonly registry: SchemaRegistry;
  private readonly names: ReturnType<typeof topicNames>;

  constructor(
    private readonly kafka: Kafka,
    registryUrl: string,
    private readonly databaseUrl: string,
    private readonly dbSchema: string,
    private readonly prefix: string,
  ) {
    this.registry = registryClient(registryUrl);
    this.names = topicNames(prefix);
  }

  async observe(p: Pipeline): Promise<Observation> {
    const at = Date.now();
    const problems: string[] = [];
    const note = (what: string) => (err: unknown) => {
      problems.push(`${what}: ${(err as Error).message?.split('\n')[0] ?? String(err)}`);
      return undefined;
    };
    // the truth first: anything the platforms change after this moment is not expected yet
    const truth = await this.truth(p).catch(note('reading the platforms'));
    const [kafka, dead, hub, states] = await Promise.all([this.kafkaView().catch(note('reading Kafka')), this.deadLetters().catch(note('reading dead letters')), this.hubView().catch(note('reading the hub database')), this.states(p)]);
    const inboxes = await this.inboxes(p).catch(note('reading the platforms’ inboxes'));

    const missingInKafka: string[] = [];
    const missingInHub: string[] = [];
    const deadLettered: string[] = [];
    for (const t of truth ?? []) {
      const key = `${t.system}|${t.id}|${t.version}`;
      if (kafka && !kafka.changes.has(key)) {
        if (dead?.has(`${t.system}|${t.id}`)) deadLettered.push(key);
        else missingInKafka.push(key);
      }
      if (t.inHub && hub && !hub.stored.has(key) && !dead?.has(`${t.system}|${t.id}`)) missingInHub.push(key);
    }
    let lag: number | undefined;
    if (kafka && hub) {
      lag = 0;
      for (const [tp, next] of kafka.nextAfterLast) lag += Math.max(0, next - (hub.offsets.get(tp) ?? 0));
    }
    const undelivered: string[] = [];
    const duplicated: string[] = [];
    let redelivered = 0;
    if (hub && inboxes) {
      for (const key of hub.outbox.keys()) {
        const got = inboxes.get(key);
        if (!got) undelivered.push(key);
        else if (got.platforms > 1) duplicated.push(key);
      }
      for (const v of inboxes.values()) redelivered += v.deliveries - 1;
    }
    return {
      at,
      truth: truth?.length ?? 0,
      missingInKafka,
      missingInHub,
      deadLettered,
      kafkaDuplicates: kafka?.duplicates ?? [],
      hubDuplicates: hub?.duplicateEvents ?? 0,
      lag,
      notRunning: states,
      dispatches: { queued: hub?.outbox.size ?? 0, unpublished: hub ? [...hub.outbox.values()].filter((published) => !published).length : 0, undelivered, duplicated, redelivered },
      problems,
    };
  }

  private async truth(p: Pipeline): Promise<Array<{ system: string; id: string; version: number; inHub: boolean }>> {
    const out: Array<{ system: string; id: string; version: number; inHub: boolean }> = [];
    for (const run of p.platforms) {
      const res = await fetch(`${run.directUrl}${run.spec.truthPath}`);
      if (!res.ok) throw new Error(`${run.spec.name} simulator answered ${res.status}`);
      const body = (await res.json()) as unknown;
      const rows = Array.isArray(body) ? (body as Array<Record<string, unknown>>) : rowsAt(body, ['records']);
      for (const r of rows) {
        const version = versionOf(r[run.spec.updateField]);
        if (version === undefined) throw new Error(`${run.spec.name}: record ${String(r[run.spec.idField])} has an update time the checker cannot read: ${String(r[run.spec.updateField])}`);
        out.push({ system: run.spec.sourceSystem, id: String(r[run.spec.idField]), version, inHub: run.spec.inHub });
      }
    }
    return out;
  }

  /** Every committed change on the platforms' topics and the hub's, with the offset after each partition's last record. */
  private async kafkaView(): Promise<{ changes: Map<string, number>; duplicates: string[]; nextAfterLast: Map<string, number> }> {
    const changes = new Map<string, number>();
    // change → where it was committed (partition:offset), to tell one transaction's repeat from a page read twice
    const contents = new Map<string, string[]>();
    const nextAfterLast = new Map<string, number>();
    const kinds = new Set<RecordKind>(['report', 'approval', ...consumedKinds()]);
    const consumed = new Set(consumedKinds().map((k) => this.names.records(k)));
    await Promise.all(
      [...kinds].map(async (kind) => {
        const topic = this.names.records(kind);
        const values: Array<{ value: Buffer; at: string }> = [];
        // a message seen twice at the same offset is the reader's redelivery (a rebalance), not a duplicate
        const seenOffsets = new Set<string>();
        await readToEnd(this.kafka, topic, (m, partition) => {
          const at = `${partition}:${m.offset}`;
          if (seenOffsets.has(at)) return;
          seenOffsets.add(at);
          if (consumed.has(topic)) {
            const tp = `${topic}:${partition}`;
            nextAfterLast.set(tp, Math.max(nextAfterLast.get(tp) ?? 0, Number(m.offset) + 1));
          }
          if (m.value) values.push({ value: m.value, at });
        }).catch((err: Error) => {
          // a topic nobody has produced to yet does not exist; anything else is a real failure
          if (!/does not host this topic-partition|UNKNOWN_TOPIC|not exist/i.test(err.message)) throw err;
        });
        for (const { value, at } of values) {
          const r = (await this.registry.decode(value)) as { envelope: Envelope };
          const e = r.envelope;
          const key = `${e.sourceSystem}|${e.sourceRecordId}|${e.sourceVersion}`;
          changes.set(key, (changes.get(key) ?? 0) + 1);
          const change = `${kind}#${key}#${canonical(r)}`;
          contents.set(change, [...(contents.get(change) ?? []), `${at} (read ${new Date(Number(e.ingestTime)).toISOString().slice(11, 23)})`]);
        }
      }),
    );
    const duplicates = [...contents].filter(([, at]) => at.length > 1).map(([k, at]) => `${k.split('#')[1]}×${at.length} at ${k.split('#')[0]} ${at.join(', ')}`);
    return { changes, duplicates, nextAfterLast };
  }

  private async deadLetters(): Promise<Set<string>> {
    const out = new Set<string>();
    await readToEnd(this.kafka, this.names.deadLetters, (m) => {
      if (!m.value) return;
      const d = JSON.parse(m.value.toString()) as DeadLetter;
      if (d.sourceRecordId) out.add(`${d.sourceSystem}|${d.sourceRecordId}`);
    }).catch((err: Error) => {
      if (!/does not host this topic-partition|UNKNOWN_TOPIC|not exist/i.test(err.message)) throw err;
    });
    return out;
  }

  private async hubView(): Promise<{ stored: Set<string>; offsets: Map<string, number>; duplicateEvents: number; outbox: Map<string, boolean> }> {
    const c = new pg.Client({ connectionString: this.databaseUrl, connectionTimeoutMillis: 5000, statement_timeout: 30_000 });
    await c.connect();
    try {
      const s = this.dbSchema;
      const stored = new Set((await c.query<{ k: string }>(`select source_system || '|' || source_record_id || '|' || source_version as k from "${s}".source_records`)).rows.map((r) => r.k));
      const offsets = new Map<string, number>();
      for (const r of (await c.query<{ topic: string; partition: number; next: string }>(`select topic, partition, max(next_offset) as next from "${s}".consumed_offsets group by topic, partition`)).rows) {
        offsets.set(`${r.topic}:${r.partition}`, Number(r.next));
      }
      const dup = await c.query<{ n: string }>(`select coalesce(sum(n - 1), 0) as n from (select count(*) as n from "${s}".matter_events group by matter_id, type, at, detail::text having count(*) > 1) d`);
      // each decision is delivered once per department it names (connectors/sinks/assignment.ts)
      const outbox = new Map<string, boolean>();
      for (const r of (await c.query<{ record: Dispatch; published: boolean }>(`select record, published_at is not null as published from "${s}".dispatch_outbox`)).rows) {
        for (const department of departmentsOf(r.record)) outbox.set(deliveryKey(r.record, department), r.published);
      }
      return { stored, offsets, duplicateEvents: Number(dup.rows[0]?.n ?? 0), outbox };
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  private async inboxes(p: Pipeline): Promise<Map<string, { platforms: number; deliveries: number }>> {
    const out = new Map<string, { platforms: number; deliveries: number }>();
    for (const run of p.platforms) {
      if (!run.spec.inboxPath) continue;
      const res = await fetch(`${run.directUrl}/__sim/inbox`);
      for (const a of (await res.json()) as Array<{ pdbh: string; deliveries: number }>) {
        const v = out.get(a.pdbh) ?? { platforms: 0, deliveries: 0 };
        v.platforms += 1;
        v.deliveries += a.deliveries;
        out.set(a.pdbh, v);
      }
    }
    return out;
  }

  private async states(p: Pipeline): Promise<string[]> {
    const out: string[] = [];
    for (const run of p.platforms) {
      const views = await fetch(`${run.statusUrl}/status`, { signal: AbortSignal.timeout(5000) })
        .then((r) => r.json() as Promise<Array<{ id: string; state: string }>>)
        .catch(() => undefined);
      if (!views) out.push(`${run.spec.connector}: no answer`);
      else for (const v of views) if (v.state !== 'running') out.push(`${v.id}: ${v.state}`);
    }
    return out;
  }
}
