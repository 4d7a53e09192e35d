/**
 * The hub applies records in runs, one PostgreSQL transaction each, and leaves part of the work
 * for the end of the run (golden records, reports' and matters' subjects, the matter timeline).
 * A crash or a rebalance cuts the stream into other runs, and subjects' records arrive on two
 * topics in any order: on the real PostgreSQL, every cut and every order must end in the same
 * subjects, links, keys and subject ids, with the records of one enterprise on one profile.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { applyRecords } from '../../../hub/ingest/apply-records.js';
import { HubRouting } from '../../../hub/ingest/routing.js';
import { createDb, migrate } from '../../../hub/store/db.js';
import { deterministicId } from '../../../hub/store/ids.js';
import type { Report, StatusChange, Subject } from '../../../schemas/index.js';
import { hubState, progress } from './status-fixtures.js';
import { canonicalDump, diffDumps, subjectInvariants } from '../../support/hub-dump.js';
import { DIVISIONS, shuffled, uscc } from '../../unit/merge/fixtures.js';
import { EXAMPLES, sh } from '../../unit/schemas/examples.js';

const schema = `t_runs_${randomBytes(3).toString('hex')}`;
const db = createDb(inject('stack').databaseUrl, { schema });
// the county's divisions, so that 演示旗锡尼镇老王家常菜馆 reads as 老王家常菜馆 of 锡尼镇
const divisionsFile = join(mkdtempSync(join(tmpdir(), 'countyhub-runs-')), 'divisions.json');
writeFileSync(divisionsFile, JSON.stringify(DIVISIONS));
const routing = HubRouting.load({ divisionsFile });
beforeAll(async () => migrate(db, schema));
afterAll(async () => {
  await db.raw(`drop schema if exists "${schema}" cascade`);
  await db.destroy();
});

const LAOWANG_USCC = EXAMPLES.subject.uscc!;
const LAOLI_USCC = uscc('92150625MA7GQ9K30');

function subject(sourceSystem: string, department: string, id: string, version: number, over: Partial<Subject>): Subject {
  return { ...EXAMPLES.subject, envelope: { ...EXAMPLES.subject.envelope, sourceSystem, department, sourceRecordId: id, sourceVersion: version, eventTime: version, ingestTime: version + 1000 }, ...over };
}
function report(id: string, at: string, over: Partial<Report>): Report {
  return { ...EXAMPLES.report, envelope: { ...EXAMPLES.report.envelope, sourceRecordId: id, sourceVersion: sh(at), eventTime: sh(at), ingestTime: sh(at) + 5000 }, ...over };
}

const v1 = sh('2024-11-02 15:20:00');
const subjects: Subject[] = [
  // 老王家常菜馆: registry row, then a newer version of it; the licence platform's copy of the same USCC
  subject('market-registration', 'market', LAOWANG_USCC, v1, {}),
  subject('market-registration', 'market', LAOWANG_USCC, v1 + 86_400_000, { businessScope: '餐饮服务；预包装食品销售；酒类零售' }),
  subject('food-licence', 'market', 'JY21506250012345', v1 + 3_600_000, { legacyCode: null, formerNames: [] }),
  // 老李烧烤, next door, another enterprise
  subject('market-registration', 'market', LAOLI_USCC, v1, {
    uscc: LAOLI_USCC,
    name: '演示旗锡尼镇老李烧烤店',
    legacyCode: null,
    formerNames: [],
    legalRepresentative: null,
    phoneHash: null,
    phoneMasked: null,
    registeredAddress: '内蒙古自治区鄂尔多斯市演示旗锡尼镇锡尼社区幸福路14号',
  }),
];
const reports: Report[] = [
  // 12345 names 老王家常菜 at 幸福路12号 (EXAMPLES.report), twice over the day
  report('GD20250612000318', '2025-06-12 09:31:00', {}),
  report('GD20250612000577', '2025-06-12 21:05:00', { description: '来电人反映幸福路12号“老王家常菜”晚上十点后仍在营业，油烟扰民。' }),
  // one about 老李烧烤, named only in its text
  report('GD20250612000402', '2025-06-12 13:10:00', { subjectName: null, title: '门店占道经营', address: '演示旗锡尼镇锡尼社区幸福路14号', description: '来电人反映幸福路14号老李烧烤店门口占道经营，烧烤油烟大。', categoryCode: 'street.outside_shop' }),
];

type Run = { kind: 'subject'; records: Subject[] } | { kind: 'report'; records: Report[] } | { kind: 'status-change'; records: StatusChange[] };

let offset = 0;
async function applyRuns(runs: Run[]) {
  await db.raw('truncate status_changes, matter_events, tasks, reports, subject_links, subject_keys, subjects, matters, source_records, merge_proposals, dispatch_outbox restart identity cascade');
  for (const run of runs) {
    const pos = { topic: run.kind, partition: 0 };
    await db.transaction((tx) => applyRecords(tx, run.kind, pos, run.records.map((r) => ({ offset: String(++offset), report: r, value: null })), routing));
  }
}

/** Each record its own run, in the given order. */
const oneByOne = (kind: 'subject' | 'report', records: Array<Subject | Report>): Run[] => records.map((r) => ({ kind, records: [r] }) as Run);

