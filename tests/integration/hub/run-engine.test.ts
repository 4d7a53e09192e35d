/**
 * The run engine (hub/ingest: matter candidate pool, deferred matter and report writes, subjects
 * linked in memory over the run's neighbourhood) must give exactly what applying each record on
 * its own gives — the per-record path that asks PostgreSQL every question — and must not cost a
 * statement per record: many reports naming one popular restaurant (a run's worth of them, all
 * meeting the same subject and the same few matters) are applied in a bounded number of statements.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyRecords } from '../../../hub/ingest/apply-records.js';
import { HANDLERS } from '../../../hub/ingest/handlers.js';
import { endCandidatePool, loadCandidates, prepareCandidatePool } from '../../../hub/ingest/matter-candidates.js';
import { reportDerived } from '../../../hub/ingest/report-run.js';
import { HubRouting } from '../../../hub/ingest/routing.js';
import { createDb, migrate } from '../../../hub/store/db.js';
import type { RecordKind, Report, Subject } from '../../../schemas/index.js';
import { canonicalDump, diffDumps, subjectInvariants } from '../../support/hub-dump.js';
import { DIVISIONS } from '../../unit/merge/fixtures.js';
import { EXAMPLES, sh } from '../../unit/schemas/examples.js';

const schema = `t_engine_${randomBytes(3).toString('hex')}`;
const db = createDb(inject('stack').databaseUrl, { schema });
const divisionsFile = join(mkdtempSync(join(tmpdir(), 'countyhub-engine-')), 'divisions.json');
writeFileSync(divisionsFile, JSON.stringify(DIVISIONS));
const routing = HubRouting.load({ divisionsFile });
beforeAll(async () => migrate(db, schema));
afterAll(async () => {
  await db.raw(`drop schema if exists "${schema}" cascade`);
  await db.destroy();
});

const REPORTS = 60;
const start = sh('2025-06-12 08:00:00');
const texts = [
  (n: number) => `来电人反映幸福路12号“老王家常菜”餐馆油烟直排，熏到楼上住户（第${n}次来电）。`,
  (n: number) => `市民反映老王家常菜晚上十点后仍在营业，噪音扰民，已是第${n}次反映。`,
  (n: number) => `幸福路12号老王家常菜门口占道经营，摆放桌椅影响通行（${n}）。`,
];
const categories = ['env.cooking_fume', 'env.noise', 'street.outside_shop'];
/** Reports about one restaurant over three days: its fumes, its noise, its tables on the pavement; now and then a new version. */
const reports: Report[] = Array.from({ length: REPORTS }, (_, i) => {
  const at = start + i * 37 * 60_000;
  const kind = i % 3;
  return {
    ...EXAMPLES.report,
    envelope: { ...EXAMPLES.report.envelope, sourceRecordId: `GD2025061${String(i).padStart(5, '0')}`, sourceVersion: at, eventTime: at, ingestTime: at + 5_000 },
    description: texts[kind]!(i),
    categoryCode: categories[kind]!,
    subjectName: i % 4 === 0 ? null : '老王家常菜',
  };
});
// a later version of every tenth report (the department closed it): the same run carries both
const versions: Report[] = reports.filter((_, i) => i % 10 === 5).map((r) => ({ ...r, status: 'CLOSED', sourceStatus: '办结', envelope: { ...r.envelope, sourceVersion: r.envelope.sourceVersion + 3_600_000, ingestTime: r.envelope.ingestTime + 3_600_000 } }));
const stream: Report[] = [...reports.slice(0, 30), ...versions.slice(0, 3), ...reports.slice(30), ...versions.slice(3)];
const registry: Subject[] = [EXAMPLES.subject];

let offset = 0;
async function reset() {
  await db.raw('truncate status_changes, matter_events, tasks, reports, subject_links, subject_keys, subjects, subject_redirects, matters, source_records, merge_proposals, dispatch_outbox restart identity cascade');
}

/** The engine: each run of records in one transaction, as the consumer applies them. */
async function inRuns(kind: RecordKind, records: Array<Report | Subject>, size: number) {
  for (let i = 0; i < records.length; i += size) {
    await db.transaction((tx) => applyRecords(tx, kind, { topic: kind, partition: 0 }, records.slice(i, i + size).map((r) => ({ offset: String(++offset), report: r, value: null })), routing));
  }
}

