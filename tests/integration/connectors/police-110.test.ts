/**
 * 公安110非警务警情 on the real stack: the 110 pusher (a child process) sends signed batches to the
 * webhook of a worker for the adapter found in connectors/adapters/police-110 (the generic webhook
 * source, no source code) and keeps each batch until it is answered 2xx — re-sending while the
 * worker is killed with -9 and restarted, and sometimes although it was accepted (a lost answer).
 * Afterwards the report topic (read_committed) holds every good incident exactly once, as the
 * mapping makes it — and every later push of an incident whose state changed (signed for, returned:
 * the same incident number, a later update time) once more, as its next version; the bad ones are
 * dead-lettered once each, naming the field.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { findAdapter } from '../../../connectors/adapters/index.js';
import type { Report } from '../../../schemas/index.js';
import { planHandovers, stateChanges } from '../../../simulators/police-110/handovers.js';
import { freePort } from '../../../stack/net.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { kafkaFor, testContext } from '../../support/context.js';
import { committedRecords, deadLetters, duplicates } from '../../support/kafka-records.js';
import { killRepeatedly } from '../../support/kill-harness.js';
import { comparable, differences, exited, mapAll, stopWorkers, workerStarter } from '../adapters/nr-emergency-approval-support.js';

const SECRET = 'police-110-test-secret-0123456789';
let sim: RunningProcess | undefined;
afterEach(stopWorkers);
afterAll(async () => {
  await sim?.stop('SIGKILL');
});

describe('police 110 handovers: signed webhook → Kafka, exactly once', () => {
  it('kill -9 at random points while the 110 system pushes (re-sends, lost answers, state changes): every version of every good incident once, bad ones dead-lettered once', async () => {
    const adapter = findAdapter('police-110');
    expect(adapter.createSource).toBeUndefined();
    const ctx = testContext('p110_eos');
    const kafka = kafkaFor(ctx);
    const port = await freePort();
    const startMs = Date.now() - 3600_000;
    const planned = planHandovers(240, 7, startMs);
    const good = planned.filter((h) => !h.bad).map(({ bad: _b, ...h }) => h);
    const bad = planned.filter((h) => h.bad);
    const changes = stateChanges(planned, 0.25).map(({ bad: _b, ...h }) => h);
    expect(changes.length).toBeGreaterThan(40);
    expect(bad.length).toBeGreaterThan(4);

    const start = workerStarter(ctx, 'police-110', { port, maxWaitMs: 200 }, { POLICE_110_WEBHOOK_SECRET: SECRET });
    const first = await start();
    sim = await startProcess('110 pusher', 'simulators/police-110/main.ts', [
      '--target', `http://127.0.0.1:${port}/hooks/police-110/handovers`, '--secret', SECRET,
      '--count', '240', '--batch', '8', '--seed', '7', '--interval-ms', '150', '--lost-answers', '0.2', '--start-ms', String(startMs), '--state-changes', '0.25',
    ], {});
    const pusher = sim;
    const simDone = exited(pusher);
    await first.stop('SIGKILL');
    const { last, killedAtMs } = await killRepeatedly(start, { kills: 4, minMs: 1000, maxMs: 3000, seed: 53 });
    await simDone;
    // the pusher keeps every batch until it is answered 2xx: it ends only when all were accepted
    expect(pusher.child.exitCode, `the 110 pusher ended without every batch accepted:\n${pusher.output()}`).toBe(0);

    // the pusher's planned records, minus what it never sends (the bad marks)
    const version = (r: Report) => `${r.envelope.sourceRecordId}@${r.envelope.sourceVersion}`;
    const expected = new Map(mapAll(adapter.manifest, adapter.mapping, [...good, ...changes]).map((e) => [version(e.value as Report), comparable(e.value)]));
    let seen: Report[] = [];
    const records = await eventually(
      'every good incident in Kafka',
      async () => {
        seen = await committedRecords<Report>(kafka, ctx.stack.schemaRegistryUrl, ctx.topics.records('report'));
        return new Set(seen.map(version)).size >= expected.size ? seen : undefined;
      },
      400_000,
      1000,
    ).catch(async (err: Error) => {
      // every batch was answered 200, so what is missing was acknowledged without being delivered: say which, and where it went
      const got = new Set(seen.map(version));
      const missing = [...expected.keys()].filter((k) => !got.has(k));
      const letters = (await deadLetters(kafka, ctx.topics.deadLetters).catch(() => [])).filter((d) => missing.some((m) => m.startsWith(`${d.sourceRecordId}@`)));
      throw new Error(`${err.message}\n${missing.length} of ${expected.size} versions missing: ${missing.slice(0, 10).join(', ')}\ndead letters of them: ${JSON.stringify(letters.map((d) => ({ id: d.sourceRecordId, code: d.code, reason: d.reason })))}\nlast worker's log:\n${last.output().slice(-4000)}`);
    });
    await last.stop();

    expect(killedAtMs).toHaveLength(4);
    expect(duplicates(records)).toEqual([]);
    expect(records).toHaveLength(expected.size);
    expect(differences(expected, new Map(records.map((r) => [version(r), comparable(r)])))).toEqual([]);
    expect(new Set(records.map((r) => r.envelope.sourceRecordId)).size).toBe(good.length); // the state changes are versions, not new incidents
    expect(JSON.stringify(records)).not.toMatch(/"139\d{8}"/); // phones only as hash and mask
    const letters = (await deadLetters(kafka, ctx.topics.deadLetters)).filter((d) => d.connector === adapter.manifest.id);
    expect(letters.map((d) => d.sourceRecordId).sort()).toEqual(bad.map((h) => h.jjdbh).sort());
    for (const d of letters) expect(d.field).toBe(bad.find((h) => h.jjdbh === d.sourceRecordId)!.bad);
  }, 600_000);
});
