/**
 * 事项详情: every source report (department, channel, original text, why it joined), the tasks with
 * live countdowns, the timeline, and the center's decisions — each confirmed in a dialog first.
 */
import { api, me } from '../api.js';
import { clear, confirmDialog, h, toast } from '../dom.js';
import { categoryName, countdown, DISPATCH_TARGETS, departmentName, eventName, PROGRESS, ruleInWords, SLA, sourceName, STATUS, TASK_STATUS, time, townName } from '../labels.js';

interface Report {
  sourceSystem: string;
  sourceRecordId: string;
  department: string;
  channelLabel: string;
  status: string;
  statusLabel?: string;
  title: string | null;
  description: string | null;
  eventTime: string;
  mergeRule: string | null;
  mergeScore: number | null;
}
interface Task {
  id: string;
  department: string;
  roleLabel: string;
  status: string;
  firstResponseBy: string;
  onSiteBy: string;
  closeBy: string;
  respondedAt: string | null;
  onSiteAt: string | null;
  doneAt: string | null;
  sla: string;
  slaLabel: string;
  breaches: string[];
}
interface Matter {
  id: string;
  title: string;
  description: string;
  categoryCode: string | null;
  status: string;
  statusLabel: string;
  divisionCode: string | null;
  address: string | null;
  leadDepartment: string | null;
  cooperatingDepartments: string[];
  subjectId: string | null;
  firstReportedAt: string;
  result: string | null;
  reports: Report[];
  tasks: Task[];
  timeline: Array<{ id: string; type: string; at: string; detail: Record<string, unknown> }>;
}

const field = (label: string, el: HTMLElement) => h('label', { class: 'field' }, label, el);

export async function matterView(root: HTMLElement, id: string): Promise<() => void> {
  const m = await api<Matter>(`/matters/${id}`);
  const who = me()!;
  const decides = who.role === 'commander' || who.role === 'town_operator';
  const countdowns: Array<() => void> = [];
  const deadline = (by: string, done: string | null) => {
    const el = h('span', { class: 'countdown', 'data-testid': 'countdown' });
    const tick = () => {
      const c = countdown(by, done);
      el.textContent = c.text;
      el.classList.toggle('late', c.late);
    };
    tick();
    countdowns.push(tick);
    return h('div', {}, h('small', {}, time(by)), ' ', el);
  };
  const departmentsInvolved = [...new Set(m.reports.map((r) => r.department))];

  // the decisions the matter's state allows (the API refuses the others with 409): a merged matter
  // takes none (act on the one it went into); a closed one is not dispatched or closed again, but
  // may still be merged with or split from (its reports were wrongly joined or kept apart)
  const open = m.status !== 'CLOSED' && m.status !== 'MERGED';
  const working = m.tasks.some((t) => t.status !== 'WITHDRAWN' && t.status !== 'MERGED');
  const decisions = decides && m.status !== 'MERGED'
    ? h('div', { class: 'decisions', 'data-testid': 'decisions' },
        open ? h('button', { class: 'primary', 'data-testid': 'dispatch', onclick: () => void dispatch(m) }, working ? '改派' : '派单') : null,
        open ? h('button', { 'data-testid': 'close', onclick: () => void close(m) }, '办结') : null,
        h('button', { 'data-testid': 'merge', onclick: () => void merge(m) }, '合并'),
        m.reports.length > 1 ? h('button', { 'data-testid': 'split', onclick: () => void split(m) }, '拆分') : null,
        open ? null : h('span', { class: 'muted' }, '事项已办结，不再派单；如需重办请由承办部门发起'),
      )
    : m.status === 'MERGED' && decides ? h('p', { class: 'muted' }, '本事项已并入其他事项，请在合并后的事项上处理') : null;

  clear(
    root,
    h('div', { class: 'matter', 'data-testid': 'matter-detail', 'data-id': m.id },
      h('p', {}, h('a', { href: '#/' }, '← 返回总览')),
      h('h1', {}, m.title, ' ', h('span', { class: `badge s-${m.status}` }, m.statusLabel)),
      h('dl', { class: 'facts' },
        h('dt', {}, '类别'), h('dd', {}, categoryName(m.categoryCode)),
        h('dt', {}, '乡镇'), h('dd', {}, townName(m.divisionCode)),
        h('dt', {}, '地址'), h('dd', {}, m.address ?? '—'),
        h('dt', {}, '牵头部门'), h('dd', { 'data-testid': 'lead' }, departmentName(m.leadDepartment)),
        h('dt', {}, '协办部门'), h('dd', {}, m.cooperatingDepartments.map(departmentName).join('、') || '—'),
        h('dt', {}, '首次上报'), h('dd', {}, time(m.firstReportedAt)),
        h('dt', {}, '来源部门'), h('dd', { 'data-testid': 'source-departments' }, departmentsInvolved.map(departmentName).join('、')),
        m.subjectId ? h('dt', {}, '相关主体') : null, m.subjectId ? h('dd', {}, h('a', { href: `#/subjects/${m.subjectId}` }, '查看一企一档')) : null,
        m.result ? h('dt', {}, '办理结果') : null, m.result ? h('dd', {}, m.result) : null,
      ),
      decisions,
      h('section', { class: 'panel' }, h('h2', {}, `来源报告（${m.reports.length}）`),
        h('table', { 'data-testid': 'reports' },
          h('thead', {}, h('tr', {}, ...['部门', '渠道', '状态', '原始内容', '上报时间', '为何归入本事项'].map((x) => h('th', {}, x)))),
          h('tbody', {}, m.reports.map((r) => h('tr', { 'data-testid': 'report-row', 'data-department': r.department },
            h('td', {}, departmentName(r.department)),
            h('td', {}, r.channelLabel),
            h('td', {}, r.statusLabel ?? STATUS[r.status] ?? r.status),
            h('td', {}, h('b', {}, r.title ?? ''), h('br'), h('span', { class: 'original' }, r.description ?? '')),
            h('td', {}, time(r.eventTime)),
            h('td', {}, ruleInWords(r.mergeRule, r.mergeScore)),
          ))),
        ),
      ),
      h('section', { class: 'panel' }, h('h2', {}, '部门任务与时限'),
        m.tasks.length
          ? h('table', { 'data-testid': 'tasks' },
              h('thead', {}, h('tr', {}, ...['部门', '角色', '状态', '时限', '首次响应', '到场', '办结'].map((x) => h('th', {}, x)))),
              h('tbody', {}, m.tasks.map((t) => h('tr', { 'data-testid': 'task-row', 'data-department': t.department },
                h('td', {}, departmentName(t.department)), h('td', {}, t.roleLabel), h('td', {}, TASK_STATUS[t.status] ?? t.status), h('td', {}, h('span', { class: `badge sla-${t.sla}` }, SLA[t.sla] ?? t.slaLabel)),
                h('td', {}, deadline(t.firstResponseBy, t.respondedAt ?? t.doneAt)), h('td', {}, deadline(t.onSiteBy, t.onSiteAt ?? t.doneAt)), h('td', {}, deadline(t.closeBy, t.doneAt)),
              ))),
            )
          : h('p', { class: 'empty' }, '尚未派单'),
      ),
      h('section', { class: 'panel' }, h('h2', {}, '时间线'),
        h('ol', { class: 'timeline', 'data-testid': 'timeline' }, timelineInTimeOrder(m.timeline).map((e) => h('li', { 'data-type': e.type }, h('time', {}, time(e.at)), h('b', {}, eventName(e.type)), h('span', {}, describe(e.type, e.detail), withdrawn(e, m.tasks) ? h('em', { class: 'muted', 'data-testid': 'breach-withdrawn' }, '（后续反馈显示按时完成，超时已撤销）') : null)))),
      ),
    ),
  );
  const timer = setInterval(() => countdowns.forEach((f) => f()), 1000);
  return () => clearInterval(timer);
}

