/**
 * A sink connector: delivers the center's decisions (Dispatch records) to a department platform and
 * reports each receipt back as a StatusChange (target DISPATCH, status RECEIVED), so the hub knows
 * the department has it and nobody re-types it.
 *
 * Delivery is effectively once: the Kafka offset is committed only after the platform accepted the
 * decision and the acknowledgement is on Kafka; a crash in between delivers again with the same
 * 派单编号 (idempotency key), which the platform answers with its first receipt — and the
 * acknowledgement built from that receipt is identical, so the hub counts it once.
 * Platform outages (5xx, timeouts, 429) are retried with back-off, heartbeating so the group keeps
 * the partition; a refusal (4xx) cannot be fixed by retrying and is dead-lettered with the reason.
 */
import type { Consumer, EachBatchPayload, Kafka, Producer } from '../../core/kafka/client.js';
import pRetry, { AbortError } from 'p-retry';
import type { Logger } from 'pino';
import type { Dispatch, StatusChange, Topics } from '../../schemas/index.js';
import type { SchemaCodec } from '../../schemas/registry.js';
import { deadLetterMessage, type DeadLetter } from '../runtime/dead-letters.js';
import { reportSharedGroup } from '../../core/kafka.js';
import { assignmentFor, departmentsOf, deliveryKey } from './assignment.js';

export interface SinkConfig {
  id: string;
  /** The platform's assignment endpoint (POST). */
  url: string;
  /** Departments this platform receives for: ids, or prefixes ending in `*` (`town:*`, `*`). */
  departments: string[];
  exceptDepartments?: string[];
  /**
   * Source systems whose reports this platform answers: a matter's result (RESULT) for a report of
   * one of them is delivered here, whichever department it is for — 12345 gets the result of its own
   * work orders, the grid platform of its own events.
   */
  reportsFrom?: string[];
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Kafka group session: after a crash, how long until the partition moves to a running sink. */
  sessionTimeoutMs?: number;
}

export interface SinkDeps {
  kafka: Kafka;
  codec: SchemaCodec;
  topics: Topics;
  log: Logger;
}

export class DeliveryRefused extends Error {
  readonly retriable = false;
}

function matches(patterns: string[], department: string): boolean {
  return patterns.some((p) => (p.endsWith('*') ? department.startsWith(p.slice(0, -1)) : p === department));
}

export class DispatchSink {
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private stopping = false;
  readonly stats = { delivered: 0, repeated: 0, deadLettered: 0, retries: 0 };

  constructor(
    private readonly config: SinkConfig,
    private readonly deps: SinkDeps,
  ) {}

  /** Whether this sink delivers a department's copy. */
  serves(department: string): boolean {
    return matches(this.config.departments, department) && !matches(this.config.exceptDepartments ?? [], department);
  }

  /** The departments whose copy of a decision this sink delivers: a result by the platform its report came from. */
  copiesOf(d: Dispatch): string[] {
    if (d.action === 'RESULT' || d.action === 'REOPEN') {
      const from = d.reports[0]?.sourceSystem;
      return from && (this.config.reportsFrom ?? []).includes(from) ? departmentsOf(d) : [];
    }
    return departmentsOf(d).filter((x) => this.serves(x));
  }

