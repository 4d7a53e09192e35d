/**
 * npm run eval:merge -- --dataset <folder> [--json] [--keep] [--explain N]
 * Runs a dataset in the format of docs/dataset-format.md through the real pipeline — each
 * department's records through its adapter's mapping into Kafka (Avro, registry, transactions),
 * the hub consuming them into PostgreSQL, merging and routing — then scores the hub's matters and
 * subjects against the dataset's truth (pairwise precision and recall).
 *
 *   --keep        keep the hub's tables (schema eval_xxxxxx) after the run and print how to query
 *                 them and how to run scripts/eval-explain.ts on them. With the local stack (whose
 *                 database is dropped when it stops) the hub then writes into the database
 *                 `countyhub_eval` on the same server instead; with testcontainers nothing survives.
 *                 Without --keep the schema is dropped at the end.
 *   --explain N   after scoring, categorise every missed and wrong pair and print N examples per
 *                 category (scripts/eval-explain.ts).
 *   GAZETTEER=off  run without the dataset's gazetteer (geo/gazetteer.jsonl), to compare.
 *   TEXT_WEIGHTS=off  run without text weights (estimated from the dataset's reports, no labels), to compare.
 *   --stall-seconds S  how long the hub may apply nothing while records wait (default 600); then
 *                 the run fails with exit status 3 and prints no scores.
 *
 * Scoring (simulators/county/scoring.ts): a record the hub links into a subject while the truth has
 * it in none is a wrong link; look-alike matters (decoyOf) get their own precision; the JSON line
 * carries the counts behind every figure.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createKafka } from '../core/kafka.js';
import { createLogger } from '../core/log.js';
import { replayDataset } from '../connectors/runtime/replay-dataset.js';
import { HubConsumer } from '../hub/ingest/consumer.js';
import { HubRouting } from '../hub/ingest/routing.js';
import { createDb, migrate } from '../hub/store/db.js';
import { topics } from '../schemas/index.js';
import { SchemaCodec } from '../schemas/registry.js';
import pg from 'pg';
import { readJsonl, readManifest, type TruthMatter, type TruthSubject } from '../simulators/county/dataset.js';
import { scoreClusters, scoreLookalikes } from '../simulators/county/scoring.js';
import { startStack } from '../stack/index.js';
import { explainMerge } from './eval-explain.js';
import { exitCodeFor, HubStalledError, waitForHub } from './eval-wait.js';
import { buildTextWeights } from './text-weights.js';
import { buildPositionSpread } from './position-spread.js';

const { values } = parseArgs({ options: { dataset: { type: 'string' }, json: { type: 'boolean' }, keep: { type: 'boolean' }, explain: { type: 'string' }, 'stall-seconds': { type: 'string', default: '600' } } });
if (!values.dataset || !existsSync(join(values.dataset, 'manifest.json'))) {
  console.error('usage: npm run eval:merge -- --dataset <folder with manifest.json> [--json] [--keep] [--explain N] [--stall-seconds 600]\n(make one with: npx tsx simulators/county/cli.ts --seed 1 --out /tmp/county)');
  process.exit(2);
}
const dir = values.dataset;
const say = (m: string) => (values.json ? undefined : console.error(`[eval] ${m}`));
const manifest = readManifest(dir);
const stack = await startStack({ log: values.json ? () => undefined : undefined });
const log = createLogger('eval');
const names = topics(`eval.${randomBytes(3).toString('hex')}`);
const schema = `eval_${randomBytes(3).toString('hex')}`;
const databaseUrl = values.keep && stack.kind === 'local' ? await keptDatabase(stack.databaseUrl) : stack.databaseUrl;
if (values.keep && stack.kind === 'containers') say('--keep: the containers are removed at the end; set DATABASE_URL (and the two others) to keep the tables');
const db = createDb(databaseUrl, { schema });
let failed = true;
let exitCode = 0;
try {
  await migrate(db, schema);
  const kafka = createKafka(stack.kafkaBrokers, 'countyhub-eval');
  const codec = new SchemaCodec(stack.schemaRegistryUrl, names);
  const divisionsFile = join(dir, manifest.geo?.divisions ?? 'geo/divisions.json');
  // the county gazetteer, when the dataset has one (geo/gazetteer.jsonl): address keys and geocoding
  const gazetteerFile = join(dir, 'geo/gazetteer.jsonl');
  const useGazetteer = existsSync(gazetteerFile) && process.env.GAZETTEER !== 'off';
  say(useGazetteer ? `gazetteer ${gazetteerFile}` : 'no gazetteer');
  // the county's text weights, estimated from the dataset's own reports without labels (scripts/text-weights.ts)
  const textWeights = process.env.TEXT_WEIGHTS === 'off' ? undefined : buildTextWeights(dir);
  say(textWeights ? `text weights of ${textWeights.count()} reports` : 'no text weights');
  // the platforms' position spread at one door, estimated from the dataset's own reports without labels (scripts/position-spread.ts)
  const positionSpread = process.env.POSITION_SPREAD === 'off' ? undefined : buildPositionSpread(dir);
  say(positionSpread ? `position spread of ${positionSpread.entries().length} platform pairs` : 'no position spread');
  const routing = HubRouting.load({ divisionsFile: existsSync(divisionsFile) ? divisionsFile : undefined, gazetteerFile: useGazetteer ? gazetteerFile : undefined, textWeights, positionSpread });
  const hub = new HubConsumer({ kafka, db, codec, topics: names, log, routing, groupId: `eval-${schema}` });
  await hub.start();

  const started = Date.now();
  const replay = await replayDataset(dir, manifest, { kafka, codec, topics: names, personalDataKey: 'eval-county-key-0123456789', catalogue: routing.catalogue, log }, { idPrefix: 'eval' });
  for (const d of replay.departments) say(`${d.sourceSystem}: ${d.produced} records produced, ${d.deadLettered} dead-lettered`);
  const evaluated = replay.departments.map((d) => d.sourceSystem);
  const skipped = replay.withoutAdapter.map((d) => d.sourceSystem);
  const produced = replay.departments.reduce((n, d) => n + d.produced, 0);
  const dead = replay.departments.reduce((n, d) => n + d.deadLettered, 0);
  say(`no adapter yet for: ${skipped.join(', ') || 'none'}`);
  // Wait until the hub has applied what is on the topics it consumes; a stall fails the run.
  const count = async (table: string): Promise<number> => Number((await db(table).count<{ n: string }[]>({ n: '*' }))[0]?.n ?? 0);
  const final = await waitForHub(
    async () => {
      // the lag first: the hub commits Kafka offsets after PostgreSQL, so once nothing is behind,
      // counting after it sees every applied record (counted before, the last commit could be missed)
      const behind = Object.values(await hub.lag()).reduce((a, b) => a + b, 0);
      return { behind, applied: await count('source_records'), deadLetters: await count('hub_dead_letters') };
    },
    {
      stallMs: Number(values['stall-seconds']) * 1000,
      onPoll: (p) => say(`hub applied ${p.applied}${p.deadLetters ? ` (${p.deadLetters} dead letters)` : ''}, ${p.behind} to go…`),
    },
  );
  const seconds = (Date.now() - started) / 1000;
  await hub.stop();

  const inScope = new Set(evaluated);
  const rows: Array<{ matter_id: string; source_system: string; source_record_id: string }> = await db('reports').select('matter_id', 'source_system', 'source_record_id');
  const predictedMatters = [...groupBy(rows, (r) => String(r.matter_id)).values()].map((rs) => rs.map((r) => ({ sourceSystem: r.source_system, sourceRecordId: r.source_record_id })));
  const truthMatterRows = readJsonl<TruthMatter>(join(dir, manifest.truth?.matters ?? 'truth/matters.jsonl')).map((m) => ({ ...m, refs: m.refs.filter((r) => inScope.has(r.sourceSystem)) }));
  const truthMatters = truthMatterRows.map((m) => m.refs).filter((c) => c.length > 0);
  const matters = scoreClusters(truthMatters, predictedMatters);
  const lookalike = scoreLookalikes(truthMatterRows, predictedMatters);

  const links: Array<{ subject_id: string; source_system: string; source_record_id: string }> = await db('subject_links').select('subject_id', 'source_system', 'source_record_id');
  const predictedSubjects = [...groupBy(links, (r) => String(r.subject_id)).values()].map((rs) => rs.map((r) => ({ sourceSystem: r.source_system, sourceRecordId: r.source_record_id })));
  const truthSubjects = readJsonl<TruthSubject>(join(dir, manifest.truth?.subjects ?? 'truth/subjects.jsonl'))
    .map((s) => s.refs.filter((r) => inScope.has(r.sourceSystem)))
    .filter((c) => c.length > 0);
  // every record of the dataset is covered: a report in no true subject is a singleton, so linking it is a wrong link
  const subjects = scoreClusters(truthSubjects, predictedSubjects, { unknown: 'singleton' });

  const result = {
    eval: 'merge',
    subject_precision: round(subjects.precision),
    subject_recall: round(subjects.recall),
    matter_precision: round(matters.precision),
    matter_recall: round(matters.recall),
    lookalike_precision: round(lookalike.precision),
    counts: {
      records_produced: produced,
      records_applied: final.applied,
      hub_dead_letters: final.deadLetters,
      connector_dead_letters: dead,
      matters: { true_pairs: matters.truePairs, predicted_pairs: matters.predictedPairs, correct_pairs: matters.correctPairs, missing_records: matters.missing, predicted_matters: predictedMatters.length },
      subjects: { true_pairs: subjects.truePairs, predicted_pairs: subjects.predictedPairs, correct_pairs: subjects.correctPairs, missing_records: subjects.missing, phantom_records: subjects.phantomRecords, phantom_pairs: subjects.phantomPairs, predicted_subjects: predictedSubjects.length },
      lookalikes: { matters: lookalike.lookalikes, predicted_pairs: lookalike.predictedPairs, correct_pairs: lookalike.correctPairs, confused_with_original_pairs: lookalike.confusedPairs },
    },
    seconds: Math.round(seconds),
  };
  if (values.json) {
    console.log(JSON.stringify(result));
  } else {
    console.log(`dataset ${dir}: ${produced} records through the pipeline in ${seconds.toFixed(0)} s (${dead} dead-lettered by connectors, ${final.deadLetters} by the hub, ${final.applied} applied); departments evaluated: ${evaluated.join(', ')}${skipped.length ? `; without adapter (left out of the truth): ${skipped.join(', ')}` : ''}`);
    console.log(`matters:    precision ${result.matter_precision}  recall ${result.matter_recall}  (${matters.correctPairs}/${matters.predictedPairs} predicted pairs right, ${matters.correctPairs}/${matters.truePairs} true pairs found)`);
    console.log(`look-alikes: precision ${result.lookalike_precision}  (${lookalike.correctPairs}/${lookalike.predictedPairs} predicted pairs touching a look-alike right; ${lookalike.confusedPairs} join a look-alike with the matter it imitates)`);
    console.log(`subjects:   precision ${result.subject_precision}  recall ${result.subject_recall}  (${subjects.correctPairs}/${subjects.predictedPairs}, ${subjects.correctPairs}/${subjects.truePairs}; ${subjects.phantomRecords} records linked though in no true subject, ${subjects.phantomPairs} pairs; ${predictedSubjects.length} golden subjects)`);
  }
  if (values.explain !== undefined) {
    await explainMerge(db, { dataset: dir, inScope, routing, sample: Number(values.explain) || 3, print: (l) => console.log(l) });
  }
  failed = false;
} catch (err) {
  if (!(err instanceof HubStalledError)) throw err;
  console.error(`[eval] ${err.message}: no scores`);
  exitCode = exitCodeFor(err);
} finally {
  if (values.keep) {
    const url = databaseUrl.replace(/\/\/[^@/]*@/, '//');
    console.error(
      `[eval] kept schema ${schema} in ${url}${failed ? ' (the run failed)' : ''}\n` +
        `  psql '${databaseUrl}' -c 'set search_path to ${schema}' -c "select merge_decision->>'rule' as rule, count(*) from reports group by 1"\n` +
        `  tables: reports (merge_decision), matters, subject_links (decision, record), subjects, subject_keys, source_records\n` +
        `  npx tsx scripts/eval-explain.ts --dataset ${dir} --database '${databaseUrl}' --schema ${schema} --sample 5\n` +
        `  drop it: psql '${databaseUrl}' -c 'drop schema ${schema} cascade'`,
    );
  } else {
    await db.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  }
  await db.destroy();
  await stack.stop();
}
process.exit(exitCode);

/** A database on the same server that outlives the local stack (which drops its own when it stops). */
async function keptDatabase(stackUrl: string): Promise<string> {
  const name = 'countyhub_eval';
  const url = stackUrl.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
  const client = new pg.Client({ connectionString: stackUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return url;
}

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return m;
}
function round(x: number): number {
  return Number(x.toFixed(4));
}
