/**
 * What each route answers, as JSON schemas for the OpenAPI document (/docs/json): one place for
 * every route's responses, attached by an onRoute hook (installResponseSchemas) so routes keep
 * only their input schemas. The schemas document; they do not filter: responses are serialized
 * with plain JSON.stringify, so a field missing from a schema is never silently dropped — and
 * tests/integration/api/response-schemas.test.ts checks real responses against these schemas.
 */
import type { FastifyInstance } from 'fastify';

const str = { type: 'string' } as const;
const nstr = { type: ['string', 'null'] } as const;
const int = { type: 'integer' } as const;
const num = { type: 'number' } as const;
const nnum = { type: ['number', 'null'] } as const;
const time = { type: 'string', format: 'date-time' } as const;
const ntime = { type: ['string', 'null'], format: 'date-time' } as const;
const obj = (properties: Record<string, unknown>, required: string[] = Object.keys(properties), description?: string) => ({ type: 'object', properties, required, ...(description ? { description } : {}) });
const list = (item: unknown, extra: Record<string, unknown> = { nextCursor: { ...nstr, description: '下一页游标；null 表示没有更多' } }) => obj({ items: { type: 'array', items: item }, ...extra });

export const ERROR = obj({ error: { ...str, description: 'bad_request / unauthorized / forbidden / not_found / conflict / too_many_requests / internal' }, message: { ...str, description: '中文说明与英文原因' } }, ['error', 'message'], '错误');

const REPORT = obj({
  sourceSystem: str, sourceRecordId: str, sourceVersion: str, department: { ...str, description: '上报部门' }, channel: str, channelLabel: str, status: str, statusLabel: str, sourceStatus: nstr,
  title: nstr, description: { ...nstr, description: '原始内容（个人信息已脱敏，除非 unmask）' }, eventTime: time,
  mergeRule: { ...nstr, description: '归入本事项的合并规则' }, mergeScore: { ...nnum, description: '合并得分 0–1' },
}, ['sourceSystem', 'sourceRecordId', 'department', 'channel', 'eventTime'], '来源报告');

const MATTER = obj({
  id: str, title: str, description: str, categoryCode: nstr, sourceCategory: nstr, status: str, statusLabel: str, divisionCode: nstr, gridCode: nstr,
  location: { type: ['object', 'null'], properties: { lng: num, lat: num } }, address: nstr, leadDepartment: nstr, cooperatingDepartments: { type: ['array', 'null'], items: str },
  subjectId: nstr, reportCount: int, firstReportedAt: time, updatedAt: time, closedAt: ntime, result: nstr, reports: { type: 'array', items: REPORT },
}, ['id', 'title', 'status', 'statusLabel', 'divisionCode', 'reportCount', 'firstReportedAt', 'updatedAt', 'reports'], '事项');

const TASK = obj({
  id: str, matterId: str, department: str, role: str, roleLabel: str, status: str, dispatchedAt: time, firstResponseBy: time, onSiteBy: time, closeBy: time,
  respondedAt: ntime, onSiteAt: ntime, doneAt: ntime, result: nstr, sla: { type: 'string', enum: ['on_time', 'at_risk', 'breached'] }, slaLabel: str, breaches: { type: 'array', items: str },
}, ['id', 'matterId', 'department', 'role', 'status', 'firstResponseBy', 'onSiteBy', 'closeBy', 'sla', 'slaLabel'], '部门任务与时限');

const MATTER_DETAIL = {
  ...MATTER,
  properties: { ...MATTER.properties, masked: { type: 'boolean' }, tasks: { type: 'array', items: TASK }, timeline: { type: 'array', items: obj({ id: str, type: str, at: time, detail: {} }, ['id', 'type', 'at']) } },
  required: [...MATTER.required, 'tasks', 'timeline'],
  description: '事项详情',
};

const SUBJECT = obj({ id: str, type: str, uscc: nstr, name: str, address: nstr, divisionCode: nstr, updatedAt: time }, ['id', 'type', 'name'], '主体');
const SUBJECT_PROFILE = {
  ...SUBJECT,
  properties: {
    ...SUBJECT.properties,
    golden: { type: 'object', description: '择优合成的主体信息：字段 → {value, 来源}' },
    links: { type: 'array', items: obj({ sourceSystem: str, sourceRecordId: str, kind: str, sourceVersion: str, record: {}, decision: {}, linkedAt: time }, ['sourceSystem', 'sourceRecordId', 'linkedAt']) },
    matters: { type: 'array', items: obj({ id: str, title: nstr, status: str, statusLabel: str, divisionCode: nstr, updatedAt: time }, ['id', 'status']) },
    reports: { type: 'array', items: obj({ sourceSystem: str, sourceRecordId: str, department: str, title: nstr, eventTime: time, matterId: str }, ['sourceSystem', 'sourceRecordId', 'matterId']) },
  },
  required: [...SUBJECT.required, 'golden', 'links', 'matters', 'reports'],
  description: '一企一档',
};

