/**
 * A department database that changes by itself ("live mode"): every `everyMs`, one step of `batch`
 * changes. A step still waiting (on a locked table, say) is not overlapped by the next. Stopping
 * answers once the step under way has committed, so that what a test reads next counts it.
 */
export interface LiveMode {
  set(everyMs: number, batch: number): void;
  readonly everyMs: number;
  stop(): void;
  /** Resolves when no step is under way. */
  settled(): Promise<void>;
}

export function liveMode(step: (batch: number) => Promise<void>, onError: (err: unknown) => void): LiveMode {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let every = 0;
  let batch = 1;
  const tick = () => {
    if (running) return;
    running = (async () => {
      try {
        await step(batch);
      } catch (err) {
        onError(err);
      } finally {
        running = undefined;
      }
    })();
  };
  const live: LiveMode = {
    get everyMs() {
      return every;
    },
    set(everyMs: number, n: number) {
      if (timer) clearInterval(timer);
      timer = undefined;
      every = everyMs;
      batch = Math.max(1, n);
      if (everyMs > 0) timer = setInterval(tick, everyMs);
    },
    stop() {
      live.set(0, 1);
    },
    async settled() {
      while (running) await running;
    },
  };
  return live;
}
