/**
 * The department platforms the chaos suite runs, as the source of truth: for each, which simulator
 * serves it, which connector reads it, and how to read every record's identity (id, version)
 * straight from the simulator's own store — independently of the connector's mapping, so the
 * checker compares against what the platform holds, not against what the connector says it read.
 *
 * Versions are the platform's update time to the millisecond since the epoch, as every adapter
 * of these platforms versions its records; the platforms write Beijing time without an offset.
 */
import type { RecordKind } from '../../schemas/index.js';

export interface PlatformSpec {
  /** Short name used in fault names and tables. */
  name: string;
  connector: string;
  sourceSystem: string;
  /** Kafka record kind that carries the platform's record with its own id and version. */
  kind: RecordKind;
  /** The hub stores this kind under source_records (the hub does not consume approvals as such). */
  inHub: boolean;
  simulator: { entry: string; args: (history: string) => string[] };
  /** The platform API path the connector reads (behind the fault proxy). */
  listPath: string;
  /** Where the rows are in a list answer. */
  rowsPath: string[];
  /** The simulator's dump of every record as stored. */
  truthPath: string;
  idField: string;
  updateField: string;
  /** Keeps the platform busy: new records and progress on open ones. */
  activity: Array<{ path: string; body: unknown }>;
  /** Where the center's decisions for this platform arrive (dispatch inbox), if it takes any. */
  inboxPath?: string;
  /** Page-number paging: the query parameter and a change the suite can make to a record (page-shift fault). */
  paging?: { pageParam: string; touch: (row: Record<string, unknown>) => { path: string; body: unknown } };
}

const seed = ['--seed', '2026'];

export const PLATFORMS: PlatformSpec[] = [
  {
    name: 'hotline',
    connector: 'hotline-12345',
    sourceSystem: 'hotline-12345',
    kind: 'report',
    inHub: true,
    simulator: { entry: 'simulators/hotline-12345/main.ts', args: (h) => [...seed, '--dataset', h] },
    listPath: '/api/v2/workorders',
    rowsPath: ['data', 'rows'],
    truthPath: '/__sim/workorders',
    idField: 'gdbh',
    updateField: 'gxsj',
    activity: [
      { path: '/__sim/generate', body: { count: 2 } },
      { path: '/__sim/advance', body: {} },
    ],
    inboxPath: '/api/v2/dispatches',
    paging: {
      pageParam: 'pageNum',
      touch: (row) => ({ path: `/__sim/workorders/${encodeURIComponent(String(row.gdbh))}`, body: { sqnr: `${String(row.sqnr ?? '')}（来电人补充）` } }),
    },
  },
  {
    name: 'grid',
    connector: 'grid',
    sourceSystem: 'grid',
    kind: 'report',
    inHub: true,
    simulator: { entry: 'simulators/grid/main.ts', args: (h) => [...seed, '--dataset', h] },
    listPath: '/api/grid/v1/events',
    rowsPath: ['data', 'records'],
    truthPath: '/__sim/events',
    idField: 'eventId',
    updateField: 'updateTime',
    activity: [
      { path: '/__sim/generate', body: { count: 2 } },
      { path: '/__sim/advance', body: {} },
    ],
    inboxPath: '/api/grid/v1/assignments',
  },
  {
    name: 'environment',
    connector: 'environment-complaints',
    sourceSystem: 'environment-12369',
    kind: 'report',
    inHub: true,
    simulator: { entry: 'simulators/environment/main.ts', args: (h) => [...seed, '--dataset', h] },
    listPath: '/api/12369/complaints',
    rowsPath: ['result', 'records'],
    truthPath: '/__sim/complaints',
    idField: '举报编号',
    updateField: '更新时间',
    activity: [
      { path: '/__sim/generate', body: { count: 1 } },
      { path: '/__sim/advance', body: {} },
    ],
    inboxPath: '/api/12369/dispatches',
  },
  {
    name: 'approval',
    connector: 'approval-applications',
    sourceSystem: 'approval-applications',
    kind: 'approval',
    inHub: false,
    simulator: { entry: 'simulators/approval/main.ts', args: (h) => ['--dataset', h] },
    listPath: '/api/v1/applications',
    rowsPath: ['data', 'list'],
    truthPath: '/__sim/applications',
    idField: '办件编号',
    updateField: '更新时间',
    activity: [
      { path: '/__sim/receive', body: { count: 1 } },
      { path: '/__sim/advance', body: { count: 1 } },
    ],
  },
];

/** A platform's update time as epoch ms: Beijing time without an offset, or an explicit offset. */
export function versionOf(raw: unknown): number | undefined {
  if (typeof raw === 'number') return raw < 1e12 ? raw * 1000 : raw;
  if (typeof raw !== 'string') return undefined;
  const local = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?$/.exec(raw.trim());
  const ms = local ? Date.parse(`${local[1]}T${local[2]}${local[3] ?? ''}+08:00`) : Date.parse(raw);
  return Number.isFinite(ms) ? ms : undefined;
}

export function rowsAt(body: unknown, path: string[]): Array<Record<string, unknown>> {
  let v: unknown = body;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return Array.isArray(v) ? (v as Array<Record<string, unknown>>) : [];
}
