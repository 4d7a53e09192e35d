/**
 * countyhub status: every connector's committed position, read from Kafka (so it answers even
 * when the worker is down), with dead letters waiting; --url asks a running worker instead.
 */
import { readToEnd } from '../../core/read-to-end.js';
import type { StoredCursor } from '../runtime/cursor-store.js';
import { connectorEnvironment } from '../runtime/environment.js';
import { ADAPTERS } from '../adapters/index.js';
import { listDeadLetters } from './dead-letters.js';

export async function status(opts: { url?: string; json?: boolean }): Promise<void> {
  if (opts.url) {
    const res = await fetch(`${opts.url.replace(/\/$/, '')}/status`);
    console.log(JSON.stringify(await res.json(), null, 2));
    return;
  }
  const env = connectorEnvironment('countyhub-status');
  const cursors = new Map<string, StoredCursor>();
  await readToEnd(env.kafka, env.topics.cursors, (m) => {
    const k = m.key?.toString();
    if (k && m.value && !k.startsWith('dlq-replayed/')) cursors.set(k, JSON.parse(m.value.toString()) as StoredCursor);
  });
  const waiting = new Map<string, number>();
  for (const d of await listDeadLetters(env)) if (!d.replayed) waiting.set(d.letter.connector, (waiting.get(d.letter.connector) ?? 0) + 1);
  const rows = [...new Set([...ADAPTERS.map((a) => a.manifest.id), ...cursors.keys()])].sort().map((id) => {
    const c = cursors.get(id);
    return {
      connector: id,
      lastCommit: c?.committedAt ?? null,
      secondsSinceLastCommit: c ? Math.round((Date.now() - Date.parse(c.committedAt)) / 1000) : null,
      produced: c?.produced ?? 0,
      deadLettered: c?.deadLettered ?? 0,
      deadLettersWaiting: waiting.get(id) ?? 0,
    };
  });
  if (opts.json) {
    console.log(JSON.stringify(rows));
    return;
  }
  console.log(`${'连接器 connector'.padEnd(40)}${'最近提交 last commit'.padEnd(28)}${'已产出'.padStart(10)}${'死信'.padStart(8)}${'待处理'.padStart(8)}`);
  for (const r of rows) {
    console.log(`${r.connector.padEnd(40)}${(r.lastCommit ? `${r.lastCommit} (${r.secondsSinceLastCommit}s)` : '从未运行 never').padEnd(28)}${String(r.produced).padStart(10)}${String(r.deadLettered).padStart(8)}${String(r.deadLettersWaiting).padStart(8)}`);
  }
}
