/**
 * Keeps one CountyHub process running the way the deployment does (docker-compose
 * `restart: unless-stopped`): a process that exits unexpectedly is started again after a short
 * pause, and the exit is recorded as a crash with the last lines it wrote — a finding the chaos
 * report shows, even when nothing was lost. A kill -9 the suite itself delivers is not a crash.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startProcess, type RunningProcess } from '../../stack/processes.js';

export interface Crash {
  name: string;
  at: number;
  code: number | null;
  signal: string | null;
  lastLines: string;
}

export class Supervised {
  current: RunningProcess | undefined;
  readonly crashes: Crash[] = [];
  starts = 0;
  private stopped = false;
  private expectingDeath = false;
  private starting: Promise<void> | undefined;

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly args: string[],
    private readonly env: () => Record<string, string>,
    private readonly onCrash: (c: Crash) => void = () => undefined,
  ) {}

  /** Starts the process and waits until it says it is ready (retrying while it fails to start). */
  start(): Promise<void> {
    this.starting ??= this.startLoop().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async startLoop(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        const p = await startProcess(this.name, this.entry, this.args, this.env(), 90_000);
        this.starts += 1;
        this.current = p;
        p.child.once('exit', (code, signal) => this.exited(p, code, signal));
        return;
      } catch (err) {
        // failing to start is a crash too (e.g. a worker that gives up while the registry is down)
        this.record({ name: this.name, at: Date.now(), code: null, signal: null, lastLines: lastLines(String((err as Error).message), 25) });
        await sleep(Math.min(10_000, 1000 * attempt));
      }
    }
  }

  private exited(p: RunningProcess, code: number | null, signal: string | null): void {
    if (this.stopped || p !== this.current) return;
    this.current = undefined;
    if (this.expectingDeath) return;
    this.record({ name: this.name, at: Date.now(), code, signal, lastLines: lastLines(p.output(), 25) });
    void sleep(2000).then(() => (this.stopped ? undefined : this.start()));
  }

  private record(c: Crash): void {
    this.crashes.push(c);
    this.onCrash(c);
  }

  alive(): boolean {
    const c = this.current?.child;
    return !!c && c.exitCode === null && c.signalCode === null;
  }

  /** kill -9, then wait `downMs` and start it again. */
  async kill9(downMs = 0): Promise<void> {
    const p = this.current;
    this.expectingDeath = true;
    try {
      if (p && p.child.exitCode === null && p.child.signalCode === null) {
        const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
        p.child.kill('SIGKILL');
        await exited;
      }
      this.current = undefined;
    } finally {
      this.expectingDeath = false;
    }
    if (downMs) await sleep(downMs);
    await this.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.current?.stop();
  }
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n').slice(-3000);
}

/** The line of a crash worth a table cell: the error's own message, not the stack or Node's banner. */
export function crashSummary(c: Crash): string {
  const lines = c.lastLines.split('\n').map((l) => l.trim()).filter(Boolean);
  const msg = lines.find((l) => /^(\w*Error|CountyHubError|KafkaJS\w*|Error)\b|error:|"msg":/i.test(l)) ?? lines.find((l) => !l.startsWith('at ') && !/^Node\.js v/.test(l) && l !== '}') ?? '';
  return `${c.name} (code ${c.code}, signal ${c.signal}): ${msg}`.slice(0, 300);
}
