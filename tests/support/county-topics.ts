/**
 * Fills a test's topics with a generated county dataset (simulators/county), each department's
 * records through its adapter (connectors/runtime/replay-dataset.ts), so hub tests can consume a
 * realistic mix of reports and subjects.
 */
import { join } from 'node:path';
import { createLogger } from '../../core/log.js';
import { nextOffsetsAfterLastRecord as lastRecords } from '../../core/read-to-end.js';
import { replayDataset, type ReplayedDepartment } from '../../connectors/runtime/replay-dataset.js';
import { HubRouting } from '../../hub/ingest/routing.js';
import { generateDataset } from '../../simulators/county/generate.js';
import { codecFor, kafkaFor, type TestContext } from './context.js';

export interface ProducedDataset {
  /** Canonical records produced, over all kinds. */
  produced: number;
  divisionsFile: string;
  departments: ReplayedDepartment[];
}

export async function produceCountyDataset(ctx: TestContext, dir: string, opts: { seed: number; scale: number }): Promise<ProducedDataset> {
  const { manifest } = generateDataset({ seed: opts.seed, scale: opts.scale }, dir);
  const divisionsFile = join(dir, 'geo/divisions.json');
  const kafka = kafkaFor(ctx, 'county-topics');
  const codec = codecFor(ctx);
  const log = createLogger('county-topics');
  const routing = HubRouting.load({ divisionsFile });
  const { departments } = await replayDataset(dir, manifest, { kafka, codec, topics: ctx.topics, personalDataKey: ctx.env.PERSONAL_DATA_KEY!, catalogue: routing.catalogue, log }, { idPrefix: ctx.id });
  const produced = departments.reduce((n, d) => n + d.produced, 0);
  return { produced, divisionsFile, departments };
}

/** Per partition of `topic` that holds records: the offset after its last record (see read-to-end.ts). */
export function nextOffsetsAfterLastRecord(ctx: TestContext, topic: string): Promise<{ next: Map<number, bigint>; records: number }> {
  return lastRecords(kafkaFor(ctx, 'county-topics-ends'), topic);
}
