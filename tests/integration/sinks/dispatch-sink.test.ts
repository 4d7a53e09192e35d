/**
 * The Dispatch sink against real servers: decisions on Kafka (Avro, registry) → the sink process →
 * the environment platform's and the grid platform's assignment endpoints (their simulators), and
 * receipts back on Kafka as StatusChanges. With the sink killed (-9) at random moments and the
 * platforms failing some requests: every department copy of every decision arrives, the platforms
 * hold each exactly once, and every copy is acknowledged with the same content however often it
 * was delivered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTopics } from '../../../core/kafka.js';
import { readToEnd } from '../../../core/read-to-end.js';
import { departmentsOf, deliveryKey } from '../../../connectors/sinks/assignment.js';
import type { Dispatch, StatusChange } from '../../../schemas/index.js';
import { buildEnvironmentServer } from '../../../simulators/environment/server.js';
import { buildGridServer } from '../../../simulators/grid/server.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { codecFor, kafkaFor, testContext } from '../../support/context.js';
import { killRepeatedly } from '../../support/kill-harness.js';
import { EXAMPLES } from '../../unit/schemas/examples.js';
import { canonical } from '../../../hub/ingest/source-records.js';

const ctx = testContext('sink');
const kafka = kafkaFor(ctx);
const codec = codecFor(ctx);
const environment = buildEnvironmentServer();
const grid = buildGridServer();
let sink: RunningProcess | undefined;
const N = 40;

/** Decisions on matters in one town: each names environment, the town, and a department no sink here serves. */
function decisions(): Dispatch[] {
  const base = EXAMPLES.dispatch as Dispatch;
  return Array.from({ length: N }, (_, i) => {
    const matterId = String(900_000 + Math.floor(i / 2));
    const version = (i % 2) + 1;
    return {
      ...base,
      envelope: { ...base.envelope, sourceRecordId: `${matterId}:${version}`, sourceVersion: version },
      matterId,
      version,
      idempotencyKey: `${matterId}:${version}`,
      action: version === 1 ? 'DISPATCH' : 'REDISPATCH',
      leadDepartment: i % 3 === 0 ? 'environment' : 'town:150625100',
      cooperatingDepartments: i % 3 === 0 ? ['town:150625100', 'market'] : ['environment', 'market'],
      taskIds: { environment: `${matterId}1`, 'town:150625100': `${matterId}2`, market: `${matterId}3` },
    } as Dispatch;
  });
}

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, ctx.topics);
  await admin.disconnect();
  await codec.ensureRegistered('dispatch');
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (const d of decisions()) await producer.send({ topic: ctx.topics.records('dispatch'), acks: -1, messages: [{ key: d.matterId, value: await codec.encode('dispatch', d) }] });
  await producer.disconnect();
  await Promise.all([environment.listen({ port: 0, host: '127.0.0.1' }), grid.listen({ port: 0, host: '127.0.0.1' })]);
});

afterAll(async () => {
  await sink?.stop();
  await Promise.all([environment.close(), grid.close()]);
});

const url = (app: typeof grid, path: string) => {
  const a = app.server.address() as { port: number };
  return `http://127.0.0.1:${a.port}${path}`;
};

function startSink(): Promise<RunningProcess> {
  return startProcess('dispatch sink', 'connectors/sinks/main.ts', [], {
    ...ctx.env,
    SINK_CONFIG: JSON.stringify([
      { id: 'environment', url: url(environment, '/api/12369/dispatches'), departments: ['environment'], sessionTimeoutMs: 6000 },
      { id: 'grid', url: url(grid, '/api/grid/v1/assignments'), departments: ['town:*'], sessionTimeoutMs: 6000 },
    ]),
  });
}

