/**
 * docker-compose.yml and the Dockerfile, checked without a Docker engine: the structure a county
 * relies on (every connector pointed at a platform, data on volumes, no default secret outside the
 * demo, the demo's eight platforms) from the file itself, the image's contents against what the
 * services import, and — where `docker-compose` is installed (.ci/run installs it) — the file as
 * Compose itself reads it. The containers are not started here; docs/deployment.md says so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ADAPTERS } from '../../../connectors/adapters/index.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { environment?: Record<string, string>; volumes?: string[]; profiles?: string[]; command?: string[]; image?: string }>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const env = (service: string) => services[service]!.environment ?? {};
const hostOf = (url: string) => new URL(url.replace(/^(postgres|mysql):/, 'http:')).hostname;

/** Every module the entry points import, transitively (relative imports only). */
function importClosure(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = relative(ROOT, resolve(ROOT, dirname(file), m[1]!)).replace(/\.js$/, '.ts');
      if (existsSync(join(ROOT, target))) queue.push(target);
    }
  }
  return seen;
}

describe('docker-compose.yml', () => {
  it('points every connector at a platform service, and every sink too', () => {
    const config = JSON.parse(env('connectors').CONNECTOR_CONFIG!) as Record<string, { source: { url?: string; connection?: string; folder?: string; port?: number } }>;
    expect(Object.keys(config).sort()).toEqual(ADAPTERS.map((a) => a.manifest.id).sort());
    expect(services.connectors!.command).toEqual(['node', 'bin/countyhub.mjs', 'run', '--all']);
    for (const [id, { source }] of Object.entries(config)) {
      const where = source.url ?? source.connection;
      if (where) expect(Object.keys(services), id).toContain(hostOf(where));
      else if (source.folder) expect(services.connectors!.volumes, id).toContain(`drops:${dirname(source.folder)}`);
      else expect(source.port, id).toBe(({ 'police-110': 8822 } as Record<string, number>)[id] ?? 8821); // the webhooks the monitoring platform and the 110 system push to
    }
    const sinks = JSON.parse(env('sinks').SINK_CONFIG!) as Array<{ url: string }>;
    expect(sinks.length).toBeGreaterThanOrEqual(3);
    for (const s of sinks) expect(Object.keys(services)).toContain(hostOf(s.url));
  });

  it("keeps its data on volumes: Kafka's log, PostgreSQL (hub and schemas), the drops", () => {
    expect(services.kafka!.volumes).toContain(`kafka-data:${env('kafka').KAFKA_LOG_DIRS}`);
    expect(services.postgres!.volumes).toContain('pg-data:/var/lib/postgresql/data');
    expect(env('registry').APICURIO_STORAGE_KIND).toBe('sql');
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['kafka-data', 'pg-data', 'drops']));
  });

  it('has no default secret: the personal-data key and the others must be given, the demo gives public ones', () => {
    const required = /^\$\{[A-Z_]+:\?/;
    for (const s of ['hub', 'connectors', 'sinks']) expect(env(s).PERSONAL_DATA_KEY, s).toMatch(required);
    expect(env('hub').HUB_JWT_SECRET).toMatch(required);
    expect(env('postgres').POSTGRES_PASSWORD).toMatch(required);
    const demo = readFileSync(join(ROOT, 'ops/compose/demo.env'), 'utf8');
    expect(demo).toMatch(/^PERSONAL_DATA_KEY=demo-/m);
    expect(demo).toMatch(/^COMPOSE_PROFILES=demo$/m);
  });

  it("runs the demo county's eleven department platforms, and only in the demo profile", () => {
    const sims = Object.entries(services).filter(([name]) => name.startsWith('sim-'));
    expect(sims.map(([name]) => name).sort()).toEqual(['sim-approval', 'sim-emergency', 'sim-enforcement', 'sim-environment', 'sim-grid', 'sim-health-inspection', 'sim-hotline', 'sim-market', 'sim-natural-resources', 'sim-police-110', 'sim-urban-management']);
    for (const [name, s] of sims) expect(s.profiles, name).toEqual(['demo']);
    for (const name of ['hub', 'connectors', 'sinks', 'kafka', 'registry', 'postgres']) expect(services[name]!.profiles, name).toBeUndefined();
  });

  it('the image holds every folder its services import or read', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const copied = new Set([...dockerfile.matchAll(/^COPY (?:--from=\S+ )?(\S+) /gm)].map((m) => m[1]!.replace(/^\.?\/?/, '').split('/')[0]!));
    const entries = Object.values(services)
      .flatMap((s) => s.command ?? [])
      .filter((c) => /\.(ts|mjs)$/.test(c));
    expect(entries.length).toBeGreaterThan(8);
    const folders = new Set([...importClosure(entries)].map((f) => f.split('/')[0]!));
    folders.add('counties'); // the county profile, read at start
    for (const f of folders) expect(copied, `Dockerfile COPY ${f}`).toContain(f);
  });

  const binary = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  it.skipIf(binary.status !== 0)('is valid Compose, and refuses to start without the county secret (docker-compose config)', () => {
    const ok = spawnSync('docker-compose', ['--env-file', 'ops/compose/demo.env', 'config', '-q'], { cwd: ROOT, encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    const given = Object.fromEntries(readFileSync(join(ROOT, 'ops/compose/demo.env'), 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]));
    const { PERSONAL_DATA_KEY: _key, ...others } = given;
    const refused = spawnSync('docker-compose', ['config', '-q'], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, ...others } });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('PERSONAL_DATA_KEY');
  });
});
