import { z } from 'zod';
import { buildIssueCard } from '../../cards/issue-card.js';
import type { Ctx } from '../../src/context.js';
import { workspaceLevels } from '../../src/guance/lookups.js';
import { GuanceIssueSchema, type GuanceIssue } from '../../src/guance/schemas.js';
import type { JobDefinition } from '../../src/queue/workers.js';
import type { IssueSnapshot } from '../../src/store/issue-links.js';
import { deliveryJobId } from '../deliveries.js';
import { followIssue } from '../follow.js';
import { cardModel, levelTable, snapshotOf } from '../issue-view.js';

const postIssueCardData = z.object({ chatId: z.string().min(1), issue: GuanceIssueSchema, seenAt: z.number() });
type PostIssueCardData = z.infer<typeof postIssueCardData>;

/** Card deliveries, actions and sync run many at once: levels come from the cache the poller keeps warm, never a request. */
export async function issueSnapshot(ctx: Ctx, issue: GuanceIssue): Promise<IssueSnapshot> {
  const levels = levelTable(await workspaceLevels(ctx, 'cache-only'));
  return snapshotOf(issue, levels, ctx.config.guance.consoleUrl, await ctx.links.snapshot(issue.uuid));
}

/**
 * Posts one issue card to one chat. Exactly once: the job id is per chat and issue, the Lark `uuid` is derived
 * from it (a retry after a lost answer returns the same message), and the link is checked before sending.
 */
export const postIssueCard: JobDefinition<PostIssueCardData> = {
  queue: 'deliver',
  name: 'post-issue-card',
  schema: postIssueCardData,
  async run({ chatId, issue, seenAt }, ctx, job) {
    const existing = await ctx.links.cardFor(issue.uuid, chatId);
    if (existing) {
      await followIssue(ctx, issue); // idempotent: covers a crash between the link and the follow
      return { messageId: existing.messageId, already: true };
    }
    const snapshot = await issueSnapshot(ctx, issue);
    const card = buildIssueCard(cardModel(snapshot, ctx.config), ctx.config.language);
    const sent = await ctx.lark.sendCard(chatId, card, job.id ?? deliveryJobId(chatId, issue.uuid));
    await ctx.links.saveSnapshot(snapshot);
    await ctx.links.save({ issueUuid: issue.uuid, chatId, messageId: sent.messageId, postedAt: Date.now() });
    await followIssue(ctx, issue);
    ctx.metrics.inc('cards_posted_total', 'Issue cards posted', { chat: chatId });
    ctx.log.info('issue card posted', {
      issue: issue.uuid,
      chatId,
      messageId: sent.messageId,
      secondsSinceCreated: Math.round(Date.now() / 1000 - issue.createAt),
      secondsSinceSeen: Math.round((Date.now() - seenAt) / 1000),
    });
    return { messageId: sent.messageId, already: false };
  },
};
