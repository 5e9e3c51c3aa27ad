import { Queue, type JobsOptions } from 'bullmq';
import type { RedisConnection } from '../store/redis.js';
import { BadRequestError, UnavailableError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { DEDUPE_SECONDS, QUEUES, type JobSpec, type QueueName } from './jobs.js';
import { FAILED_JOB_SECONDS } from '../store/ttl.js';

const ADD_TIMEOUT_MS = 2_000;

const DEFAULTS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'smart', delay: 1_000 },
  // Completed ids stay taken for the dedupe window: adding the same id again is a no-op in BullMQ.
  removeOnComplete: { age: DEDUPE_SECONDS, count: 100_000 },
  removeOnFail: { age: FAILED_JOB_SECONDS },
};

/** Each robot sink has a queue of its own: in order, paused alone when its robot says "wait", never in anyone's way. */
export const robotQueueName = (sink: string) => `robot-${sink.replace(/[^A-Za-z0-9_.-]/g, '_')}`;

/** The producer side of every queue. Adds fail fast with UnavailableError while Redis is down. */
export class Queues {
  readonly byName: Record<QueueName, Queue>;
  private readonly robotQueues = new Map<string, Queue>();
  private readonly make: (name: string) => Queue;

  constructor(
    private readonly connection: RedisConnection,
    readonly prefix: string,
    log: Logger,
  ) {
    const make = (name: string) => {
      const queue = new Queue(name, { connection, prefix, defaultJobOptions: DEFAULTS });
      queue.on('error', (error) => log.debug('queue connection error', { queue: name, error: error.message }));
      return queue;
    };
    this.make = make;
    this.byName = {
      inbound: make(QUEUES.inbound),
      clicks: make(QUEUES.clicks),
      deliver: make(QUEUES.deliver),
      schedule: make(QUEUES.schedule),
    };
  }

  /**
   * Adds a job under a deterministic id: the id is the "exactly once" claim, and claim and enqueue are one
   * Redis script, so a crash cannot leave a claimed-but-unqueued event behind.
   */
  /** The queue of one robot sink (created on first use). */
  robot(sink: string): Queue {
    const name = robotQueueName(sink);
    let queue = this.robotQueues.get(name);
    if (!queue) {
      queue = this.make(name);
      this.robotQueues.set(name, queue);
    }
    return queue;
  }

  /**
   * `robotSink`: for jobs of the robots family, the sink whose queue takes the job.
   */
  async add<T extends object>(job: JobSpec<T>, data: T, id: string, options: { delayMs?: number; robotSink?: string } = {}): Promise<void> {
    const { name } = job;
    const queue = options.robotSink ? robotQueueName(options.robotSink) : job.queue;
    const target = options.robotSink ? this.robot(options.robotSink) : this.byName[job.queue as QueueName];
    // BullMQ waits for a connection that is not there; the HTTP answer must not, so Lark can retry elsewhere.
    if (this.connection.status !== 'ready') throw new UnavailableError(`cannot queue ${queue}/${name}: redis is ${this.connection.status}`);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Error(`no answer from redis in ${ADD_TIMEOUT_MS} ms`);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timedOut), ADD_TIMEOUT_MS);
    });
    try {
      // A late success after the timeout is harmless: the retry that follows the 503 finds the same job id.
      const delay = options.delayMs && options.delayMs > 0 ? { delay: Math.ceil(options.delayMs) } : {};
      await Promise.race([target.add(name, data, { ...job.options, ...delay, jobId: id }), timeout]);
    } catch (error) {
      if (error === timedOut || this.connection.status !== 'ready' || isRedisFailure(error)) {
        throw new UnavailableError(`cannot queue ${queue}/${name}: ${errorMessage(error)}`, { cause: error });
      }
      // Redis is there and answered: this job cannot be stored (e.g. data BullMQ cannot serialise). Retrying
      // would fail the same way, so the sender is told so instead of "retry later".
      throw new BadRequestError(`cannot store ${queue}/${name}: ${errorMessage(error)}`, 422);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Removes a waiting or delayed job (an escalation no longer due); a running or finished one is left alone. */
  async remove(job: JobSpec<unknown>, id: string): Promise<void> {
    if (job.queue === 'robots') return;
    await this.byName[job.queue].remove(id);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...Object.values(this.byName), ...this.robotQueues.values()].map((queue) => queue.close()));
  }
}

/** ioredis and Redis errors (a reply error such as OOM, a closed connection, retries exhausted): Redis is the problem. */
function isRedisFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return /^(ReplyError|MaxRetriesPerRequestError|AbortError)$/.test(error.name) || /connection|stream isn't writeable|ECONN|ETIMEDOUT/i.test(error.message);
}
