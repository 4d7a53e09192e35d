/**
 * A second county, with its own profile and no code change: 湖滨县 (counties/lakeside — made up, other
 * codes, towns, villages and coordinates than the demo county) is generated, its eight departments'
 * records go through the adapters, a live grid simulator and a grid connector worker run on it, and
 * the hub applies everything. The county shows through: positions inside its box (not dead-lettered
 * as outside the demo county's), towns resolved by its own names, every division code its own, and
 * each matter routed to departments.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// before any module reads the profile: the adapters, the generator and every process started here
vi.hoisted(() => {
  process.env.COUNTY_PROFILE = `${process.cwd()}/counties/lakeside`;
});

import { countyProfile } from '../../../core/county-profile.js';
import { createDb, type Db } from '../../../hub/store/db.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';
import { nextOffsetsAfterLastRecord, produceCountyDataset } from '../../support/county-topics.js';
import { testContext } from '../../support/context.js';

const ctx = testContext('second_county');
const dir = mkdtempSync(join(tmpdir(), 'countyhub-second-county-'));
const county = countyProfile();
const [minLng, minLat, maxLng, maxLat] = county.bbox;
const GRID_EVENTS = 40;
let db: Db;
let produced: Awaited<ReturnType<typeof produceCountyDataset>>;
const running: RunningProcess[] = [];

/** The live simulator's events happen now; the generated county day ends before. */
const datasetEnd = () => new Date((JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { period: { end: string } }).period.end);

async function caughtUp(): Promise<boolean> {
  const at = new Map(((await db('consumed_offsets').where({ group_id: `${ctx.prefix}.hub` })) as Array<{ topic: string; partition: number; next_offset: string }>).map((r) => [`${r.topic}:${r.partition}`, BigInt(r.next_offset)]));
  for (const kind of ['report', 'subject'] as const) {
    const { next } = await nextOffsetsAfterLastRecord(ctx, ctx.topics.records(kind));
    for (const [p, end] of next) if ((at.get(`${ctx.topics.records(kind)}:${p}`) ?? 0n) < end) return false;
  }
  return true;
}

beforeAll(async () => {
  produced = await produceCountyDataset(ctx, dir, { seed: 5, scale: 0.02 });
  db = createDb(ctx.stack.databaseUrl, { schema: ctx.dbSchema });
  const sim = await startProcess('grid simulator', 'simulators/grid/main.ts', ['--seed', '9', '--generate', String(GRID_EVENTS), '--duplicate-rate', '0'], {});
  running.push(sim);
  const [hub, worker] = await Promise.all([
    startProcess('hub', 'hub/main.ts', [], { ...ctx.env, HUB_PORT: '0', DIVISIONS_FILE: produced.divisionsFile, HUB_SLA_CHECK_MS: '0' }),
    startProcess('grid worker', 'connectors/cli.ts', ['run', 'grid'], { ...ctx.env, CONNECTOR_CONFIG: JSON.stringify({ grid: { source: { url: `${String(sim.ready.url)}/api/grid/v1/events` }, pollIntervalMs: 300 } }) }),
  ]);
  running.push(hub, worker);
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await db?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('a second county runs on its profile alone', () => {
  it("the generated county is the profile's: its code, towns and box", () => {
    const divisions = JSON.parse(readFileSync(produced.divisionsFile, 'utf8')) as { county: { code: string; name: string }; towns: Array<{ code: string; name: string }> };
    expect(divisions.county).toMatchObject({ code: '361199', name: '湖滨县' });
    expect(divisions.towns.map((t) => t.code).sort()).toEqual(county.towns.map((t) => t.code).sort());
    expect(resolve(county.dir)).toBe(resolve('counties/lakeside'));
  });

  it('the hub applies every department, with its own division codes, positions and town names', async () => {
    await eventually('the grid worker to deliver the live events and the hub to apply everything', async () => {
      const live = Number((await db('reports').where({ source_system: 'grid' }).where('event_time', '>', datasetEnd()).count<{ n: string }[]>({ n: '*' }))[0]!.n);
      return live >= GRID_EVENTS && (await caughtUp()) ? true : undefined;
    }, 600_000, 2000);

    const reports = (await db('reports').select('source_system', 'division_code', 'lng', 'lat', 'event_time')) as Array<{ source_system: string; division_code: string | null; lng: number | null; lat: number | null; event_time: Date }>;
    const systems = new Set(reports.map((r) => r.source_system));
    for (const s of ['hotline-12345', 'grid', 'environment-12369', 'enforcement-cases', 'natural-resources-patrol', 'emergency-hazards']) expect(systems, s).toContain(s);
    // every division code is this county's (a demo-county code would mean a county fact in code)
    const coded = reports.filter((r) => r.division_code !== null);
    expect(coded.length).toBeGreaterThan(reports.length * 0.8);
    expect(coded.filter((r) => !r.division_code!.startsWith(county.code))).toEqual([]);
    // positions in this county's box; outside the demo county's box they were not dead-lettered
    const placed = reports.filter((r) => r.lng !== null && r.lat !== null);
    expect(placed.length).toBeGreaterThan(reports.length * 0.5);
    expect(placed.filter((r) => r.lng! < minLng || r.lng! > maxLng || r.lat! < minLat || r.lat! > maxLat)).toEqual([]);
    // the live grid events: all of them, in this county's villages, placed unless the device sent no fix
    const live = reports.filter((r) => r.source_system === 'grid' && r.event_time > datasetEnd());
    expect(live).toHaveLength(GRID_EVENTS);
    expect(live.filter((r) => !r.division_code?.startsWith(county.code))).toEqual([]);
    expect(live.filter((r) => r.lng !== null).length).toBeGreaterThan(GRID_EVENTS * 0.8);
    // towns named in words (the patrol export gives 乡镇 by name) resolved by this county's gazetteer
    const patrol = reports.filter((r) => r.source_system === 'natural-resources-patrol');
    expect(patrol.filter((r) => r.division_code !== null).length).toBeGreaterThan(patrol.length * 0.8);

    // the connectors dead-lettered no more than the generator's deliberate bad rows (a few percent)
    const replayedDead = produced.departments.reduce((n, d) => n + d.deadLettered, 0);
    expect(replayedDead).toBeLessThan(produced.produced * 0.05);
  });

  it("each matter is routed: tasks for its departments, in this county's towns", async () => {
    const matters = (await db('matters').select('id', 'division_code')) as Array<{ id: string; division_code: string | null }>;
    expect(matters.length).toBeGreaterThan(50);
    expect(matters.filter((m) => m.division_code !== null && !m.division_code.startsWith(county.code))).toEqual([]);
    const routed = new Set(((await db('tasks').distinct('matter_id')) as Array<{ matter_id: string }>).map((t) => t.matter_id));
    expect(routed.size).toBeGreaterThan(matters.length * 0.8);
  });
});
