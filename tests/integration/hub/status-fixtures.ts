/** Shared by the status-change tests: the cooking-fume ticket and its three departments' progress. */
import type { Knex } from 'knex';
import { deterministicId } from '../../../hub/store/ids.js';
import type { ProgressStatus, Report, StatusChange, StatusTarget } from '../../../schemas/index.js';
import { EXAMPLES, sh } from '../../unit/schemas/examples.js';

export type Delivery = { kind: 'report'; record: Report } | { kind: 'status-change'; record: StatusChange };

export const report: Report = EXAMPLES.report; // 餐饮油烟: enforcement leads, environment and market cooperate
export const matterId = deterministicId('matter', report.envelope.sourceSystem, report.envelope.sourceRecordId);
export const taskId = (department: string) => deterministicId('task', matterId, department);

export function change(department: string, status: ProgressStatus, version: number, at: string, target: Partial<StatusTarget>, over: Partial<StatusChange> = {}): StatusChange {
  const base = EXAMPLES['status-change'];
  const occurredAt = sh(at);
  return {
    ...base,
    envelope: { ...base.envelope, sourceSystem: `${department}-oa`, department, sourceRecordId: `${department}-${version}-${status}`, sourceVersion: occurredAt, eventTime: occurredAt, ingestTime: occurredAt + 3_000 },
    target: { kind: 'TASK', record: null, matterId: null, taskId: null, ...target },
    status,
    sourceStatus: { ACKNOWLEDGED: '已签收', ON_SITE: '已到场', CLOSED: '已办结', REOPENED: '重办' }[status as string] ?? null,
    version,
    occurredAt,
    actorDepartment: department,
    note: null,
    dispatchVersion: null,
    result: null,
    attachments: [],
    ...over,
  };
}
export const sc = (record: StatusChange): Delivery => ({ kind: 'status-change', record });
export const rep = (record: Report): Delivery => ({ kind: 'report', record });
/** The same change delivered again: Kafka redelivery after a crash (another ingest time, same content). */
export const again = (c: StatusChange): StatusChange => ({ ...c, envelope: { ...c.envelope, ingestTime: c.envelope.ingestTime + 60_000 } });

// The three departments name their target three ways: the hub's task id, the hub's matter id, the 12345 ticket.
export const byTask = (d: string) => ({ kind: 'TASK' as const, taskId: taskId(d), matterId });
export const byMatter = { kind: 'MATTER' as const, matterId };
export const byReport = { kind: 'REPORT' as const, record: { sourceSystem: report.envelope.sourceSystem, sourceRecordId: report.envelope.sourceRecordId } };
export const LEAD_RESULT = { outcome: 'RESOLVED' as const, sourceOutcome: '已解决', text: '已责令“老王家常菜”安装油烟净化设施并规范排烟，复查合格。' };
export const progress: StatusChange[] = [
  change('enforcement', 'ACKNOWLEDGED', 1, '2025-06-12 09:52:30', byTask('enforcement')),
  change('enforcement', 'ON_SITE', 2, '2025-06-12 10:20:00', byTask('enforcement')),
  change('enforcement', 'CLOSED', 3, '2025-06-13 16:00:00', byTask('enforcement'), { result: LEAD_RESULT }),
  change('environment', 'ACKNOWLEDGED', 1, '2025-06-12 10:01:00', byMatter),
  change('environment', 'ON_SITE', 2, '2025-06-12 10:40:00', byMatter),
  change('environment', 'CLOSED', 3, '2025-06-12 15:00:00', byMatter, { result: { outcome: 'RESOLVED', sourceOutcome: null, text: '油烟浓度检测 2.6mg/m³，超标。' } }),
  change('market', 'ACKNOWLEDGED', 1, '2025-06-12 10:05:00', byReport),
  change('market', 'ON_SITE', 2, '2025-06-12 10:50:00', byReport),
  change('market', 'CLOSED', 3, '2025-06-14 11:00:00', byReport, { result: { outcome: 'RESOLVED', sourceOutcome: null, text: '食品经营许可证在有效期内。' } }),
];

/** Tasks and matters as rows, the status_changed events as a set, and how many changes wait for their target. */
export async function hubState(db: Knex) {
  const tasks = await db('tasks').orderBy('id').select('*');
  const matters = await db('matters').orderBy('id').select('*');
  const events = (await db('matter_events').where({ type: 'status_changed' }).select('at', 'detail')).map((e) => JSON.stringify([e.at, e.detail])).sort();
  const pending = await db('status_changes').whereNull('task_id').count<Array<{ count: string }>>('* as count');
  return { tasks, matters, events, pending: Number(pending[0]!.count) };
}
