/**
 * Starts one stack for the whole test run (see stack/index.ts for how it is chosen) and hands its
 * address to the test files through vitest's provide/inject. Each test file isolates itself with
 * its own topic prefix and its own PostgreSQL schema.
 */
import type { TestProject } from 'vitest/node';
import { startStack, type StackAddress } from '../../stack/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackAddress;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await startStack();
  const { stop, ...address } = stack;
  project.provide('stack', address);
  return async () => {
    await stop();
  };
}
