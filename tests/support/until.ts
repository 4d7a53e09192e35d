/**
 * Waiting for a condition on a busy machine: poll until it holds; give up only when nothing has
 * moved for `stallMs` (the `progress` figure did not change) or after the hard bound `timeoutMs`.
 * A slow but moving pipeline gets the time it needs; a stuck one fails with what it was waiting for.
 */
export interface UntilOptions {
  /** Hard upper bound (default 5 minutes). */
  timeoutMs?: number;
  /** A figure that grows while work is being done (records applied, offsets consumed). */
  progress?: () => Promise<unknown> | unknown;
  /** Give up when `progress` has not changed for this long (default 90 s). */
  stallMs?: number;
  intervalMs?: number;
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | false | null>, opts: UntilOptions = {}): Promise<T> {
  const started = Date.now();
  const end = started + (opts.timeoutMs ?? 300_000);
  const stallMs = opts.stallMs ?? 90_000;
  let last: string | undefined;
  let movedAt = started;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      lastError = err; // a probe may fail while a server is restarting
    }
    const now = Date.now();
    if (opts.progress) {
      const seen = JSON.stringify(await Promise.resolve(opts.progress()).catch(() => last));
      if (seen !== last) {
        last = seen;
        movedAt = now;
      } else if (now - movedAt > stallMs) {
        throw new Error(`waiting for ${what}: no progress for ${Math.round(stallMs / 1000)} s (stuck at ${last})${lastError ? `; last error: ${(lastError as Error).message}` : ''}`);
      }
    }
    if (now > end) throw new Error(`timed out after ${Math.round((now - started) / 1000)} s waiting for ${what}${last !== undefined ? ` (progress: ${last})` : ''}${lastError ? `; last error: ${(lastError as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  }
}
