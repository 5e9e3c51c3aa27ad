import { QueueEvents } from 'bullmq';
import type { RedisConnection } from '../store/redis.js';
import type { Logger } from '../logger.js';
import type { Queues } from './producer.js';
import type { QueueName } from './jobs.js';

/** What became of a job within the wait: its return value, its final failure, or not finished yet. */
export type JobOutcome =
  | { state: 'completed'; value: unknown }
  | { state: 'failed'; reason: string }
  | { state: 'pending' };

type Settle = (outcome: JobOutcome) => void;

/**
 * Lets the HTTP side wait (bounded) for a job it just queued, e.g. a card click whose answer must reach Lark
 * within 3 s. One BullMQ `QueueEvents` per queue listened to, per process, on a connection of its own (it blocks
 * on XREAD): BullMQ duplicates the connection it is given. Waiters are indexed by job id, so one event costs one
 * map lookup however many requests are waiting.
 *
 * Race-free like `job.waitUntilFinished`: the waiter is registered first, then the job's state is read, so a job
 * that finished before the wait began (a re-sent callback) answers from its stored result, and one that finishes
 * during it answers from the event.
 */
export class JobResults {
  private readonly events = new Map<QueueName, QueueEvents>();
  private readonly waiters = new Map<string, Set<Settle>>();

  constructor(
    private readonly queues: Queues,
    connection: RedisConnection,
    names: readonly QueueName[],
    private readonly log: Logger,
  ) {
    for (const name of names) {
      const events = new QueueEvents(name, { connection, prefix: queues.prefix, autorun: false });
      events.on('completed', ({ jobId, returnvalue }) => this.settle(name, jobId, { state: 'completed', value: returnvalue }));
      // QueueEvents says "failed" only when a job has failed for good; attempts that will be retried are silent.
      events.on('failed', ({ jobId, failedReason }) => this.settle(name, jobId, { state: 'failed', reason: failedReason }));
      events.on('error', (error) => log.debug('queue events connection error', { queue: name, error: error.message }));
      this.events.set(name, events);
    }
  }

  /** Starts listening; call once at start-up. */
  start(): void {
    for (const [name, events] of this.events) {
      events.run().catch((error: unknown) => {
        this.log.warn('queue events stopped', { queue: name, error: error instanceof Error ? error.message : String(error) });
      });
    }
  }

  /**
   * Waits at most `timeoutMs` for job `id` of `queue` to finish. Never throws: a Redis problem while looking
   * the job up ends as `pending` at the deadline (the caller answers "working on it", the job goes on).
   */
  wait(queue: QueueName, id: string, timeoutMs: number): Promise<JobOutcome> {
    const events = this.events.get(queue);
    if (!events) return Promise.reject(new Error(`JobResults does not listen to queue ${queue}`));
    const key = `${queue}/${id}`;
    return new Promise<JobOutcome>((resolve) => {
      let done = false;
      const settle: Settle = (outcome) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const set = this.waiters.get(key);
        set?.delete(settle);
        if (set?.size === 0) this.waiters.delete(key);
        resolve(outcome);
      };
      const timer = setTimeout(() => settle({ state: 'pending' }), Math.max(0, timeoutMs));
      const set = this.waiters.get(key) ?? new Set<Settle>();
      set.add(settle);
      this.waiters.set(key, set);
      void events
        .waitUntilReady()
        .then(() => this.stored(queue, id))
        .then((outcome) => {
          if (outcome) settle(outcome);
        })
        .catch((error: unknown) => {
          this.log.debug('could not read job state', { queue, id, error: error instanceof Error ? error.message : String(error) });
        });
    });
  }

  async close(): Promise<void> {
    for (const set of this.waiters.values()) for (const settle of [...set]) settle({ state: 'pending' });
    await Promise.allSettled([...this.events.values()].map((events) => events.close()));
  }

  private settle(queue: QueueName, jobId: string, outcome: JobOutcome): void {
    const set = this.waiters.get(`${queue}/${jobId}`);
    if (set) for (const settle of [...set]) settle(outcome);
  }

  /** The outcome of a job that has already finished, else null. */
  private async stored(queue: QueueName, id: string): Promise<JobOutcome | null> {
    const q = this.queues.byName[queue];
    const state = await q.getJobState(id);
    if (state !== 'completed' && state !== 'failed') return null;
    const job = await q.getJob(id);
    if (!job) return null;
    return state === 'completed'
      ? { state: 'completed', value: job.returnvalue as unknown }
      : { state: 'failed', reason: job.failedReason };
  }
}
