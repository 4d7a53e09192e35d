/**
 * Process entry shared by the simulators: parse --port/--host/--seed, listen (127.0.0.1 by default), and print one
 * JSON line {"simulator":…, "url":…} on stdout so a parent process knows where it is.
 */
import type { FastifyInstance } from 'fastify';
import { parseArgs } from 'node:util';

/** `extraOptions`: the simulator's own flags, parsed by its main (listed here so they are not refused). */
export async function runSimulator(name: string, build: (opts: { seed: number; args: Record<string, unknown> }) => FastifyInstance, extraOptions: NonNullable<Parameters<typeof parseArgs>[0]>['options'] = {}): Promise<void> {
  const { values } = parseArgs({ options: { ...extraOptions, port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' }, seed: { type: 'string', default: '1' } } });
  const app = build({ seed: Number(values.seed), args: values });
  const url = await app.listen({ host: String(values.host), port: Number(values.port) });
  process.stdout.write(JSON.stringify({ simulator: name, url }) + '\n');
  const close = () => void app.close().then(() => process.exit(0));
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
}
