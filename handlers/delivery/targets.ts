import type { Ctx } from '../../src/context.js';
import type { GuanceIssue } from '../../src/guance/schemas.js';
import { JOBS, jobIds } from '../../src/queue/jobs.js';

/** The chats an issue's card goes to. Routing rules come with their own issue; today it is LARK_CHAT_ID. */
function targetChats(ctx: Ctx, _issue: GuanceIssue): string[] {
  return [ctx.config.lark.chatId];
}

/** One job per issue per chat; the id is the claim, so pollers on every replica may find the same issue. */
export async function enqueueDeliveries(ctx: Ctx, issue: GuanceIssue, seenAt: number, channel: string): Promise<number> {
  const chats = targetChats(ctx, issue);
  for (const chatId of chats) {
    await ctx.queues.add(JOBS.postIssueCard, { chatId, issue, seenAt, channel }, jobIds.delivery(chatId, issue.uuid));
  }
  return chats.length;
}
