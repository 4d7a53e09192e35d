/**
 * A corpus of bad records in the same pages as good ones: each bad record is dead-lettered with a
 * reason a person understands and the field; the good ones are delivered; a replay after a fix
 * delivers the fixed record exactly once, however often it is run. Also the CLI's status and
 * dead-letter listing.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../schemas/index.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { countyhub } from '../../support/cli.js';
import { kafkaFor, testContext } from '../../support/context.js';
import { committedRecords, deadLetters, duplicates } from '../../support/kafka-records.js';

const ctx = testContext('badrec');
const kafka = kafkaFor(ctx);
let sim: RunningProcess;
let worker: RunningProcess;

const BAD: Array<{ label: string; patch: Record<string, unknown>; field: string; reason: RegExp }> = [
  { label: 'bad USCC check character', patch: { qytyxydm: '91310110666007217A' }, field: 'qytyxydm', reason: /校验|check/i },
  { label: 'bad ID number check character', patch: { ldrsfzh: '110105194912310021' }, field: 'ldrsfzh', reason: /校验|check/i },
  { label: 'ID number damaged by Excel', patch: { ldrsfzh: '1.10105E+17' }, field: 'ldrsfzh', reason: /Excel|科学计数|damag/i },
  { label: 'impossible date', patch: { slsj: '2026-02-30 10:00:00' }, field: 'slsj', reason: /./ },
  { label: 'missing required content', patch: { sqnr: '' }, field: 'sqnr', reason: /./ },
  { label: 'wrong encoding (GBK read as UTF-8)', patch: { sqnr: '锟斤拷锟斤拷烧烤店油烟' }, field: 'sqnr', reason: /编码|GBK|decod/i },
  { label: 'oversized field', patch: { sqnr: '油'.repeat(5000) }, field: 'sqnr', reason: /4000|长|length/i },
  { label: 'SQL injection in the title', patch: { sqbt: "x' OR 1=1; DROP TABLE matters;--" }, field: 'sqbt', reason: /注入|SQL/i },
  { label: 'script injection in the address', patch: { sjdz: '<script>alert(1)</script>' }, field: 'sjdz', reason: /注入|script/i },
  { label: 'division code of the wrong length', patch: { xzqhdm: '15062510' }, field: 'xzqhdm', reason: /12/ },
];

async function create(patch: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${String(sim.ready.url)}/__sim/workorders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) });
  return ((await res.json()) as { gdbh: string }).gdbh;
}

beforeAll(async () => {
  sim = await startProcess('12345 simulator', 'simulators/hotline-12345/main.ts', ['--seed', '5'], {});
});
afterAll(async () => {
  await worker?.stop();
  await sim?.stop();
});

describe('bad records: dead-lettered with a reason, nothing lost, replay exactly once', () => {
  const good: string[] = [];
  const bad = new Map<string, (typeof BAD)[number]>();

  it('each bad record lands in the dead letters with its field and a reason; good records in the same pages are delivered', async () => {
    for (const b of BAD) {
      good.push(await create({ sqbt: `好记录${good.length}` }));
      bad.set(await create(b.patch), b);
    }
    worker = await startProcess('connector worker', 'connectors/cli.ts', ['run', 'hotline-12345'], {
      ...ctx.env,
      CONNECTOR_CONFIG: JSON.stringify({ 'hotline-12345': { source: { url: `${String(sim.ready.url)}/api/v2/workorders`, pagination: { size: 8 } }, pollIntervalMs: 100 } }),
    });
    const records = await eventually('all good records in Kafka', async () => {
      const rs = await committedRecords<Report>(kafka, ctx.stack.schemaRegistryUrl, ctx.topics.records('report'));
      return good.every((g) => rs.some((r) => r.envelope.sourceRecordId === g)) ? rs : undefined;
    });
    expect(records.filter((r) => bad.has(r.envelope.sourceRecordId)).map((r) => bad.get(r.envelope.sourceRecordId)!.label)).toEqual([]);
    const letters = await eventually('all dead letters', async () => {
      const ls = await deadLetters(kafka, ctx.topics.deadLetters);
      return ls.length >= BAD.length ? ls : undefined;
    });
    for (const [id, b] of bad) {
      const l = letters.find((x) => x.sourceRecordId === id);
      expect(l, b.label).toBeDefined();
      expect(l!.field, b.label).toBe(b.field);
      expect(l!.reason, b.label).toMatch(b.reason);
      expect(l!.connector).toBe('hotline-12345');
      expect(JSON.parse(l!.payload).gdbh, b.label).toBe(id);
    }
    // the raw ID number never reaches Kafka, not even in a good record's bytes
    expect(JSON.stringify(records)).not.toContain('110105194912310021');
  });

  it('countyhub dead-letters list and status show what waits', async () => {
    const list = await countyhub(['dead-letters', 'list', '--connector', 'hotline-12345', '--json'], ctx.env);
    expect(list.code).toBe(0);
    const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { sourceRecordId: string; replayed: boolean });
    expect(rows.filter((r) => !r.replayed)).toHaveLength(BAD.length);
    const st = await countyhub(['status', '--json'], ctx.env);
    expect(st.code).toBe(0);
    const mine = (JSON.parse(st.stdout) as Array<{ connector: string; produced: number; deadLettersWaiting: number }>).find((r) => r.connector === 'hotline-12345');
    expect(mine).toMatchObject({ produced: good.length, deadLettersWaiting: BAD.length });
  });

  it('replay after a fix delivers the fixed record exactly once, however often it is run', async () => {
    const letters = (await countyhub(['dead-letters', 'list', '--connector', 'hotline-12345', '--json'], ctx.env)).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { offset: string; sourceRecordId: string; field: string; payload: string });
    const uscc = letters.find((l) => l.field === 'qytyxydm')!;
    const fixed = { ...JSON.parse(uscc.payload), qytyxydm: '91310110666007217T' };
    const file = join(tmpdir(), `fixed-${ctx.id}.json`);
    writeFileSync(file, JSON.stringify(fixed));
    const args = ['dead-letters', 'replay', '--connector', 'hotline-12345', '--offset', uscc.offset, '--payload-file', file];
    const first = await countyhub(args, ctx.env);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ replayed: 1 });
    const second = await countyhub(args.slice(0, 4), ctx.env); // replay everything waiting, without the fix
    expect(JSON.parse(second.stdout).replayed).toBe(0); // nothing else is fixed; the fixed one is not replayed again
    expect(JSON.parse(second.stdout).stillFailing).toHaveLength(BAD.length - 1);
    const records = await committedRecords<Report>(kafka, ctx.stack.schemaRegistryUrl, ctx.topics.records('report'));
    const replayed = records.filter((r) => r.envelope.sourceRecordId === uscc.sourceRecordId);
    expect(replayed).toHaveLength(1);
    expect(replayed[0]!.subjectUscc).toBe('91310110666007217T');
    expect(duplicates(records)).toEqual([]);
  });
});
