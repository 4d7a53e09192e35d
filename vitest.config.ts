import { defineConfig } from 'vitest/config';

// Two projects: tests that need no servers (mappings' fixture tests, unit tests) and tests on the
// real stack. Vitest runs a project's global setup only when that project has test files in the
// run, so `npx vitest run connectors/adapters/<name>` checks a mapping in a second or two without
// starting Kafka, the registry or a database.
const NO_STACK = ['tests/unit/**/*.test.ts', 'connectors/**/*.test.ts', 'hub/**/*.test.ts', 'schemas/**/*.test.ts'];

export default defineConfig({
  test: {
    // Generous bounds: the integration tests wait on progress (records applied, offsets moving) and
    // fail when that stalls, so these only catch a hang; a loaded machine (two cores shared with
    // benchmarks or other builds) takes several times longer than a quiet one and must still pass.
    testTimeout: 900_000,
    hookTimeout: 900_000,
    teardownTimeout: 120_000,
    pool: 'forks',
    // Integration tests share one broker and one registry; two workers match the machine's cores.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: NO_STACK } },
      {
        extends: true,
        test: {
          name: 'stack',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/unit/**', '**/node_modules/**'],
          globalSetup: ['tests/setup/global-stack.ts'],
        },
      },
    ],
  },
});
