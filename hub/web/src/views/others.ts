/** 合并建议, 一企一档, 统计考核 and 连接器: the center's other pages. */
import { api, me, query } from '../api.js';
import { echarts } from '../charts.js';
import { clear, confirmDialog, h, toast } from '../dom.js';
import { departmentName, ruleInWords, time, townName, categoryName } from '../labels.js';

interface Side {
  id: string;
  title?: string;
  name?: string;
  status?: string;
  divisionCode?: string | null;
}
interface Proposal {
  id: string;
  kind: 'matter' | 'subject';
  kindLabel: string;
  statusLabel: string;
  rule: string;
  score: number;
  explanation: string;
  raisedAt: string;
  a: Side;
  b: Side;
  actionable: boolean;
}

export async function proposalsView(root: HTMLElement, kind: 'matter' | 'subject' = 'matter'): Promise<() => void> {
  const { items } = await api<{ items: Proposal[] }>(`/proposals${query({ kind, status: 'open', limit: 100 })}`);
  const decides = ['commander', 'town_operator'].includes(me()!.role);
  const side = (s: Side) => h('div', { class: 'side' }, kind === 'matter' ? h('a', { href: `#/matter/${s.id}` }, s.title ?? `事项 ${s.id}`) : h('a', { href: `#/subjects/${s.id}` }, s.name ?? `主体 ${s.id}`), h('small', {}, ` ${townName(s.divisionCode ?? null)} · 编号 ${s.id}`));
  const act = async (p: Proposal, what: 'accept' | 'dismiss') => {
    const form = await confirmDialog(what === 'accept' ? '确认合并' : '确认驳回', `${p.kindLabel}：${p.a.title ?? p.a.name ?? p.a.id} 与 ${p.b.title ?? p.b.name ?? p.b.id}`, [h('label', { class: 'field' }, '理由', h('input', { name: 'reason', required: true, minlength: 2, 'data-testid': 'reason', value: what === 'accept' ? '人工确认为同一件事' : '人工确认不是同一件事' }))]);
    if (!form) return;
    try {
      await api(`/proposals/${p.id}/${what}`, { method: 'POST', body: { reason: String(form.get('reason')) } });
      toast(what === 'accept' ? '已合并' : '已驳回');
      void proposalsView(root, kind);
    } catch (err) {
      toast((err as Error).message, 'error');
    }
  };
  clear(
    root,
    h('h1', {}, '合并建议'),
    h('p', { class: 'tabs' }, h('a', { href: '#/proposals', class: kind === 'matter' ? 'on' : '' }, '事项'), h('a', { href: '#/proposals/subject', class: kind === 'subject' ? 'on' : '' }, '主体')),
    items.length
      ? h('table', { 'data-testid': 'proposals' },
          h('thead', {}, h('tr', {}, ...['甲', '乙', '依据', '说明', '提出时间', ''].map((x) => h('th', {}, x)))),
          h('tbody', {}, items.map((p) => h('tr', { 'data-testid': 'proposal-row' },
            h('td', {}, side(p.a)), h('td', {}, side(p.b)), h('td', {}, ruleInWords(p.rule, p.score)), h('td', { class: 'small' }, p.explanation), h('td', {}, time(p.raisedAt)),
            h('td', {}, decides && p.actionable ? [h('button', { class: 'primary', onclick: () => void act(p, 'accept') }, '合并'), ' ', h('button', { onclick: () => void act(p, 'dismiss') }, '驳回')] : h('span', { class: 'muted' }, p.actionable ? '' : '已不可操作')),
          ))),
        )
      : h('p', { class: 'empty' }, '暂无待审核的合并建议'),
  );
  return () => undefined;
}

interface SubjectSummary {
  id: string;
  name: string;
  type?: string;
  uscc?: string | null;
  address?: string | null;
  divisionCode?: string | null;
}

export async function subjectsView(root: HTMLElement, id?: string): Promise<() => void> {
  if (id) return subjectProfile(root, id);
  const results = h('div', { 'data-testid': 'subject-results' });
  const input = h('input', { name: 'name', placeholder: '企业/场所名称、统一社会信用代码或地址', 'data-testid': 'subject-search' });
  const search = async (e?: Event) => {
    e?.preventDefault();
    const v = input.value.trim();
    if (!v) return;
    const param = /^[0-9A-Z]{18}$/.test(v) ? { uscc: v } : { name: v || undefined };
    const { items } = await api<{ items: SubjectSummary[] }>(`/subjects${query({ ...param, limit: 50 })}`);
    clear(results, items.length ? h('table', {}, h('thead', {}, h('tr', {}, ...['名称', '类型', '统一社会信用代码', '地址', '乡镇'].map((x) => h('th', {}, x)))), h('tbody', {}, items.map((s) => h('tr', { onclick: () => (location.hash = `#/subjects/${s.id}`) }, h('td', {}, s.name), h('td', {}, s.type === 'ENTERPRISE' ? '企业' : s.type === 'PLACE' ? '场所' : (s.type ?? '')), h('td', {}, s.uscc ?? '—'), h('td', {}, s.address ?? '—'), h('td', {}, townName(s.divisionCode ?? null)))))) : h('p', { class: 'empty' }, '没有找到'));
  };
  clear(root, h('h1', {}, '一企一档'), h('form', { class: 'search', onsubmit: search }, input, h('button', { class: 'primary' }, '查询')), results);
  clear(results, h('p', { class: 'muted' }, '输入名称（支持简称、别名）、统一社会信用代码或地址查询'));
  return () => undefined;
}