const BREACH: Record<string, string> = { first_response: '首次响应', on_site: '到场', closure: '办结' };

/**
 * The timeline as it happened: events are stored as they reached the hub, and progress that
 * arrives late (a platform that was down, a back-filled history) belongs where its time puts it.
 */
function timelineInTimeOrder<T extends { at: string }>(events: T[]): T[] {
  return events.map((e, i) => ({ e, i, t: Date.parse(e.at) })).sort((a, b) => a.t - b.t || a.i - b.i).map((x) => x.e);
}

/** A breach the watcher marked before the department's progress arrived, which that progress disproved. */
function withdrawn(e: { type: string; detail: Record<string, unknown> }, tasks: Task[]): boolean {
  if (e.type !== 'sla_breached' && e.type !== 'escalated') return false;
  const t = tasks.find((x) => x.id === String(e.detail.taskId));
  return !!t && !t.breaches.includes(String(e.detail.breach));
}

function describe(type: string, d: Record<string, unknown>): string {
  const parts: string[] = [];
  if (d.lead) parts.push(`牵头：${departmentName(String(d.lead))}`);
  if (Array.isArray(d.cooperating) && d.cooperating.length) parts.push(`协办：${d.cooperating.map((x) => departmentName(String(x))).join('、')}`);
  if (d.department) parts.push(departmentName(String(d.department)));
  if (d.status) parts.push(String(d.sourceStatus ?? PROGRESS[String(d.status)] ?? d.status));
  if (d.breach) parts.push(`${BREACH[String(d.breach)] ?? String(d.breach)}超时${d.label ? `：${String(d.label)}` : ''}`);
  if (d.sourceSystem) parts.push(`来源：${sourceName(String(d.sourceSystem))}`);
  if (d.rule && !d.lead) parts.push(ruleInWords(String(d.rule), typeof d.score === 'number' ? d.score : null));
  if (Array.isArray(d.records)) parts.push(`发往：${d.records.map((r: { department?: string; sourceRecordId?: string }) => `${departmentName(String(r.department ?? ''))}（${String(r.sourceRecordId ?? '')}）`).join('、')}`);
  if (d.sourceRecordId && (type === 'result_delivered' || type === 'report_updated')) parts.push(`记录：${String(d.sourceRecordId)}`);
  if (d.reason) parts.push(`理由：${String(d.reason)}`);
  const result = d.result && typeof d.result === 'object' ? (d.result as { text?: string }).text : d.result;
  if (result) parts.push(`结果：${String(result)}`);
  return parts.join('；');
}

