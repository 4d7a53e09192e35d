/**
 * `npm run demo`: the demo county, live. Starts the stack (see stack/index.ts), the department
 * simulators, the hub and the connector workers, keeps the simulated departments busy, and prints
 * where to look. Ctrl-C stops everything it started.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startStack, stopOnExit } from '../stack/index.js';
import { startProcess, type RunningProcess } from '../stack/processes.js';
import { freePort } from '../stack/net.js';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { STACK_HOME } from '../stack/local.js';
import { generateDataset } from '../simulators/county/generate.js';

const say = (m: string) => process.stderr.write(`[demo] ${m}\n`);
const t0 = Date.now();
const stack = await startStack({ log: (m) => say(m) });
const children: RunningProcess[] = [];
stopOnExit(stack, async () => {
  await Promise.all(children.map((c) => c.stop()));
});

process.on('uncaughtException', (err) => void shutdownAfter(err));
process.on('unhandledRejection', (err) => void shutdownAfter(err));
/** yyyy-MM-dd of an instant in the county's time zone. */
function shanghaiDate(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
}

async function shutdownAfter(err: unknown): Promise<never> {
  say(`failed: ${err instanceof Error ? err.message : String(err)}`);
  await Promise.all(children.map((c) => c.stop()));
  await stack.stop();
  process.exit(1);
}

const hubPort = process.env.HUB_PORT ?? String(await freePortOr(8080));
const env = {
  KAFKA_BROKERS: stack.kafkaBrokers.join(','),
  SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
  DATABASE_URL: stack.databaseUrl,
  TOPIC_PREFIX: 'countyhub',
  // a demo key: a real county sets its own secret and keeps it (it keys every hash of ID and phone numbers)
  PERSONAL_DATA_KEY: process.env.PERSONAL_DATA_KEY ?? 'demo-county-key-not-a-secret',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
};

// History to back-fill: a small generated county, served by every simulator from the start.
const history = join(STACK_HOME, 'demo-history');
rmSync(history, { recursive: true, force: true });
// dated yesterday (the county's calendar day, Asia/Shanghai): SLA clocks, countdowns and statistics
// then mean something today, instead of every task being months overdue. The departments' platforms
// lived through that day: what the centre dispatched then, they received and worked on then, and
// their receipts and progress come back stamped in the history's own time (dispatch-inbox.ts)
generateDataset({ seed: 2026, scale: 0.05, start: shanghaiDate(Date.now() - 86_400_000) }, history);
const drops = { natural: join(STACK_HOME, 'demo-drops', 'natural-resources'), emergency: join(STACK_HOME, 'demo-drops', 'emergency'), health: join(STACK_HOME, 'demo-drops', 'health-inspection') };
for (const d of Object.values(drops)) {
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
}

