import { z } from 'zod';
import { t } from '../../cards/i18n.js';
import type { Ctx } from '../../src/context.js';
import { GuanceRateLimited, errorMessage } from '../../src/errors.js';
import type { MessageEvent } from '../../src/lark/envelope.js';
import { JOBS } from '../../src/queue/jobs.js';
import { handle } from '../../src/queue/workers.js';
import { extractMessageText } from './message-text.js';
import { parseCommand } from './parse.js';
import { answerMessage, showWaiting, type Answer } from './answer.js';
import { runCommand } from './run-command.js';

const answerSchema = z.union([z.object({ text: z.string() }), z.object({ card: z.looseObject({}) })]);

type Decision = { act: false; reason: string } | { act: true; text: string; threadIssue: string | null };

/** Is this message for the bot? p2p: always; group: when it @mentions the bot, or is a reply in an issue card's thread. */
async function decide(ctx: Ctx, event: MessageEvent): Promise<Decision> {
  const { message, sender } = event;
  if (sender.sender_type !== 'user') return { act: false, reason: 'not from a person' };
  const rootId = message.root_id || message.parent_id;
  const card = rootId ? await ctx.store.links.byMessage(rootId) : null;
  // In an issue's war room every message is about that issue, like a reply in its card's thread.
  const warRoom = card === null && message.chat_type !== 'p2p' ? await ctx.store.links.warRoomItem(message.chat_id) : null;
  const threadIssue = card?.issueUuid ?? warRoom;
  // Most group traffic mentions nobody: decided without asking Lark who the bot is.
  if (message.chat_type !== 'p2p' && threadIssue === null && !message.mentions?.length) {
    return { act: false, reason: 'group message not addressed to the bot' };
  }
  const extracted = extractMessageText(message.message_type, message.content, message.mentions, await ctx.lark.botOpenId());
  const addressed = message.chat_type === 'p2p' || extracted?.mentionsBot === true || threadIssue !== null;
  if (!addressed) return { act: false, reason: 'group message not addressed to the bot' };
  // Images, files and stickers carry no command: a direct chat gets the help card, a group nothing.
  if (!extracted) return message.chat_type === 'p2p' ? { act: true, text: '', threadIssue } : { act: false, reason: 'no text' };
  return { act: true, text: extracted.text, threadIssue };
}

/** The people a message @mentions besides the bot. */
async function mentionedPeople(ctx: Ctx, event: MessageEvent): Promise<string[]> {
  const bot = await ctx.lark.botOpenId();
  return (event.message.mentions ?? []).map((m) => m.id?.open_id ?? '').filter((id) => id !== '' && id !== bot);
}

async function storedAnswer(ctx: Ctx, messageId: string): Promise<Answer | null> {
  return (await ctx.store.answers.find(messageId, answerSchema)) as Answer | null;
}

/**
 * A chat message → at most one Guance change, and an answer in the same thread. The answer is stored under the
 * message id before it is posted: a retried job (Lark re-send, crash, Lark API failure) only re-posts it, with
 * the same Lark uuid, so the chat sees it once.
 */
export const handleMessage = handle(JOBS.message, async (data, ctx, job) => {
  const { event } = data;
  const messageId = event.message.message_id;
  const where = { messageId, chatId: event.message.chat_id };
  // Per-message lines are debug: in a busy group most messages are not for the bot.
  if (ctx.log.isDebugEnabled()) {
    ctx.log.debug('message received', { ...where, eventId: data.eventId, chatType: event.message.chat_type, attempt: job.attemptsMade + 1 });
  }
  const done = await storedAnswer(ctx, messageId);
  if (done) {
    await answerMessage(ctx, event, done);
    return { reanswered: true };
  }
  const decision = await decide(ctx, event);
  if (!decision.act) {
    if (ctx.log.isDebugEnabled()) ctx.log.debug('message ignored', { ...where, reason: decision.reason });
    return { ignored: decision.reason };
  }
  const command = parseCommand(decision.text, { inIssueThread: decision.threadIssue !== null });
  const openId = event.sender.sender_id.open_id ?? '';
  const person = openId ? await ctx.lark.person(openId) : { name: null, email: null };
  const actorName = person.name || openId || 'Lark user';
  let answer: Answer;
  try {
    answer = await runCommand(ctx, {
      command,
      threadIssue: decision.threadIssue,
      actorName,
      actorEmail: person.email,
      actorOpenId: openId,
      mentioned: await mentionedPeople(ctx, event),
      messageId,
    });
  } catch (error) {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (error instanceof GuanceRateLimited && !lastAttempt) {
      // Say so once, then let BullMQ retry after the pause Guance asked for; the result replaces this card.
      await showWaiting(ctx, event);
      throw error;
    }
    if (!lastAttempt) throw error;
    answer = { text: t(ctx.config.language, 'answer.failed', { reason: errorMessage(error) }) };
  }
  await ctx.store.answers.save(messageId, answer);
  await answerMessage(ctx, event, answer);
  ctx.log.info('command handled', { ...where, command: command.kind, actor: openId });
  ctx.metrics.inc('commands_total', { command: command.kind });
  return { command: command.kind };
});
