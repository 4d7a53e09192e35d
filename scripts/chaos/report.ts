/** The chaos suite's human output: one row per fault, then the verdict and what needs a look. */

export interface FaultResult {
  name: string;
  what: string;
  faultSeconds: number;
  recovered: boolean;
  /** From the end of the fault until the checker passed (platforms = Kafka = hub, lag 0, all running). */
  recoverSeconds: number | null;
  /** Records the platforms served again with the same version (counted at the platform side). */
  reRead: number;
  lost: number;
  duplicated: number;
  deadLettered: number;
  /** Platform records checked at the end of this fault. */
  records: number;
  /** Decisions queued by the hub so far (each must reach a platform once). */
  decisions: number;
  /** Processes that exited by themselves during this fault and were started again. */
  crashes: string[];
  note: string;
  unresolved: string[];
  samples: string[];
}

export interface Total {
  faults: number;
  lost: number;
  duplicated: number;
  unrecovered: number;
  crashes: number;
  seconds: number;
  seed: number;
}

export function printTable(results: FaultResult[], total: Total): void {
  const head = ['故障 fault', '持续 s', '恢复 s', '重读', '丢失', '重复', '死信', '崩溃', '记录/派单', '说明'];
  const rows = results.map((r) => [
    r.name,
    r.faultSeconds.toFixed(1),
    r.recovered ? (r.recoverSeconds ?? 0).toFixed(1) : '未恢复',
    String(r.reRead),
    String(r.lost),
    String(r.duplicated),
    String(r.deadLettered),
    String(r.crashes.length),
    `${r.records}/${r.decisions}`,
    r.note,
  ]);
  const width = (s: string) => [...s].reduce((n, ch) => n + (/[\u1100-\uffff]/.test(ch) ? 2 : 1), 0);
  const cols = head.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]!))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(cols[i]! - width(c)))).join('  ');
  console.log(line(head));
  console.log(cols.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log('');
  for (const r of results) {
    if (r.recovered && !r.lost && !r.duplicated && !r.crashes.length) continue;
    console.log(`${r.name}:`);
    for (const u of r.unresolved) console.log(`  未恢复 ${u}`);
    for (const c of r.crashes) console.log(`  崩溃 ${c}`);
    for (const s of r.samples) console.log(`  例 ${s}`);
  }
  const ok = !total.lost && !total.duplicated && !total.unrecovered;
  console.log(`${ok ? '通过 PASS' : '失败 FAIL'}: ${total.faults} faults, ${total.lost} lost, ${total.duplicated} duplicated, ${total.unrecovered} unrecovered, ${total.crashes} crash(es) restarted; ${total.seconds} s (seed ${total.seed})`);
}
