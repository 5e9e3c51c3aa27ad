import { UnrecoverableError } from 'bullmq';
import { JOBS, jobIds } from '../../src/queue/jobs.js';
import { handle } from '../../src/queue/workers.js';
import { rescheduleEscalations, scheduleEscalations } from '../escalation/index.js';
import { refreshCards, resolveMentions, withMentionFallback } from '../issues/index.js';

/**
 * Posts the card of a stored snapshot (an alert, a Sentry issue, an error report) to one chat, exactly once: the
 * job id is per chat and item, the Lark `uuid` derives from it, and the link is checked before sending.
 */
export const postCard = handle(JOBS.postCard, async ({ chatId, itemId, seenAt }, ctx, job) => {
  const existing = await ctx.store.links.cardFor(itemId, chatId);
  if (existing) {
    await rescheduleEscalations(ctx, itemId, chatId, existing.postedAt);
    return { messageId: existing.messageId, already: true };
  }
  const stored = await ctx.store.links.snapshot(itemId);
  // The snapshot is saved before the job is queued; without it there is nothing to show, ever.
  if (!stored) throw new UnrecoverableError(`no snapshot for card item ${itemId}`);
  const snapshot = await resolveMentions(ctx, stored);
  if (snapshot !== stored) await ctx.store.links.saveSnapshot(snapshot);
  const sent = await withMentionFallback(ctx, snapshot, (card) => ctx.lark.sendCard(chatId, card, job.id ?? jobIds.delivery(chatId, itemId)));
  const postedAt = Date.now();
  await ctx.store.links.save({ issueUuid: itemId, chatId, messageId: sent.messageId, postedAt });
  await scheduleEscalations(ctx, snapshot, chatId, postedAt);
  // A repeat that arrived while this card was on its way found no card to update: catch up now.
  const latest = await ctx.store.links.snapshot(itemId);
  if (latest && JSON.stringify(latest) !== JSON.stringify(snapshot)) await refreshCards(ctx, itemId);
  ctx.metrics.inc('cards_posted_total', { chat: chatId });
  ctx.log.info('card posted', { item: itemId, source: snapshot.kind, chatId, messageId: sent.messageId, msSinceReceived: Date.now() - seenAt });
  return { messageId: sent.messageId, already: false };
});
