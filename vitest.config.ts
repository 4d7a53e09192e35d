import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'connectors/**/*.test.ts', 'hub/**/*.test.ts', 'schemas/**/*.test.ts'],
    globalSetup: ['tests/setup/global-stack.ts'],
    // Generous bounds: the integration tests wait on progress (records applied, offsets moving) and
    // fail when that stalls, so these only catch a hang; a loaded machine (two cores shared with
    // benchmarks or other builds) takes several times longer than a quiet one and must still pass.
    testTimeout: 900_000,
    hookTimeout: 900_000,
    teardownTimeout: 120_000,
    pool: 'forks',
    // Integration tests share one broker and one registry; two workers match the machine's cores.
    maxWorkers: 2,
  },
});