async function decide(path: string, body: unknown, done: string, id: string): Promise<void> {
  try {
    await api(path, { method: 'POST', body });
    toast(done);
    if (location.hash === `#/matter/${id}`) window.dispatchEvent(new HashChangeEvent("hashchange"));
    else location.hash = `#/matter/${id}`;
  } catch (err) {
    toast((err as Error).message, 'error');
  }
}

const reasonInput = (required = true) => field('理由', h('input', { name: 'reason', minlength: 2, maxlength: 500, required, 'data-testid': 'reason' }));

async function dispatch(m: Matter): Promise<void> {
  const town = m.divisionCode ? [{ id: `town:${m.divisionCode.slice(0, 9)}`, name: `${townName(m.divisionCode)}人民政府` }] : [];
  const options = [...town, ...DISPATCH_TARGETS];
  const lead = h('select', { name: 'lead', required: true, 'data-testid': 'dispatch-lead' }, ...options.map((d) => h('option', { value: d.id, selected: d.id === m.leadDepartment }, d.name)));
  const coop = h('select', { name: 'cooperating', multiple: true, size: 5, 'data-testid': 'dispatch-cooperating' }, ...options.map((d) => h('option', { value: d.id, selected: m.cooperatingDepartments.includes(d.id) }, d.name)));
  const working = m.tasks.some((t) => t.status !== 'WITHDRAWN' && t.status !== 'MERGED');
  const form = await confirmDialog(working ? '确认改派' : '确认派单', `事项：${m.title}`, [field('牵头部门', lead), field('协办部门（可多选）', coop), field('指令', h('input', { name: 'instructions', maxlength: 2000 })), reasonInput(false)]);
  if (!form) return;
  const leadId = String(form.get('lead'));
  const body = {
    leadDepartment: leadId,
    cooperatingDepartments: (form.getAll('cooperating') as string[]).filter((d) => d !== leadId),
    ...(form.get('instructions') ? { instructions: String(form.get('instructions')) } : {}),
    ...(String(form.get('reason') ?? '').length >= 2 ? { reason: String(form.get('reason')) } : {}),
  };
  await decide(`/matters/${m.id}/dispatch`, body, `已派单至${departmentName(leadId)}`, m.id);
}

async function close(m: Matter): Promise<void> {
  const form = await confirmDialog('确认办结', `事项：${m.title}`, [field('办理结果', h('textarea', { name: 'result', minlength: 2, required: true })), reasonInput(false)]);
  if (!form) return;
  await decide(`/matters/${m.id}/close`, { result: String(form.get('result')), ...(String(form.get('reason') ?? '').length >= 2 ? { reason: String(form.get('reason')) } : {}) }, '已办结', m.id);
}

async function merge(m: Matter): Promise<void> {
  const form = await confirmDialog('确认合并', `把以下事项并入「${m.title}」`, [field('事项编号（逗号分隔）', h('input', { name: 'from', required: true, pattern: '[0-9]+(,[0-9]+)*' })), reasonInput()]);
  if (!form) return;
  await decide('/matters/merge', { into: m.id, from: String(form.get('from')).split(',').map((s) => s.trim()).filter(Boolean), reason: String(form.get('reason')) }, '已合并', m.id);
}

async function split(m: Matter): Promise<void> {
  const boxes = m.reports.map((r, i) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'report', value: String(i) }), `${departmentName(r.department)}：${r.title ?? r.sourceRecordId}`));
  const form = await confirmDialog('确认拆分', '选中的报告将拆出为新事项', [h('div', {}, boxes), reasonInput()]);
  if (!form) return;
  const reports = (form.getAll('report') as string[]).map((i) => m.reports[Number(i)]!).map((r) => ({ sourceSystem: r.sourceSystem, sourceRecordId: r.sourceRecordId }));
  if (!reports.length) return toast('请至少选择一条报告', 'error');
  await decide(`/matters/${m.id}/split`, { reports, reason: String(form.get('reason')) }, '已拆分', m.id);
}
