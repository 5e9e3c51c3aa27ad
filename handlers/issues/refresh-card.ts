import type { Ctx } from '../../src/context.js';
import { JOBS, jobIds } from '../../src/queue/jobs.js';
import { handle } from '../../src/queue/workers.js';
import { resolveMentions, withMentionFallback } from './mentions.js';

/** Queues a PATCH of every card of the issue. The job renders the snapshot as it is when it runs: always the latest truth. */
export async function refreshCards(ctx: Ctx, issueUuid: string): Promise<void> {
  for (const link of await ctx.store.links.cardsFor(issueUuid)) {
    await ctx.queues.add(JOBS.refreshCard, { issueUuid, messageId: link.messageId }, jobIds.refresh(link.messageId));
  }
}

/**
 * Queues a PATCH of every card of the item at the end of the current `everyMs` slot: a burst of repeats (the error
 * API's count, an alert firing again) becomes one PATCH per slot per card, not one per notification.
 */
export async function refreshCardsSoon(ctx: Ctx, issueUuid: string, everyMs = 3_000): Promise<void> {
  const slot = Math.floor(Date.now() / everyMs);
  const delayMs = (slot + 1) * everyMs - Date.now();
  for (const link of await ctx.store.links.cardsFor(issueUuid)) {
    await ctx.queues.add(JOBS.refreshCard, { issueUuid, messageId: link.messageId }, jobIds.throttledRefresh(link.messageId, slot), { delayMs });
  }
}

export const refreshCard = handle(JOBS.refreshCard, async ({ issueUuid, messageId }, ctx) => {
  const stored = await ctx.store.links.snapshot(issueUuid);
  if (!stored) return { skipped: 'no snapshot' };
  const snapshot = await resolveMentions(ctx, stored);
  await withMentionFallback(ctx, snapshot, (card) => ctx.lark.patchCard(messageId, card));
  ctx.metrics.inc('cards_updated_total');
  return { patched: messageId };
});