  async start(): Promise<void> {
    this.producer = this.deps.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();
    await this.deps.codec.ensureRegistered('status-change');
    this.consumer = this.deps.kafka.consumer({ groupId: this.deps.topics.consumerGroup(`sink-${this.config.id}`), readUncommitted: false, sessionTimeout: this.config.sessionTimeoutMs ?? 30_000, heartbeatInterval: Math.min(3_000, (this.config.sessionTimeoutMs ?? 30_000) / 5) });
    reportSharedGroup(this.consumer, this.deps.log, 'the sink id');
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.deps.topics.records('dispatch'), fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (p) => this.deliverBatch(p) });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
  }

  private async deliverBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    for (const m of batch.messages) {
      if (!isRunning() || isStale()) return;
      let d: Dispatch | null = null;
      try {
        d = (await this.deps.codec.decode(m.value!)) as Dispatch;
      } catch (err) {
        await this.deadLetter(null, null, `could not decode the Dispatch at ${batch.topic}/${batch.partition}@${m.offset}: ${(err as Error).message}`);
      }
      if (d) {
        for (const department of this.copiesOf(d)) await this.deliver(d, department, heartbeat);
      }
      resolveOffset(m.offset);
      await this.consumer!.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(m.offset) + 1n).toString() }]);
      await heartbeat();
    }
  }

  /** One department's copy: POST until the platform answers, then the acknowledgement. */
  private async deliver(d: Dispatch, department: string, heartbeat: () => Promise<void>): Promise<void> {
    const assignment = assignmentFor(d, department);
    const key = deliveryKey(d, department);
    let receipt: { sdbh: string; jssj: string } | null = null;
    try {
      receipt = await pRetry(() => this.post(assignment, key), {
        retries: 1_000, // an outage is waited out; the partition must not skip a decision
        minTimeout: 500,
        maxTimeout: 30_000,
        shouldRetry: ({ error }) => !this.stopping && !(error instanceof DeliveryRefused),
        onFailedAttempt: async ({ error, attemptNumber }) => {
          this.stats.retries += 1;
          this.deps.log.warn({ sink: this.config.id, key, attempt: attemptNumber, err: error.message }, 'delivery failed; retrying');
          await heartbeat();
        },
      });
    } catch (err) {
      if (err instanceof DeliveryRefused || err instanceof AbortError) {
        await this.deadLetter(d, department, (err as Error).message);
        return;
      }
      throw err; // stopping: the offset is not committed, the next run delivers again
    }
    await this.acknowledge(d, department, receipt);
  }

  private async post(assignment: object, key: string): Promise<{ sdbh: string; jssj: string }> {
    let res: Response;
    try {
      res = await fetch(this.config.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key, ...this.config.headers },
        body: JSON.stringify(assignment),
        signal: AbortSignal.timeout(this.config.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new Error(`platform not reachable: ${(err as Error).message}`);
    }
    const text = await res.text();
    let body: { code?: number; msg?: string; data?: { sdbh?: string; jssj?: string } } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // an HTML error page from a proxy: judged by its status below
    }
    if (res.status >= 500 || res.status === 429 || res.status === 408) throw new Error(`platform answered HTTP ${res.status}: ${text.slice(0, 200)}`);
    if (res.status >= 400) throw new DeliveryRefused(`platform refused the assignment ${key} (HTTP ${res.status}, ${body.code ?? ''} ${body.msg ?? text.slice(0, 200)}); fix the data or the sink's configuration, then replay the dead letter`);
    if (body.code !== 0 || !body.data?.sdbh) throw new Error(`platform answered ${res.status} without a receipt: ${text.slice(0, 200)}`);
    if (res.status === 200) this.stats.repeated += 1;
    else this.stats.delivered += 1;
    return { sdbh: body.data.sdbh, jssj: body.data.jssj ?? '' };
  }

  /** The receipt as a StatusChange; built only from the decision and the platform's (repeatable) receipt. */
  private async acknowledge(d: Dispatch, department: string, receipt: { sdbh: string; jssj: string }): Promise<void> {
    const at = receipt.jssj ? Date.parse(`${receipt.jssj.replace(' ', 'T')}+08:00`) : d.issuedAt;
    const change: StatusChange = {
      envelope: {
        sourceSystem: `sink-${this.config.id}`,
        department,
        sourceRecordId: `ack:${deliveryKey(d, department)}`,
        sourceVersion: d.version,
        eventTime: at,
        ingestTime: at,
        divisionCode: d.envelope.divisionCode,
        gridCode: d.envelope.gridCode,
        location: null,
        connector: this.config.id,
      },
      // a result's receipt names the record it answered (the hub puts it on the matter's timeline)
      target: { kind: 'DISPATCH', record: d.action === 'RESULT' || d.action === 'REOPEN' ? (d.reports[0] ?? null) : null, matterId: d.matterId, taskId: d.taskIds[department] ?? null },
      status: 'RECEIVED',
      sourceStatus: d.action === 'REOPEN' ? `已接收重新办理通知（回执 ${receipt.sdbh}）` : d.action === 'RESULT' ? `已接收办理结果（回执 ${receipt.sdbh}）` : `已接收（回执 ${receipt.sdbh}）`,
      version: d.version,
      occurredAt: at,
      actorDepartment: department,
      actorUnitName: null,
      actorNameMasked: null,
      note: null,
      requestedDeadline: null,
      dispatchVersion: d.version,
      result: null,
      attachments: [],
    };
    await this.producer!.send({
      topic: this.deps.topics.records('status-change'),
      acks: -1,
      messages: [{ key: d.matterId, value: await this.deps.codec.encode('status-change', change) }],
    });
  }

  private async deadLetter(d: Dispatch | null, department: string | null, reason: string): Promise<void> {
    this.stats.deadLettered += 1;
    this.deps.log.error({ sink: this.config.id, key: d ? deliveryKey(d, department ?? '') : null, reason }, 'assignment dead-lettered');
    const letter: DeadLetter = {
      connector: this.config.id,
      sourceSystem: 'countyhub',
      department: department ?? '',
      sourceRecordId: d ? deliveryKey(d, department ?? '') : null,
      code: 'CH_SINK_REFUSED',
      reason,
      field: null,
      payload: JSON.stringify(d),
      mappingInput: null,
      failedAt: new Date().toISOString(),
    };
    await this.producer!.send({ topic: this.deps.topics.deadLetters, acks: -1, messages: [deadLetterMessage(letter)] });
  }
}
