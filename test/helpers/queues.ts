import { Queue, type Job } from 'bullmq';
import { TEST_REDIS_URL } from './redis.js';

/** Reads what the bot queued, through BullMQ itself, under the bot's prefix. */
export async function jobsIn(prefix: string, queueName: string): Promise<Job[]> {
  const queue = new Queue(queueName, { connection: { url: TEST_REDIS_URL }, prefix });
  try {
    return await queue.getJobs(['completed', 'waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children']);
  } finally {
    await queue.close();
  }
}
