/**
 * countyhub — the command county data-center staff use to run and look after connectors.
 */
import { parseArgs } from 'node:util';
import { ADAPTERS } from './adapters/index.js';
import { backfill } from './cli/backfill.js';
import { listDeadLetters, printLetters, replayDeadLetters } from './cli/dead-letters.js';
import { loadDataset } from './cli/load-dataset.js';
import { printReconciliation, reconcile } from './cli/reconcile.js';
import { scaffold, type ScaffoldSource } from './cli/scaffold.js';
import { status } from './cli/status.js';
import { connectorEnvironment } from './runtime/environment.js';
import { runWorkers } from './runtime/runner.js';
import { ConfigError, CountyHubError } from '../core/errors.js';
import { explainAccessError } from '../core/cluster-access.js';
import { exitOnConfigError } from '../core/settings.js';

const USAGE = `countyhub — 连接器管理 (connector management)
  countyhub list                                   adapters this build knows
  countyhub run <id…> | --all                      run connectors until SIGTERM/Ctrl-C
  countyhub status [--url <worker status URL>] [--json]
  countyhub backfill <id> --from <time> --to <time> back-fill a time range (progress, rate, ETA)
  countyhub dead-letters list [--connector <id>] [--json]
  countyhub dead-letters replay --connector <id> [--offset N …] [--payload-file fixed.json]
  countyhub load-dataset --dataset <dir>            load a dataset's department exports through the adapters, then reconcile
  countyhub reconcile --dataset <dir>               per department: source records in Kafka, dead-lettered, unaccounted
  countyhub new <name> [--source http-json|http-xml|file-drop]
                                                    scaffold an adapter with a passing fixture test
environment: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, PERSONAL_DATA_KEY, [TOPIC_PREFIX, CONNECTOR_CONFIG, STATUS_PORT]`;

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      all: { type: 'boolean' },
      source: { type: 'string' },
      json: { type: 'boolean' },
      url: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      connector: { type: 'string' },
      offset: { type: 'string', multiple: true },
      'payload-file': { type: 'string' },
      dataset: { type: 'string' },
    },
  });
  switch (cmd) {
    case 'list':
      for (const a of ADAPTERS) console.log(`${a.manifest.id.padEnd(24)} ${a.manifest.department.padEnd(18)} ${a.manifest.source && (a.manifest.source as { kind: string }).kind.padEnd(11)} ${a.manifest.title}`);
      return;
    case 'run': {
      const ids = values.all ? ADAPTERS.map((a) => a.manifest.id) : positionals;
      if (!ids.length) throw new CountyHubError('CH_CONFIG', `name the connectors to run, or --all\n${USAGE}`);
      await runWorkers(ids);
      return;
    }
    case 'status':
      await status({ url: values.url, json: values.json });
      return;
    case 'backfill': {
      const [id] = positionals;
      if (!id || !values.from || !values.to) throw new CountyHubError('CH_CONFIG', `backfill needs <id> --from and --to\n${USAGE}`);
      await backfill(id, values.from, values.to);
      return;
    }
    case 'dead-letters': {
      const [sub] = positionals;
      const env = connectorEnvironment('countyhub-dead-letters');
      if (sub === 'list') {
        printLetters(await listDeadLetters(env, values.connector), Boolean(values.json));
      } else if (sub === 'replay') {
        if (!values.connector) throw new CountyHubError('CH_CONFIG', 'replay needs --connector <id>');
        const r = await replayDeadLetters(env, { connector: values.connector, offsets: values.offset, payloadFile: values['payload-file'] });
        console.log(JSON.stringify(r));
      } else {
        throw new CountyHubError('CH_CONFIG', `dead-letters list|replay\n${USAGE}`);
      }
      return;
    }
    case 'load-dataset':
    case 'reconcile': {
      if (!values.dataset) throw new CountyHubError('CH_CONFIG', `${cmd} needs --dataset <dir>`);
      const env = connectorEnvironment('countyhub-reconcile');
      const registryUrl = process.env.SCHEMA_REGISTRY_URL!;
      const rows = cmd === 'reconcile' ? await reconcile(env, registryUrl, values.dataset) : await loadDataset(env, registryUrl, values.dataset);
      if (values.json) console.log(JSON.stringify(rows));
      else printReconciliation(rows);
      process.exitCode = rows.some((r) => r.unaccounted > 0) ? 1 : 0;
      return;
    }
    case 'new': {
      const [name] = positionals;
      if (!name) throw new CountyHubError('CH_CONFIG', 'new needs a name, e.g. countyhub new culture-tourism');
      const dir = scaffold(name, undefined, (values.source ?? 'http-json') as ScaffoldSource);
      console.log(`created ${dir}\nnext: describe the platform in manifest.ts, record real source records into fixtures/, fix mapping.ts until \`npx vitest run ${dir}\` passes.\nThe worker finds the folder by itself (see connectors/README.md); add the department's codes to schemas/catalogues/category-mappings/.`);
      return;
    }
    default:
      console.log(USAGE);
      process.exitCode = cmd && cmd !== 'help' && cmd !== '--help' ? 2 : 0;
  }
}

main(process.argv.slice(2))
  .then(() => {
    if (!['run'].includes(process.argv[2] ?? '')) process.exit(process.exitCode ?? 0);
  })
  .catch((err) => {
    const explained = explainAccessError(err);
    if (explained instanceof ConfigError) exitOnConfigError('countyhub', explained);
    console.error(err instanceof CountyHubError ? `错误 error [${err.code}]: ${err.message}` : err);
    process.exit(1);
  });
