import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from './redis.js';
import { waitFor } from './wait.js';

/** Reads what the bot queued, through BullMQ itself, under the bot's prefix. */
export async function jobsIn(prefix: string, queueName: string): Promise<Job[]> {
  const queue = new Queue(queueName, { connection: { url: TEST_REDIS_URL }, prefix });
  try {
    return await queue.getJobs(['completed', 'waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children']);
  } finally {
    await queue.close();
  }
}

/** Queues whose jobs are the bot's effects (the schedule queue always holds its next tick). */
const WORK_QUEUES = ['inbound', 'clicks', 'deliver'] as const;
const UNFINISHED = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'paused'] as const;

/** Watches the bot's work from outside, under its prefix: for waiting until everything has run. */
export class QueueWatch {
  private readonly queues: Queue[];
  private readonly redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });

  constructor(private readonly prefix: string) {
    this.queues = WORK_QUEUES.map((name) => new Queue(name, { connection: { url: TEST_REDIS_URL }, prefix }));
  }

  /** No replica is polling right now (the poll lock is free): a poll seen earlier has queued what it found. */
  async notPolling(): Promise<boolean> {
    return (await this.redis.exists(`${this.prefix}:poll-lock`)) === 0;
  }

  /** Jobs not yet finished (a killed replica's jobs stay active until another replica finds them stalled). */
  async unfinished(): Promise<number> {
    let total = 0;
    for (const queue of this.queues) {
      const counts = await queue.getJobCounts(...UNFINISHED);
      total += Object.values(counts).reduce((a, b) => a + b, 0);
    }
    return total;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.queues.map((queue) => queue.close()));
    this.redis.disconnect();
  }
}

/** Waits until every job of the bot under `prefix` has run to its end (a positive signal before asserting "no more"). */
export async function waitForNoWork(prefix: string, timeoutMs = 30_000): Promise<void> {
  const watch = new QueueWatch(prefix);
  try {
    await waitFor(async () => (await watch.unfinished()) === 0, 'no job left', timeoutMs, 100);
  } finally {
    await watch.close();
  }
}
