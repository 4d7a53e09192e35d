import { createServer } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { StackError } from '../core/errors.js';

/** A port the kernel says is free now. Another process could take it before we bind; rare enough. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls `probe` until it answers true; fails early when `died()` says the process is gone. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  died: () => boolean = () => false,
  logFile?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (died()) throw new StackError(`${what} exited during start-up.${tail(logFile)}`);
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = err;
    }
    await sleep(250);
  }
  throw new StackError(`${what} was not ready after ${timeoutMs / 1000} s.${tail(logFile)}`, lastError);
}

function tail(file?: string): string {
  if (!file || !existsSync(file)) return '';
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-15);
  return `\nLast lines of ${file}:\n${lines.join('\n')}`;
}
