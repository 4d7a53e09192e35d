/**
 * npm run hub:rebuild -- --into <schema> [--verify]
 *
 * Rebuilds the hub's database from Kafka into a new PostgreSQL schema (hub/ops/rebuild.ts), with the
 * hub's own settings (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL, DB_SCHEMA of the live hub,
 * TOPIC_PREFIX, HUB_GROUP_ID, RULES_FILE, DIVISIONS_FILE, GAZETTEER_FILE, CATALOGUE_DIR). With
 * --verify, compares the result with the live schema row by row and exits 1 when they differ.
 * Prints progress on stderr and one JSON line on stdout. To switch to the rebuilt state, stop the
 * hub and start it with DB_SCHEMA set to the new schema.
 */
import { parseArgs } from 'node:util';
import { createKafka } from '../core/kafka.js';
import { createLogger } from '../core/log.js';
import { explainAccessError } from '../core/cluster-access.js';
import { exitOnConfigError } from '../core/settings.js';
import { topics } from '../schemas/index.js';
import { SchemaCodec } from '../schemas/registry.js';
import { HubRouting } from './ingest/routing.js';
import { rebuildFromKafka, verifyRebuild } from './ops/rebuild.js';
import { hubSettings } from './settings.js';

const { values } = parseArgs({ options: { into: { type: 'string' }, verify: { type: 'boolean', default: false } } });
if (!values.into || !/^[a-z_][a-z0-9_]{0,62}$/.test(values.into)) {
  console.error('usage: npm run hub:rebuild -- --into <new schema name: lower-case letters, digits, _> [--verify]');
  process.exit(2);
}
let s: ReturnType<typeof hubSettings>;
try {
  s = hubSettings();
} catch (err) {
  exitOnConfigError('rebuild', err);
}
const names = topics(s.TOPIC_PREFIX);
const liveGroupId = s.HUB_GROUP_ID ?? names.consumerGroup('hub');
const say = (msg: string) => process.stderr.write(`[rebuild] ${msg}\n`);
try {
  let lastSaid = 0;
  const result = await rebuildFromKafka(
    {
      kafka: createKafka(s.KAFKA_BROKERS, 'countyhub-rebuild'),
      codec: new SchemaCodec(s.SCHEMA_REGISTRY_URL, names),
      topics: names,
      routing: HubRouting.load({ rulesPath: s.RULES_FILE, divisionsFile: s.DIVISIONS_FILE, gazetteerFile: s.GAZETTEER_FILE, textWeightsFile: s.TEXT_WEIGHTS_FILE, positionSpreadFile: s.POSITION_SPREAD_FILE, catalogueDir: s.CATALOGUE_DIR }),
      log: createLogger('rebuild'),
      databaseUrl: s.DATABASE_URL,
    },
    {
      into: values.into,
      liveGroupId,
      onProgress: ({ applied, target }) => {
        if (Date.now() - lastSaid < 5000) return;
        lastSaid = Date.now();
        say(`${applied} of ${target} records applied (重建进度)`);
      },
    },
  );
  say(`${result.records} records in ${result.seconds.toFixed(1)} s into schema ${result.into}; ${result.dispatchesAlreadySent} dispatches already on the dispatch topic marked sent, ${result.dispatchesStillQueued} still to send; ${result.deadLetters} dead letters`);
  const out: Record<string, unknown> = { rebuild: result.into, records: result.records, seconds: Number(result.seconds.toFixed(1)), deadLetters: result.deadLetters, dispatchesAlreadySent: result.dispatchesAlreadySent, dispatchesStillQueued: result.dispatchesStillQueued };
  if (values.verify) {
    const v = await verifyRebuild(s.DATABASE_URL, { schema: s.DB_SCHEMA, groupId: liveGroupId }, result.into);
    if (!v.samePositions) say(`the live hub is not at the rebuild's positions (records arrived meanwhile?): ${v.positionDifferences.slice(0, 5).join('; ')}`);
    say(v.differences.length ? `differs from the live hub (与在线状态不一致):\n${v.differences.join('\n')}` : 'identical to the live hub, row by row (与在线状态一致)');
    Object.assign(out, { identical: v.differences.length === 0, samePositions: v.samePositions, differences: v.differences.length });
    if (v.differences.length) process.exitCode = 1;
  }
  process.stdout.write(JSON.stringify(out) + '\n');
} catch (err) {
  exitOnConfigError('rebuild', explainAccessError(err));
}
process.exit(process.exitCode ?? 0);
