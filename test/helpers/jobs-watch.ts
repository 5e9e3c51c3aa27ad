import { Queue, QueueEvents, type ConnectionOptions } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { TEST_REDIS_URL, testClient, type RedisWhere } from './redis.js';

export type WatchedQueue = 'inbound' | 'clicks' | 'deliver' | 'schedule';
const QUEUE_NAMES: readonly WatchedQueue[] = ['inbound', 'clicks', 'deliver', 'schedule'];

/** A job that finished (completed, or failed for good), as BullMQ's queue events reported it. */
export interface FinishedJob {
  /** Position in the order the events were seen. */
  seq: number;
  queue: WatchedQueue;
  jobId: string;
  /** The job name (`message`, `card-action`, `poll-issues`, …); '' when the job was already removed. */
  name: string;
  state: 'completed' | 'failed';
  returnvalue: unknown;
  failedReason?: string;
  /** Date.now() when the event was seen here. */
  at: number;
  /** The worker's start and end of the job (ms), when the job could still be read. */
  processedOn?: number;
  finishedOn?: number;
}

export interface JobMatch {
  name?: string;
  /** Substring of the job id (e.g. a Lark message id or event id). */
  id?: string;
  /** How many matching jobs to wait for (default 1). */
  count?: number;
}

const matches = (job: FinishedJob, queue: WatchedQueue, match: JobMatch) =>
  job.queue === queue &&
  (match.name === undefined || job.name === match.name) &&
  (match.id === undefined || job.jobId.includes(match.id));

/** Repeat jobs are named after their scheduler: `repeat:<scheduler id>:<millis>`. */
const nameFromId = (jobId: string) => /^repeat:([^:]+):/.exec(jobId)?.[1] ?? '';

/**
 * Watches the bot's queues from the outside, through BullMQ's own events (one QueueEvents per queue on a
 * connection of its own), under the bot's key prefix. The event streams are read from their start, so a job
 * that finished before anyone waited for it is still seen.
 */
export class JobsWatch {
  readonly finished: FinishedJob[] = [];
  private readonly events: QueueEvents[] = [];
  private readonly queues = new Map<WatchedQueue, Queue>();
  private readonly listeners = new Set<() => void>();
  private chain: Promise<void> = Promise.resolve();

  /** Clients made here for a Sentinel group or a Cluster (BullMQ does not close a connection it was given). */
  private readonly clients: Array<Redis | Cluster> = [];

  constructor(private readonly prefix: string, private readonly where: RedisWhere = TEST_REDIS_URL) {}

  /** A URL is BullMQ's to connect; a Sentinel group or a Cluster needs an ioredis client that knows how to follow it. */
  private connection(): ConnectionOptions {
    if (typeof this.where === 'string') return { url: this.where };
    if (this.where.mode === 'single') return { url: this.where.url };
    const client = testClient(this.where, { maxRetriesPerRequest: null });
    client.on('error', () => undefined);
    this.clients.push(client);
    return client;
  }

  async start(): Promise<void> {
    for (const name of QUEUE_NAMES) {
      const queue = new Queue(name, { connection: this.connection(), prefix: this.prefix });
      this.queues.set(name, queue);
      const events = new QueueEvents(name, { connection: this.connection(), prefix: this.prefix, lastEventId: '0-0' });
      events.on('completed', ({ jobId, returnvalue }) => this.record(name, jobId, 'completed', returnvalue));
      events.on('failed', ({ jobId, failedReason }) => this.record(name, jobId, 'failed', undefined, failedReason));
      events.on('error', () => undefined);
      this.events.push(events);
    }
    await Promise.all(this.events.map((events) => events.waitUntilReady()));
  }

  /** Finished jobs of a queue matching `match` (completed and failed). */
  list(queue: WatchedQueue, match: JobMatch = {}): FinishedJob[] {
    return this.finished.filter((job) => matches(job, queue, match));
  }

  /**
   * Waits until `count` matching jobs have completed; rejects at once when a matching job failed for good, or
   * after `timeoutMs`. Resolves with the matching completed jobs.
   */
  waitFor(queue: WatchedQueue, match: JobMatch, timeoutMs = 10_000): Promise<FinishedJob[]> {
    const count = match.count ?? 1;
    const what = `${count} completed ${queue} job(s)${match.name ? ` named ${match.name}` : ''}${match.id ? ` with id ~ ${match.id}` : ''}`;
    return new Promise<FinishedJob[]>((resolve, reject) => {
      const check = () => {
        const found = this.list(queue, match);
        const failed = found.find((job) => job.state === 'failed');
        if (failed) {
          done();
          reject(new Error(`waiting for ${what}: job ${failed.jobId} failed: ${failed.failedReason ?? ''}`));
          return;
        }
        if (found.length >= count) {
          done();
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; seen: ${this.list(queue, match).length}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Jobs named `name` still waiting, running or delayed in the queue. */
  async pending(queue: WatchedQueue, name: string): Promise<number> {
    const q = this.queues.get(queue);
    if (!q) throw new Error(`not watching ${queue}`);
    const jobs = await q.getJobs(['waiting', 'active', 'delayed', 'prioritized']);
    return jobs.filter((job) => job?.name === name).length;
  }

  /** Waits until nothing is waiting, running or delayed in the queue (every job so far has finished). */
  async idle(queue: WatchedQueue, timeoutMs = 10_000): Promise<void> {
    const q = this.queues.get(queue);
    if (!q) throw new Error(`not watching ${queue}`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'paused');
      const busy = Object.values(counts).reduce((sum, n) => sum + n, 0);
      if (busy === 0) return;
      if (Date.now() > deadline) throw new Error(`queue ${queue} still busy after ${timeoutMs} ms: ${JSON.stringify(counts)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await Promise.allSettled([...this.events.map((events) => events.close()), ...[...this.queues.values()].map((q) => q.close())]);
    await this.chain.catch(() => undefined);
    for (const client of this.clients) client.disconnect();
  }

  private record(queue: WatchedQueue, jobId: string, state: FinishedJob['state'], returnvalue: unknown, failedReason?: string): void {
    const at = Date.now();
    // In event order: the name lookup is asynchronous, the record order must not be.
    this.chain = this.chain.then(async () => {
      const job = await this.queues.get(queue)?.getJob(jobId).catch(() => undefined);
      const name = job?.name ?? nameFromId(jobId);
      this.finished.push({
        seq: this.finished.length,
        queue,
        jobId,
        name,
        state,
        returnvalue,
        at,
        ...(failedReason !== undefined ? { failedReason } : {}),
        ...(job?.processedOn !== undefined ? { processedOn: job.processedOn } : {}),
        ...(job?.finishedOn !== undefined ? { finishedOn: job.finishedOn } : {}),
      });
      for (const listener of [...this.listeners]) listener();
    });
  }
}
