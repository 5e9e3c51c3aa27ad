import type { Ctx } from '../../src/context.js';
import { UNACKNOWLEDGED_STATUSES, isIssueUuid } from '../../src/guance/schemas.js';

/**
 * Is the item still open and nobody's, right now? Asked before buzzing someone (escalation) or re-surfacing a
 * snooze. Guance issues are asked in Guance (sync may not have seen an acknowledgement yet; a person's share of
 * the budget); other sources are the bot's own state.
 */
export async function stillUnacknowledged(ctx: Ctx, itemId: string): Promise<boolean> {
  if (isIssueUuid(itemId)) {
    const issue = await ctx.guance.getIssue(itemId, 'human');
    if (issue === null || !UNACKNOWLEDGED_STATUSES.has(issue.statusType)) return false;
    // A workspace without a Working status keeps an acknowledged issue Open: the bot's own record says it was taken.
    const last = (await ctx.store.links.snapshot(itemId))?.lastChange;
    return !(last?.action === 'ack' && last.statusType === issue.statusType);
  }
  const snapshot = await ctx.store.links.snapshot(itemId);
  return snapshot !== null && UNACKNOWLEDGED_STATUSES.has(snapshot.statusType);
}