/** Without a run: each record by its handler in a transaction of its own, every question asked of PostgreSQL. */
async function oneByOneWithoutRun(kind: RecordKind, records: Array<Report | Subject>) {
  for (const r of records) await db.transaction((tx) => HANDLERS[kind]!(tx, r, { topic: kind, partition: 0, offset: String(++offset) }, routing));
}

async function state() {
  const dump = await canonicalDump(db);
  // offsets differ between the ways of applying; what was applied must not
  const tables = ['subjects', 'subject_links', 'subject_keys', 'subject_redirects', 'reports', 'matters', 'tasks', 'matter_events', 'merge_proposals', 'dispatch_outbox'];
  return { ...dump, tables: Object.fromEntries(tables.map((t) => [t, dump.tables[t] ?? []])) };
}

describe('the run engine', () => {
  it('applies a run of reports naming one restaurant as applying them one by one would, in a bounded number of statements', async () => {
    await reset();
    await oneByOneWithoutRun('subject', registry);
    await oneByOneWithoutRun('report', stream);
    const reference = await state();
    expect(await subjectInvariants(db)).toEqual([]);
    // the reports found each other and the restaurant: a few matters, one profile for the restaurant
    const matters = Number((await db('matters').count({ n: '*' }))[0]!.n);
    expect(matters).toBeGreaterThan(1);
    expect(matters).toBeLessThan(REPORTS / 2);
    const profiles = await db('subject_links').where({ source_system: 'hotline-12345' }).distinct('subject_id');
    expect(profiles).toHaveLength(1);

    for (const size of [1, 7, 200]) {
      await reset();
      await inRuns('subject', registry, size);
      let statements = 0;
      let neighbourhoodReads = 0;
      const count = (q: { sql: string }) => {
        statements += 1;
        if (q.sql.startsWith('with base as')) neighbourhoodReads += 1;
      };
      db.on('query', count);
      try {
        await inRuns('report', stream, size);
      } finally {
        db.off('query', count);
      }
      expect(await subjectInvariants(db), `runs of ${size}`).toEqual([]);
      expect(diffDumps(reference, await state()), `runs of ${size}`).toEqual([]);
      if (size === 200) {
        // one run of them all: a few statements per run (locks, reads, one write per table), none per record
        expect(statements).toBeLessThan(40);
        // the restaurant's component, which the registry's run left, is locked before the read:
        // the neighbourhood is read once, not read, locked and read again
        expect(neighbourhoodReads).toBe(1);
      }
    }
  }, 600_000);
});

/**
 * Candidates by address (issue 13): 12345 work orders with an address but no coordinates and no
 * division code, a grid report whose position is a platform geocode a kilometre off, filed under the
 * neighbouring community — only the county gazetteer's address key (door:<road>#<n>) brings them together, and the
 * run engine must find them in its one pool statement exactly as the per-record queries do.
 */
