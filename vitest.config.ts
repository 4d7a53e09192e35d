import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'connectors/**/*.test.ts', 'hub/**/*.test.ts', 'schemas/**/*.test.ts'],
    globalSetup: ['tests/setup/global-stack.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Integration tests share one broker and one registry; two workers match the machine's cores.
    maxWorkers: 2,
  },
});
