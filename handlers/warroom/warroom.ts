/**
 * War room: one Lark group per issue, named with its level and title, with whoever opened it, the assignees and
 * the on-call people Lark knows; a copy of the card posted there and pinned, linked like any card (actions, sync
 * and thread lines reach both), and a line in the original card's thread with a link to join.
 */
import { t } from '../../cards/i18n.js';
import { clipLine } from '../../cards/parts.js';
import type { Ctx } from '../../src/context.js';
import { LarkApiError, errorMessage } from '../../src/errors.js';
import { sendKeys } from '../../src/queue/jobs.js';
import type { IssueSnapshot } from '../../src/store/index.js';
import { renderIssueCard, withItemLock } from '../issues/index.js';

export type WarRoomOutcome =
  | { kind: 'opened'; chatId: string; link: string }
  | { kind: 'existing'; chatId: string; link: string }
  | { kind: 'not-found' }
  | { kind: 'refused'; code: number; message: string };

export interface WarRoomRequest {
  itemId: string;
  actorOpenId: string;
  actorName: string;
}

/** Who joins: the opener, the assignees Lark knows, the on-call people Lark knows. */
async function membersOf(ctx: Ctx, snapshot: IssueSnapshot, actorOpenId: string): Promise<string[]> {
  const assignees = (snapshot.mentions ?? []).map((m) => m.openId).filter((id): id is string => Boolean(id));
  const oncall = [...new Set(ctx.config.escalation.steps.flatMap((step) => step.people))];
  let known: string[] = [];
  try {
    const found = await ctx.lark.openIdsFor({ emails: oncall.filter((p) => p.includes('@')), mobiles: oncall.filter((p) => !p.includes('@')) });
    known = [...found.values()];
  } catch (error) {
    ctx.log.warn('could not look the on-call people up; the war room opens without them', { error: errorMessage(error) });
  }
  return [...new Set([actorOpenId, ...assignees, ...known].filter(Boolean))];
}

/** The share link; without the scope for it (im:chat) the room still works, people find it in their chat list. */
async function shareLinkOrNone(ctx: Ctx, chatId: string): Promise<string> {
  try {
    return await ctx.lark.chats.shareLink(chatId);
  } catch (error) {
    if (!(error instanceof LarkApiError) || error.retryable) throw error;
    ctx.log.warn('Lark gave no share link for the war room; it opens without one', { chatId, code: error.larkCode });
    return '';
  }
}

async function pinOrSay(ctx: Ctx, messageId: string): Promise<void> {
  try {
    await ctx.lark.chats.pin(messageId);
  } catch (error) {
    if (!(error instanceof LarkApiError) || error.retryable) throw error;
    ctx.log.warn('Lark would not pin the war-room card', { messageId, code: error.larkCode });
  }
}

export async function openWarRoom(ctx: Ctx, request: WarRoomRequest): Promise<WarRoomOutcome> {
  return withItemLock(ctx, `warroom-${request.itemId}`, async () => {
    const snapshot = await ctx.store.links.snapshot(request.itemId);
    if (!snapshot) return { kind: 'not-found' };
    // One group per issue, whoever asks and however often; a complete one is only linked to.
    const recorded = snapshot.warRoom;
    if (recorded?.link !== undefined && (await ctx.store.links.cardFor(request.itemId, recorded.chatId))) {
      return { kind: 'existing', chatId: recorded.chatId, link: recorded.link };
    }
    // Each step below is idempotent and recorded as it is made, so a retry finishes what a failure interrupted.
    let chatId = recorded?.chatId;
    if (!chatId) {
      const name = clipLine(`[${snapshot.level?.name ?? '—'}] ${snapshot.title}`, 60);
      try {
        ({ chatId } = await ctx.lark.chats.create({ name, openIds: await membersOf(ctx, snapshot, request.actorOpenId), idempotencyKey: `war-room-${request.itemId}` }));
      } catch (error) {
        if (!(error instanceof LarkApiError) || error.retryable) throw error;
        // e.g. 99991672 without im:chat:create: nothing was made, and the clicker is told why.
        ctx.log.error('Lark refused to create the war room', { item: request.itemId, code: error.larkCode, error: error.message });
        return { kind: 'refused', code: error.larkCode, message: error.message };
      }
      await ctx.store.links.saveWarRoom(chatId, request.itemId);
      await ctx.store.links.saveSnapshot({ ...snapshot, warRoom: { chatId } });
    }
    const link = recorded?.link ?? (await shareLinkOrNone(ctx, chatId));
    if (!(await ctx.store.links.cardFor(request.itemId, chatId))) {
      const copy = await ctx.lark.sendCard(chatId, renderIssueCard(snapshot, ctx.config), `war-room-card-${request.itemId}`);
      await ctx.store.links.save({ issueUuid: request.itemId, chatId, messageId: copy.messageId, postedAt: Date.now() });
      await pinOrSay(ctx, copy.messageId);
    }
    const latest = (await ctx.store.links.snapshot(request.itemId)) ?? snapshot;
    await ctx.store.links.saveSnapshot({ ...latest, warRoom: { chatId, link } });
    const lang = ctx.config.language;
    for (const card of await ctx.store.links.cardsFor(request.itemId)) {
      if (card.chatId === chatId) continue;
      const text = t(lang, 'warroom.opened', { name: request.actorName, link: link || t(lang, 'warroom.noLink') });
      await ctx.lark.replyText(card.messageId, text, sendKeys.warRoomLine(request.itemId, card.chatId), true, card.chatId);
    }
    ctx.metrics.inc('war_rooms_total');
    ctx.log.info('war room opened', { item: request.itemId, chatId });
    return { kind: 'opened', chatId, link };
  });
}
