/** Adapters plug in by folder: the worker finds connectors/adapters/<name>/manifest.ts, nothing else is edited. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADAPTERS, discoverAdapters, findAdapter, sourceFor } from '../../../connectors/adapters/index.js';
import { HttpPollSource } from '../../../connectors/sources/http-poll.js';

const dir = mkdtempSync(join(tmpdir(), 'countyhub-adapters-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function folder(name: string, files: Record<string, string>): void {
  mkdirSync(join(dir, name), { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, name, f), text);
}
const manifestTs = (id: string, source = `{ kind: 'http-poll', url: 'http://127.0.0.1:9/x', auth: { type: 'none' }, pagination: { style: 'page', pageParam: 'p', sizeParam: 's', size: 10, firstPage: 1 }, incremental: { param: 'since', field: 't', initial: '2026-01-01 00:00:00' }, idField: 'id', recordsPath: 'rows' }`) =>
  `export const manifest = { id: '${id}', department: 'housing', title: '住建', sourceSystem: '${id}', emits: ['report'], pollIntervalMs: 1000, source: ${source} };\n`;
const mappingTs = `export const mapping = (payload) => [{ kind: 'report', key: 'k', value: payload }];\n`;

describe('adapter discovery', () => {
  it('finds every adapter of the repository, the multi-connector folders included', () => {
    const ids = ADAPTERS.map((a) => a.manifest.id).sort();
    // the twelve the hand-written index listed before discovery, and the three added since by folder only
    expect(ids).toEqual([
      'approval-applications', 'emergency-hazards', 'enforcement-cases', 'environment-alarms', 'environment-complaints', 'environment-feedback',
      'grid', 'grid-feedback', 'health-inspection', 'hotline-12345', 'hotline-feedback', 'market-registry', 'natural-resources-patrol', 'police-110', 'urban-management',
    ]);
    expect(findAdapter('environment-complaints').folder).toBe('environment');
    for (const a of ADAPTERS) expect(typeof a.mapping, a.manifest.id).toBe('function');
  });

  it('a new folder with manifest.ts and mapping.ts is an adapter; a source.ts in it is its source', async () => {
    folder('construction-sites', { 'manifest.ts': manifestTs('construction-sites'), 'mapping.ts': mappingTs });
    folder('site-push', {
      'manifest.ts': manifestTs('site-push', `{ kind: 'custom', greeting: 'hello' }`),
      'mapping.ts': mappingTs,
      'source.ts': `export function createSource(settings) { return { settings, nextPage: async () => ({ records: [], cursor: null, hasMore: false }) }; }\n`,
    });
    folder('notes', { 'README.md': 'not an adapter: no manifest' });
    const found = await discoverAdapters(dir);
    expect(found.map((a) => a.manifest.id)).toEqual(['construction-sites', 'site-push']);
    const [generic, custom] = found;
    expect(sourceFor(generic!.manifest, generic)).toBeInstanceOf(HttpPollSource);
    const src = sourceFor(custom!.manifest, custom) as unknown as { settings: unknown };
    expect(src.settings).toEqual({ kind: 'custom', greeting: 'hello' });
    expect(generic!.mapping({ a: 1 }, {} as never)).toEqual([{ kind: 'report', key: 'k', value: { a: 1 } }]);
  });

  it('says what is wrong with a folder: no mapping, or an id two folders use', async () => {
    const bad = mkdtempSync(join(dir, 'bad-'));
    mkdirSync(join(bad, 'half'));
    writeFileSync(join(bad, 'half', 'manifest.ts'), manifestTs('half'));
    await expect(discoverAdapters(bad)).rejects.toThrow(/adapters\/half: has a manifest.ts but no mapping.ts/);
    writeFileSync(join(bad, 'half', 'mapping.ts'), mappingTs);
    mkdirSync(join(bad, 'twin'));
    writeFileSync(join(bad, 'twin', 'manifest.ts'), manifestTs('half'));
    writeFileSync(join(bad, 'twin', 'mapping.ts'), mappingTs);
    await expect(discoverAdapters(bad)).rejects.toThrow(/"half" is used by adapters\/half and adapters\/twin/);
  });
});
