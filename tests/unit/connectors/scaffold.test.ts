/**
 * `countyhub new` → a folder the worker discovers, with the chosen generic source, whose fixture
 * test passes as generated and runs without any server, well inside a minute.
 * The folders are made beside connectors/adapters (same depth, so their relative imports resolve)
 * and removed after; the repository's adapter list is never touched.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverAdapters, sourceFor } from '../../../connectors/adapters/index.js';
import { scaffold } from '../../../connectors/cli/scaffold.js';
import { fixtureContext, loadFixtures, runFixture } from '../../../connectors/sdk/fixtures.js';
import { FileDropSource } from '../../../connectors/sources/file-drop.js';
import { HttpPollSource } from '../../../connectors/sources/http-poll.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const parent = mkdtempSync(join(ROOT, 'connectors', 'zz-scaffold-'));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe('countyhub new', () => {
  it('scaffolds each source kind into a folder the worker discovers, whose fixtures pass as generated', async () => {
    scaffold('site-json', parent);
    scaffold('site-xml', parent, 'http-xml');
    scaffold('site-files', parent, 'file-drop');
    const found = await discoverAdapters(parent);
    expect(found.map((a) => a.manifest.id)).toEqual(['site-files', 'site-json', 'site-xml']);
    const [files, json, xml] = found;
    expect(sourceFor(json!.manifest, json)).toBeInstanceOf(HttpPollSource);
    expect((xml!.manifest.source as { format?: string }).format).toBe('xml');
    expect(sourceFor(files!.manifest, files)).toBeInstanceOf(FileDropSource);
    for (const a of found) {
      const fixtures = loadFixtures(join(parent, a.folder!, 'fixtures'));
      expect(fixtures.map((f) => Boolean(f.error))).toEqual([false, true]);
      for (const f of fixtures) {
        const out = runFixture(f, a.mapping, fixtureContext(a.manifest));
        if (out.ok) expect(out.emitted).toEqual(out.expected);
        else expect(out.error).toMatchObject({ code: 'CH_VALIDATION', field: 'content' });
      }
    }
    expect(readFileSync(join(parent, 'site-json', 'mapping.ts'), 'utf8')).toMatch(/export const mapping: Mapping/);
    expect(() => scaffold('site-json', parent)).toThrow(/already exists/);
    expect(() => scaffold('x-y', parent, 'soap' as never)).toThrow(/--source/);
  });

  it('its fixture test runs green through vitest with no server, in under a minute of machine time', async () => {
    const dir = relative(ROOT, join(parent, 'site-xml'));
    const started = Date.now();
    const { stdout } = await promisify(execFile)('npx', ['vitest', 'run', '--project', 'unit', dir], { cwd: ROOT, env: { ...process.env, CI: '1' } });
    const plain = stdout.replace(/\u001b\[[0-9;]*m/g, '');
    expect(plain).toMatch(/Tests\s+3 passed \(3\)/);
    expect(plain).toContain('site-xml/mapping.test.ts');
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);
});