const HOURS = obj({ p50: nnum, p90: nnum });
const STATISTICS = obj({
  by: str,
  items: { type: 'array', items: obj({ key: nstr, tasks: int, done: int, responded: { ...int, description: '已响应的任务数（响应时长按这些任务计）' }, responseHours: HOURS, closureHours: HOURS, closedOnTime: int, openBreached: int, slaCompliance: { ...nnum, description: '按时办结率 0–1' } }) },
}, ['by', 'items'], '统计考核');

const SIDE = { type: 'object', properties: { id: str }, required: ['id'] };
const PROPOSAL = obj({
  id: str, kind: { type: 'string', enum: ['matter', 'subject'] }, kindLabel: str, status: str, statusLabel: str, rule: str, score: num, explanation: str, raisedAt: time,
  raisedBy: obj({ sourceSystem: str, sourceRecordId: str }), a: SIDE, b: SIDE, actionable: { type: 'boolean' }, decidedBy: nstr, decidedAt: ntime, note: nstr,
}, ['id', 'kind', 'status', 'rule', 'score', 'a', 'b', 'actionable'], '合并建议');

const FEATURES = obj({ type: { type: 'string', enum: ['FeatureCollection'] }, features: { type: 'array', items: obj({ type: str, properties: { type: 'object' }, geometry: {} }, ['type', 'properties']) } }, ['type', 'features'], 'GeoJSON');

const CONNECTORS = obj({
  connectors: { type: 'array', items: obj({ id: str, title: nstr, department: nstr, state: str, stateLabel: nstr, lastSuccessAt: ntime, secondsSinceLastSuccess: nnum, recordsRead: nnum, produced: nnum, deadLettered: nnum, errors: nnum, lastError: nstr, worker: str }, ['id', 'state']) },
  unreachableWorkers: { type: 'array', items: obj({ url: str, error: str }) },
  hubLag: { type: ['object', 'null'], additionalProperties: { type: 'integer' }, description: '每个主题未处理的消息数' },
}, ['connectors', 'unreachableWorkers', 'hubLag'], '连接器状态');

const STAGE_COUNTS = obj({
  read: { ...int, description: '源平台读取（源记录，编号+版本去重）' }, delivered: { ...int, description: '已送达Kafka（源记录）' }, dead_lettered: { ...int, description: '连接器死信（源记录）' },
  produced: { ...int, description: 'Kafka记录（规范记录）' }, hub_applied: { ...int, description: '汇聚入库（规范记录，首次入库）' }, hub_dead_lettered: { ...int, description: '汇聚死信' },
});
const RECONCILIATION = obj({
  from: time, to: time, stageLabels: { type: 'object', additionalProperties: str }, missing: { ...int, description: '范围内缺失记录合计' },
  hours: { type: 'array', items: obj({
    hour: { ...time, description: '小时起点（记录在源平台的更新时间）' }, connector: str, sourceSystem: str, department: str, counts: STAGE_COUNTS,
    deadReasons: { type: 'object', additionalProperties: int, description: '死信原因（错误码 → 条数）' }, missing: int,
    status: { type: 'string', enum: ['ok', 'missing'] }, statusLabel: { ...str, description: '一致 / 缺失' },
  }) },
}, ['from', 'to', 'stageLabels', 'hours', 'missing'], '对账');

const PRINCIPAL = obj({ id: str, name: str, role: str, jurisdiction: nstr, department: nstr, canUnmask: { type: 'boolean' } }, ['id', 'name', 'role'], '身份');
const DECISION = { type: 'object', description: '决策结果（事项、任务与派单）' };

const TASK_LIST = list(TASK);

const WORKER_CONNECTOR = obj({
  id: str, title: nstr, department: nstr, state: { ...str, description: 'starting / running / paused / degraded / refused / failed / stopped' }, stateLabel: str,
  recordsRead: int, produced: int, deadLettered: int, retries: int, errors: int, lastSuccessAt: ntime, lastError: nstr, warning: nstr, secondsSinceLastSuccess: nnum,
}, ['id', 'state', 'stateLabel'], '连接器状态（连接器进程所报）');
const CONTROL_ERRORS = { 409: ERROR, 502: ERROR, 503: ERROR };
const DEAD_LETTER = obj({
  partition: int, offset: str, replayed: { type: 'boolean' }, sourceRecordId: nstr, code: str, field: nstr, reason: str, failedAt: time,
  truncated: { type: ['object', 'null'], properties: { originalBytes: int, sha256: str } },
}, ['partition', 'offset', 'replayed', 'code', 'reason'], '死信（不含原始内容）');

