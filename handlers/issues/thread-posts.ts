import type { Ctx } from '../../src/context.js';
import { LarkApiError } from '../../src/errors.js';
import { sendKeys } from '../../src/queue/jobs.js';
import type { CardLink } from '../../src/store/index.js';

/**
 * Posts `text` in the thread of every card, once per entry and chat: the "posted" mark is set after the post,
 * and the Lark `uuid` derives from the same key, so a post repeated after a crash between the two is a no-op.
 */
export async function postToThreads(ctx: Ctx, cards: readonly CardLink[], entryKey: string, text: string, kind: 'reply' | 'status' | 'action'): Promise<number> {
  let posted = 0;
  for (const card of cards) {
    if (await ctx.store.claims.isPostedToThread(entryKey, card.chatId)) continue;
    try {
      await ctx.lark.replyText(card.messageId, text, sendKeys.threadPost(entryKey, card.chatId), true, card.chatId);
      posted += 1;
      ctx.metrics.inc('sync_thread_posts_total', { kind });
      ctx.log.info('posted in card thread', { issue: card.issueUuid, entry: entryKey, kind, chatId: card.chatId });
    } catch (error) {
      if (!(error instanceof LarkApiError) || error.retryable) throw error;
      // The card was recalled/deleted or the chat refuses threads: posting again would fail the same way.
      ctx.log.warn('thread post refused by Lark; skipped', { issue: card.issueUuid, entry: entryKey, chatId: card.chatId, error: error.message });
    }
    await ctx.store.claims.markPostedToThread(entryKey, card.chatId);
  }
  return posted;
}
