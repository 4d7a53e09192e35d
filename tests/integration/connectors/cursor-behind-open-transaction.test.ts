/**
 * The chaos suite's slow-network fault delivered 18 records twice: a connector's commit answer was
 * lost, the worker reconnected and read its cursor, and that read stopped at the partition's last
 * stable offset — before its own commit, still completing, and behind another connector's open
 * transaction on the same cursor partition — so the page was read and delivered a second time.
 * readToEnd (the cursor read) now reads to the high watermark and waits for the transactions in
 * front of it; this test holds one open on purpose.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { readToEnd } from '../../../core/read-to-end.js';
import { eventually } from '../../../stack/processes.js';
import { kafkaFor, testContext } from '../../support/context.js';

const ctx = testContext('cursor_open_tx');
const topic = `${ctx.prefix}.cursors-probe`;
const kafka = kafkaFor(ctx, 'cursor-open-tx');
const producers = [kafka.producer({ transactionalId: `${ctx.prefix}.a`, idempotent: true, maxInFlightRequests: 1 }), kafka.producer({ transactionalId: `${ctx.prefix}.b`, idempotent: true, maxInFlightRequests: 1 })];

afterAll(async () => {
  await Promise.all(producers.map((p) => p.disconnect()));
});

describe('reading a topic to its end behind an open transaction', () => {
  it('returns a record committed behind another producer\'s open transaction, once that one is resolved', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    await admin.disconnect();
    const [a, b] = producers as [(typeof producers)[0], (typeof producers)[0]];
    await Promise.all([a.connect(), b.connect()]);
    const first = await b.transaction();
    await first.send({ topic, messages: [{ key: 'hotline', value: 'cursor 1' }] });
    await first.commit();

    // another connector's transaction stays open on the partition…
    const open = await a.transaction();
    await open.send({ topic, messages: [{ key: 'grid', value: 'cursor g' }] });
    // …while this one commits its new cursor behind it
    const second = await b.transaction();
    await second.send({ topic, messages: [{ key: 'hotline', value: 'cursor 2' }] });
    await second.commit();

    const seen: string[] = [];
    const reading = readToEnd(kafka, topic, (m) => void seen.push(String(m.value)), 120_000).then(() => 'returned');
    await eventually('the reader to get the first cursor', async () => (seen.length >= 1 ? true : undefined), 120_000, 50);
    // the committed 'cursor 2' is still to come: the read must not end here (it used to, at the
    // last stable offset, returning 'cursor 1' as the connector's cursor)
    expect(await Promise.race([reading, sleep(2000).then(() => 'waiting')])).toBe('waiting');
    await open.commit();
    expect(await reading).toBe('returned');
    expect(seen).toEqual(['cursor 1', 'cursor g', 'cursor 2']);
  });
});
