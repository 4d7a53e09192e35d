/** Chinese names for the codes the API returns: departments and categories from the county's catalogues. */
import departments from '../../../schemas/catalogues/departments.json';
import categories from '../../../schemas/catalogues/categories.json';

const catalogue = (departments as { departments: Array<{ id: string; shortName?: string; name: string; kind: string }> }).departments;
const DEPT = new Map<string, string>(catalogue.map((d) => [d.id, d.shortName ?? d.name]));
export const DEPARTMENTS = catalogue.filter((d) => d.id !== 'town').map((d) => ({ id: d.id, name: d.shortName ?? d.name }));
/** Who a matter can be dispatched to: the county's departments (intake platforms and the generic town entry excluded). */
export const DISPATCH_TARGETS = catalogue.filter((d) => d.kind === 'department').map((d) => ({ id: d.id, name: d.shortName ?? d.name }));
const CAT = new Map<string, string>();
const cats = categories as { families: Array<{ code: string; name: string }>; categories: Array<{ code: string; name: string }> };
for (const f of cats.families) CAT.set(f.code, f.name);
for (const c of cats.categories) CAT.set(c.code, c.name);
export const FAMILIES = cats.families.map((f) => ({ code: f.code, name: f.name }));

const towns = new Map<string, string>();
export function learnTown(code: string, name: string): void {
  towns.set(code.slice(0, 9), name);
}
export function townName(divisionCode: string | null): string {
  return divisionCode ? (towns.get(divisionCode.slice(0, 9)) ?? divisionCode.slice(0, 9)) : '未定位';
}

export function departmentName(id: string | null | undefined): string {
  if (!id) return '—';
  if (id.startsWith('town:')) return `${townName(id.slice(5))}人民政府`;
  return DEPT.get(id) ?? id;
}

export function categoryName(code: string | null): string {
  if (!code) return '未分类';
  const own = CAT.get(code);
  const family = CAT.get(code.split('.')[0]!);
  return own && family && own !== family ? `${family} · ${own}` : (own ?? family ?? code);
}

export const STATUS: Record<string, string> = { RECEIVED: '已受理', DISPATCHED: '已派单', IN_PROGRESS: '办理中', VERIFYING: '待核查', FOLLOW_UP: '回访中', CLOSED: '已办结', REJECTED: '已退回', MERGED: '已合并', WITHDRAWN: '已撤销', CANCELLED: '已作废' };
export const TASK_STATUS: Record<string, string> = { DISPATCHED: '已派单', ACCEPTED: '已签收', ON_SITE: '已到场', IN_PROGRESS: '办理中', DONE: '已办结', RETURNED: '已退单', WITHDRAWN: '已撤回' };
export const SLA: Record<string, string> = { on_time: '按时', at_risk: '临期', breached: '超时' };
export const SLA_COLOR: Record<string, string> = { on_time: '#2e9d5b', at_risk: '#e6a23c', breached: '#e04545', closed: '#8a94a6' };

/** The merge rule of a report's link, in words for an operator. */
const RULES: Record<string, string> = {
  'same-incident': '同一事件：同类问题、地点相近、时间相近，文字描述相似',
  'same-record': '同一来源记录的更新',
  // a report judged "probably the same" opened a matter of its own; the pair waits in 合并建议
  'review-place': '新建事项；与附近事项疑似同一事件（地点存疑），已列入合并建议待人工确认',
  'review-similarity': '新建事项；与附近事项疑似同一事件（描述相似度不足），已列入合并建议待人工确认',
  'review-no-category': '新建事项；与附近事项疑似同一事件（缺少分类），已列入合并建议待人工确认',
  'no-candidate': '首次上报，新建事项',
  'not-same-incident': '与附近事项不是同一事件，新建事项',
  'also-matching': '同时符合两个事项',
  'uscc-equal': '统一社会信用代码相同',
  'name-in-town': '同一乡镇内名称相同',
  'registered-name': '登记名称（含组织形式）完全相同',
  'name-on-road': '同一道路上名称与行业相同',
  'name-in-county': '未写乡镇，全县唯一同名同业',
  'same-door': '同一门牌地址',
  'site-name': '场所名称相同',
  'id-hash-equal': '证件号相同',
  'probabilistic-match': '多项特征综合判定为同一主体',
  'probabilistic-review': '多项特征相似，待人工确认',
};
export function ruleInWords(rule: string | null, score: number | null): string {
  if (!rule) return '首次上报，新建事项';
  const words = RULES[rule] ?? rule;
  return score === null || score === undefined || rule === 'no-candidate' ? words : `${words}（匹配度 ${Math.round(score * 100)}%）`;
}

export const EVENT: Record<string, string> = {
  created: '新建事项', report_linked: '关联报告', dispatched: '派单', redispatched: '改派', status_changed: '状态变更', closed: '办结', reopened: '重办',
  merged: '合并', merged_into: '并入', split: '拆分', review: '待人工确认', sla_breached: '超时', escalated: '超时升级',
  result_sent: '结果反馈各渠道', result_delivered: '渠道已接收结果', report_updated: '报告更新', verification_dispatched: '派发核查', result_withdrawn: '通知渠道重新办理',
};
export function eventName(type: string): string {
  return EVENT[type] ?? type;
}

/** The platforms records come from, and the sinks and feedback connectors that answer for them. */
const SOURCE: Record<string, string> = {
  'hotline-12345': '12345热线', grid: '网格平台', 'environment-12369': '12369环保举报', 'environment-online-monitoring': '在线监测报警',
  'enforcement-cases': '综合执法办案系统', 'natural-resources-patrol': '自然资源巡查', 'emergency-hazards': '应急隐患台账',
  'market-registry': '市场主体登记', 'approval-applications': '政务服务审批',
  'hotline-feedback': '12345平台派单反馈', 'grid-feedback': '网格平台派单反馈', 'environment-feedback': '生态环境平台派单反馈',
  'sink-hotline': '12345平台派单接口', 'sink-grid': '网格平台派单接口', 'sink-environment': '生态环境平台派单接口',
};
export function sourceName(system: string): string {
  return SOURCE[system] ?? system;
}

/** A task's progress as the departments report it (StatusChange status). */
export const PROGRESS: Record<string, string> = {
  RECEIVED: '已接收', ACKNOWLEDGED: '已签收', REJECTED: '退单', IN_PROGRESS: '办理中', ON_SITE: '已到场', EXTENSION_REQUESTED: '申请延期',
  SUSPENDED: '中止', FOLLOW_UP: '回访', CLOSED: '已办结', REOPENED: '重办', WITHDRAWN: '已撤销', CANCELLED: '已作废', UNKNOWN: '其他',
};

export const ROLE: Record<string, string> = { commander: '县指挥中心', town_operator: '乡镇指挥中心', liaison: '部门联络员', auditor: '审计员', admin: '管理员' };

export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getMonth() + 1}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** "剩 2 小时 5 分" or "超 40 分" */
export function countdown(deadline: string, done: string | null, now = Date.now()): { text: string; late: boolean } {
  const end = Date.parse(deadline);
  if (done) return Date.parse(done) <= end ? { text: '已按时完成', late: false } : { text: '超时完成', late: true };
  let ms = end - now;
  const late = ms < 0;
  ms = Math.abs(ms);
  const d = Math.floor(ms / 86_400_000);
  const h = Math.floor((ms % 86_400_000) / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const parts = d ? `${d} 天 ${h} 小时` : h ? `${h} 小时 ${m} 分` : `${m} 分 ${s} 秒`;
  return { text: late ? `已超 ${parts}` : `剩 ${parts}`, late };
}
