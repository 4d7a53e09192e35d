/**
 * The adapter author's and operator's tools: `countyhub new` scaffolds an adapter whose fixture
 * test passes as generated; `countyhub backfill` reads a time range under its own cursor, once,
 * with progress on stderr.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaffold } from '../../../connectors/cli/scaffold.js';
import { CountyHubError } from '../../../core/errors.js';
import { fixtureContext, loadFixtures, runFixture } from '../../../connectors/sdk/fixtures.js';
import type { ConnectorManifest, Mapping } from '../../../connectors/sdk/types.js';
import type { Report } from '../../../schemas/index.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { countyhub } from '../../support/cli.js';
import { kafkaFor, testContext } from '../../support/context.js';
import { committedRecords, duplicates } from '../../support/kafka-records.js';

describe('countyhub new', () => {
  const name = `zz-scaffold-${process.pid}`;
  const dir = join(import.meta.dirname, '../../../connectors/adapters', name);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates an adapter whose good and bad fixtures pass through its mapping as recorded', async () => {
    scaffold(name);
    const mod = { ...((await import(join(dir, 'manifest.ts'))) as { manifest: ConnectorManifest }), ...((await import(join(dir, 'mapping.ts'))) as { mapping: Mapping }) };
    const fixtures = loadFixtures(join(dir, 'fixtures'));
    expect(fixtures.map((f) => Boolean(f.error))).toEqual([false, true]);
    for (const f of fixtures) {
      const out = runFixture(f, mod.mapping, fixtureContext(mod.manifest));
      if (out.ok) expect(out.emitted).toEqual(out.expected);
      else expect((out.error as CountyHubError).field).toBe(f.error?.field);
    }
  });

  it('refuses a name that exists or is not a plain id', () => {
    expect(existsSync(dir)).toBe(true);
    expect(() => scaffold(name)).toThrow(/already exists/);
    expect(() => scaffold('Bad Name')).toThrow(/lower-case/);
  });
});

describe('countyhub backfill', () => {
  let sim: RunningProcess;
  const ctx = testContext('backfill');
  beforeAll(async () => {
    sim = await startProcess('12345 simulator', 'simulators/hotline-12345/main.ts', ['--seed', '11'], {});
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('reads the range once under its own cursor, with progress, and a re-run adds nothing', async () => {
    await fetch(`${String(sim.ready.url)}/__sim/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: 1500 }) });
    const env = { ...ctx.env, CONNECTOR_CONFIG: JSON.stringify({ 'hotline-12345': { source: { url: `${String(sim.ready.url)}/api/v2/workorders`, pagination: { size: 100 } } } }) };
    const args = ['backfill', 'hotline-12345', '--from', '2000-01-01 00:00:00', '--to', '2027-06-30 00:00:00'];
    const run = await countyhub(args, env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/回填 hotline-12345 \[#+-*\] +\d+% \d+ 条 \d+ 条\/秒/);
    expect(run.stdout).toContain('1500 source records read');
    const again = await countyhub(args, env);
    expect(again.stdout).toContain('0 source records read');
    const records = await eventually('records', async () => {
      const rs = await committedRecords<Report>(kafkaFor(ctx), ctx.stack.schemaRegistryUrl, ctx.topics.records('report'));
      return rs.length >= 1500 ? rs : undefined;
    });
    expect(records).toHaveLength(1500);
    expect(duplicates(records)).toEqual([]);
  });
});
