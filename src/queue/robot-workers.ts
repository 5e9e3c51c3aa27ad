import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RedisConnection } from '../store/redis.js';
import type { Ctx } from '../context.js';
import { errorMessage, isPermanent, retryAfterMsOf } from '../errors.js';
import { robotQueueName } from './producer.js';
import { handlerFor, type JobRegistry } from './workers.js';

const MAX_BACKOFF_MS = 5 * 60_000;
/**
 * A robot that keeps failing (a clock an hour off makes DingTalk 310000 / Lark 19021 retryable forever) stops
 * holding up its queue after this many tries, about two hours at the capped backoff.
 */
const MAX_TRIES = 40;

/** Transient failures: 1 s, 2 s, 4 s … up to 5 min, with jitter; the job keeps its place at the head of its queue. */
function backoffMs(attemptsStarted: number): number {
  const base = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** Math.max(0, attemptsStarted - 1));
  return base / 2 + Math.floor(Math.random() * (base / 2));
}

/**
 * One worker per robot sink, one job at a time across every replica (global concurrency 1): messages reach a
 * robot in the order they were queued. When the robot says "wait" (its rate-limit code, a 5xx, a network error)
 * the whole queue of that sink pauses for that long (BullMQ's manual rate limit, kept in Redis, so every replica
 * pauses) and the job is tried again first: nothing is lost and nothing overtakes it. A permanent refusal fails
 * the job for good (kept, logged once with the robot's code). Other sinks and the Lark app's cards never wait.
 */
export class RobotWorkers {
  private readonly workers = new Map<string, Worker>();

  constructor(
    private readonly registry: JobRegistry,
    private readonly ctx: Ctx,
    private readonly connection: RedisConnection,
  ) {}

  /** Starts workers for sinks that have none (start-up, and after a routes reload adds sinks). */
  async ensure(sinks: Iterable<string>): Promise<void> {
    for (const sink of sinks) {
      if (this.workers.has(sink)) continue;
      const name = robotQueueName(sink);
      await this.ctx.queues.robot(sink).setGlobalConcurrency(1);
      const worker: Worker = new Worker(name, (job: Job) => this.process(worker, sink, job), {
        connection: this.connection,
        prefix: this.ctx.queues.prefix,
        concurrency: 1,
        lockDuration: 30_000,
        stalledInterval: 10_000,
        maxStalledCount: 100,
      });
      worker.on('failed', (job, error) => {
        this.ctx.metrics.inc('jobs_failed_total', { queue: 'robots', final: 'true' });
        this.ctx.log.error('robot message refused for good; not retried', { sink, jobId: job?.id, error: error.message });
      });
      worker.on('completed', (job) => this.ctx.metrics.inc('jobs_completed_total', { queue: 'robots', job: job.name }));
      worker.on('error', (error) => this.ctx.log.debug('robot worker connection error', { sink, error: error.message }));
      this.workers.set(sink, worker);
    }
  }

  private async process(worker: Worker, sink: string, job: Job): Promise<unknown> {
    const { handler, data } = handlerFor(this.registry, 'robots', job);
    try {
      return await handler.run(data, this.ctx, job);
    } catch (error) {
      if (isPermanent(error)) throw new UnrecoverableError(errorMessage(error));
      if (job.attemptsStarted >= MAX_TRIES) throw new UnrecoverableError(`gave up after ${job.attemptsStarted} tries: ${errorMessage(error)}`);
      const waitMs = Math.min(retryAfterMsOf(error) ?? backoffMs(job.attemptsStarted), this.ctx.config.robotMaxWaitMs);
      this.ctx.log.warn('robot send failed; the sink waits and tries again', { sink, jobId: job.id, waitMs, error: errorMessage(error) });
      await worker.rateLimit(waitMs);
      throw Worker.RateLimitError();
    }
  }

  async close(force = false): Promise<void> {
    await Promise.allSettled([...this.workers.values()].map((worker) => worker.close(force)));
  }
}