/** The golden record's fields, as operators name them. */
const GOLDEN_FIELD: Record<string, string> = { name: '名称', uscc: '统一社会信用代码', subjectType: '主体类型', address: '地址', divisionCode: '行政区划', location: '位置' };

async function subjectProfile(root: HTMLElement, id: string): Promise<() => void> {
  const s = await api<SubjectSummary & { golden: Record<string, { value: unknown; sourceSystem?: string; sourceRecordId?: string; at?: string } | unknown>; links: Array<{ sourceSystem: string; sourceRecordId: string; kind: string; linkedAt: string; decision: { rule?: string; score?: number } | null }>; matters: Array<{ id: string; title: string; statusLabel: string; updatedAt: string }>; reports: Array<{ department: string; title: string; eventTime: string; matterId: string }> }>(`/subjects/${id}`);
  const golden = Object.entries(s.golden ?? {}).map(([k, v]) => {
    // a field no record gave is null in the golden record: shown as a dash, not a crash
    const g = (typeof v === 'object' && v !== null ? v : {}) as { value?: unknown; provenance?: { sourceSystem?: string; sourceRecordId?: string } };
    const shown = 'value' in g ? g.value : v;
    const text = shown === null || shown === undefined || shown === '' ? '—' : typeof shown === 'object' && 'lng' in shown && 'lat' in shown ? `${(shown as { lng: number }).lng.toFixed(5)}, ${(shown as { lat: number }).lat.toFixed(5)}` : String(shown);
    const from = g.provenance ? `${g.provenance.sourceSystem ?? ''} ${g.provenance.sourceRecordId ?? ''}`.trim() : '';
    return h('tr', {}, h('td', {}, GOLDEN_FIELD[k] ?? k), h('td', {}, text), h('td', { class: 'small' }, from));
  });
  clear(
    root,
    h('div', { 'data-testid': 'subject-profile' },
      h('p', {}, h('a', { href: '#/subjects' }, '← 返回查询')),
      h('h1', {}, s.name),
      h('section', { class: 'panel' }, h('h2', {}, '主体信息（择优合成，注明来源）'), h('table', {}, h('tbody', {}, golden))),
      h('section', { class: 'panel' }, h('h2', {}, `各部门记录（${s.links.length}）`), h('table', {}, h('tbody', {}, s.links.map((l) => h('tr', {}, h('td', {}, l.sourceSystem), h('td', {}, l.sourceRecordId), h('td', {}, l.kind), h('td', {}, ruleInWords(l.decision?.rule ?? null, l.decision?.score ?? null)), h('td', {}, time(l.linkedAt))))))),
      h('section', { class: 'panel' }, h('h2', {}, `相关事项（${s.matters.length}）`), h('ul', {}, s.matters.map((m) => h('li', {}, h('a', { href: `#/matter/${m.id}` }, m.title), ` · ${m.statusLabel} · ${time(m.updatedAt)}`)))),
      h('section', { class: 'panel' }, h('h2', {}, `相关报告（${s.reports.length}）`), h('ul', {}, s.reports.map((r) => h('li', {}, `${departmentName(r.department)}：${r.title} · ${time(r.eventTime)}`)))),
    ),
  );
  return () => undefined;
}

interface StatRow {
  key: string | null;
  tasks: number;
  done: number;
  responded: number;
  responseHours: { p50: number | null; p90: number | null };
  closureHours: { p50: number | null; p90: number | null };
  closedOnTime: number;
  openBreached: number;
  slaCompliance: number | null;
}

const minutes = (hours: number | null): number | null => (hours === null ? null : Math.round(hours * 60));

