import { z } from 'zod';
import { buildIssueCard } from '../cards/issue-card.js';
import type { Ctx } from '../src/context.js';
import { jobId } from '../src/queue/jobs.js';
import type { JobDefinition } from '../src/queue/workers.js';
import { cardModel } from './issue-view.js';

/** Queues a PATCH of every card of the issue. The job renders the snapshot as it is when it runs: always the latest truth. */
export async function refreshCards(ctx: Ctx, issueUuid: string): Promise<void> {
  for (const link of await ctx.links.cardsFor(issueUuid)) {
    await ctx.queues.add(
      'deliver',
      'refresh-card',
      { issueUuid, messageId: link.messageId },
      jobId('refresh', link.messageId, String(Date.now()), Math.random().toString(36).slice(2, 8)),
      { removeOnComplete: 1000, removeOnFail: 1000 },
    );
  }
}

const refreshCardData = z.object({ issueUuid: z.string(), messageId: z.string() });

export const refreshCard: JobDefinition<z.infer<typeof refreshCardData>> = {
  queue: 'deliver',
  name: 'refresh-card',
  schema: refreshCardData,
  async run({ issueUuid, messageId }, ctx) {
    const snapshot = await ctx.links.snapshot(issueUuid);
    if (!snapshot) return { skipped: 'no snapshot' };
    await ctx.lark.patchCard(messageId, buildIssueCard(cardModel(snapshot, ctx.config), ctx.config.language));
    ctx.metrics.inc('cards_updated_total', 'Issue cards updated in place');
    return { patched: messageId };
  },
};
