/**
 * What the duty engineer's Prometheus scrapes, after a short real pipeline run (12345 simulator →
 * connector worker → Kafka → hub): histograms with observations, the lag series per partition back
 * to 0, /ready naming each server; and the shipped alert rules and dashboard use only series and
 * labels that the scrape really has (the check `promtool` would need a Prometheus install for).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { testContext } from '../../support/context.js';
import { eventually, startProcess, type RunningProcess } from '../../../stack/processes.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const ctx = testContext('metrics');
let sim: RunningProcess;
let hub: RunningProcess;
let worker: RunningProcess;
const ORDERS = 40;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
interface Scrape {
  types: Map<string, string>;
  samples: Sample[];
}

/** The Prometheus text format, as far as a check needs it. */
function parseExposition(text: string): Scrape {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { types, samples };
}

const series = (s: Scrape, name: string, where: Record<string, string> = {}) => s.samples.filter((x) => x.name === name && Object.entries(where).every(([k, v]) => x.labels[k] === v));
const value = (s: Scrape, name: string, where: Record<string, string> = {}) => series(s, name, where).reduce((n, x) => n + x.value, 0);

async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

/**
 * Family names and the label names each carries, over several scrapes; null for a family declared
 * with no sample yet (no breached task in a short run): its labels cannot be checked here.
 */
function catalogue(...scrapes: Scrape[]): Map<string, Set<string> | null> {
  const out = new Map<string, Set<string> | null>();
  for (const s of scrapes) {
    const familyOf = (sample: string) => [...s.types.keys()].find((f) => sample === f || sample === `${f}_bucket` || sample === `${f}_count` || sample === `${f}_sum`) ?? sample;
    for (const name of s.types.keys()) if (!out.has(name)) out.set(name, null);
    for (const x of s.samples) {
      const family = familyOf(x.name);
      const labels = out.get(family) ?? new Set<string>(); // the first sample turns "declared" into "seen"
      for (const k of Object.keys(x.labels)) labels.add(k);
      out.set(family, labels);
    }
  }
  return out;
}

/** Every `countyhub_…` series an expression reads, with the labels its selectors and groupings name. */
function seriesUsed(expr: string): Array<{ family: string; labels: string[] }> {
  const out: Array<{ family: string; labels: string[] }> = [];
  for (const m of expr.matchAll(/(countyhub_\w+)(\{([^}]*)\})?/g)) {
    const family = m[1]!.replace(/_(bucket|count|sum)$/, '');
    const labels = [...(m[3] ?? '').matchAll(/(\w+)\s*(=~|!~|!=|=)/g)].map((l) => l[1]!).filter((l) => l !== 'le');
    out.push({ family, labels });
  }
  return out;
}

