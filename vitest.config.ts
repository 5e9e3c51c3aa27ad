import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // e2e suites start child processes on their own ports and Redis prefixes; files may run in parallel.
    fileParallelism: true,
    // Three on a 2-core machine: most tests wait on timers (polls, sync rounds, Lark's limits), not on the CPU.
    maxWorkers: 3,
  },
});
