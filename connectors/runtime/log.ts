import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs (one line per event) to stderr; LOG_LEVEL sets the level. */
export function createLogger(name: string): Logger {
  return pino({ name, level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'warn' : 'info') }, pino.destination(2));
}
