/**
 * The HTTP-poll connector path — fetch, mapping, validation, keyed hashing, Avro encoding,
 * transactional produce with the cursor — against kafka-producer-perf-test on the same broker
 * with the same record size. The 12345 simulator runs as its own process with the records
 * pre-generated, so the source costs what a fast platform would.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hotlineAdapter } from './fixtures.js';
import { ConnectorWorker } from '../connectors/runtime/worker.js';
import { createKafka, kafkaClientName } from '../core/kafka.js';
import { createLogger } from '../core/log.js';
import { HttpPollSource } from '../connectors/sources/http-poll.js';
import { loadCatalogue } from '../core/catalogue.js';
import { topics } from '../schemas/index.js';
import { SchemaCodec } from '../schemas/registry.js';
import { startStack } from '../stack/index.js';
import { ensureKafkaJars } from '../stack/local.js';
import { startProcess } from '../stack/processes.js';

export async function benchConnectors(opts: { records: number; quiet: boolean }) {
  const say = (m: string) => (opts.quiet ? undefined : console.log(m));
  const stack = await startStack({ log: opts.quiet ? () => undefined : undefined });
  const sim = await startProcess('12345 simulator', 'simulators/hotline-12345/main.ts', ['--seed', '1'], {});
  try {
    const url = String(sim.ready.url);
    for (let left = opts.records; left > 0; left -= 10_000) {
      await fetch(`${url}/__sim/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: Math.min(10_000, left) }) });
    }
    const names = topics(`bench.${randomBytes(3).toString('hex')}`);
    const kafka = createKafka(stack.kafkaBrokers, 'bench');
    const codec = new SchemaCodec(stack.schemaRegistryUrl, names);
    const { manifest, mapping } = hotlineAdapter(`${url}/api/v2/workorders`, Number(process.env.BENCH_PAGE_SIZE ?? 2000));
    const worker = new ConnectorWorker(manifest, new HttpPollSource(manifest.source), mapping, {
      kafka,
      codec,
      topics: names,
      personalDataKey: 'bench-county-key-0123456789',
      catalogue: loadCatalogue(),
      log: createLogger('bench'),
    });
    await worker.connect();
    // this process's CPU time and memory while draining (the simulator is a process of its own);
    // each transaction's time from begin to commit for the produce latency
    const txMs: number[] = [];
    let pages = 0;
    worker.status.onTransaction = (ms) => txMs.push(ms);
    let rssPeak = process.memoryUsage().rss;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await worker.drain({ onPage: () => (pages += 1) });
    const secs = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    clearInterval(sampler);
    await worker.stop();
    const v = worker.status.view();
    const value = v.produced / secs;

    // the same record size as our Avro records, measured from the topic
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(names.records('report'));
    await admin.disconnect();
    const recordSize = await averageRecordSize(kafka, names.records('report'));
    const ceiling = producerPerfTest(stack.kafkaBrokers[0]!, Math.max(opts.records * 4, 200_000), recordSize);

    const ratio = value / ceiling;
    const cpuUsPerRecord = (cpu.user + cpu.system) / Math.max(1, v.produced);
    const sorted = [...txMs].sort((a, b) => a - b);
    const p50 = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
    const total = v.timings.fetchMs + v.timings.mapMs + v.timings.encodeMs + v.timings.produceMs;
    say(`connectors (HTTP poll → mapping → Avro → transactional produce): ${v.produced} records in ${secs.toFixed(1)} s = ${value.toFixed(0)} records/s`);
    say(`  records in topic: ${offsets.reduce((a, o) => a + Number(o.high), 0)} offsets (incl. transaction markers); avg record ${recordSize} bytes`);
    say(`  busy time per phase (each phase's own duration; fetch and produce overlap the mapping of other pages): fetch ${pct(v.timings.fetchMs, total)}, mapping+validation+hashing ${pct(v.timings.mapMs, total)}, Avro encode ${pct(v.timings.encodeMs, total)}, transactional produce ${pct(v.timings.produceMs, total)}`);
    const loopMs = secs * 1000;
    const blocked = worker.status.blocked;
    say(`  the worker loop's ${loopMs.toFixed(0)} ms: waiting for a page ${pct(blocked.fetchMs, loopMs)}, mapping+validation+hashing ${pct(v.timings.mapMs, loopMs)}, Avro encode ${pct(v.timings.encodeMs, loopMs)}, waiting for Kafka (sends + commit) ${pct(blocked.produceMs, loopMs)}, other ${pct(loopMs - blocked.fetchMs - v.timings.mapMs - v.timings.encodeMs - blocked.produceMs, loopMs)}`);
    say(`ceiling (kafka-producer-perf-test, ${recordSize}-byte records, acks=all, same broker): ${ceiling.toFixed(0)} records/s`);
    say(`Kafka client: ${kafkaClientName()}; CPU ${cpuUsPerRecord.toFixed(0)} µs per record (this process, user+system, ${((cpu.user + cpu.system) / 1e6 / secs).toFixed(2)} cores busy); peak RSS ${(rssPeak / 2 ** 20).toFixed(0)} MiB`);
    say(`  transactions: ${txMs.length} for ${pages} pages; begin → commit p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms`);
    say(`ratio: ${ratio.toFixed(2)}`);
    return { bench: 'connectors', client: kafkaClientName(), value: round(value), ceiling: round(ceiling), ratio: Number(ratio.toFixed(3)), unit: 'records/s', cpuUsPerRecord: round(cpuUsPerRecord), rssPeakMiB: round(rssPeak / 2 ** 20), pageCommitMsP50: round(p50), pageCommitMsP95: round(p95), pages, transactions: txMs.length, phases: { fetchMs: round(v.timings.fetchMs), mapMs: round(v.timings.mapMs), encodeMs: round(v.timings.encodeMs), produceMs: round(v.timings.produceMs) }, blocked: { fetchMs: round(blocked.fetchMs), produceMs: round(blocked.produceMs) }, loopMs: round(loopMs) };
  } finally {
    await sim.stop();
    await stack.stop();
  }
}

const pct = (x: number, total: number) => `${((100 * x) / total).toFixed(0)}%`;
const round = (x: number) => Math.round(x);

async function averageRecordSize(kafka: ReturnType<typeof createKafka>, topic: string): Promise<number> {
  const { readToEnd } = await import('../core/read-to-end.js');
  let n = 0;
  let bytes = 0;
  await readToEnd(kafka, topic, (m) => {
    if (m.value && n < 5000) {
      n += 1;
      bytes += m.value.length + (m.key?.length ?? 0);
    }
  });
  return Math.max(1, Math.round(bytes / Math.max(1, n)));
}

/** Kafka's own producer benchmark (org.apache.kafka.tools.ProducerPerformance) from the stack's jars. */
function producerPerfTest(broker: string, records: number, recordSize: number): number {
  const cp = ensureKafkaJars();
  const topic = `bench-perf-${randomBytes(3).toString('hex')}`;
  const create = spawnSync('java', ['-cp', cp, 'org.apache.kafka.tools.TopicCommand', '--bootstrap-server', broker, '--create', '--topic', topic, '--partitions', '3', '--replication-factor', '1'], { encoding: 'utf8' });
  if (create.status !== 0) throw new Error(`creating the perf-test topic failed: ${create.stderr}`);
  const r = spawnSync(
    'java',
    ['-cp', cp, 'org.apache.kafka.tools.ProducerPerformance', '--topic', topic, '--num-records', String(records), '--record-size', String(recordSize), '--throughput', '-1', '--producer-props', `bootstrap.servers=${broker}`, 'acks=all'],
    { encoding: 'utf8', maxBuffer: 10 << 20 },
  );
  const m = /(\d+) records sent, ([\d.]+) records\/sec/.exec(r.stdout.split('\n').filter(Boolean).at(-1) ?? '');
  if (!m) throw new Error(`kafka-producer-perf-test printed no result:\n${r.stdout}\n${r.stderr}`);
  return Number(m[2]);
}