/** The hub's state as far as subjects go: what two runs must agree on. */
async function subjectState() {
  const dump = await canonicalDump(db);
  return { ...dump, tables: Object.fromEntries(['subjects', 'subject_links', 'subject_keys', 'reports', 'matters'].map((t) => [t, dump.tables[t] ?? []])) };
}

describe('applying in runs', () => {
  it('one profile per enterprise: the registry rows, the licence and the reports naming it', async () => {
    await applyRuns([{ kind: 'subject', records: subjects }, { kind: 'report', records: reports }]);
    expect(await subjectInvariants(db)).toEqual([]);
    const links: Array<{ source_system: string; source_record_id: string; subject_id: string; source_version: string }> = await db('subject_links').select();
    const subjectOf = (system: string, id: string) => String(links.find((l) => l.source_system === system && l.source_record_id === id)?.subject_id);
    const laowang = deterministicId('subject', 'food-licence', 'JY21506250012345');
    expect(subjectOf('market-registration', LAOWANG_USCC)).toBe(laowang);
    expect(subjectOf('hotline-12345', 'GD20250612000318')).toBe(laowang);
    expect(subjectOf('hotline-12345', 'GD20250612000577')).toBe(laowang);
    expect(subjectOf('market-registration', LAOLI_USCC)).not.toBe(laowang);
    expect(subjectOf('hotline-12345', 'GD20250612000402')).toBe(subjectOf('market-registration', LAOLI_USCC));
    // the profile was first named after the registry row (applied first), then renamed after the licence's smaller identity: the old id leads to it
    expect(await db('subject_redirects').where({ old_id: deterministicId('subject', 'market-registration', LAOWANG_USCC) }).first('new_id')).toEqual({ new_id: laowang });
    // the registry row is linked once, at its newest version
    expect(links.filter((l) => l.source_record_id === LAOWANG_USCC).map((l) => Number(l.source_version))).toEqual([v1 + 86_400_000]);
    // golden record: the registry's name and USCC; the matter names the profile too
    const golden = await db('subjects').where({ id: laowang }).first();
    expect(golden).toMatchObject({ uscc: LAOWANG_USCC, name: '演示旗锡尼镇老王家常菜馆' });
    const matters: Array<{ subject_id: string | null }> = await db('matters').select('subject_id');
    expect(matters.map((m) => String(m.subject_id)).sort()).toEqual(expect.arrayContaining([laowang, subjectOf('market-registration', LAOLI_USCC)]));
    // each matter a report opened is dispatched by the rules, once, to the departments its tasks name, with their deadlines
    const tasks: Array<{ id: string; matter_id: string; department: string; role: string; first_response_by: Date; close_by: Date }> = await db('tasks').select();
    const outbox: Array<{ matter_id: string; version: string; action: string; record: Record<string, any> }> = await db('dispatch_outbox').select();
    const opened: Array<{ id: string; decision_version: string }> = await db('matters').select('id', 'decision_version');
    expect(outbox.map((o) => String(o.matter_id)).sort()).toEqual(opened.map((m) => String(m.id)).sort());
    for (const o of outbox) {
      const own = tasks.filter((t) => String(t.matter_id) === String(o.matter_id));
      const lead = own.find((t) => t.role === 'lead')!;
      expect(o).toMatchObject({ version: '1', action: 'DISPATCH' });
      expect(o.record).toMatchObject({ idempotencyKey: `${o.matter_id}:1`, leadDepartment: lead.department, issuedByRole: 'rule', firstResponseDeadline: lead.first_response_by.getTime(), closureDeadline: lead.close_by.getTime() });
      expect(o.record.taskIds).toEqual(Object.fromEntries(own.map((t) => [t.department, String(t.id)])));
      expect(o.record.reports).toHaveLength(1);
    }
    expect(opened.map((m) => Number(m.decision_version))).toEqual(opened.map(() => 1));
  });

  it('any order of the two topics and any cut into runs ends in the same subjects, links, keys and subject ids', async () => {
    await applyRuns([{ kind: 'subject', records: subjects }, { kind: 'report', records: reports }]);
    const reference = await subjectState();
    const orders: Array<[string, Run[]]> = [
      ['reports first', [{ kind: 'report', records: reports }, { kind: 'subject', records: subjects }]],
      ['one record per run, subjects reversed', [...oneByOne('report', reports), ...oneByOne('subject', [...subjects].reverse())]],
      ['interleaved', [...oneByOne('subject', [subjects[2]!]), { kind: 'report', records: reports.slice(0, 2) }, { kind: 'subject', records: [subjects[3]!, subjects[0]!, subjects[1]!] }, { kind: 'report', records: reports.slice(2) }]],
    ];
    for (let seed = 1; seed <= 3; seed++) {
      // reports keep their order (one town, one partition): the subjects, even a record's two
      // versions, come in any order between them, and the stream is cut at random
      const stream: Array<{ kind: 'subject' | 'report'; r: Subject | Report }> = reports.map((r) => ({ kind: 'report' as const, r }));
      for (const [i, s] of shuffled(subjects, seed).entries()) stream.splice((seed * 7 + i * 3) % (stream.length + 1), 0, { kind: 'subject', r: s });
      const runs: Run[] = [];
      for (const r of stream) {
        const last = runs[runs.length - 1];
        if (last && last.kind === r.kind && (seed + runs.length) % 2 === 0) (last.records as Array<Subject | Report>).push(r.r);
        else runs.push({ kind: r.kind, records: [r.r] } as Run);
      }
      orders.push([`shuffled ${seed}`, runs]);
    }
    for (const [name, runs] of orders) {
      await applyRuns(runs);
      expect(await subjectInvariants(db), name).toEqual([]);
      expect(diffDumps(reference, await subjectState()), name).toEqual([]);
    }
  });

  it('status changes that came before their report are applied with the report’s run, whether they name the task, the matter or the ticket', async () => {
    await applyRuns([{ kind: 'report', records: reports }, { kind: 'status-change', records: progress }]);
    const reference = await hubState(db);
    expect(reference.pending).toBe(0);
    expect(reference.matters.find((m) => m.status === 'CLOSED')).toBeDefined();
    for (const runs of [
      [{ kind: 'status-change', records: progress }, { kind: 'report', records: reports }],
      [{ kind: 'status-change', records: progress.slice(0, 4) }, { kind: 'report', records: reports.slice(0, 1) }, { kind: 'status-change', records: progress.slice(4) }, { kind: 'report', records: reports.slice(1) }],
    ] as Run[][]) {
      await applyRuns(runs);
      expect(await hubState(db)).toEqual(reference);
    }
  });
});
