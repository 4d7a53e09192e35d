/** The fixture test every adapter runs: `describeFixtures(manifest, mapping, dir)` in its *.test.ts. */
import { describe, expect, it } from 'vitest';
import { CountyHubError } from '../../core/errors.js';
import { fixtureContext, loadFixtures, runFixture } from './fixtures.js';
import type { ConnectorManifest, Mapping } from './types.js';

export function describeFixtures(manifest: ConnectorManifest, mapping: Mapping, dir: string): void {
  const fixtures = loadFixtures(dir);
  describe(`${manifest.id} mapping fixtures`, () => {
    it('has at least one good and one bad fixture', () => {
      expect(fixtures.some((f) => f.expected)).toBe(true);
      expect(fixtures.some((f) => f.error)).toBe(true);
    });
    for (const f of fixtures) {
      it(`${f.file}: ${f.description}`, () => {
        const out = runFixture(f, mapping, fixtureContext(manifest));
        if (out.ok) {
          expect(out.emitted).toEqual(out.expected);
        } else {
          expect(out.error).toBeInstanceOf(CountyHubError);
          const e = out.error as CountyHubError;
          expect(e.code).toBe(out.expectedError?.code);
          if (out.expectedError?.field) expect(e.field).toBe(out.expectedError.field);
          if (out.expectedError?.message) expect(e.message).toContain(out.expectedError.message);
        }
      });
    }
  });
}
