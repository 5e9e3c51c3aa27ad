import { t } from '../../cards/i18n.js';
import { buildNoticeCard } from '../../cards/result-card.js';
import type { LarkCard } from '../../cards/types.js';
import type { Ctx } from '../../src/context.js';
import type { MessageEvent } from '../../src/lark/envelope.js';
import { sendKeys } from '../../src/queue/jobs.js';

/** What the bot answers: a text line or a card. Stored under the message id before it is posted. */
export type Answer = { text: string } | { card: LarkCard };

function asCard(ctx: Ctx, answer: Answer): LarkCard {
  return 'card' in answer ? answer.card : buildNoticeCard(t(ctx.config.language, 'answer.title'), answer.text, 'blue');
}

/** The "waiting" card, sent in reply to the message; Lark's uuid makes a repeat return the same message. */
async function sendWaitingCard(ctx: Ctx, event: MessageEvent): Promise<string> {
  const { message_id: messageId, chat_id: chatId } = event.message;
  const lang = ctx.config.language;
  const card = buildNoticeCard(t(lang, 'answer.waitingTitle'), t(lang, 'answer.rateLimited'), 'orange');
  const sent = await ctx.lark.replyCard(messageId, card, sendKeys.rateLimitNotice(messageId), false, chatId);
  await ctx.store.answers.saveWaitingCard(messageId, sent.messageId);
  return sent.messageId;
}

/**
 * The command must wait for Guance's limit: the message gets one card saying so (once, however often the job
 * is retried). The final answer replaces it in place (answerMessage), so the chat sees one answer.
 */
export async function showWaiting(ctx: Ctx, event: MessageEvent): Promise<void> {
  const messageId = event.message.message_id;
  const waiting = await ctx.store.answers.waiting(messageId);
  if (waiting.cardMessageId) return;
  // Marked before the send: should the process die between the two, the answer still knows a card may exist.
  await ctx.store.answers.markWaitingIntended(messageId);
  await sendWaitingCard(ctx, event);
}

/**
 * Posts the answer in the message's thread, or, when a "waiting" card was shown for it, turns that card into
 * the answer. Safe to repeat: the same Lark uuid, or the same PATCH.
 */
export async function answerMessage(ctx: Ctx, event: MessageEvent, answer: Answer): Promise<void> {
  const { message_id: messageId, chat_id: chatId } = event.message;
  const waiting = await ctx.store.answers.waiting(messageId);
  if (waiting.intended) {
    // A card that was being sent when a process died: re-sending with its uuid finds it (or sends it now).
    const cardMessageId = waiting.cardMessageId ?? (await sendWaitingCard(ctx, event));
    await ctx.lark.patchCard(cardMessageId, asCard(ctx, answer));
    return;
  }
  const key = sendKeys.answer(messageId);
  // Replying to a message in a thread lands in that thread; elsewhere it quotes the message.
  if ('text' in answer) await ctx.lark.replyText(messageId, answer.text, key, false, chatId);
  else await ctx.lark.replyCard(messageId, answer.card, key, false, chatId);
}