const secret = process.env.ENVIRONMENT_ALARMS_WEBHOOK_SECRET ?? 'demo-webhook-secret-not-a-secret';
const webhookPort = await freePort();
const webhookUrl = `http://127.0.0.1:${webhookPort}/hooks/environment/alarms`;
const withHistory = ['--dataset', history];
const [hotline, grid, environment, approval, market] = await Promise.all([
  // 回访: a tenth of the citizens called back are not satisfied, and their matters are redone (重办)
  startProcess('12345 simulator', 'simulators/hotline-12345/main.ts', ['--seed', '2026', '--call-back', '0.1', ...withHistory], {}),
  startProcess('grid simulator', 'simulators/grid/main.ts', ['--seed', '2026', ...withHistory], {}),
  startProcess('environment simulator', 'simulators/environment/main.ts', ['--seed', '2026', ...withHistory, '--webhook', webhookUrl, '--webhook-secret', secret, '--complaints-every-ms', '4000'], {}),
  startProcess('approval simulator', 'simulators/approval/main.ts', [...withHistory, '--receive-every-ms', '3000', '--advance-every-ms', '4000'], {}),
  startProcess('market simulator', 'simulators/market/main.ts', ['--database-url', stack.databaseUrl, ...withHistory, '--live-every-ms', '3000'], {}),
]);
children.push(hotline, grid, environment, approval, market);
// MariaDB is optional for the demo: without it the enforcement department is left out, and said so
const enforcement = await startProcess('enforcement simulator', 'simulators/enforcement/main.ts', [...withHistory, '--live-every-ms', '3000'], {}).catch((err: Error) => {
  say(`enforcement simulator not started (needs MariaDB/MySQL on 127.0.0.1:3306): ${err.message.split('\n')[0]}`);
  return undefined;
});
if (enforcement) children.push(enforcement);
// file-drop departments: daily exports written into watched folders, a file every few seconds
for (const [name, entry, folder] of [
  ['natural-resources export', 'simulators/natural-resources/main.ts', drops.natural],
  ['emergency export', 'simulators/emergency/main.ts', drops.emergency],
] as const) {
  children.push(await startProcess(name, entry, [folder, ...withHistory, '--interval-ms', '4000'], {}));
  // …and today's exports keep arriving after the history: a few rows every few seconds, generated on the spot
  const today = shanghaiDate(Date.now());
  const live = ['--seed', '2027', '--scale', '0.05', '--days', '7', '--start', today, '--rows-per-file', '5', '--corrupt', '0', '--interval-ms', '8000'];
  children.push(await startProcess(`${name} (live)`, entry, [folder, ...live], {}));
}
// three more departments, each read by an adapter written with the generic sources only:
// 数字化城管 as a SOAP WebService, 卫生监督 as GB18030 XML exports dropped by file (the 110
// handovers are pushed once the connectors listen, below)
const policePort = await freePort();
const policeSecret = process.env.POLICE_110_WEBHOOK_SECRET ?? 'demo-110-secret-not-a-secret';
const urban = await startProcess('urban management simulator', 'simulators/urban-management/main.ts', ['--seed', '2026', '--count', '60', ...withHistory], {});
children.push(urban);
children.push(await startProcess('health inspection export', 'simulators/health-inspection/main.ts', [drops.health, '--seed', '2026', '--records', '60', '--per-file', '5', '--interval-ms', '8000', ...withHistory], {}));
const sims = { hotline: String(hotline.ready.url), grid: String(grid.ready.url), environment: String(environment.ready.url), approval: String(approval.ready.url) };
say(`department simulators: 12345 ${sims.hotline}, grid ${sims.grid}, environment ${sims.environment}, approval ${sims.approval}, market table ${String(market.ready.table)}, enforcement ${enforcement ? String(enforcement.ready.table) : 'off'}, urban management ${String(urban.ready.url)}, file drops under ${join(STACK_HOME, 'demo-drops')} (natural resources, emergency, health inspection), 110 handovers pushed to :${policePort}`);
const statusPort = await freePort();
const hub = await startProcess('hub', 'hub/main.ts', [], { ...env, HUB_PORT: hubPort, HUB_JWT_SECRET: process.env.HUB_JWT_SECRET ?? randomBytes(32).toString('hex'), DIVISIONS_FILE: join(history, 'geo', 'divisions.json'), CONNECTOR_STATUS_URLS: `http://127.0.0.1:${statusPort}` });
children.push(hub);
const connectorConfig = {
  'hotline-12345': { source: { url: `${sims.hotline}/api/v2/workorders` } },
  grid: { source: { url: `${sims.grid}/api/grid/v1/events` } },
  'environment-complaints': { source: { url: `${sims.environment}/api/12369/complaints` } },
  'environment-alarms': { source: { port: webhookPort } },
  'approval-applications': { source: { url: `${sims.approval}/api/v1/applications` } },
  'market-registry': { source: { connection: market.ready.connection, table: market.ready.table } },
  'natural-resources-patrol': { source: { folder: drops.natural } },
  'emergency-hazards': { source: { folder: drops.emergency } },
  'urban-management': { source: { url: `${String(urban.ready.url)}/ws/UrbanCaseService` } },
  'health-inspection': { source: { folder: drops.health } },
  'police-110': { source: { port: policePort } },
  ...(enforcement ? { 'enforcement-cases': { source: { connection: enforcement.ready.connection, table: enforcement.ready.table } } } : {}),
  // what the departments did with the centre's assignments (到场, 办结 and the result), read back
  // from the platform each went to — the history's in the history's own time (simulators/shared/dispatch-inbox.ts)
  'hotline-feedback': { source: { url: `${sims.hotline}/api/v2/dispatches/feedback` } },
  'grid-feedback': { source: { url: `${sims.grid}/api/grid/v1/assignments/feedback` } },
  'environment-feedback': { source: { url: `${sims.environment}/api/12369/dispatches/feedback` } },
};
const workers = await startProcess('connectors', 'connectors/cli.ts', ['run', ...Object.keys(connectorConfig)], {
  ...env,
  STATUS_PORT: String(statusPort),
  ENVIRONMENT_ALARMS_WEBHOOK_SECRET: secret,
  POLICE_110_WEBHOOK_SECRET: policeSecret,
  CONNECTOR_CONFIG: JSON.stringify(connectorConfig),
});
children.push(workers);
// 110 non-police incidents handed over to 12345: pushed to the connectors' signed webhook (the
// pusher sends again what was not answered, so it may start before the webhook listens)
children.push(await startProcess('110 handover pusher', 'simulators/police-110/main.ts', ['--target', `http://127.0.0.1:${policePort}/hooks/police-110/handovers`, '--secret', policeSecret, '--count', '60', '--interval-ms', '8000', '--state-changes', '0.3', ...withHistory], {}));
// the center's decisions go back to the departments' platforms: environment to its own, towns
// through the grid platform, every other department through the 12345 platform's dispatch interface
const sinks = await startProcess('dispatch sinks', 'connectors/sinks/main.ts', [], {
  ...env,
  SINK_CONFIG: JSON.stringify([
    // …and a closed matter's one result goes back to each platform a report of it came from (reportsFrom)
    { id: 'environment', url: `${sims.environment}/api/12369/dispatches`, departments: ['environment'], reportsFrom: ['environment-12369'] },
    // the grid platform also receives the verifications (核查) its grid workers make of closures
    { id: 'grid', url: `${sims.grid}/api/grid/v1/assignments`, departments: ['town:*', 'grid'], reportsFrom: ['grid'] },
    { id: 'hotline', url: `${sims.hotline}/api/v2/dispatches`, departments: ['*'], exceptDepartments: ['environment', 'town:*', 'grid'], reportsFrom: ['hotline-12345'] },
  ]),
});
children.push(sinks);

