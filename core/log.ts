import { pino, type Logger } from 'pino';

export type { Logger };

/** Levels of the Kafka client's own log lines (KAFKA_LOG_LEVEL); here, in a module without imports of ours, so every settings module can name them. */
export const KAFKA_LOG_LEVELS = ['nothing', 'error', 'warn', 'info', 'debug'] as const;

/** Structured JSON logs (one line per event) to stderr; LOG_LEVEL sets the level. */
export function createLogger(name: string): Logger {
  return pino({ name, level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'warn' : 'info') }, pino.destination(2));
}
