/**
 * countyhub reconcile --dataset <dir>: every source record accounted for, per department. For each
 * record of the dataset's department files: is it in Kafka (a committed canonical record with its
 * source system and id), or in the dead letters (with a reason)? Anything else is unaccounted for
 * and listed.
 */
import { RECORD_KINDS } from '../../schemas/index.js';
import { registryClient } from '../../schemas/registry.js';
import { readDepartment, readManifest } from '../../core/dataset.js';
import type { DeadLetter } from '../runtime/dead-letters.js';
import type { ConnectorEnvironment } from '../runtime/environment.js';
import { readToEnd } from '../../core/read-to-end.js';

export interface DepartmentReconciliation {
  department: string;
  sourceSystem: string;
  source: number;
  inKafka: number;
  deadLettered: number;
  unaccounted: number;
  examples: string[];
}

export async function reconcile(env: ConnectorEnvironment, registryUrl: string, dir: string): Promise<DepartmentReconciliation[]> {
  const registry = registryClient(registryUrl);
  const delivered = new Set<string>();
  for (const kind of RECORD_KINDS) {
    const values: Buffer[] = [];
    await readToEnd(env.kafka, env.topics.records(kind), (m) => void (m.value && values.push(m.value))).catch(() => undefined);
    for (const v of values) {
      const r = (await registry.decode(v)) as { envelope: { sourceSystem: string; sourceRecordId: string } };
      delivered.add(`${r.envelope.sourceSystem}\u0000${r.envelope.sourceRecordId}`);
    }
  }
  const dead = new Set<string>();
  await readToEnd(env.kafka, env.topics.deadLetters, (m) => {
    if (!m.value) return;
    const d = JSON.parse(m.value.toString()) as DeadLetter;
    dead.add(`${d.sourceSystem}\u0000${d.sourceRecordId ?? ''}`);
  });
  const manifest = readManifest(dir);
  return manifest.departments.map((d) => {
    const lines = readDepartment(dir, d.department);
    let inKafka = 0;
    let deadLettered = 0;
    const missing: string[] = [];
    for (const l of lines) {
      const k = `${l.sourceSystem}\u0000${l.sourceRecordId}`;
      if (delivered.has(k)) inKafka += 1;
      else if (dead.has(k)) deadLettered += 1;
      else missing.push(l.sourceRecordId);
    }
    return { department: d.department, sourceSystem: d.sourceSystem, source: lines.length, inKafka, deadLettered, unaccounted: missing.length, examples: missing.slice(0, 3) };
  });
}

export function printReconciliation(rows: DepartmentReconciliation[]): void {
  console.log(`${'部门 department'.padEnd(22)}${'源记录'.padStart(8)}${'已入Kafka'.padStart(11)}${'死信'.padStart(8)}${'未对账'.padStart(8)}`);
  for (const r of rows) {
    console.log(`${r.department.padEnd(22)}${String(r.source).padStart(9)}${String(r.inKafka).padStart(12)}${String(r.deadLettered).padStart(9)}${String(r.unaccounted).padStart(9)}${r.unaccounted ? `  e.g. ${r.examples.join(', ')}` : ''}`);
  }
  const t = rows.reduce((a, r) => ({ s: a.s + r.source, k: a.k + r.inKafka, d: a.d + r.deadLettered, u: a.u + r.unaccounted }), { s: 0, k: 0, d: 0, u: 0 });
  console.log(`${'合计 total'.padEnd(22)}${String(t.s).padStart(9)}${String(t.k).padStart(12)}${String(t.d).padStart(9)}${String(t.u).padStart(9)}`);
}
