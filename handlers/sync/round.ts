import type { Ctx } from '../../src/context.js';
import { GuanceApiError, GuanceRateLimited, LarkApiError, UnavailableError, errorMessage } from '../../src/errors.js';
import { JOBS } from '../../src/queue/jobs.js';
import { handle } from '../../src/queue/workers.js';
import { checkIssue, type RoundStats } from './check-issue.js';
import { isBumpScore } from './priority.js';
import { scan, scanDue } from './scan.js';

/** A round stops taking new issues after this (a started issue finishes). */
const ROUND_MS = 25_000;

async function syncRound(ctx: Ctx, stats: RoundStats): Promise<void> {
  const started = Date.now();
  const stopAfterMs = ctx.config.guance.syncStopAfterHours * 3_600_000;
  for (const uuid of await ctx.store.followed.finishedBefore(started - stopAfterMs)) {
    await ctx.store.followed.unfollow(uuid);
    ctx.log.info('stopped following a resolved/closed issue', { issue: uuid });
  }
  const visited = new Set<string>();
  let scanConsidered = false;
  while (Date.now() - started < ROUND_MS) {
    const now = Date.now();
    const due = await ctx.store.followed.due(now, visited.size + 10);
    const next = due.find((d) => !visited.has(d.uuid));
    // Bumped issues first (something is known to have happened), then the scan, then whatever is due.
    if (!scanConsidered && !(next && isBumpScore(next.score, now))) {
      scanConsidered = true;
      if (await scanDue(ctx, now)) {
        stats.scans += 1;
        stats.bumped += await scan(ctx);
        continue;
      }
    }
    if (!next) return;
    visited.add(next.uuid);
    await checkIssue(ctx, next.uuid, stats);
  }
}

/** One sync round now, if no replica is running one; false when one is (it takes bumped issues first anyway). */
export async function syncNow(ctx: Ctx, stats: RoundStats = { checks: 0, posted: 0, scans: 0, bumped: 0 }): Promise<boolean> {
  const ran = await ctx.store.locks.withSync(async () => {
    await syncRound(ctx, stats);
    return true;
  });
  return ran === true;
}

export const syncIssues = handle(JOBS.syncIssues, async (_data, ctx) => {
  const stats: RoundStats = { checks: 0, posted: 0, scans: 0, bumped: 0 };
  try {
    if (!(await syncNow(ctx, stats))) ctx.log.debug('sync skipped: another replica is syncing');
  } catch (error) {
    // The budget said no, Lark said wait, or Redis is away: stop here; the next round picks up by priority.
    if (error instanceof GuanceRateLimited) {
      ctx.log.debug('sync round stopped: Guance budget has no room', { retryAfterMs: error.retryAfterMs, ...stats });
      ctx.metrics.inc('sync_rounds_deferred_total');
      return stats;
    }
    if (error instanceof GuanceApiError || error instanceof LarkApiError || error instanceof UnavailableError) {
      ctx.log.warn('sync round stopped; will continue next round', { error: errorMessage(error), ...stats });
      ctx.metrics.inc('sync_rounds_deferred_total');
      return stats;
    }
    throw error;
  }
  if (stats.checks || stats.scans) ctx.log.debug('sync round done', { ...stats });
  return stats;
});
