/** The command center's screen: sign-in, the page shell with role-aware navigation, and a hash router. */
import { ApiError, me, signIn, signOut } from './api.js';
import { clear, h } from './dom.js';
import { startFeed, stopFeed } from './feed.js';
import { forgetShapes, shapes } from './geo.js';
import { ROLE, departmentName, townName } from './labels.js';
import { matterView } from './views/matter.js';
import { mapPoints, overview } from './views/overview.js';
import { connectorsView, proposalsView, statisticsView, subjectsView } from './views/others.js';

const app = document.getElementById('app')!;
let leave: () => void = () => undefined;

function loginPage(message?: string): void {
  const input = h('input', { type: 'password', name: 'key', placeholder: 'chk_…', autocomplete: 'off', required: true, 'data-testid': 'api-key' });
  const error = h('p', { class: 'error', 'data-testid': 'login-error' }, message ?? '');
  const form = h('form', { class: 'login', onsubmit: async (e: Event) => {
    e.preventDefault();
    try {
      await signIn(input.value);
      location.hash = '#/';
      await route();
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.message : '无法连接汇聚平台';
    }
  } }, h('h1', {}, '县社会治理综合指挥中心'), h('p', { class: 'muted' }, '请使用分配给您的 API key 登录'), h('label', { class: 'field' }, 'API key', input), h('button', { class: 'primary', type: 'submit', 'data-testid': 'sign-in' }, '登录'), error);
  clear(app, form);
  input.focus();
}

const NAV: Array<{ hash: string; label: string; roles: string[] }> = [
  { hash: '#/', label: '总览', roles: ['commander', 'town_operator', 'liaison', 'admin'] },
  { hash: '#/proposals', label: '合并建议', roles: ['commander', 'town_operator', 'admin'] },
  { hash: '#/subjects', label: '一企一档', roles: ['commander', 'town_operator', 'liaison', 'admin'] },
  { hash: '#/statistics', label: '统计考核', roles: ['commander', 'town_operator', 'liaison', 'admin'] },
  { hash: '#/connectors', label: '连接器', roles: ['commander', 'admin'] },
];

function shell(): HTMLElement {
  const who = me()!;
  const scopeOf = () => (who.role === 'town_operator' ? townName(who.jurisdiction) : who.role === 'liaison' ? departmentName(who.department) : '全县');
  const whoEl = h('span', { class: 'who', 'data-testid': 'who' }, `${who.name} · ${ROLE[who.role] ?? who.role} · ${scopeOf()}`);
  // town names come with the county's shapes: until they have loaded a town is only its code, so the
  // header is written again once they are known (every page loads them; the first sign-in has not yet)
  if (who.role === 'town_operator') void shapes().then(() => (whoEl.textContent = `${who.name} · ${ROLE[who.role] ?? who.role} · ${scopeOf()}`), () => undefined);
  const main = h('main', { id: 'page' });
  const current = location.hash.split('/').slice(0, 2).join('/') || '#/';
  clear(
    app,
    h('header', {},
      h('b', { class: 'brand' }, '县社会治理综合指挥中心'),
      h('nav', {}, NAV.filter((n) => n.roles.includes(who.role)).map((n) => h('a', { href: n.hash, class: (n.hash === '#/' ? current === '#/' || current === '#/matter' : current.startsWith(n.hash)) ? 'on' : '' }, n.label))),
      whoEl,
      h('button', { class: 'ghost', onclick: () => {
        stopFeed();
        forgetShapes();
        signOut();
        location.hash = '#/login';
        loginPage();
      } }, '退出'),
    ),
    main,
  );
  return main;
}

async function route(): Promise<void> {
  leave();
  leave = () => undefined;
  if (!me()) return loginPage();
  if (me()!.role === 'auditor') return loginPage('审计员请使用审计接口（/api/v1/audit），本页面面向指挥调度人员');
  void startFeed();
  const main = shell();
  const [, page, arg] = location.hash.replace(/^#/, '').split('/');
  main.append(h('p', { class: 'muted loading' }, '加载中…'));
  try {
    if (page === 'matter' && arg) leave = await matterView(main, arg);
    else if (page === 'proposals') leave = await proposalsView(main, arg === 'subject' ? 'subject' : 'matter');
    else if (page === 'subjects') leave = await subjectsView(main, arg);
    else if (page === 'statistics') leave = await statisticsView(main);
    else if (page === 'connectors') leave = await connectorsView(main);
    else leave = await overview(main);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      signOut();
      return loginPage('登录已失效，请重新登录');
    }
    // a hub that is busy or restarting (503, a dropped connection) answers again by itself: an
    // operator's wall screen must come back without anyone pressing reload
    const transient = !(err instanceof ApiError) || err.status === 0 || err.status >= 500;
    const hash = location.hash;
    clear(main, h('p', { class: 'error', 'data-testid': 'page-error' }, err instanceof Error ? err.message : String(err), transient ? '（10 秒后自动重试）' : ''));
    if (transient) {
      const timer = setTimeout(() => {
        if (location.hash === hash && me()) void route();
      }, 10_000);
      leave = () => clearTimeout(timer);
    }
  }
}

window.addEventListener('hashchange', () => void route());
(window as unknown as { __countyhub: unknown }).__countyhub = { mapPoints };
void route();
