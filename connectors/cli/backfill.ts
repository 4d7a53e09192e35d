/**
 * countyhub backfill <id> --from T1 --to T2: reads the source's history between two times under a
 * cursor of its own (so the live connector's place is untouched), exactly once like any run, with
 * a progress bar. Re-running the same range resumes where it stopped; the hub ignores versions it
 * already has, so overlapping the live stream is harmless.
 */
import { ConfigError } from '../../core/errors.js';
import { parseTimestamp } from '../../core/normalise/time.js';
import type { ConnectorManifest } from '../sdk/types.js';
import { connectorEnvironment, workerFor } from '../runtime/environment.js';
import { Progress } from './progress.js';

export async function backfill(id: string, from: string, to: string): Promise<void> {
  const fromMs = parseTimestamp(from, '--from', { notBefore: new Date(0) }).epochMs;
  const toMs = parseTimestamp(to, '--to', { notBefore: new Date(0) }).epochMs;
  if (toMs <= fromMs) throw new ConfigError('--to', 'must be after --from');
  const env = connectorEnvironment('countyhub-backfill');
  const runId = `${id}~backfill-${from.replace(/\D/g, '').slice(0, 14)}-${to.replace(/\D/g, '').slice(0, 14)}`;
  const worker = workerFor(env, id, (m) => startingAt(m, from, runId));
  await worker.connect();
  const progress = new Progress(`回填 ${id}`);
  let count = 0;
  const position = (c: unknown) => worker.position(c);
  const stop = () => void worker.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await worker.drain({
    onPage: ({ records, cursor }) => {
      count += records;
      const p = position(cursor);
      progress.update(p === undefined ? undefined : (p - fromMs) / (toMs - fromMs), count);
    },
    until: (c) => (position(c) ?? 0) >= toMs,
  });
  progress.done(count);
  await worker.stop();
  const s = worker.status.view();
  console.log(`回填完成 (back-fill done): ${count} source records read, ${s.produced} produced, ${s.deadLettered} dead-lettered (cursor ${runId})`);
}

function startingAt(m: ConnectorManifest, from: string, runId: string): ConnectorManifest {
  const source = m.source as { incremental?: { initial: string } };
  if (!source.incremental) throw new ConfigError(`${m.id}.source`, `back-fill needs a source with an incremental time field; ${m.id} has none`);
  return { ...m, id: runId, source: { ...source, incremental: { ...source.incremental, initial: from } } };
}
