/**
 * Guance push hints (`POST /webhooks/guance-issue`): a notification strategy's body is undocumented
 * (../shared/reference/guance-openapi.md §3.1), so it is only a hint naming issues. New ones → a poll now; carded
 * ones → to the front of sync and a round now. Both are debounced into one-second slots, so a burst of hints
 * costs one issue/list and one round, and every request still goes through the Guance budget.
 */
import type { Ctx } from '../../src/context.js';
import { BusyError, GuanceRateLimited } from '../../src/errors.js';
import { JOBS, jobIds } from '../../src/queue/jobs.js';
import { handle } from '../../src/queue/workers.js';
import { pollNow } from '../delivery/index.js';
import { bumpFollowed, syncNow } from '../sync/index.js';

const HINT_SLOT_MS = 1_000;

export interface HintEffect {
  poll: boolean;
  checks: number;
}

export async function takeHint(ctx: Ctx, issueUuids: readonly string[]): Promise<HintEffect> {
  const now = Date.now();
  const slot = Math.floor(now / HINT_SLOT_MS);
  const delayMs = (slot + 1) * HINT_SLOT_MS - now;
  let poll = false;
  let checks = 0;
  for (const uuid of issueUuids) {
    if ((await ctx.store.links.cardsFor(uuid)).length === 0) poll = true;
    else if (await bumpFollowed(ctx, uuid)) checks += 1;
  }
  if (poll) await ctx.queues.add(JOBS.hintPoll, { receivedAt: now }, jobIds.hintPoll(slot), { delayMs });
  if (checks) await ctx.queues.add(JOBS.hintSync, { receivedAt: now }, jobIds.hintSync(slot), { delayMs });
  if (poll) ctx.metrics.inc('push_hints_total', { effect: 'poll' });
  if (checks) ctx.metrics.inc('push_hints_total', { effect: 'check' });
  if (!poll && !checks) ctx.metrics.inc('push_hints_total', { effect: 'none' });
  return { poll, checks };
}

/** While another poll runs, this one waits for it to end (a retry), so the hinted issue is surely looked for after the hint. */
export const hintPoll = handle(JOBS.hintPoll, async ({ receivedAt }, ctx) => {
  let polled: boolean;
  try {
    polled = await pollNow(ctx, 'poll');
  } catch (error) {
    if (!(error instanceof GuanceRateLimited)) throw error;
    // The poller's share is spent (hints this frequent replace its ticks): the hint is sync's kind of work.
    polled = await pollNow(ctx, 'sync');
  }
  if (!polled) throw new BusyError('a poll is running; the hint polls right after it');
  await ctx.store.cursors.setLastHintPollAt(Date.now());
  ctx.log.debug('polled on a push hint', { msSinceHint: Date.now() - receivedAt });
});

export const hintSync = handle(JOBS.hintSync, async ({ receivedAt }, ctx) => {
  try {
    if (!(await syncNow(ctx))) throw new BusyError('a sync round is running; the hint syncs right after it');
  } catch (error) {
    // The hinted issues stay at the front of sync: the next scheduled round takes them first.
    if (error instanceof GuanceRateLimited) return { deferred: true };
    throw error;
  }
  ctx.log.debug('synced on a push hint', { msSinceHint: Date.now() - receivedAt });
  return { deferred: false };
});
