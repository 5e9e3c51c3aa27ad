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

/** The job's handler and its data checked against the job's schema; a job nothing can run fails for good. */
export function handlerFor(registry: JobRegistry, queue: string, job: Job): { handler: JobHandler<unknown>; data: unknown } {
  const handler = registry.find(queue, job.name);
  if (!handler) throw new UnrecoverableError(`no handler for ${queue}/${job.name}`);
  const parsed = handler.spec.schema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid ${job.name} data: ${parsed.error.message}`);
  return { handler, data: parsed.data };
}

/** Delay before the next attempt: what the server asked for when it said so, else capped exponential with jitter. */
function retryDelayMs(attemptsMade: number, error: unknown): number {
  const asked = retryAfterMsOf(error);
  if (asked !== undefined && asked > 0) return Math.ceil(asked) + Math.floor(Math.random() * 250);
  const base = Math.min(60_000, 1_000 * 2 ** Math.max(0, attemptsMade - 1));
  return base / 2 + Math.floor(Math.random() * (base / 2));
}

/** How often each queue is looked at, and how long jobs may be due with none taken before its worker is replaced. */
export interface WorkerWatch {
  everyMs: number;
  stuckAfterMs: number;
}
const WATCH: WorkerWatch = { everyMs: 5_000, stuckAfterMs: 20_000 };

/**
 * The workers of the fixed queues, and a watchdog that replaces one that stopped taking jobs. BullMQ's blocking
 * connection can wedge after a Redis failover and never take a job again while the worker says it runs
 * (https://github.com/taskforcesh/bullmq/issues/4138 for a Cluster, #4378 for Sentinel, #3088); seen here in
 * test/integration/redis-modes/cluster.test.ts. A queue counts as stuck when its oldest waiting job (or the
 * earliest delayed one past its time) has been due for `stuckAfterMs` while this worker ran nothing: with several
 * replicas a healthy one takes the jobs first, so a queue that only waits on a busy worker is never "stuck".
 * A process-local interval on purpose, like the lock renewal in store/locks.ts: it watches this process's workers.
 */
export class QueueWorkers {
  private readonly current = new Map<QueueName, Worker>();
  private readonly running = new Map<QueueName, number>();
  private readonly lastActivityAt = new Map<QueueName, number>();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  /** Completed looks at every queue (for tests: a positive signal that the watchdog looked and let things be). */
  checksDone = 0;

  constructor(
    private readonly registry: JobRegistry,
    private readonly ctx: Ctx,
    private readonly connection: RedisConnection,
    /** Tests shorten it (test/integration/queue/worker-watch.test.ts). */
    private readonly watch: WorkerWatch = WATCH,
  ) {}

  start(): void {
    for (const queue of this.registry.queues()) {
      this.current.set(queue, this.create(queue));
      this.lastActivityAt.set(queue, Date.now());
    }
    this.timer = setInterval(() => void this.check(), this.watch.everyMs);
    this.timer.unref();
  }

  async close(force = false): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([...this.current.values()].map((worker) => worker.close(force)));
  }

  /** The worker now taking the queue's jobs. */
  workerOf(queue: QueueName): Worker | undefined {
    return this.current.get(queue);
  }

  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const { stuckAfterMs } = this.watch;
      for (const queue of this.current.keys()) {
        // Redis is asked only about a worker that has run nothing for a while: a busy one is not stuck.
        const idleMs = Date.now() - (this.lastActivityAt.get(queue) ?? 0);
        if ((this.running.get(queue) ?? 0) > 0 || idleMs <= stuckAfterMs) continue;
        const dueMs = await this.oldestDueMs(queue).catch(() => 0);
        if (dueMs > stuckAfterMs) this.replace(queue, dueMs);
      }
      this.checksDone += 1;
    } finally {
      this.checking = false;
    }
  }

  /** How long the longest-due job of the queue has been waiting to be taken, ms (0 when none is due). */
  private async oldestDueMs(queue: QueueName): Promise<number> {
    const q = this.ctx.queues.byName[queue];
    const now = Date.now();
    const [waiting] = await q.getJobs(['wait', 'prioritized'], 0, 0, true);
    const [delayed] = await q.getJobs(['delayed'], 0, 0, true);
    const waitingSince = waiting ? now - waiting.timestamp - (waiting.delay ?? 0) : 0;
    const delayedSince = delayed ? now - delayed.timestamp - (delayed.delay ?? 0) : 0;
    return Math.max(0, waitingSince, delayedSince);
  }

  private replace(queue: QueueName, dueMs: number): void {
    const stuck = this.current.get(queue);
    this.ctx.log.warn('queue worker took no job although jobs are due; starting a new one', { queue, dueSeconds: Math.round(dueMs / 1000) });
    this.ctx.metrics.inc('workers_restarted_total', { queue });
    this.running.set(queue, 0);
    this.lastActivityAt.set(queue, Date.now());
    this.current.set(queue, this.create(queue));
    // A wedged worker may never finish closing; nothing waits for it.
    void stuck?.close(true).catch(() => undefined);
  }

  private create(queue: QueueName): Worker {
    const worker = new Worker(queue, (job: Job) => this.run(queue, job), {
      connection: this.connection,
      prefix: this.ctx.queues.prefix,
      concurrency: CONCURRENCY[queue],
      // A job whose process died is retried after ~10 s instead of BullMQ's default 30 s; live jobs renew the lock.
      lockDuration: 10_000,
      stalledInterval: 5_000,
      maxStalledCount: 3,
      settings: { backoffStrategy: (attemptsMade, _type, error) => retryDelayMs(attemptsMade, error) },
    });
    const settled = () => {
      this.running.set(queue, Math.max(0, (this.running.get(queue) ?? 1) - 1));
      this.lastActivityAt.set(queue, Date.now());
    };
    worker.on('active', () => {
      this.running.set(queue, (this.running.get(queue) ?? 0) + 1);
      this.lastActivityAt.set(queue, Date.now());
    });
    worker.on('failed', (job, error) => {
      settled();
      this.logFailure(queue, job, error);
    });
    worker.on('completed', (job) => {
      settled();
      this.ctx.metrics.inc('jobs_completed_total', { queue, job: job.name });
    });
    worker.on('error', (error) => this.ctx.log.debug('worker connection error', { queue, error: error.message }));
    return worker;
  }

  private async run(queue: QueueName, job: Job): Promise<unknown> {
    const { handler, data } = handlerFor(this.registry, queue, job);
    try {
      return await handler.run(data, this.ctx, job);
    } catch (error) {
      if (isPermanent(error)) throw new UnrecoverableError(errorMessage(error));
      throw error;
    }
  }

  private logFailure(queue: QueueName, job: Job | undefined, error: Error): void {
    const final = !job || error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    this.ctx.metrics.inc('jobs_failed_total', { queue, final: String(final) });
    // A scheduled job's next tick is its retry: while Guance is down that is a warning each tick, not an error.
    const scheduled = job?.repeatJobKey !== undefined;
    const log = final && !scheduled ? this.ctx.log.error.bind(this.ctx.log) : this.ctx.log.warn.bind(this.ctx.log);
    log(final ? (scheduled ? 'scheduled job failed; the next tick retries' : 'job failed for good') : 'job attempt failed, will retry', {
      queue,
      job: job?.name,
      jobId: job?.id,
      attempt: job?.attemptsMade,
      error: error.message,
    });
  }
}
