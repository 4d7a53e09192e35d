/**
 * Rebuilding the hub from Kafka (npm run hub:rebuild): a county's records on the topics, a live hub
 * that applied them and sent its dispatches; the rebuild into a new schema equals the live state row
 * by row (the comparison the kill test uses), and a hub switched onto the rebuilt schema continues
 * with new records without sending any dispatch twice.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readToEnd } from '../../../core/read-to-end.js';
import { createDb, type Db } from '../../../hub/store/db.js';
import type { Report } from '../../../schemas/index.js';
import { EXAMPLES } from '../../unit/schemas/examples.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { nextOffsetsAfterLastRecord, produceCountyDataset } from '../../support/county-topics.js';
import { codecFor, kafkaFor, testContext } from '../../support/context.js';

const ctx = testContext('rebuild');
const dir = mkdtempSync(join(tmpdir(), 'countyhub-rebuild-'));
const REBUILT = `${ctx.dbSchema}_rebuilt`;
const GROUP = `${ctx.prefix}.hub`;
let divisionsFile: string;
let live: Db;
const running: RunningProcess[] = [];

const hubEnv = (schema: string) => ({ ...ctx.env, DB_SCHEMA: schema, HUB_PORT: '0', DIVISIONS_FILE: divisionsFile, HUB_SLA_CHECK_MS: '0' });

async function caughtUp(db: Db): Promise<boolean> {
  const at = new Map(((await db('consumed_offsets').where({ group_id: GROUP })) as Array<{ topic: string; partition: number; next_offset: string }>).map((r) => [`${r.topic}:${r.partition}`, BigInt(r.next_offset)]));
  for (const kind of ['report', 'subject', 'status-change'] as const) {
    const { next } = await nextOffsetsAfterLastRecord(ctx, ctx.topics.records(kind));
    for (const [p, end] of next) if ((at.get(`${ctx.topics.records(kind)}:${p}`) ?? 0n) < end) return false;
  }
  return true;
}

async function dispatchKeys(): Promise<string[]> {
  const keys: string[] = [];
  await readToEnd(kafkaFor(ctx, 'rebuild-test'), ctx.topics.records('dispatch'), (m) => void keys.push(String(m.headers?.['idempotency-key'])));
  return keys;
}

function runRebuild(): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve('hub/rebuild.ts'), '--into', REBUILT, '--verify'], { env: { ...process.env, ...hubEnv(ctx.dbSchema), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => done({ code, out, err }));
  });
}

beforeAll(async () => {
  ({ divisionsFile } = await produceCountyDataset(ctx, dir, { seed: 11, scale: 0.02 }));
  live = createDb(ctx.stack.databaseUrl, { schema: ctx.dbSchema });
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await live?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('rebuilding the hub from Kafka', () => {
  it('the rebuilt schema equals the live hub row by row, and knows which dispatches were sent', async () => {
    const hub = await startProcess('live hub', 'hub/main.ts', [], hubEnv(ctx.dbSchema));
    running.push(hub);
    await eventually('the live hub to apply every record', async () => ((await caughtUp(live)) ? true : undefined), 600_000, 2000);
    await eventually('the live hub to send every queued dispatch', async () => (Number((await live('dispatch_outbox').whereNull('published_at').count<{ n: string }[]>({ n: '*' }))[0]!.n) === 0 ? true : undefined));
    const queued = Number((await live('dispatch_outbox').count<{ n: string }[]>({ n: '*' }))[0]!.n);
    expect(queued).toBeGreaterThan(0);

    const r = await runRebuild();
    expect(r.code, r.err.slice(-3000)).toBe(0);
    const summary = JSON.parse(r.out.trim().split('\n').pop()!) as { identical: boolean; samePositions: boolean; records: number; dispatchesAlreadySent: number; dispatchesStillQueued: number };
    expect(summary).toMatchObject({ identical: true, samePositions: true, dispatchesAlreadySent: queued, dispatchesStillQueued: 0 });
    expect(summary.records).toBeGreaterThan(100);
    expect(r.err).toMatch(/identical to the live hub/);
    await hub.stop();
  });

  it('a hub switched onto the rebuilt schema applies new records and sends no dispatch twice', async () => {
    const hub = await startProcess('hub on the rebuilt schema', 'hub/main.ts', [], hubEnv(REBUILT));
    running.push(hub);
    const rebuilt = createDb(ctx.stack.databaseUrl, { schema: REBUILT });
    try {
      const fresh: Report = { ...EXAMPLES.report, envelope: { ...EXAMPLES.report.envelope, sourceRecordId: `${ctx.id}-after-rebuild` } };
      const producer = kafkaFor(ctx, 'rebuild-test').producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      await producer.send({ topic: ctx.topics.records('report'), acks: -1, messages: [{ key: fresh.envelope.sourceRecordId, value: await codecFor(ctx).encode('report', fresh) }] });
      await producer.disconnect();
      const matter = await eventually('the new report applied on the rebuilt schema', async () => (await rebuilt('reports').where({ source_record_id: fresh.envelope.sourceRecordId }).first())?.matter_id as string | undefined);
      await eventually('its dispatch sent', async () => (Number((await rebuilt('dispatch_outbox').where({ matter_id: matter }).whereNull('published_at').count<{ n: string }[]>({ n: '*' }))[0]!.n) === 0 && (await rebuilt('dispatch_outbox').where({ matter_id: matter }).first()) ? true : undefined));
      const keys = await dispatchKeys();
      expect(keys.length).toBe(new Set(keys).size); // nothing the live hub had sent went out again
      expect(await rebuilt('source_records').where({ source_record_id: fresh.envelope.sourceRecordId }).count<{ n: string }[]>({ n: '*' })).toEqual([{ n: '1' }]);
    } finally {
      await rebuilt.destroy();
    }
  });
});
