import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // e2e suites start child processes on their own ports and Redis prefixes; files may run in parallel.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