describe('the run engine with the county gazetteer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'countyhub-gazetteer-'));
  const gazetteerFile = join(dir, 'gazetteer.jsonl');
  writeFileSync(
    gazetteerFile,
    [
      { kind: 'road', id: 'R1', name: '团结路', townCode: '150625100', villageCode: '150625100001', line: [[108.70, 39.85], [108.72, 39.85]], doors: [1, 200] },
      { kind: 'door', road: 'R1', door: 100, point: [108.7101, 39.8502] },
    ].map((e) => JSON.stringify(e)).join('\n'),
  );
  const withGazetteer = HubRouting.load({ divisionsFile, gazetteerFile });
  const t0 = sh('2025-06-20 19:00:00');
  const report = (id: string, i: number, over: Partial<Report>, env: Partial<Report['envelope']> = {}): Report => ({
    ...EXAMPLES.report,
    envelope: { ...EXAMPLES.report.envelope, sourceRecordId: id, sourceVersion: t0 + i * 600_000, eventTime: t0 + i * 600_000, ingestTime: t0 + i * 600_000 + 5_000, divisionCode: null, gridCode: null, location: null, ...env },
    categoryCode: 'env.cooking_fume',
    subjectName: null,
    ...over,
  });
  // the grid worker's report: a platform geocode ~1 km east of the door, filed under the next
  // community (the road is their boundary): neither position nor division finds it from the calls
  const grid = report('SJ-G1', 0, { channel: 'GRID', address: '团结路100号', description: '团结路100号饭店油烟直排，熏到楼上住户，已拍照上报。' }, { sourceSystem: 'grid', department: 'grid', divisionCode: '150625100002', location: { lng: 108.7218, lat: 39.8502, originalLng: 108.7218, originalLat: 39.8502, originalCrs: 'WGS84' } });
  const calls = [
    report('GD-A1', 1, { address: '团结路100号楼', description: '团结路100号楼一楼饭店油烟很大，熏得楼上没法开窗。' }),
    report('GD-A2', 2, { address: '团结路100栋', description: '团结路100栋饭店排烟管对着住户，油烟呛人。' }),
    report('GD-B1', 3, { address: '团结路180号', description: '团结路180号烧烤店油烟很大，请处理。' }),
    report('GD-A3', 4, { address: '团结路100号院', description: '团结路100号院门口饭店油烟扰民，反映多次。' }),
  ];
  const all = [grid, ...calls];

  async function applyAll(size: number | null) {
    for (let i = 0; i < all.length; i += size ?? 1) {
      const slice = all.slice(i, i + (size ?? 1));
      if (size === null) {
        for (const r of slice) await db.transaction((tx) => HANDLERS.report!(tx, r, { topic: 'report', partition: 0, offset: String(++offset) }, withGazetteer));
      } else {
        await db.transaction((tx) => applyRecords(tx, 'report', { topic: 'report', partition: 0 }, slice.map((r) => ({ offset: String(++offset), report: r, value: null })), withGazetteer));
      }
    }
  }

  it('finds the matter at the same door by its address key, in runs as one by one', async () => {
    await reset();
    await applyAll(null);
    const reference = await state();
    const matterOf = async (id: string) => String((await db('reports').where({ source_record_id: id }).first('matter_id'))!.matter_id);
    const door = await matterOf('SJ-G1');
    for (const id of ['GD-A1', 'GD-A2', 'GD-A3']) expect(await matterOf(id), id).toBe(door);
    expect(await matterOf('GD-B1')).not.toBe(door);
    // what the hub derived is stored beside what the department sent
    const a1 = await db('reports').where({ source_record_id: 'GD-A1' }).first();
    expect(a1.lng).toBeNull();
    // the door's key, and its road's: a report naming only the road finds the matters at its doors
    expect(a1.address_keys).toEqual(['door:R1#100', 'road:R1']);
    expect(a1.location_origin).toBe('geocoded:door');
    expect(a1.geocoded_lng).toBeCloseTo(108.7101, 6);
    expect(a1.geocoded_division_code).toBe('150625100001');
    expect((await db('matters').where({ id: door }).first()).address_keys).toEqual(['door:R1#100', 'road:R1']);

    for (const size of [2, 5]) {
      await reset();
      await applyAll(size);
      expect(diffDumps(reference, await state()), `runs of ${size}`).toEqual([]);
    }
  }, 300_000);

  it('reads a matter again in a later run when another transaction changed its reports, and only then', async () => {
    await reset();
    await inRuns('report', [reports[0]!], 1);
    const matterId = String((await db('reports').where({ source_record_id: reports[0]!.envelope.sourceRecordId }).first('matter_id'))!.matter_id);
    const next = reportDerived(reports[3]!, routing).features;
    /** The reports of the matter as a new run sees them, and the statements the run asked to see them. */
    const seenByARun = async () => {
      let statements = 0;
      const count = () => void (statements += 1);
      db.on('query', count);
      try {
        return await db.transaction(async (tx) => {
          await prepareCandidatePool(tx, [next]);
          const found = (await loadCandidates(tx, next)).find((c) => c.matterId === matterId);
          endCandidatePool(tx);
          return { ids: (found?.reports ?? []).map((r) => r.sourceRecordId), statements };
        });
      } finally {
        db.off('query', count);
      }
    };
    const first = await seenByARun();
    expect(first.ids).toEqual([reports[0]!.envelope.sourceRecordId]);
    // unchanged: the next run reads the pool, not the matter's reports again
    const again = await seenByARun();
    expect(again.ids).toEqual(first.ids);
    expect(again.statements).toBeLessThan(first.statements);
    // another instance links a report to the matter: its report row and its matter's row, in one transaction
    const row = await db('reports').where({ source_record_id: reports[0]!.envelope.sourceRecordId }).first();
    await db.transaction(async (tx) => {
      await tx('reports').insert({ ...row, source_record_id: 'GD-OTHER-INSTANCE', description: '另一实例写入的同一餐馆油烟投诉' });
      await tx('matters').where({ id: matterId }).increment('report_count', 1);
    });
    expect((await seenByARun()).ids.sort()).toEqual([reports[0]!.envelope.sourceRecordId, 'GD-OTHER-INSTANCE'].sort());
  }, 120_000);
});
