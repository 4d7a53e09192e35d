/**
 * Process entry shared by the simulators: parse --port/--host/--seed, listen (127.0.0.1 by default), and print one
 * JSON line {"simulator":…, "url":…} on stdout so a parent process knows where it is.
 */
import type { FastifyInstance } from 'fastify';
import { parseArgs } from 'node:util';

export async function runSimulator(name: string, build: (opts: { seed: number }) => FastifyInstance): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' }, seed: { type: 'string', default: '1' } } });
  const app = build({ seed: Number(values.seed) });
  const url = await app.listen({ host: values.host, port: Number(values.port) });
  process.stdout.write(JSON.stringify({ simulator: name, url }) + '\n');
  const close = () => void app.close().then(() => process.exit(0));
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
}
