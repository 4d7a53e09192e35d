/**
 * GET /api/v1/connectors gathers what the connector workers report (state, last success, dead
 * letters) and says which workers did not answer; GET /api/v1/divisions serves the dataset's real
 * division file as GeoJSON.
 */
import Fastify from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGeo } from '../../../hub/api/geo.js';
import { ADAPTERS } from '../../../connectors/adapters/index.js';
import { ConnectorStatus } from '../../../connectors/runtime/status.js';
import { generateDataset } from '../../../simulators/county/generate.js';
import { freePort } from '../../../stack/net.js';
import { apiFixture, type ApiFixture } from '../../support/api-fixture.js';

let f: ApiFixture;
const worker = Fastify();
const dir = mkdtempSync(join(tmpdir(), 'countyhub-geo-'));
let deadPort: number;

beforeAll(async () => {
  // a worker's status as the runner serves it: real ConnectorStatus objects, one healthy, one failing
  const manifests = ADAPTERS.slice(0, 2).map((a) => a.manifest);
  const ok = new ConnectorStatus(manifests[0]!);
  ok.committed(120, 3, 123, Date.now() - 5_000);
  const bad = new ConnectorStatus(manifests[1]!);
  bad.state = 'refused';
  bad.lastError = 'HTTP 401 from the platform';
  worker.get('/status', async () => [ok.view(), bad.view()]);
  const url = await worker.listen({ port: 0, host: '127.0.0.1' });
  deadPort = await freePort();
  f = await apiFixture('apiops', { connectorStatusUrls: [url, `http://127.0.0.1:${deadPort}`] });
});
afterAll(async () => {
  await f?.close();
  await worker.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('connector status in the API', () => {
  it('lists every connector with state, last success and dead letters, and the worker that did not answer', async () => {
    const res = await f.as('commander', '/api/v1/connectors');
    expect(res.status).toBe(200);
    const [first, second] = res.body.connectors;
    expect(first).toMatchObject({ state: 'running', produced: 120, deadLettered: 3 });
    expect(first.secondsSinceLastSuccess).toBeGreaterThanOrEqual(4);
    expect(second).toMatchObject({ state: 'refused', lastError: 'HTTP 401 from the platform' });
    expect(second.stateLabel).toMatch(/被拒绝/);
    expect(res.body.unreachableWorkers).toEqual([expect.objectContaining({ url: `http://127.0.0.1:${deadPort}` })]);
  });
});

describe('divisions and grids from the county files', () => {
  it('loads the generated county: every town and village a polygon, every grid a feature', async () => {
    generateDataset({ seed: 3, scale: 0.01 }, dir);
    const geo = loadGeo(join(dir, 'geo', 'divisions.json'));
    const towns = geo.divisions.filter((d) => d.properties.level === 'town');
    expect(towns.length).toBeGreaterThan(3);
    expect(geo.divisions.every((d) => (d.geometry as { type: string }).type === 'Polygon')).toBe(true);
    expect(geo.grids.length).toBeGreaterThan(towns.length);
    expect(geo.grids.every((g) => String(g.properties.gridCode).length > 0)).toBe(true);
  });
});
