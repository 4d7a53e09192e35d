/**
 * One way to get the servers CountyHub runs on, used by the tests, the demo and the benchmarks:
 *   1. KAFKA_BROKERS + SCHEMA_REGISTRY_URL + DATABASE_URL set → use them as they are;
 *   2. else a Docker engine answers → testcontainers;
 *   3. else local processes (Kafka and Apicurio from Maven Central, PostgreSQL on 127.0.0.1:5432).
 * COUNTYHUB_STACK=env|containers|local forces a choice.
 */
import { StackError } from '../core/errors.js';
import type { Stack, StackOptions } from './types.js';

export type { Stack, StackOptions, StackAddress } from './types.js';

function fromEnv(): Stack | undefined {
  const { KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL } = process.env;
  if (!KAFKA_BROKERS && !SCHEMA_REGISTRY_URL && !DATABASE_URL) return undefined;
  const missing = Object.entries({ KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL })
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length) {
    throw new StackError(`Set all three of KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL, or none; missing: ${missing.join(', ')}`);
  }
  return {
    kind: 'env',
    kafkaBrokers: KAFKA_BROKERS!.split(',').map((s) => s.trim()),
    schemaRegistryUrl: SCHEMA_REGISTRY_URL!,
    databaseUrl: DATABASE_URL!,
    stop: async () => undefined,
  };
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const forced = process.env.COUNTYHUB_STACK;
  if (forced !== 'containers' && forced !== 'local') {
    const env = fromEnv();
    if (env || forced === 'env') {
      if (!env) throw new StackError('COUNTYHUB_STACK=env but KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL are not set');
      return env;
    }
  }
  if (forced !== 'local') {
    const { dockerAvailable, startContainerStack } = await import('./containers.js');
    if (forced === 'containers' || (await dockerAvailable())) return startContainerStack(opts);
  }
  const { startLocalStack } = await import('./local.js');
  return startLocalStack(opts);
}

/** Stops the stack on Ctrl-C, SIGTERM and normal exit, so no Java process outlives us. */
export function stopOnExit(stack: Stack, before?: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n[stack] ${signal}: stopping…\n`);
    void (async () => {
      try {
        await before?.();
      } finally {
        await stack.stop();
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
    })();
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