beforeAll(async () => {
  sim = await startProcess('12345 simulator', 'simulators/hotline-12345/main.ts', ['--seed', '21'], {});
  [hub, worker] = await Promise.all([
    startProcess('hub', 'hub/main.ts', [], { ...ctx.env, HUB_PORT: '0' }),
    startProcess('connector worker', 'connectors/cli.ts', ['run', 'hotline-12345'], {
      ...ctx.env,
      CONNECTOR_CONFIG: JSON.stringify({ 'hotline-12345': { source: { url: `${String(sim.ready.url)}/api/v2/workorders`, pagination: { size: 10 } }, pollIntervalMs: 200 } }),
    }),
  ]);
  const res = await fetch(`${String(sim.ready.url)}/__sim/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: ORDERS }) });
  expect(res.ok).toBe(true);
});

afterAll(async () => {
  await Promise.all([worker?.stop(), hub?.stop(), sim?.stop()]);
});

describe('metrics, readiness and the shipped alert rules', () => {
  let hubScrape: Scrape;
  let workerScrape: Scrape;

  it('the hub exports apply and end-to-end histograms, records by outcome, and lag per partition that returns to 0', async () => {
    const hubMetrics = `${String(hub.ready.url)}/metrics`;
    // every generated order applied and nothing left behind in Kafka
    hubScrape = await eventually('the hub to apply every work order with lag 0', async () => {
      const s = await scrape(hubMetrics);
      const applied = value(s, 'countyhub_hub_records_total', { kind: 'report' });
      const lag = series(s, 'countyhub_hub_consumer_lag');
      return applied >= ORDERS && lag.length > 0 && lag.every((l) => l.value === 0) ? s : undefined;
    });
    expect(hubScrape.types.get('countyhub_hub_apply_seconds')).toBe('histogram');
    const applyCount = value(hubScrape, 'countyhub_hub_apply_seconds_count');
    expect(applyCount).toBeGreaterThan(0);
    expect(value(hubScrape, 'countyhub_hub_apply_seconds_bucket', { le: '+Inf' })).toBe(applyCount);
    expect(value(hubScrape, 'countyhub_hub_apply_seconds_sum')).toBeGreaterThan(0);
    expect(value(hubScrape, 'countyhub_hub_batches_total')).toBe(applyCount);
    // one observation per record applied, each a sane latency (the simulator stamps its changes now)
    const e2e = value(hubScrape, 'countyhub_hub_end_to_end_seconds_count', { kind: 'report' });
    expect(e2e).toBeGreaterThanOrEqual(ORDERS);
    expect(value(hubScrape, 'countyhub_hub_end_to_end_seconds_sum', { kind: 'report' }) / e2e).toBeLessThan(600);
    // lag per topic and partition: every partition of the report topic is there
    const reportLag = series(hubScrape, 'countyhub_hub_consumer_lag').filter((l) => l.labels.topic === ctx.topics.records('report'));
    expect(new Set(reportLag.map((l) => l.labels.partition)).size).toBeGreaterThanOrEqual(1);
    expect(value(hubScrape, 'countyhub_hub_last_applied_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 3600);
    expect(series(hubScrape, 'countyhub_hub_waiting_seconds').map((s) => s.labels.server).sort()).toEqual(['database', 'registry']);
    expect(value(hubScrape, 'countyhub_hub_process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(series(hubScrape, 'countyhub_hub_nodejs_eventloop_lag_p99_seconds')).toHaveLength(1);
  });

  it('API requests are timed by route pattern, never by path, and carry one request id', async () => {
    const res = await fetch(`${String(hub.ready.url)}/api/v1/matters/12345`); // 401 without a key: still timed
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await fetch(`${String(hub.ready.url)}/health`, { headers: { 'x-request-id': 'gateway-7f3a' } });
    expect(echoed.headers.get('x-request-id')).toBe('gateway-7f3a'); // a proxy's id is kept for every log line
    const s = await scrape(`${String(hub.ready.url)}/metrics`);
    const routes = new Set(series(s, 'countyhub_api_request_duration_seconds_count').map((x) => x.labels.route));
    expect(routes).toContain('/api/v1/matters/:id');
    expect([...routes].some((r) => r?.includes('12345'))).toBe(false);
    hubScrape = s;
  });

  it('the worker exports page-time histograms and its state, mirrored from its status', async () => {
    const statusUrl = String(worker.ready.statusUrl);
    workerScrape = await scrape(`${statusUrl}/metrics`);
    const pages = value(workerScrape, 'countyhub_connector_page_seconds_count', { connector: 'hotline-12345' });
    expect(pages).toBeGreaterThanOrEqual(ORDERS / 10);
    expect(value(workerScrape, 'countyhub_connector_page_seconds_bucket', { connector: 'hotline-12345', le: '+Inf' })).toBe(pages);
    expect(value(workerScrape, 'countyhub_connector_records_produced_total', { connector: 'hotline-12345' })).toBeGreaterThanOrEqual(ORDERS);
    expect(value(workerScrape, 'countyhub_connector_state', { connector: 'hotline-12345', state: 'running' })).toBe(1);
    expect(value(workerScrape, 'countyhub_connector_up', { connector: 'hotline-12345' })).toBe(1);
    expect(value(workerScrape, 'countyhub_connector_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('/ready names PostgreSQL, Kafka and the registry, each checked', async () => {
    const res = await fetch(`${String(hub.ready.url)}/ready`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean; ms: number }> };
    expect(body.status).toBe('ready');
    expect(Object.keys(body.checks).sort()).toEqual(['kafka', 'postgresql', 'registry']);
    for (const c of Object.values(body.checks)) expect(c.ok).toBe(true);
  });

  it('every alert rule and dashboard query reads series and labels the scrapes have; every runbook link has its section', () => {
    const known = catalogue(hubScrape, workerScrape);
    const doc = parseYaml(readFileSync(resolve(ROOT, 'ops/prometheus/alerts.yml'), 'utf8')) as { groups: Array<{ name: string; rules: Array<{ alert: string; expr: string; for?: string; labels?: Record<string, string>; annotations: Record<string, string> }> }> };
    const handbook = readFileSync(resolve(ROOT, 'docs/zh/值班手册.md'), 'utf8');
    const headings = new Set([...handbook.matchAll(/^## (.+)$/gm)].map((m) => m[1]!.trim()));
    const rules = doc.groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThanOrEqual(8);
    const problems: string[] = [];
    const check = (where: string, expr: string) => {
      let depth = 0;
      for (const ch of expr) {
        depth += '({['.includes(ch) ? 1 : ')}]'.includes(ch) ? -1 : 0;
        if (depth < 0) break;
      }
      if (depth !== 0) problems.push(`${where}: unbalanced brackets in ${expr}`);
      for (const u of seriesUsed(expr)) {
        const labels = known.get(u.family);
        if (labels === undefined) problems.push(`${where}: no series ${u.family} in the scrapes`);
        else if (labels !== null) for (const l of u.labels) if (!labels.has(l)) problems.push(`${where}: ${u.family} has no label ${l}`);
      }
      for (const m of expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)) {
        for (const l of m[1]!.split(',').map((x) => x.trim()).filter(Boolean)) {
          if (l === 'le' || l === 'instance' || l === 'job') continue;
          if (![...known.values()].some((ls) => ls === null || ls.has(l))) problems.push(`${where}: groups by ${l}, which no series has`);
        }
      }
    };
    for (const r of rules) {
      expect(r.alert, JSON.stringify(r)).toMatch(/^[A-Z]\w+$/);
      expect(r.annotations.summary, r.alert).toMatch(/[\u4e00-\u9fff]/); // written for the duty engineer, in Chinese
      const anchor = r.annotations.runbook?.split('#')[1];
      if (!anchor || !headings.has(anchor)) problems.push(`${r.alert}: runbook section "${anchor}" is not in 值班手册.md`);
      if (r.for !== undefined && !/^\d+[smh]$/.test(r.for)) problems.push(`${r.alert}: for "${r.for}" is not a duration`);
      check(r.alert, r.expr);
    }
    const dashboard = JSON.parse(readFileSync(resolve(ROOT, 'ops/grafana/countyhub-dashboard.json'), 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    for (const p of dashboard.panels) for (const t of p.targets) check(`panel "${p.title}"`, t.expr);
    expect(problems).toEqual([]);
  });
});
