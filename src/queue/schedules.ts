import type { Ctx } from '../context.js';
import { errorMessage } from '../errors.js';
import { tryLock } from '../store/locks.js';

export interface Schedule {
  /** Job scheduler id and job name. */
  id: string;
  everyMs: number;
}

/**
 * Makes sure every schedule exists with the configured interval. Several replicas upserting at once hits known
 * BullMQ races, so one replica (a Redis lock with expiry) owns the upsert; every replica checks on start and on
 * every Redis reconnect, so a schedule lost with Redis comes back.
 */
export async function ensureSchedules(ctx: Ctx, schedules: Schedule[]): Promise<void> {
  const queue = ctx.queues.byName.schedule;
  const lock = await tryLock(ctx.redis, ctx.key('scheduler-owner'), 30_000);
  if (!lock) return;
  try {
    for (const schedule of schedules) {
      const existing = await queue.getJobScheduler(schedule.id);
      if (existing && Number(existing.every) === schedule.everyMs) continue;
      await queue.upsertJobScheduler(
        schedule.id,
        { every: schedule.everyMs },
        // One attempt: the next tick is the retry, and a failed poll moves no cursor.
        { name: schedule.id, data: {}, opts: { attempts: 1, removeOnComplete: 100, removeOnFail: 100 } },
      );
      ctx.log.info('job schedule set', { schedule: schedule.id, everyMs: schedule.everyMs });
    }
  } finally {
    await lock.release();
  }
}

/** Runs `task` now (if Redis is up) and every time the command connection becomes ready again. */
export function onRedisReady(ctx: Ctx, what: string, task: () => Promise<unknown>): () => void {
  const run = () => {
    task().catch((error: unknown) => ctx.log.warn(`could not ${what}; will retry on reconnect`, { error: errorMessage(error) }));
  };
  if (ctx.redis.status === 'ready') run();
  ctx.redis.on('ready', run);
  return () => ctx.redis.off('ready', run);
}
