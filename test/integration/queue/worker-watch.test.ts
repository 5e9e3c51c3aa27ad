/**
 * QueueWorkers' watchdog (src/queue/workers.ts) against real Redis and real BullMQ workers, under a prefix of its
 * own: a worker that stopped taking jobs while jobs are due is replaced, and the jobs run; a busy or healthy worker
 * is left alone. A wedged blocking connection (what a Redis failover can leave, see the file's comment) is stood in
 * for by pausing the worker locally: it stays "running" and takes nothing, which is the symptom.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Ctx } from '../../../src/context.js';
import { createLogger } from '../../../src/logger.js';
import { Metrics } from '../../../src/metrics.js';
import type { JobSpec } from '../../../src/queue/jobs.js';
import { Queues } from '../../../src/queue/producer.js';
import { JobRegistry, QueueWorkers, handle } from '../../../src/queue/workers.js';
import { TEST_REDIS_URL, dropPrefix, testPrefix } from '../../helpers/redis.js';
import { waitFor } from '../../helpers/wait.js';

const prefix = testPrefix('worker-watch');
const log = createLogger({ level: 'error', secrets: [], silent: true });
const TICK: JobSpec<{ n: number }> = { queue: 'inbound', name: 'watch-tick', schema: z.object({ n: z.number() }) };

let commands: Redis;
let blocking: Redis;
let workers: QueueWorkers;
let metrics: Metrics;
let queues: Queues;
const ran: number[] = [];

beforeAll(async () => {
  commands = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  blocking = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  queues = new Queues(commands, prefix, log);
  metrics = new Metrics();
  // Only what QueueWorkers reads of the context: the queues, the logger and the metrics (all real).
  const ctx = { queues, log, metrics } as unknown as Ctx;
  const registry = new JobRegistry().on(
    handle(TICK, async ({ n }) => {
      ran.push(n);
      return { n };
    }),
  );
  workers = new QueueWorkers(registry, ctx, blocking, { everyMs: 100, stuckAfterMs: 600 });
  workers.start();
  await workers.workerOf('inbound')?.waitUntilReady();
});

afterAll(async () => {
  await workers?.close(true);
  await queues?.close();
  await dropPrefix(prefix);
  commands?.disconnect();
  blocking?.disconnect();
});

const restarts = async () => {
  const text = await metrics.render();
  return Number(/larkbot_workers_restarted_total\{queue="inbound"\} (\d+)/.exec(text)?.[1] ?? 0);
};

describe('the queue worker watchdog', () => {
  it('leaves a healthy worker alone', async () => {
    const before = workers.workerOf('inbound');
    await queues.add(TICK, { n: 1 }, 'watch-1');
    await waitFor(() => ran.includes(1) || undefined, 'job 1 to run', 5_000, 20);
    // The positive signal: the watchdog has looked ten times since (every 100 ms; "stuck" takes 600 ms idle and due).
    const checks = workers.checksDone;
    await waitFor(() => workers.checksDone >= checks + 10 || undefined, 'ten more looks', 5_000, 20);
    expect(workers.workerOf('inbound')).toBe(before);
    expect(await restarts()).toBe(0);
  });

  it('replaces a worker that takes nothing while jobs are due, and the jobs run', async () => {
    const stuck = workers.workerOf('inbound');
    await stuck?.pause(true);
    await queues.add(TICK, { n: 2 }, 'watch-2');
    await queues.add(TICK, { n: 3 }, 'watch-3', { delayMs: 100 });
    await waitFor(() => (ran.includes(2) && ran.includes(3)) || undefined, 'jobs 2 and 3 to run on a new worker', 10_000, 20);
    expect(workers.workerOf('inbound')).not.toBe(stuck);
    expect(await restarts()).toBeGreaterThanOrEqual(1);
  });
});
