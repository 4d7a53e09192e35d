/**
 * countyhub — the command county data-center staff use to run and inspect connectors.
 *   countyhub list                 adapters this build knows
 *   countyhub run <id…> | --all    run connectors in this process until SIGTERM/Ctrl-C
 */
import { ADAPTERS } from './adapters/index.js';
import { CountyHubError } from './sdk/errors.js';
import { runWorkers } from './runtime/runner.js';

const USAGE = `usage:
  countyhub list
  countyhub run <connector-id…> | --all
environment: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, PERSONAL_DATA_KEY, [TOPIC_PREFIX, CONNECTOR_CONFIG, STATUS_PORT]`;

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'list':
      for (const a of ADAPTERS) console.log(`${a.manifest.id.padEnd(24)} ${a.manifest.department.padEnd(18)} ${a.manifest.title}`);
      return;
    case 'run': {
      const ids = rest.includes('--all') ? ADAPTERS.map((a) => a.manifest.id) : rest;
      if (!ids.length) throw new CountyHubError('CH_CONFIG', `name the connectors to run, or --all\n${USAGE}`);
      await runWorkers(ids);
      return;
    }
    default:
      console.error(USAGE);
      process.exitCode = cmd ? 2 : 0;
  }
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof CountyHubError ? `error [${err.code}]: ${err.message}` : err);
  process.exit(1);
});
