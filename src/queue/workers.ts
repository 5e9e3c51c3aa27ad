import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RedisConnection } from '../store/redis.js';
import type { Ctx } from '../context.js';
import { errorMessage, isPermanent, retryAfterMsOf } from '../errors.js';
import type { JobSpec, QueueName } from './jobs.js';

/** A job declared in jobs.ts and what runs it. */
export interface JobHandler<T> {
  spec: JobSpec<T>;
  run(data: T, ctx: Ctx, job: Job): Promise<unknown>;
}

export function handle<T>(spec: JobSpec<T>, run: JobHandler<T>['run']): JobHandler<T> {
  return { spec, run };
}

const CONCURRENCY: Record<QueueName, number> = { inbound: 16, clicks: 16, deliver: 4, schedule: 2 };

/** Handlers by queue and job name; app.ts fills it through handlers/index.ts. */
export class JobRegistry {
  private readonly handlers = new Map<string, JobHandler<unknown>>();

  on<T>(handler: JobHandler<T>): this {
    this.handlers.set(`${handler.spec.queue}/${handler.spec.name}`, handler as JobHandler<unknown>);
    return this;
  }

  find(queue: string, name: string): JobHandler<unknown> | undefined {
    return this.handlers.get(`${queue}/${name}`);
  }

  /** The fixed queues that have handlers (robot queues are per sink: startRobotWorkers). */
  queues(): QueueName[] {
    return [...new Set([...this.handlers.values()].map((h) => h.spec.queue))].filter((q): q is QueueName => q !== 'robots');
  }
}

/** Delay before the next attempt: what the server asked for when it said so, else capped exponential with jitter. */
function retryDelayMs(attemptsMade: number, error: unknown): number {
  const asked = retryAfterMsOf(error);
  if (asked !== undefined && asked > 0) return Math.ceil(asked) + Math.floor(Math.random() * 250);
  const base = Math.min(60_000, 1_000 * 2 ** Math.max(0, attemptsMade - 1));
  return base / 2 + Math.floor(Math.random() * (base / 2));
}

export function startWorkers(registry: JobRegistry, ctx: Ctx, connection: RedisConnection): Worker[] {
  return registry.queues().map((queue) => {
    const worker = new Worker(
      queue,
      async (job: Job) => {
        const handler = registry.find(queue, job.name);
        if (!handler) throw new UnrecoverableError(`no handler for ${queue}/${job.name}`);
        const parsed = handler.spec.schema.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`invalid ${job.name} data: ${parsed.error.message}`);
        try {
          return await handler.run(parsed.data, ctx, job);
        } catch (error) {
          if (isPermanent(error)) throw new UnrecoverableError(errorMessage(error));
          throw error;
        }
      },
      {
        connection,
        prefix: ctx.queues.prefix,
        concurrency: CONCURRENCY[queue],
        // A job whose process died is retried after ~10 s instead of BullMQ's default 30 s; live jobs renew the lock.
        lockDuration: 10_000,
        stalledInterval: 5_000,
        maxStalledCount: 3,
        settings: { backoffStrategy: (attemptsMade, _type, error) => retryDelayMs(attemptsMade, error) },
      },
    );
    worker.on('failed', (job, error) => {
      const final = !job || error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
      ctx.metrics.inc('jobs_failed_total', { queue, final: String(final) });
      // A scheduled job's next tick is its retry: while Guance is down that is a warning each tick, not an error.
      const scheduled = job?.repeatJobKey !== undefined;
      const log = final && !scheduled ? ctx.log.error.bind(ctx.log) : ctx.log.warn.bind(ctx.log);
      log(final ? (scheduled ? 'scheduled job failed; the next tick retries' : 'job failed for good') : 'job attempt failed, will retry', {
        queue,
        job: job?.name,
        jobId: job?.id,
        attempt: job?.attemptsMade,
        error: error.message,
      });
    });
    worker.on('completed', (job) => ctx.metrics.inc('jobs_completed_total', { queue, job: job.name }));
    worker.on('error', (error) => ctx.log.debug('worker connection error', { queue, error: error.message }));
    return worker;
  });
}
