/**
 * The command center's screen in a real Chromium (Debian's `chromium`, driven by playwright-core;
 * no browser download), against the real pipeline: the 12345 and grid simulators serving a
 * generated county dated yesterday → connector workers → Kafka → hub → the screen at `/`, and the
 * center's decisions → dispatch sinks → the departments' simulators.
 *
 * Offline: every request the page makes that is not to the hub is aborted and recorded — and the
 * record must stay empty (no CDN, no map tiles, no fonts from outside).
 * Screenshots of every page go to .artifacts/screens/ (git-ignored) for people to look at.
 * Without Chromium (`apt-get install chromium`; .ci/run installs it) the file is skipped, saying so.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrincipal, issueApiKey } from '../../hub/api/auth/principals.js';
import { createDb } from '../../hub/store/db.js';
import { buildWeb } from '../../scripts/build-web.js';
import { generateDataset } from '../../simulators/county/generate.js';
import { freePort } from '../../stack/net.js';
import { eventually, startProcess, type RunningProcess } from '../../stack/processes.js';
import { testContext } from '../support/context.js';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p): p is string => !!p && existsSync(p));
if (!CHROMIUM) console.warn('[browser tests] SKIPPED: no Chromium at /usr/bin/chromium (install it with `apt-get install -y chromium`; .ci/run does) — set CHROMIUM_PATH to use another');

const SCREENS = join(process.cwd(), '.artifacts', 'screens');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

interface MatterItem {
  id: string;
  title: string;
  divisionCode: string | null;
  location: unknown;
  reports: Array<{ department: string; title?: string | null }>;
}

describe.skipIf(!CHROMIUM)('the command center in a real browser', () => {
  const ctx = testContext('browser');
  const procs: RunningProcess[] = [];
  let hubUrl = '';
  let hotlineUrl = '';
  let gridUrl = '';
  let browser: Browser;
  let dataset = '';
  const keys = { commander: '', town: '' };
  let town = '';
  const offline: string[] = [];
  const measured: Record<string, unknown> = {};

  const api = async <T>(path: string, key = keys.commander): Promise<T> => {
    const res = await fetch(`${hubUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    mkdirSync(SCREENS, { recursive: true });
    await buildWeb(); // the hub serves what is built: build the current source first
    dataset = mkdtempSync(join(tmpdir(), 'countyhub-browser-'));
    const yesterday = new Date(Date.now() + 8 * 3600_000 - 86_400_000).toISOString().slice(0, 10);
    generateDataset({ seed: 11, scale: 0.02, start: yesterday }, dataset);
    const [hotline, grid] = await Promise.all([
      startProcess('12345 simulator', 'simulators/hotline-12345/main.ts', ['--seed', '11', '--dataset', dataset], {}),
      startProcess('grid simulator', 'simulators/grid/main.ts', ['--seed', '11', '--dataset', dataset], {}),
    ]);
    procs.push(hotline, grid);
    hotlineUrl = String(hotline.ready.url);
    gridUrl = String(grid.ready.url);
    const statusPort = await freePort();
    const hub = await startProcess('hub', 'hub/main.ts', [], { ...ctx.env, HUB_PORT: '0', HUB_JWT_SECRET: 'browser-test-jwt-secret-0123456789', DIVISIONS_FILE: join(dataset, 'geo', 'divisions.json'), CONNECTOR_STATUS_URLS: `http://127.0.0.1:${statusPort}` });
    procs.push(hub);
    hubUrl = String(hub.ready.url);
    procs.push(
      await startProcess('connectors', 'connectors/cli.ts', ['run', 'hotline-12345', 'grid', 'hotline-feedback', 'grid-feedback'], {
        ...ctx.env,
        STATUS_PORT: String(statusPort),
        CONNECTOR_CONFIG: JSON.stringify({
          'hotline-12345': { source: { url: `${hotlineUrl}/api/v2/workorders` }, pollIntervalMs: 500 },
          grid: { source: { url: `${gridUrl}/api/grid/v1/events` }, pollIntervalMs: 500 },
          // the departments' 到场/办结 on what they were dispatched, yesterday's in yesterday's time
          'hotline-feedback': { source: { url: `${hotlineUrl}/api/v2/dispatches/feedback` }, pollIntervalMs: 1000 },
          'grid-feedback': { source: { url: `${gridUrl}/api/grid/v1/assignments/feedback` }, pollIntervalMs: 1000 },
        }),
      }),
      await startProcess('dispatch sinks', 'connectors/sinks/main.ts', [], {
        ...ctx.env,
        SINK_CONFIG: JSON.stringify([
          { id: 'grid', url: `${gridUrl}/api/grid/v1/assignments`, departments: ['town:*', 'grid'] },
          { id: 'hotline', url: `${hotlineUrl}/api/v2/dispatches`, departments: ['*'], exceptDepartments: ['town:*', 'grid'] },
        ]),
      }),
    );
    const db = createDb(ctx.stack.databaseUrl, { schema: ctx.dbSchema });
    try {
      keys.commander = await issueApiKey(db, (await createPrincipal(db, { id: 'browser-commander', name: '县指挥中心值班长', role: 'commander' })).id);
      // the history flows in: wait for matters in several towns before choosing the town operator's town
      const byTown = await eventually('matters of the history in three towns', async () => {
        const res = await fetch(`${hubUrl}/api/v1/matters?limit=200`, { headers: { authorization: `Bearer ${keys.commander}` } });
        const items = ((await res.json()) as { items: MatterItem[] }).items;
        const towns = new Map<string, number>();
        for (const m of items) if (m.divisionCode) towns.set(m.divisionCode.slice(0, 9), (towns.get(m.divisionCode.slice(0, 9)) ?? 0) + 1);
        return items.length >= 100 && towns.size >= 3 ? towns : undefined;
      }, 240_000, 1000);
      town = [...byTown.entries()].sort((a, b) => b[1] - a[1])[1]![0]; // a town with matters, not the biggest
      keys.town = await issueApiKey(db, (await createPrincipal(db, { id: 'browser-town', name: '镇指挥中心', role: 'town_operator', jurisdiction: town })).id);
    } finally {
      await db.destroy();
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  }, 420_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(procs.map((p) => p.stop()));
    if (dataset) rmSync(dataset, { recursive: true, force: true });
    writeFileSync(join(SCREENS, 'measurements.json'), JSON.stringify(measured, null, 2));
  });

  /** A page that may talk to the hub only: anything else is aborted and remembered. */
  async function openPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(hubUrl)) return route.continue();
      offline.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    page.on('pageerror', (err) => console.warn(`[browser] page error: ${err.message}`));
    return { context, page };
  }

  async function signIn(page: Page, key: string): Promise<void> {
    await page.goto(`${hubUrl}/`);
    await page.getByTestId('api-key').fill(key);
    await page.getByTestId('sign-in').click();
    try {
      // a bound for a loaded machine (a CI run needed more than 60 s once); the page retries by itself
      await page.getByTestId('matter-row').first().waitFor({ timeout: 180_000 });
    } catch (err) {
      await shot(page, 'sign-in-failed');
      throw new Error(`no matter row after sign-in; the page shows: ${(await page.locator('body').innerText()).slice(0, 500)}`, { cause: err });
    }
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENS, `${name}.png`), fullPage: true });
  const mapPoints = (page: Page) => page.evaluate(() => (globalThis as unknown as { __countyhub: { mapPoints(): Array<{ id: string; divisionCode: string | null }> } }).__countyhub.mapPoints());

  it('a commander signs in, finds a matter reported by two departments on the map and in the list, dispatches it, and the department receives it', async () => {
    const { context, page } = await openPage();
    try {
      await page.goto(`${hubUrl}/`);
      await page.getByTestId('api-key').waitFor();
      await shot(page, '00-sign-in');
      await signIn(page, keys.commander);
      measured.matterListRenderMs = Number(await page.getByTestId('matter-list').getAttribute('data-render-ms'));

      // an open matter with reports from two departments, drawn on the map and listed. The simulated
      // departments are still closing the history's matters while the test runs, so the one picked
      // may be closed before the dispatch is confirmed — which the hub rightly refuses (已办结): the
      // commander then takes the next one, as an operator would.
      const tried = new Set<string>();
      let target = '';
      for (let attempt = 0; attempt < 5 && !target; attempt++) {
        // the same patience as the start-up's (the first minutes of a CI run, every stack test
        // starting at once, are the busiest); a time-out says what the page showed meanwhile
        let seen = '';
        if (attempt > 0) {
          // back from the last candidate's detail to the overview's list and map
          await page.evaluate(() => ((globalThis as unknown as { location: { hash: string } }).location.hash = '#/'));
          await page.getByTestId('matter-list').waitFor({ timeout: 60_000 });
        }
        const candidate = await eventually('an open matter of two departments on the map and in the list', async () => {
          const listed = await page.locator('[data-testid="matter-row"]').evaluateAll((els) => els.map((e) => ({ id: e.getAttribute('data-id')!, departments: e.getAttribute('data-departments') ?? '', status: e.getAttribute('data-status') ?? '' })));
          const onMap = new Set((await mapPoints(page)).map((p) => p.id));
          const twoDepartments = listed.filter((m) => m.departments.includes(','));
          seen = `${listed.length} listed, ${onMap.size} on the map, ${twoDepartments.length} of two departments (${[...new Set(twoDepartments.map((m) => m.status))].join(', ') || 'none'}), tried ${tried.size}`;
          return twoDepartments.find((m) => m.status !== 'CLOSED' && m.status !== 'MERGED' && onMap.has(m.id) && !tried.has(m.id))?.id;
        }, 240_000, 1000).catch((err: Error) => {
          throw new Error(`${err.message}; the page showed ${seen}`);
        });
        tried.add(candidate);
        if (attempt === 0) await shot(page, '01-overview-commander');

        await page.locator(`[data-testid="matter-row"][data-id="${candidate}"]`).click();
        await page.getByTestId('matter-detail').waitFor();
        const departments = await page.getByTestId('report-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-department')));
        expect(new Set(departments).size).toBeGreaterThanOrEqual(2);
        await expect.poll(() => page.getByTestId('reports').innerText()).toMatch(/同一事件|新建事项|首次上报/); // why each joined, in words
        if (attempt === 0) await shot(page, '02-matter-detail');
        if ((await page.getByTestId('dispatch').count()) === 0) continue; // closed since the list was drawn

        await page.getByTestId('dispatch').click();
        await page.getByTestId('dispatch-lead').selectOption('market');
        await page.getByTestId('dispatch-cooperating').selectOption([]);
        await shot(page, '03-dispatch-confirmation');
        await expect.poll(() => page.locator('[data-testid="toast"]').count(), { timeout: 30_000 }).toBe(0); // the last attempt's notice gone
        await page.getByTestId('dialog-confirm').click();
        // the page answers every decision with a notice: done, or the hub's refusal in words
        const refused = await eventually('the page to say whether the dispatch was taken', async () => {
          const [ok, error] = await Promise.all([page.locator('[data-testid="toast"].ok').count(), page.locator('[data-testid="toast"].error').allInnerTexts()]);
          return error.length ? error.join(' ') : ok ? '' : undefined;
        }, 60_000, 200);
        if (!refused) target = candidate;
        // anything else is a defect of the hub: show its log (the request id is in the message)
        else expect(refused, `the only refusal expected is a matter closed meanwhile; hub log:\n${procs.find((p) => p.name === 'hub')?.output().slice(-4000) ?? ''}`).toMatch(/已办结/);
      }
      expect(target, `no open matter could be dispatched among ${[...tried].join(', ')}`).not.toBe('');
      await expect.poll(() => page.getByTestId('lead').innerText(), { timeout: 30_000 }).toContain('市场');
      // the page shows the decision itself (the lead may have been the market already)
      await expect.poll(() => page.getByTestId('timeline').innerText(), { timeout: 30_000 }).toMatch(/派单|改派/);
      await page.getByTestId('task-row').first().waitFor();
      await shot(page, '04-matter-dispatched');

      // the market department's copy goes through the 12345 platform's dispatch interface
      const received = await eventually('the assignment in the 12345 platform', async () => {
        const inbox = (await (await fetch(`${hotlineUrl}/__sim/inbox`)).json()) as Array<{ sjbh: string; receipt: string; [k: string]: unknown }>;
        return inbox.find((a) => a.sjbh === target);
      }, 90_000, 500);
      expect(received.receipt).toMatch(/^RXSD/);

      // the statistics of yesterday's history mean something today: the departments received and
      // worked on what the centre dispatched then, in that day's own time (their platforms' feedback)
      interface Stat { key: string | null; tasks: number; done: number; responded: number; openBreached: number; responseHours: { p50: number | null }; closureHours: { p50: number | null }; slaCompliance: number | null }
      const totals = (items: Stat[]) => items.reduce((a, r) => ({ tasks: a.tasks + r.tasks, done: a.done + r.done, responded: a.responded + r.responded, openBreached: a.openBreached + r.openBreached }), { tasks: 0, done: 0, responded: 0, openBreached: 0 });
      // (the SLA watcher marks yesterday's deadlines breached before the receipts are in — a busy
      // machine takes minutes to deliver them all — and the receipts withdraw what they disprove:
      // with responses stamped now instead, the breaches would stand and this would never hold)
      const stats = await eventually('the history\'s receipts and closures in the statistics, most open tasks not overdue', async () => {
        const items = (await api<{ items: Stat[] }>('/statistics?by=department')).items;
        const t = totals(items);
        // the receipts of (nearly) every assignment in: the sinks deliver the history's assignments one
        // by one, and a median taken while a department's first few are in is the median of those few
        return t.done >= t.tasks * 0.1 && t.responded >= t.tasks * 0.9 && t.openBreached < (t.tasks - t.done) / 2 ? items : undefined;
      }, 360_000, 2000);
      const t = totals(stats);
      const responded = stats.filter((r) => r.responseHours.p50 !== null);
      measured.statistics = { ...t, responseP50ByDepartment: Object.fromEntries(responded.map((r) => [r.key, { tasks: r.tasks, responded: r.responded, p50: r.responseHours.p50 }])), closureP50ByDepartment: stats.map((r) => r.closureHours.p50).filter((x) => x !== null) };
      // first responses take minutes (the rules allow 30; the simulated departments are late on 15 %),
      // not the day between the history and now — judged where a median means something (≥ 20 tasks
      // answered; in a department of four, two late receipts are its median)
      const sizeable = responded.filter((r) => r.responded >= 20);
      expect(sizeable.length).toBeGreaterThan(0);
      for (const r of sizeable) expect(r.responseHours.p50!).toBeLessThan(1);

      // the other pages, for the record and for people to look at
      for (const [hash, name, ready] of [
        ['#/proposals', '05-proposals', 'h1'],
        ['#/subjects', '06-subjects', 'subject-search'],
        ['#/statistics', '08-statistics', 'stats-town'],
        ['#/connectors', '09-connectors', 'connectors'],
      ] as const) {
        await page.evaluate((h) => ((globalThis as unknown as { location: { hash: string } }).location.hash = h), hash);
        await (ready === 'h1' ? page.locator('main h1') : page.getByTestId(ready)).first().waitFor({ timeout: 30_000 });
        await page.waitForTimeout(500); // charts finish their entry animation
        await shot(page, name);
      }
      const subject = await api<{ items: Array<{ id: string; name: string }> }>('/subjects?name=%E5%85%AC%E5%8F%B8&limit=1').catch(() => ({ items: [] }));
      if (subject.items[0]) {
        await page.evaluate((id) => ((globalThis as unknown as { location: { hash: string } }).location.hash = `#/subjects/${id}`), subject.items[0].id);
        // the 一企一档 profile renders its golden record (fields no record gave are shown as a dash)
        const rendered = await page.getByTestId('subject-profile').waitFor({ timeout: 60_000 }).then(() => true, () => false);
        measured.subjectProfileRendered = rendered;
        measured.subjectProfileError = rendered ? null : await page.getByTestId('page-error').innerText({ timeout: 1000 }).catch(() => null);
        await shot(page, '07-subject-profile');
        expect(measured.subjectProfileError ?? null).toBeNull();
        expect(rendered).toBe(true);
        expect(await page.locator('[data-testid=subject-profile] h1').innerText()).toBe(subject.items[0].name);
      }
      // the county once the history's receipts and progress are in: the map and list by SLA state
      await page.evaluate(() => ((globalThis as unknown as { location: { hash: string } }).location.hash = '#/'));
      await page.getByTestId('matter-row').first().waitFor({ timeout: 60_000 });
      await page.waitForTimeout(1000);
      await shot(page, '12-overview-after-history');

      // a matter its departments closed: the one result, and only the decisions that still make sense
      const closed = await eventually('a matter closed by its departments', async () => (await api<{ items: MatterItem[] }>('/matters?status=CLOSED&limit=1')).items[0], 120_000, 2000);
      await page.evaluate((id) => ((globalThis as unknown as { location: { hash: string } }).location.hash = `#/matter/${id}`), closed.id);
      await page.getByTestId('decisions').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('dispatch').count()).toBe(0); // no 派单/改派 on a closed matter
      expect(await page.getByTestId('close').count()).toBe(0);
      expect(await page.getByTestId('merge').count()).toBe(1);
      await shot(page, '13-matter-closed');
      expect(offline).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("a town operator sees no other town's matters on the map, in the list or in the feed", async () => {
    // the county has matters elsewhere: what the town must not see exists
    const all = await api<{ items: MatterItem[] }>('/matters?limit=200');
    expect(all.items.some((m) => m.divisionCode && !m.divisionCode.startsWith(town))).toBe(true);

    const { context, page } = await openPage();
    try {
      await signIn(page, keys.town);
      const rows = await page.getByTestId('matter-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-division')!));
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.filter((d) => !d.startsWith(town))).toEqual([]);
      const points = await mapPoints(page);
      expect(points.length).toBeGreaterThan(0);
      expect(points.filter((p) => !p.divisionCode?.startsWith(town))).toEqual([]);

      // new reports all over the county: the town's feed gets its own, and only its own
      const before = await page.getByTestId('feed-item').count();
      await eventually('a feed item of the town', async () => {
        await fetch(`${gridUrl}/__sim/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: 5 }) });
        await fetch(`${hotlineUrl}/__sim/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: 5 }) });
        return (await page.getByTestId('feed-item').count()) > before ? true : undefined;
      }, 120_000, 3000);
      const feed = await page.getByTestId('feed-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-division')!));
      expect(feed.filter((d) => !d.startsWith(town))).toEqual([]);
      // …while the county as a whole got reports elsewhere in the same time
      const county = await api<{ items: MatterItem[] }>('/matters?limit=50');
      expect(county.items.some((m) => m.divisionCode && !m.divisionCode.startsWith(town))).toBe(true);
      await page.waitForTimeout(2000); // the list reloads after feed events
      const rowsAfter = await page.getByTestId('matter-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-division')!));
      expect(rowsAfter.filter((d) => !d.startsWith(town))).toEqual([]);
      await shot(page, '10-overview-town-operator');
      expect(offline).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a new grid report appears in the feed without reloading the page', async () => {
    const { context, page } = await openPage();
    try {
      await signIn(page, keys.commander);
      await page.evaluate(() => ((globalThis as unknown as { __sameDocument: boolean }).__sameDocument = true));
      const marker = `浏览器测试${Date.now().toString(36)}`;
      const grid = (await (await fetch(`${gridUrl}/__sim/events`)).json()) as Array<{ gridCode: string; divisionCode: string; townName: string; lng: number; lat: number }>;
      const place = grid[0]!;
      await fetch(`${gridUrl}/__sim/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: `${marker}井盖缺失`, content: `${marker}：人行道井盖缺失，行人有坠落危险。`, gridCode: place.gridCode, divisionCode: place.divisionCode, townName: place.townName, lng: place.lng, lat: place.lat }),
      });
      // the report may open a matter of its own or join one nearby: the feed names that matter either way
      const matter = await eventually('the grid report in the hub', async () => {
        const items = (await api<{ items: MatterItem[] }>('/matters?limit=50')).items;
        return items.find((m) => m.reports.some((r) => r.title?.includes(marker)))?.id;
      }, 120_000, 1000);
      await page.locator(`[data-testid="feed-item"][data-matter="${matter}"]`).first().waitFor({ timeout: 60_000 });
      expect(await page.evaluate(() => (globalThis as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
      await shot(page, '11-feed-new-grid-report');
      expect(offline).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
