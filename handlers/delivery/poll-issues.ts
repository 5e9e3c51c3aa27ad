import type { Ctx } from '../../src/context.js';
import type { SpendKind } from '../../src/store/guance-budget.js';
import { GuanceRateLimited } from '../../src/errors.js';
import { watchedChannels, workspaceLevels, type WatchedChannel } from '../../src/guance/lookups.js';
import { JOBS } from '../../src/queue/jobs.js';
import { handle } from '../../src/queue/workers.js';
import { enqueueDeliveries } from './targets.js';

const PAGE_SIZE = 100;
/** Issues can become visible to the list a little after their createAt; every window reaches back this far. */
const OVERLAP_SECONDS = 120;
/** Issues older than this are never carded, whatever a window returns (the server may filter on updateAt). */
const MAX_AGE_SECONDS = 7 * 24 * 60 * 60;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * The first start: only issues created after it are posted, so a new bot does not flood the chat with history.
 * Marked when the process first reaches Redis (and, as a fallback, by the first poll).
 */
export function markFirstRun(ctx: Ctx): Promise<number> {
  return ctx.store.cursors.markFirstRun(nowSeconds());
}

interface ChannelPoll {
  found: number;
  queued: number;
  complete: boolean;
}

async function pollChannel(ctx: Ctx, channel: WatchedChannel, since: number, kind: SpendKind): Promise<ChannelPoll> {
  const cursor = (await ctx.store.cursors.pollCursor(channel.uuid)) || since;
  const startTime = Math.max(since, cursor - OVERLAP_SECONDS);
  const endTime = nowSeconds();
  const oldest = Math.max(since, endTime - MAX_AGE_SECONDS);
  const result: ChannelPoll = { found: 0, queued: 0, complete: false };
  for (let pageIndex = 1; ; pageIndex += 1) {
    const page = await ctx.guance.listIssues({ channelUUID: channel.uuid, startTime, endTime, pageIndex, pageSize: PAGE_SIZE }, kind);
    // Oldest first: a burst of issues is posted in the order it happened, and the oldest waits least.
    for (const issue of [...page.issues].sort((a, b) => a.createAt - b.createAt)) {
      if (issue.createAt < oldest || (issue.deleteAt !== -1 && issue.deleteAt > 0)) continue;
      result.found += 1;
      result.queued += await enqueueDeliveries(ctx, issue, Date.now(), channel);
    }
    const { totalCount, pageSize } = page.pageInfo;
    if (page.issues.length < PAGE_SIZE || pageIndex * pageSize >= totalCount) break;
  }
  // The cursor moves only after every page was read and queued: an interrupted poll is redone, never skipped.
  await ctx.store.cursors.setPollCursor(channel.uuid, endTime);
  result.complete = true;
  return result;
}

async function pollOnce(ctx: Ctx, kind: SpendKind): Promise<void> {
  const since = await markFirstRun(ctx);
  const channels = await watchedChannels(ctx, 'poll');
  // Deliveries read levels from the cache only; keeping it warm is the poller's job (one request an hour).
  await workspaceLevels(ctx, 'poll');
  if (channels.unknown.length && channels.fresh) {
    ctx.log.error(`GUANCE_CHANNELS names unknown channel(s): ${channels.unknown.join(', ')}`, { known: channels.known });
  }
  for (const channel of channels.found) {
    const polled = await pollChannel(ctx, channel, since, kind);
    ctx.metrics.inc('polls_total', { channel: channel.name });
    if (polled.found) ctx.log.info('poll found issues', { channel: channel.name, issues: polled.found, deliveries: polled.queued });
  }
}

/**
 * A scheduled tick within two intervals of a poll made on a push hint is skipped: while hints arrive, polling
 * stops and its budget goes to hint polls (the cursor overlap makes any poll cover what the skipped one would
 * have); when hints stop, the schedule is the safety net again.
 */
async function polledMomentsAgo(ctx: Ctx): Promise<boolean> {
  const sinceMs = Date.now() - (await ctx.store.cursors.lastHintPollAt());
  // Two intervals: hints a little further apart than one interval still keep the share for themselves.
  return sinceMs < 2 * ctx.config.guance.pollIntervalSeconds * 1000;
}

/**
 * One poll now, if no replica is polling; false when one is. `kind` is whose share of the Guance budget pays for
 * the issue/list: the poller's, or (a push hint that found the poller's share spent) sync's, which a hint stands in for.
 */
export async function pollNow(ctx: Ctx, kind: SpendKind = 'poll'): Promise<boolean> {
  const ran = await ctx.store.locks.withPoll(async () => {
    await pollOnce(ctx, kind);
    return true;
  });
  return ran === true;
}

export const pollIssues = handle(JOBS.pollIssues, async (_data, ctx) => {
  if (await polledMomentsAgo(ctx)) {
    ctx.log.debug('poll skipped: a poll on a push hint ran moments ago');
    return;
  }
  try {
    if (!(await pollNow(ctx))) ctx.log.debug('poll skipped: another replica is polling');
  } catch (error) {
    // The next tick is the retry; the cursor did not move.
    if (error instanceof GuanceRateLimited) {
      ctx.log.debug('poll deferred: Guance budget has no room', { retryAfterMs: error.retryAfterMs });
      ctx.metrics.inc('polls_deferred_total');
      return;
    }
    throw error;
  }
});
