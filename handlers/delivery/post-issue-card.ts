import { JOBS, jobIds } from '../../src/queue/jobs.js';
import { handle } from '../../src/queue/workers.js';
import { issueSnapshot, resolveMentions, withMentionFallback } from '../issues/index.js';
import { rescheduleEscalations, scheduleEscalations } from '../escalation/index.js';
import { startFollowing } from '../sync/index.js';

/**
 * Posts one issue card to one chat. Exactly once: the job id is per chat and issue, the Lark `uuid` is derived
 * from it (a retry after a lost answer returns the same message), and the link is checked before sending.
 */
export const postIssueCard = handle(JOBS.postIssueCard, async ({ chatId, issue, seenAt, channel }, ctx, job) => {
  const existing = await ctx.store.links.cardFor(issue.uuid, chatId);
  if (existing) {
    await rescheduleEscalations(ctx, issue.uuid, chatId, existing.postedAt);
    await startFollowing(ctx, issue); // idempotent: covers a crash between the link and the follow
    return { messageId: existing.messageId, already: true };
  }
  const fresh = await issueSnapshot(ctx, issue);
  const snapshot = await resolveMentions(ctx, channel && !fresh.channel ? { ...fresh, channel } : fresh);
  const sent = await withMentionFallback(ctx, snapshot, (card) => ctx.lark.sendCard(chatId, card, job.id ?? jobIds.delivery(chatId, issue.uuid)));
  await ctx.store.links.saveSnapshot(snapshot);
  const postedAt = Date.now();
  await ctx.store.links.save({ issueUuid: issue.uuid, chatId, messageId: sent.messageId, postedAt });
  await scheduleEscalations(ctx, snapshot, chatId, postedAt);
  await startFollowing(ctx, issue);
  ctx.metrics.inc('cards_posted_total', { chat: chatId });
  ctx.log.info('issue card posted', {
    issue: issue.uuid,
    chatId,
    messageId: sent.messageId,
    secondsSinceCreated: Math.round(Date.now() / 1000 - issue.createAt),
    secondsSinceSeen: Math.round((Date.now() - seenAt) / 1000),
  });
  return { messageId: sent.messageId, already: false };
});
