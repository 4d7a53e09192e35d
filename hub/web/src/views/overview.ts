/**
 * 总览: the county (or the caller's town) on a map, the matter list and the live feed. Filters
 * apply to map and list alike; matters are coloured by the worst SLA state of their tasks.
 */
import { api, me, query } from '../api.js';
import { echarts } from '../charts.js';
import { clear, h } from '../dom.js';
import { feedEvents, onFeed, type FeedEvent } from '../feed.js';
import { rings, shapes } from '../geo.js';
import { categoryName, DEPARTMENTS, departmentName, eventName, FAMILIES, PROGRESS, SLA, SLA_COLOR, STATUS, time, townName } from '../labels.js';

export interface MatterItem {
  id: string;
  title: string;
  description: string;
  categoryCode: string | null;
  status: string;
  statusLabel: string;
  divisionCode: string | null;
  gridCode: string | null;
  location: { lng: number; lat: number } | null;
  address: string | null;
  leadDepartment: string | null;
  cooperatingDepartments: string[];
  reportCount: number;
  firstReportedAt: string;
  updatedAt: string;
  reports: Array<{ department: string; channel: string; channelLabel: string; sourceSystem: string }>;
}

interface Filters {
  division?: string;
  category?: string;
  status?: string;
  department?: string;
  sla?: string;
}

const filters: Filters = {};
let stopFeedListener: (() => void) | null = null;
let chart: ReturnType<typeof echarts.init> | null = null;
const titles = new Map<string, { title: string; divisionCode: string | null }>();

function slaOf(m: MatterItem, breached: Set<string>, atRisk: Set<string>): string {
  if (m.status === 'CLOSED' || m.status === 'MERGED') return 'closed';
  return breached.has(m.id) ? 'breached' : atRisk.has(m.id) ? 'at_risk' : 'on_time';
}

