/**
 * CPU time of processes on this machine, from /proc (Linux): the hub's main thread, and the
 * PostgreSQL backends that serve it. Wall time on a shared two-core machine says how busy the
 * machine was as much as what the work costs; CPU per record says what it costs, and how many
 * records per second the machine's cores could apply at most.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';

/** USER_HZ: 100 on Linux on every architecture Node runs on. */
const CLOCK_TICKS = 100;

/** utime + stime of a process (or one of its threads) in ms; null where /proc does not show it (a server on another machine). */
export function procCpuMs(pid: number, tid?: number): number | null {
  try {
    const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), 12 and 13 after the command
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** This process's main thread: not GC helpers, the JIT's compiler threads or libuv's pool. */
export const mainThreadCpuMs = () => procCpuMs(process.pid, process.pid);

/**
 * The CPU the PostgreSQL backends of one application name spent between start() and stop():
 * backends found at the start count from then, backends that connected later count whole (the
 * hub's pool opened them during the run). Null when the server's processes are not visible here.
 */
export class BackendCpu {
  private readonly before = new Map<number, number>();
  private visible = true;

  constructor(private readonly databaseUrl: string, private readonly applicationName: string) {}

  private async backends(): Promise<Map<number, number>> {
    // asked on a connection of its own, so that every backend of the application name is counted
    const client = new pg.Client({ connectionString: this.databaseUrl });
    await client.connect();
    let rows: Array<{ pid: number }>;
    try {
      rows = (await client.query(`select pid from pg_stat_activity where application_name = $1`, [this.applicationName])).rows as Array<{ pid: number }>;
    } finally {
      await client.end();
    }
    const out = new Map<number, number>();
    for (const { pid } of rows) {
      const ms = procCpuMs(pid);
      if (ms === null) this.visible = false;
      else out.set(pid, ms);
    }
    return out;
  }

  async start(): Promise<void> {
    for (const [pid, ms] of await this.backends()) this.before.set(pid, ms);
  }

  async stop(): Promise<number | null> {
    const after = await this.backends();
    if (!this.visible) return null;
    let total = 0;
    for (const [pid, ms] of after) total += ms - (this.before.get(pid) ?? 0);
    return total;
  }
}
