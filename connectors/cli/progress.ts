/** A one-line progress bar on stderr with rate and ETA, redrawn in place on a terminal. */
export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;

  constructor(
    private readonly label: string,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  /** fraction in [0,1] (or undefined when unknown), count of records so far. */
  update(fraction: number | undefined, count: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const secs = Math.max(0.001, (now - this.started) / 1000);
    const rate = count / secs;
    const f = fraction === undefined ? undefined : Math.min(1, Math.max(0, fraction));
    const width = 30;
    const bar = f === undefined ? '?'.repeat(width) : '#'.repeat(Math.round(f * width)).padEnd(width, '-');
    const eta = f && f > 0 && f < 1 ? formatDuration((secs / f) * (1 - f)) : f === 1 ? '0:00' : '--:--';
    const line = `${this.label} [${bar}] ${f === undefined ? '  ?' : `${Math.floor(f * 100)}`.padStart(3)}% ${count} 条 ${rate.toFixed(0)} 条/秒 剩余 ${eta}`;
    if (this.out.isTTY) this.out.write(`\r${line}`);
    else this.out.write(`${line}\n`);
  }

  done(count: number): void {
    this.update(1, count, true);
    if (this.out.isTTY) this.out.write('\n');
  }
}

export function formatDuration(secs: number): string {
  const s = Math.round(secs);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}
