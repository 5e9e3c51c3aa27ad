import type { Ctx } from '../context.js';
import { errorMessage } from '../errors.js';
import type { JobSpec } from './jobs.js';

/** A job of the schedule queue (its name is also the job scheduler's id), every so often or on a cron pattern. */
export type Schedule = { job: JobSpec<unknown> } & ({ everyMs: number } | { pattern: string; timeZone: string } | { off: true });

/**
 * Makes sure every schedule exists with the configured interval. Several replicas upserting at once hits known
 * BullMQ races, so one replica (a Redis lock with expiry) owns the upsert; every replica checks on start and on
 * every Redis reconnect, so a schedule lost with Redis comes back.
 */
export async function ensureSchedules(ctx: Ctx, schedules: Schedule[]): Promise<void> {
  const queue = ctx.queues.byName.schedule;
  await ctx.store.locks.withScheduleOwner(async () => {
    for (const schedule of schedules) {
      const { job } = schedule;
      const existing = await queue.getJobScheduler(job.name);
      if ('off' in schedule) {
        // A schedule turned off in the settings (DIGEST_CRON emptied) must stop firing.
        if (existing) await queue.removeJobScheduler(job.name);
        continue;
      }
      const repeat = 'everyMs' in schedule ? { every: schedule.everyMs } : { pattern: schedule.pattern, tz: schedule.timeZone };
      if (existing && ('every' in repeat ? Number(existing.every) === repeat.every : existing.pattern === repeat.pattern && existing.tz === repeat.tz)) continue;
      await queue.upsertJobScheduler(
        job.name,
        repeat,
        // One attempt: the next tick is the retry, and a failed poll moves no cursor.
        { name: job.name, data: {}, opts: { attempts: 1, removeOnComplete: 100, removeOnFail: 100 } },
      );
      ctx.log.info('job schedule set', { schedule: job.name, ...repeat });
    }
  });
}

/** Runs `task` now (if Redis is up) and every time the command connection becomes ready again. */
export function onRedisReady(ctx: Ctx, what: string, task: () => Promise<unknown>): () => void {
  const run = () => {
    task().catch((error: unknown) => ctx.log.warn(`could not ${what}; will retry on reconnect`, { error: errorMessage(error) }));
  };
  return ctx.store.onReady(run);
}