describe('dispatch sink', () => {
  it('kill -9 and platform failures: every copy arrives once, every copy is acknowledged identically', async () => {
    // the environment platform fails its next requests with 500s and a slow answer
    await environment.inject({ method: 'POST', url: '/__sim/faults', payload: { mode: 'http500', count: 4 } });
    const { last } = await killRepeatedly(startSink, { kills: 3, minMs: 1500, maxMs: 4000, seed: 11 });
    sink = last;
    const expected = decisions().flatMap((d) => departmentsOf(d).filter((x) => x !== 'market').map((x) => deliveryKey(d, x)));
    type Row = { pdbh: string; deliveries: number; rwbh: string | null };
    const inbox = async () => [...((await environment.inject('/__sim/inbox')).json() as Row[]), ...((await grid.inject('/__sim/inbox')).json() as Row[])];
    const rows = await eventually('every copy in the platforms', async () => {
      const r = await inbox();
      return r.length >= expected.length ? r : undefined;
    }, 90_000, 500);
    expect(rows.map((r) => r.pdbh).sort()).toEqual([...expected].sort()); // each exactly once, none for market
    // the platforms saw repeats (kills between delivery and commit) and answered them idempotently
    const deliveries = rows.reduce((n, r) => n + r.deliveries, 0);
    expect(deliveries).toBeGreaterThanOrEqual(expected.length);

    // receipts: one distinct acknowledgement per copy; repeats of one are byte-for-byte the same change
    const acks = await eventually('every copy acknowledged', async () => {
      const out: StatusChange[] = [];
      await readToEnd(kafka, ctx.topics.records('status-change'), async (m) => void out.push((await codec.decode(m.value!)) as StatusChange));
      return new Set(out.map((a) => a.envelope.sourceRecordId)).size >= expected.length ? out : undefined;
    }, 60_000, 500);
    const byId = new Map<string, string>();
    for (const a of acks) {
      const c = canonical({ ...a, envelope: { ...a.envelope, ingestTime: 0 } });
      const seen = byId.get(a.envelope.sourceRecordId);
      if (seen) expect(c).toBe(seen);
      byId.set(a.envelope.sourceRecordId, c);
    }
    expect([...byId.keys()].sort()).toEqual(expected.map((k) => `ack:${k}`).sort());
    const one = acks.find((a) => a.envelope.sourceRecordId === `ack:${expected[0]}`)!;
    expect(one).toMatchObject({ status: 'RECEIVED', target: { kind: 'DISPATCH' }, dispatchVersion: 1 });
    expect(one.target.taskId).toBeTruthy();
  }, 180_000);

  it('a platform that refuses an assignment (4xx) gets it dead-lettered with the reason, and the rest still flow', async () => {
    await sink?.stop();
    const producer = kafka.producer();
    await producer.connect();
    const bad = { ...(EXAMPLES.dispatch as Dispatch), matterId: '', idempotencyKey: '999999:1', leadDepartment: 'environment', cooperatingDepartments: [], taskIds: {} } as Dispatch;
    const good = { ...(EXAMPLES.dispatch as Dispatch), matterId: '999998', idempotencyKey: '999998:1', leadDepartment: 'environment', cooperatingDepartments: [], taskIds: { environment: '1' } } as Dispatch;
    await producer.send({ topic: ctx.topics.records('dispatch'), messages: [{ key: 'x', value: await codec.encode('dispatch', bad) }, { key: 'x', value: await codec.encode('dispatch', good) }] });
    await producer.disconnect();
    sink = await startSink();
    await eventually('the good one delivered', async () => ((await environment.inject('/__sim/inbox')).json() as Array<{ pdbh: string }>).find((r) => r.pdbh === '999998:1:environment'), 30_000, 300);
    const dead: Array<{ code: string; reason: string; sourceRecordId: string }> = [];
    await readToEnd(kafka, ctx.topics.deadLetters, (m) => void dead.push(JSON.parse(String(m.value))));
    expect(dead).toEqual([expect.objectContaining({ code: 'CH_SINK_REFUSED', sourceRecordId: '999999:1:environment' })]);
    expect(dead[0]!.reason).toMatch(/HTTP 400.*sjbh/);
  }, 60_000);
});
