import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The suites that wait longest on timers (sync at the real budget, kills and restarts) start first, so they run
 * alongside everything else instead of being the tail of the run. On a fresh clone vitest has no durations yet and
 * would order by file size.
 */
const SLOW_FIRST = ['e2e/sync-kill', 'e2e/sync-restart', 'integration/budget/within-budget', 'e2e/poller', 'e2e/lifecycle'];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = SLOW_FIRST.findIndex((part) => file.moduleId.includes(part));
      return index === -1 ? SLOW_FIRST.length : index;
    };
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // e2e suites start child processes on their own ports and Redis prefixes; files may run in parallel.
    fileParallelism: true,
    // Five on a 2-core machine: most tests wait on timers (polls, sync rounds, failovers, Lark's limits), not on the
    // CPU; a full run keeps about 1.2 of the 2 cores busy.
    maxWorkers: 5,
    sequence: { sequencer: SlowFirst },
    // Files share a worker's module cache: the bot has no module state (DESIGN), and importing node-sdk and BullMQ
    // afresh for every file cost a third of the run.
    isolate: false,
  },
});