export async function statisticsView(root: HTMLElement): Promise<() => void> {
  const [towns, depts] = await Promise.all([api<{ items: StatRow[] }>('/statistics?by=town'), api<{ items: StatRow[] }>('/statistics?by=department')]);
  const charts: Array<ReturnType<typeof echarts.init>> = [];
  const block = (title: string, rows: StatRow[], name: (k: string | null) => string, testid: string) => {
    const el = h('div', { class: 'chart', 'data-testid': `${testid}-chart` });
    const table = h('table', { 'data-testid': testid }, h('thead', {}, h('tr', {}, ...['', '任务', '已办结', '已响应', '响应中位(分)', '办结中位(时)', '办结P90(时)', '按时率', '超时未办'].map((x) => h('th', {}, x)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, h('td', {}, name(r.key)), h('td', {}, r.tasks), h('td', {}, r.done), h('td', {}, r.responded), h('td', {}, minutes(r.responseHours.p50) ?? '—'), h('td', {}, r.closureHours.p50 ?? '—'), h('td', {}, r.closureHours.p90 ?? '—'), h('td', {}, r.slaCompliance === null ? '—' : `${Math.round(r.slaCompliance * 100)}%`), h('td', { class: r.openBreached ? 'late' : '' }, r.openBreached)))));
    return { section: h('section', { class: 'panel' }, h('h2', {}, title), el, table), draw: () => {
      const c = echarts.init(el);
      charts.push(c);
      const names = rows.map((r) => name(r.key));
      c.setOption({
        tooltip: { trigger: 'axis' },
        // the legend above the plot: below, it ran into the rotated names
        legend: { top: 0, textStyle: { color: '#c8d6e5' } },
        grid: { left: 50, right: 50, bottom: 80, top: 50 },
        xAxis: { type: 'category', data: names, axisLabel: { rotate: 30, color: '#c8d6e5' } },
        // responses take minutes and closures hours: each on its own axis, or the responses vanish;
        // the on-time rate and the overdue count are in the table below
        yAxis: [{ type: 'value', name: '办结（小时）', axisLabel: { color: '#c8d6e5' } }, { type: 'value', name: '响应（分钟）', axisLabel: { color: '#c8d6e5' }, splitLine: { show: false } }],
        series: [
          { name: '首次响应中位（分钟）', type: 'bar', yAxisIndex: 1, data: rows.map((r) => minutes(r.responseHours.p50)) },
          { name: '办结中位（小时）', type: 'bar', data: rows.map((r) => r.closureHours.p50) },
        ],
      });
    } };
  };
  const a = block('乡镇考核', towns.items, (k) => townName(k), 'stats-town');
  const b = block('部门考核', depts.items, (k) => departmentName(k), 'stats-department');
  clear(root, h('h1', {}, '统计考核'), a.section, b.section);
  a.draw();
  b.draw();
  return () => charts.forEach((c) => c.dispose());
}

interface ConnectorRow {
  id: string;
  title: string;
  department: string;
  state: string;
  stateLabel: string;
  lastSuccessAt: string | null;
  secondsSinceLastSuccess: number | null;
  recordsRead: number;
  produced: number;
  deadLettered: number;
  lastError: string | null;
}

export async function connectorsView(root: HTMLElement): Promise<() => void> {
  const c = await api<{ connectors: ConnectorRow[]; unreachableWorkers: Array<{ url: string; error: string }>; hubLag: Array<{ topic: string; lag: number }> | Record<string, unknown> | null }>('/connectors');
  const lag = Array.isArray(c.hubLag) ? c.hubLag : c.hubLag ? Object.entries(c.hubLag).map(([topic, v]) => ({ topic, lag: typeof v === 'number' ? v : JSON.stringify(v) })) : [];
  clear(
    root,
    h('h1', {}, '连接器'),
    h('table', { 'data-testid': 'connectors' },
      h('thead', {}, h('tr', {}, ...['连接器', '部门', '状态', '最近成功', '已读取', '已发送', '死信', '最近错误'].map((x) => h('th', {}, x)))),
      h('tbody', {}, c.connectors.map((r) => h('tr', {}, h('td', {}, r.title || r.id), h('td', {}, departmentName(r.department)), h('td', {}, h('span', { class: `badge st-${r.state}` }, r.stateLabel || r.state)), h('td', {}, time(r.lastSuccessAt)), h('td', {}, r.recordsRead), h('td', {}, r.produced), h('td', { class: r.deadLettered ? 'late' : '' }, r.deadLettered), h('td', { class: 'small' }, r.lastError ?? '')))),
    ),
    c.unreachableWorkers.length ? h('p', { class: 'late' }, `无法连接的采集进程：${c.unreachableWorkers.map((w) => w.url).join('、')}`) : null,
    h('h2', {}, '汇聚延迟（待处理消息数）'),
    lag.length ? h('table', {}, h('tbody', {}, lag.map((l) => h('tr', {}, h('td', {}, String(l.topic)), h('td', {}, String(l.lag)))))) : h('p', { class: 'muted' }, '—'),
  );
  return () => undefined;
}

export { categoryName };