export async function overview(root: HTMLElement): Promise<() => void> {
  const who = me()!;
  const geo = await shapes();
  const mapEl = h('div', { class: 'map', id: 'map', 'data-testid': 'map' });
  const listEl = h('div', { class: 'list', 'data-testid': 'matter-list' });
  const feedEl = h('ol', { class: 'feed', 'data-testid': 'feed' });
  const countEl = h('span', { class: 'muted' });
  const select = (name: keyof Filters, label: string, options: Array<[string, string]>) =>
    h(
      'label',
      {},
      label,
      h('select', { name, 'data-testid': `filter-${name}`, onchange: (e: Event) => {
        filters[name] = (e.target as HTMLSelectElement).value || undefined;
        void load();
      } }, h('option', { value: '' }, '全部'), ...options.map(([v, t]) => h('option', { value: v, selected: filters[name] === v }, t))),
    );
  const townOptions = geo.towns.map((t) => [String(t.properties.code).slice(0, 9), String(t.properties.name)] as [string, string]);
  const bar = h(
    'div',
    { class: 'filters' },
    who.role === 'town_operator' ? null : select('division', '乡镇', townOptions),
    select('category', '类别', FAMILIES.map((f) => [f.code, f.name])),
    select('status', '状态', Object.entries(STATUS)),
    select('department', '部门', DEPARTMENTS.map((d) => [d.id, d.name])),
    select('sla', '时限', Object.entries(SLA)),
    countEl,
  );
  clear(
    root,
    bar,
    h('div', { class: 'overview' },
      h('section', { class: 'panel map-panel' }, h('h2', {}, '地图', h('span', { class: 'legend' }, ...Object.entries({ on_time: '按时', at_risk: '临期', breached: '超时', closed: '已办结' }).map(([k, v]) => h('i', { style: `--c:${SLA_COLOR[k]}` }, v)))), mapEl),
      h('section', { class: 'panel list-panel' }, h('h2', {}, '事项列表'), listEl),
      h('section', { class: 'panel feed-panel' }, h('h2', {}, '实时动态'), feedEl),
    ),
  );

  // the base map: towns as regions, villages and grids as outlines
  const region = { type: 'FeatureCollection', features: geo.towns.filter((t) => t.geometry?.type === 'Polygon' || t.geometry?.type === 'MultiPolygon').map((t) => ({ ...t, properties: { ...t.properties, name: String(t.properties.name) } })) };
  echarts.registerMap('county', region as never);
  chart = echarts.init(mapEl, undefined, { renderer: 'canvas' });
  const outline = (fs: typeof geo.grids, color: string, width: number) => ({ type: 'lines', coordinateSystem: 'geo', polyline: true, silent: true, lineStyle: { color, width, opacity: 0.8 }, data: fs.flatMap((f) => rings(f).map((r) => ({ coords: r }))) });
  chart.setOption({
    tooltip: { trigger: 'item' },
    geo: { map: 'county', roam: true, label: { show: true, color: '#9fb3c8', fontSize: 11 }, itemStyle: { areaColor: '#13263b', borderColor: '#4f7aa3', borderWidth: 1.2 }, emphasis: { itemStyle: { areaColor: '#1b3554' }, label: { color: '#fff' } } },
    series: [outline(geo.villages, '#2c4a68', 0.6), outline(geo.grids, '#24405c', 0.4), { id: 'matters', type: 'scatter', coordinateSystem: 'geo', symbolSize: 9, data: [], tooltip: { formatter: (p: { data: { title: string; sla: string } }) => `${p.data.title}<br/>${SLA[p.data.sla] ?? '已办结'}` } }],
  });
  chart.on('click', (p) => {
    const d = p.data as { id?: string } | undefined;
    if (d?.id) location.hash = `#/matter/${d.id}`;
  });
  const resize = () => chart?.resize();
  window.addEventListener('resize', resize);

  let seq = 0;
  async function load(): Promise<void> {
    const mine = ++seq;
    const t0 = performance.now();
    const base = { limit: 200, division: filters.division, category: filters.category, status: filters.status, department: filters.department };
    const [list, breached, atRisk] = await Promise.all([
      api<{ items: MatterItem[] }>(`/matters${query({ ...base, sla: filters.sla })}`),
      api<{ items: MatterItem[] }>(`/matters${query({ ...base, sla: 'breached' })}`),
      api<{ items: MatterItem[] }>(`/matters${query({ ...base, sla: 'at_risk' })}`),
    ]);
    if (mine !== seq) return; // a newer filter won
    const b = new Set(breached.items.map((m) => m.id));
    const r = new Set(atRisk.items.map((m) => m.id));
    for (const m of list.items) titles.set(m.id, { title: m.title, divisionCode: m.divisionCode });
    renderList(list.items, b, r);
    countEl.textContent = `共 ${list.items.length}${list.items.length === 200 ? '+' : ''} 件`;
    chart?.setOption({
      series: [{ id: 'matters', data: list.items.filter((m) => m.location).map((m) => {
        const sla = slaOf(m, b, r);
        return { id: m.id, name: m.title, title: m.title, sla, divisionCode: m.divisionCode, value: [m.location!.lng, m.location!.lat], itemStyle: { color: SLA_COLOR[sla] } };
      }) }],
    });
    listEl.dataset.renderMs = String(Math.round(performance.now() - t0));
    listEl.dataset.loaded = String(mine);
  }

  function renderList(items: MatterItem[], b: Set<string>, r: Set<string>): void {
    const rows = items.map((m) => {
      const sla = slaOf(m, b, r);
      const depts = [...new Set(m.reports.map((x) => x.department))];
      return h(
        'tr',
        { 'data-testid': 'matter-row', 'data-id': m.id, 'data-status': m.status, 'data-division': m.divisionCode ?? '', 'data-departments': depts.join(','), onclick: () => (location.hash = `#/matter/${m.id}`) },
        h('td', {}, h('i', { class: 'dot', style: `--c:${SLA_COLOR[sla]}` }), m.title),
        h('td', {}, townName(m.divisionCode)),
        h('td', {}, categoryName(m.categoryCode)),
        h('td', {}, m.statusLabel),
        h('td', {}, departmentName(m.leadDepartment)),
        h('td', { title: depts.map(departmentName).join('、') }, `${m.reportCount} 条 / ${depts.length} 个来源`),
        h('td', {}, time(m.updatedAt)),
      );
    });
    clear(listEl, items.length ? h('table', {}, h('thead', {}, h('tr', {}, ...['事项', '乡镇', '类别', '状态', '牵头部门', '报告', '更新'].map((x) => h('th', {}, x)))), h('tbody', {}, rows)) : h('p', { class: 'empty' }, '没有符合条件的事项'));
  }

  async function feedItem(e: FeedEvent): Promise<HTMLElement> {
    let t = titles.get(e.matterId);
    if (!t) {
      t = await api<MatterItem>(`/matters/${e.matterId}`).then((m) => ({ title: m.title, divisionCode: m.divisionCode })).catch(() => ({ title: `事项 ${e.matterId}`, divisionCode: e.divisionCode }));
      titles.set(e.matterId, t);
    }
    // what happened, not only its kind: 已到场 · 市场监管局 says more than 状态变更
    const d = (e.detail ?? {}) as { status?: string; sourceStatus?: string; department?: string; lead?: string };
    const what = e.type === 'status_changed' && d.status ? (PROGRESS[d.status] ?? d.sourceStatus ?? d.status) : eventName(e.type);
    const who = d.department ? departmentName(d.department) : d.lead ? departmentName(d.lead) : '';
    return h('li', { 'data-testid': 'feed-item', 'data-matter': e.matterId, 'data-division': e.divisionCode ?? '', 'data-type': e.type, onclick: () => (location.hash = `#/matter/${e.matterId}`) },
      h('time', { title: '发生时间' }, time(e.at)), h('b', {}, what), h('span', {}, t.title), h('small', {}, [townName(e.divisionCode), who].filter(Boolean).join(' · ')));
  }
  for (const e of feedEvents().slice(0, 50)) feedEl.append(await feedItem(e));
  if (!feedEl.childElementCount) feedEl.append(h('li', { class: 'empty' }, '等待新动态…'));
  let reload: ReturnType<typeof setTimeout> | null = null;
  stopFeedListener = onFeed((e) => {
    void feedItem(e).then((li) => {
      feedEl.querySelector('.empty')?.remove();
      feedEl.prepend(li);
      while (feedEl.childElementCount > 100) feedEl.lastElementChild?.remove();
    });
    // new and changed matters reach map and list too, a few at a time
    reload ??= setTimeout(() => {
      reload = null;
      void load();
    }, 1500);
  });

  await load();
  return () => {
    stopFeedListener?.();
    if (reload) clearTimeout(reload);
    window.removeEventListener('resize', resize);
    chart?.dispose();
    chart = null;
  };
}

/** For tests and diagnostics: what the map draws right now. */
export function mapPoints(): Array<{ id: string; divisionCode: string | null; sla: string }> {
  const opt = chart?.getOption() as { series?: Array<{ id?: string; data?: Array<{ id: string; divisionCode: string | null; sla: string }> }> } | undefined;
  return (opt?.series?.find((s) => s.id === 'matters')?.data ?? []).map((d) => ({ id: d.id, divisionCode: d.divisionCode, sla: d.sla }));
}
