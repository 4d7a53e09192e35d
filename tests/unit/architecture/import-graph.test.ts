import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layeringViolations, repositorySources } from '../../support/import-graph.js';

describe('layers one way (docs/architecture.md)', () => {
  it('no production module imports across the layers: connectors ↛ hub, hub ↛ connectors, nothing ↛ simulators or tests', () => {
    const files = repositorySources(resolve(import.meta.dirname, '../../..'));
    expect(files.size).toBeGreaterThan(100);
    expect(layeringViolations(files)).toEqual([]);
  });

  it('the check sees each kind of crossing, static and dynamic imports and re-exports alike', () => {
    const found = layeringViolations(
      new Map([
        ['hub/api/x.ts', "import { a } from '../../connectors/runtime/worker.js';"],
        ['connectors/runtime/y.ts', "const m = await import('../../hub/store/db.js');"],
        ['core/z.ts', "export { b } from '../connectors/sdk/types.js';"],
        ['connectors/cli/w.ts', "import type { M } from '../../simulators/county/generate.js';"],
        ['hub/v.ts', "import { c } from '../tests/support/context.js';"],
        // allowed: the base, a layer's own modules, packages, test files
        ['hub/ok.ts', "import { d } from '../core/errors.js';\nimport { e } from './store/db.js';\nimport pino from 'pino';"],
        ['connectors/ok.test.ts', "import { f } from '../hub/store/db.js';"],
      ]),
    );
    expect(found.map((v) => `${v.file} → ${v.imports}`)).toEqual([
      'hub/api/x.ts → connectors/runtime/worker.js',
      'connectors/runtime/y.ts → hub/store/db.js',
      'core/z.ts → connectors/sdk/types.js',
      'connectors/cli/w.ts → simulators/county/generate.js',
      'hub/v.ts → tests/support/context.js',
    ]);
  });
});
