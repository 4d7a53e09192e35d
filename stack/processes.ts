/**
 * Runs parts of CountyHub as real child processes (simulators, connector workers, the hub), as
 * they run in production, so tests can restart and kill -9 them. Each prints one JSON line on
 * stdout when ready; stderr is kept for the failure message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = resolve(import.meta.dirname, '..');

/** Children still running, killed when this process exits (one listener for all of them). */
const living = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of living) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

export interface RunningProcess {
  name: string;
  child: ChildProcess;
  ready: Record<string, unknown>;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Node flags a service runs with, as the Dockerfile and docker-compose.yml start it. The hub keeps
 * a run's working set (pools, neighbourhoods, parsed reports) young for a whole transaction: with
 * V8's default 16 MB semi-spaces it scavenged thousands of times over a county day; with 64 MB the
 * full demo day applied in 121–125 s instead of 142–156 s (docs/decisions/002, session 16).
 */
const NODE_FLAGS: Record<string, string[]> = { 'hub/main.ts': ['--max-semi-space-size=64'] };

export async function startProcess(name: string, entry: string, args: string[], env: Record<string, string>, timeoutMs = 240_000): Promise<RunningProcess> {
  const child = spawn(process.execPath, [...(NODE_FLAGS[entry] ?? []), '--import', 'tsx', resolve(ROOT, entry), ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20_000);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  // a test that times out, or a demo that crashes, must not leave its children running
  living.add(child);
  void exited.then(() => living.delete(child));
  const ready = await new Promise<Record<string, unknown>>((resolveReady, reject) => {
    // a child that never got ready must not keep running (and holding its ports) behind the caller's back
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} not ready after ${timeoutMs} ms:\n${err}`));
    }, timeoutMs);
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      try {
        const v = JSON.parse(line) as Record<string, unknown>;
        clearTimeout(timer);
        resolveReady(v);
      } catch {
        // not the ready line
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it was ready:\n${err}`));
    });
  });
  return {
    name,
    child,
    ready,
    output: () => err,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

/**
 * Polls until `fn` returns a value that is not undefined, or fails with the last error. The default
 * bound is generous on purpose: it only ends a wait that would never succeed, and a busy machine (the
 * suite's two workers beside other work) can take tens of seconds for one record to cross a pipeline
 * that takes a second when quiet.
 */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 180_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
