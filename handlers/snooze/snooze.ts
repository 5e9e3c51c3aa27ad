/**
 * Snooze: who and until when (the card's snapshot in Redis), shown on the card, escalation paused, and a delayed
 * job at expiry that re-surfaces the issue if it is still open and unacknowledged: a message in the chat's main
 * stream mentioning whoever snoozed it, and the escalation clock starts again. Guance has no snooze state: a
 * Guance issue only gets a comment saying who snoozed it until when.
 */
import { t } from '../../cards/i18n.js';
import { durationLabel, formatTime } from '../../cards/parts.js';
import type { Ctx } from '../../src/context.js';
import { UNACKNOWLEDGED_STATUSES, isIssueUuid } from '../../src/guance/schemas.js';
import { JOBS, jobIds, sendKeys } from '../../src/queue/jobs.js';
import { handle } from '../../src/queue/workers.js';
import type { IssueSnapshot } from '../../src/store/index.js';
import { scheduleEscalations } from '../escalation/index.js';
import { cancelEscalations, refreshCards, stillUnacknowledged, withItemLock, writeBotCommentOnce } from '../issues/index.js';


export interface SnoozeRequest {
  itemId: string;
  minutes: number;
  actorName: string;
  actorOpenId?: string;
  actorEmail?: string | null;
  /** The click event or message id: the Guance comment's idempotency ref. */
  ref: string;
}

export type SnoozeOutcome =
  | { kind: 'snoozed'; until: number; snapshot: IssueSnapshot }
  | { kind: 'not-found' }
  | { kind: 'not-open'; snapshot: IssueSnapshot }
  | { kind: 'unsnoozed'; snapshot: IssueSnapshot }
  | { kind: 'not-snoozed'; snapshot: IssueSnapshot };

export function snoozeItem(ctx: Ctx, request: SnoozeRequest): Promise<SnoozeOutcome> {
  return withItemLock(ctx, request.itemId, async () => {
    const snapshot = await ctx.store.links.snapshot(request.itemId);
    if (!snapshot) return { kind: 'not-found' };
    // Only an issue nobody has can be snoozed: a Working one is someone's already.
    if (!UNACKNOWLEDGED_STATUSES.has(snapshot.statusType)) return { kind: 'not-open', snapshot };
    const until = Math.floor(Date.now() / 1000 + request.minutes * 60);
    const next: IssueSnapshot = {
      ...snapshot,
      snoozed: { until, by: request.actorName, ...(request.actorOpenId ? { openId: request.actorOpenId } : {}) },
    };
    await ctx.store.links.saveSnapshot(next);
    await cancelEscalations(ctx, request.itemId);
    if (snapshot.snoozed) await ctx.queues.remove(JOBS.snoozeExpiry, jobIds.snoozeExpiry(request.itemId, snapshot.snoozed.until));
    await ctx.queues.add(JOBS.snoozeExpiry, { itemId: request.itemId, until }, jobIds.snoozeExpiry(request.itemId, until), { delayMs: request.minutes * 60_000 });
    await refreshCards(ctx, request.itemId);
    if (isIssueUuid(request.itemId)) {
      const lang = ctx.config.language;
      const content = t(lang, 'guance.snoozed', { name: request.actorName, time: formatTime(until, ctx.config.timeZone, lang), duration: durationLabel(request.minutes, lang) });
      await writeBotCommentOnce(ctx, { issueUuid: request.itemId, content, ref: `snooze-${request.ref}`, actorName: request.actorName, actorEmail: request.actorEmail ?? null });
    }
    ctx.metrics.inc('snoozes_total', { outcome: 'snoozed' });
    return { kind: 'snoozed', until, snapshot: next };
  });
}

export function unsnoozeItem(ctx: Ctx, itemId: string): Promise<SnoozeOutcome> {
  return withItemLock(ctx, itemId, async () => {
    const snapshot = await ctx.store.links.snapshot(itemId);
    if (!snapshot) return { kind: 'not-found' };
    if (!snapshot.snoozed) return { kind: 'not-snoozed', snapshot };
    const { snoozed, ...rest } = snapshot;
    const next: IssueSnapshot = { ...rest, escalationRound: (snapshot.escalationRound ?? 0) + 1 };
    await ctx.store.links.saveSnapshot(next);
    await ctx.queues.remove(JOBS.snoozeExpiry, jobIds.snoozeExpiry(itemId, snoozed.until));
    await refreshCards(ctx, itemId);
    // Un-snoozed and still nobody's: the escalation clock starts again now.
    if (UNACKNOWLEDGED_STATUSES.has(next.statusType)) await restartEscalations(ctx, next);
    ctx.metrics.inc('snoozes_total', { outcome: 'unsnoozed' });
    return { kind: 'unsnoozed', snapshot: next };
  });
}

async function restartEscalations(ctx: Ctx, snapshot: IssueSnapshot): Promise<void> {
  for (const card of await ctx.store.links.cardsFor(snapshot.uuid)) await scheduleEscalations(ctx, snapshot, card.chatId, Date.now());
}

export const snoozeExpiry = handle(JOBS.snoozeExpiry, async ({ itemId, until }, ctx) => {
  const outcome = await withItemLock(ctx, itemId, async () => {
    const snapshot = await ctx.store.links.snapshot(itemId);
    // Un-snoozed, snoozed again (another expiry owns it), or gone: nothing to do.
    if (!snapshot?.snoozed || snapshot.snoozed.until !== until) return null;
    const { snoozed, ...rest } = snapshot;
    const waiting = await stillUnacknowledged(ctx, itemId);
    if (waiting) {
      const lang = ctx.config.language;
      const who = snoozed.openId ? `<at user_id="${snoozed.openId}">${snoozed.by.replace(/[<>]/g, '')}</at>` : snoozed.by;
      const text = t(lang, 'snooze.resurfaced', { who, title: snapshot.title, level: snapshot.level?.name ?? '' });
      // Sent before the snooze is cleared: a retry after a failed send still finds it (the send key makes repeats no-ops).
      for (const card of await ctx.store.links.cardsFor(itemId)) {
        // The main stream, not the thread: nobody watches an old thread.
        await ctx.lark.sendText(card.chatId, text, sendKeys.resurface(itemId, card.chatId, until));
      }
    }
    const next: IssueSnapshot = { ...rest, ...(waiting ? { escalationRound: (snapshot.escalationRound ?? 0) + 1 } : {}) };
    await ctx.store.links.saveSnapshot(next);
    await refreshCards(ctx, itemId);
    return waiting ? { snapshot: next } : null;
  });
  if (!outcome) return { resurfaced: false };
  await restartEscalations(ctx, outcome.snapshot);
  ctx.metrics.inc('snoozes_total', { outcome: 'resurfaced' });
  ctx.log.info('snoozed issue re-surfaced', { item: itemId });
  return { resurfaced: true };
});
