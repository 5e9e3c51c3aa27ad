/** JobResults (src/queue/results.ts) against real Redis and a real BullMQ worker, under a prefix of its own. */
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { Queues } from '../../../src/queue/producer.js';
import { JobResults } from '../../../src/queue/results.js';
import { TEST_REDIS_URL, dropPrefix, testPrefix } from '../../helpers/redis.js';

const prefix = testPrefix('results');
const log = createLogger({ level: 'error', secrets: [], silent: true });
let commands: Redis;
let blocking: Redis;
let queues: Queues;
let results: JobResults;
let worker: Worker;

/** Job data says what the worker does: answer after `ms`, or fail (for good, or once then succeed). */
type Plan = { ms?: number; fail?: 'always' | 'once'; answer?: unknown };

beforeAll(async () => {
  commands = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: true });
  blocking = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  queues = new Queues(commands, prefix, log);
  results = new JobResults(queues, blocking, ['inbound'], log);
  results.start();
  worker = new Worker(
    'inbound',
    async (job: Job<Plan>) => {
      await new Promise((resolve) => setTimeout(resolve, job.data.ms ?? 0));
      if (job.data.fail === 'always' || (job.data.fail === 'once' && job.attemptsMade === 0)) throw new Error(`planned failure ${job.attemptsMade}`);
      return job.data.answer ?? { ok: true };
    },
    { connection: blocking, prefix, concurrency: 8 },
  );
  await worker.waitUntilReady();
  await commands.ping();
});

afterAll(async () => {
  await worker?.close();
  await results?.close();
  await queues?.close();
  commands?.disconnect();
  blocking?.disconnect();
  await dropPrefix(prefix);
});

let n = 0;
const add = async (plan: Plan, options: { attempts?: number } = {}) => {
  const id = `job-${n++}`;
  await queues.add({ queue: 'inbound', name: 'plan', schema: z.custom<Plan>(), options: { attempts: options.attempts ?? 1, backoff: { type: 'fixed', delay: 100 } } }, plan, id);
  return id;
};

describe('JobResults.wait', () => {
  it('gives the return value of a job that finishes within the wait', async () => {
    const id = await add({ ms: 50, answer: { toast: 'done', n: 1 } });
    expect(await results.wait('inbound', id, 2_000)).toEqual({ state: 'completed', value: { toast: 'done', n: 1 } });
  });

  it('says pending, on time, when the job is slower than the wait', async () => {
    const id = await add({ ms: 1_000 });
    const started = Date.now();
    expect(await results.wait('inbound', id, 200)).toEqual({ state: 'pending' });
    expect(Date.now() - started).toBeLessThan(600);
    // The job goes on, and a later wait (a re-sent callback) gets its stored result.
    expect(await results.wait('inbound', id, 2_000)).toEqual({ state: 'completed', value: { ok: true } });
  });

  it('answers from the stored result when the job finished before the wait began', async () => {
    const id = await add({ answer: 'stored' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await results.wait('inbound', id, 1_000)).toEqual({ state: 'completed', value: 'stored' });
  });

  it('several waits on one job all get its result', async () => {
    const id = await add({ ms: 100, answer: 7 });
    const all = await Promise.all([results.wait('inbound', id, 2_000), results.wait('inbound', id, 2_000), results.wait('inbound', id, 2_000)]);
    expect(all).toEqual([1, 2, 3].map(() => ({ state: 'completed', value: 7 })));
  });

  it('a failure for good is reported; a failed attempt that will be retried is not', async () => {
    const failed = await add({ fail: 'always' });
    expect(await results.wait('inbound', failed, 2_000)).toEqual({ state: 'failed', reason: 'planned failure 0' });
    const retried = await add({ fail: 'once', answer: 'second time' }, { attempts: 3 });
    expect(await results.wait('inbound', retried, 3_000)).toEqual({ state: 'completed', value: 'second time' });
  });
});
