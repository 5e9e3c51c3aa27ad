import type { Ctx } from '../src/context.js';
import type { GuanceIssue } from '../src/guance/schemas.js';
import { jobId } from '../src/queue/jobs.js';

const DELIVERY_ID_TTL_SECONDS = 7 * 24 * 60 * 60;

/** The chats an issue's card goes to. Routing rules come with their own issue; today it is LARK_CHAT_ID. */
export function targetChats(ctx: Ctx, _issue: GuanceIssue): string[] {
  return [ctx.config.lark.chatId];
}

export function deliveryJobId(chatId: string, issueUuid: string): string {
  return jobId('deliver', chatId, issueUuid);
}

/** One job per issue per chat; the id is the claim, so pollers on every replica may find the same issue. */
export async function enqueueDeliveries(ctx: Ctx, issue: GuanceIssue, seenAt: number): Promise<number> {
  const chats = targetChats(ctx, issue);
  for (const chatId of chats) {
    await ctx.queues.add('deliver', 'post-issue-card', { chatId, issue, seenAt }, deliveryJobId(chatId, issue.uuid), {
      removeOnComplete: { age: DELIVERY_ID_TTL_SECONDS },
      attempts: 12,
    });
  }
  return chats.length;
}