const api = String(hub.ready.url);
const keys = await demoPrincipals();
const auth = { authorization: `Bearer ${keys.commander}` };
console.log(`
CountyHub demo county is running (${((Date.now() - t0) / 1000).toFixed(1)} s to start).
  指挥中心大屏    ${api}/   （用下面的 API key 登录）
  事项 API        ${api}/api/v1/matters   (curl -H 'Authorization: Bearer <key>' …)
  API 文档        ${api}/docs
  演示账号 API key（仅显示一次）
    县指挥中心（可申请查看个人信息）  ${keys.commander}
    ${keys.townName}网格员/镇指挥中心      ${keys.town}
    生态环境局联络员                  ${keys.liaison}
    审计员                            ${keys.auditor}
  连接器状态      ${api}/api/v1/connectors   (worker: ${String(workers.ready.statusUrl)}/status, Prometheus: /metrics)
  地图            ${api}/api/v1/divisions  ${api}/api/v1/grids
  Ctrl-C 停止
`);

// Keep the departments busy: new work orders and progress on open ones.
let tick = 0;
for (;;) {
  await sleep(1000);
  tick += 1;
  for (const url of [sims.hotline, sims.grid]) {
    await post(`${url}/__sim/generate`, { count: 1 + (tick % 3) });
    await post(`${url}/__sim/advance`, {});
  }
  if (tick % 5 === 0) await post(`${sims.environment}/__sim/alarms`, { count: 1 });
  if (tick % 15 === 0) {
    const res = await fetch(`${api}/api/v1/matters?limit=1`, { headers: auth }).catch(() => undefined);
    const body = (await res?.json().catch(() => undefined)) as { items?: Array<{ title: string; statusLabel: string }> } | undefined;
    say(`running ${tick} s; latest matter: ${body?.items?.[0] ? `${body.items[0].title} (${body.items[0].statusLabel})` : 'none yet'}`);
  }
}

/** One principal per role for operators to try the API with (the hub has migrated its tables by now). */
async function demoPrincipals() {
  const { createDb } = await import('../hub/store/db.js');
  const { createPrincipal, issueApiKey } = await import('../hub/api/auth/principals.js');
  const divisions = JSON.parse(readFileSync(join(history, 'geo', 'divisions.json'), 'utf8')) as { towns: Array<{ code: string; name: string }> };
  const town = divisions.towns[0]!;
  const db = createDb(stack.databaseUrl);
  try {
    const make = async (id: string, p: Parameters<typeof createPrincipal>[1]) => issueApiKey(db, (await createPrincipal(db, { id, ...p })).id);
    return {
      commander: await make('demo-commander', { name: '县指挥中心值班长', role: 'commander', canUnmask: true }),
      town: await make('demo-town', { name: `${town.name}指挥中心`, role: 'town_operator', jurisdiction: town.code.slice(0, 9) }),
      townName: town.name,
      liaison: await make('demo-liaison-environment', { name: '生态环境局联络员', role: 'liaison', department: 'environment' }),
      auditor: await make('demo-auditor', { name: '审计员', role: 'auditor' }),
    };
  } finally {
    await db.destroy();
  }
}

function post(url: string, body: unknown): Promise<unknown> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch(() => undefined);
}

async function freePortOr(preferred: number): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => void freePort().then(resolve));
    srv.listen(preferred, '127.0.0.1', () => srv.close(() => resolve(preferred)));
  });
}