/** method + route URL → status → schema */
const RESPONSES: Record<string, Record<number, unknown>> = {
  'GET /api/v1/matters': { 200: list(MATTER) },
  'GET /api/v1/matters/:id': { 200: MATTER_DETAIL },
  'GET /api/v1/tasks': { 200: TASK_LIST },
  'GET /api/v1/subjects': { 200: obj({ items: { type: 'array', items: SUBJECT } }) },
  'GET /api/v1/subjects/:id': { 200: SUBJECT_PROFILE, 308: obj({ error: str, movedTo: str, message: str }) },
  'GET /api/v1/statistics': { 200: STATISTICS },
  'GET /api/v1/proposals': { 200: list(PROPOSAL) },
  'POST /api/v1/proposals/:id/accept': { 200: DECISION },
  'POST /api/v1/proposals/:id/dismiss': { 200: DECISION },
  'POST /api/v1/matters/:id/dispatch': { 200: DECISION },
  'POST /api/v1/matters/:id/close': { 200: DECISION },
  'POST /api/v1/matters/merge': { 200: DECISION },
  'POST /api/v1/matters/:id/split': { 200: DECISION },
  'POST /api/v1/subjects/merge': { 200: DECISION },
  'POST /api/v1/subjects/:id/split': { 200: DECISION },
  'GET /api/v1/divisions': { 200: FEATURES },
  'GET /api/v1/grids': { 200: FEATURES },
  'GET /api/v1/connectors': { 200: CONNECTORS },
  'GET /api/v1/reconciliation': { 200: RECONCILIATION },
  'POST /api/v1/connectors/:id/pause': { 200: WORKER_CONNECTOR, ...CONTROL_ERRORS },
  'POST /api/v1/connectors/:id/resume': { 200: WORKER_CONNECTOR, ...CONTROL_ERRORS },
  'POST /api/v1/connectors/:id/cursor-reset': { 200: obj({ reset: { type: 'boolean' }, committedAt: time, status: WORKER_CONNECTOR }), ...CONTROL_ERRORS },
  'GET /api/v1/connectors/:id/dead-letters': { 200: { type: 'array', items: DEAD_LETTER }, ...CONTROL_ERRORS },
  'POST /api/v1/connectors/:id/dead-letters/replay': { 200: obj({ replayed: int, stillFailing: { type: 'array', items: obj({ offset: str, reason: str }) } }), ...CONTROL_ERRORS },
  'GET /api/v1/me': { 200: PRINCIPAL },
  'POST /api/v1/auth/token': { 200: obj({ token: str, expiresIn: { ...int, description: '秒' } }) },
  'GET /api/v1/principals': { 200: obj({ items: { type: 'array', items: PRINCIPAL } }) },
  'POST /api/v1/principals': { 201: obj({ principal: PRINCIPAL, apiKey: { ...str, description: '仅此一次显示' } }) },
  'POST /api/v1/principals/:id/disable': { 200: obj({ id: str, disabled: { type: 'boolean' } }) },
  'GET /api/v1/audit': { 200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object' } } }, required: ['items'] } },
  'GET /api/v1/audit/verify': { 200: { type: 'object', description: '哈希链校验结果' } },
  'GET /api/v1/stream': { 200: { description: 'text/event-stream：`id: <事务号>.<序号>`，`event: <类型>`，`data: {id, matterId, type, at, divisionCode, matterStatus, detail}`', content: { 'text/event-stream': { schema: { type: 'string' } } } } },
};

/** The schemas above for a route, or none (routes outside /api/v1). */
export function responseSchemaFor(method: string, url: string): Record<number, unknown> | undefined {
  const own = RESPONSES[`${method} ${url}`];
  if (!own) return undefined;
  const errors = url.startsWith('/api/v1') ? { 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR, 429: ERROR } : {};
  return { ...errors, ...own };
}

export function installResponseSchemas(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const schemas = responseSchemaFor(String(methods[0]), route.url);
    if (schemas && !route.schema?.response) route.schema = { ...(route.schema ?? {}), response: schemas };
  });
  // documentation, not a filter: the handlers' objects go out as they are
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}
