import type { Ctx } from '../../src/context.js';
import type { GuanceIssue } from '../../src/guance/schemas.js';
import { JOBS, jobIds } from '../../src/queue/jobs.js';
import type { IssueSnapshot } from '../../src/store/index.js';

/** The chats a card goes to. Routing rules come with their own issue; today it is LARK_CHAT_ID for every source. */
function targetChats(ctx: Ctx, _card: { kind?: IssueSnapshot['kind'] }): string[] {
  return [ctx.config.lark.chatId];
}

/** One job per issue per chat; the id is the claim, so pollers on every replica may find the same issue. */
export async function enqueueDeliveries(ctx: Ctx, issue: GuanceIssue, seenAt: number, channel: string): Promise<number> {
  const chats = targetChats(ctx, { kind: 'guance-issue' });
  for (const chatId of chats) {
    await ctx.queues.add(JOBS.postIssueCard, { chatId, issue, seenAt, channel }, jobIds.delivery(chatId, issue.uuid));
  }
  return chats.length;
}

/** The same for a card of another source whose snapshot is stored: one job per card item per chat. */
export async function enqueueCardDeliveries(ctx: Ctx, snapshot: IssueSnapshot, seenAt: number): Promise<number> {
  const chats = targetChats(ctx, snapshot);
  for (const chatId of chats) {
    await ctx.queues.add(JOBS.postCard, { chatId, itemId: snapshot.uuid, seenAt }, jobIds.delivery(chatId, snapshot.uuid));
  }
  return chats.length;
}
