import { z } from 'zod';
import { t } from '../../cards/i18n.js';
import { statusName } from '../../cards/parts.js';
import { failedToast, invalidToast, toast } from '../../cards/toasts.js';
import type { CardControl, IssueAction, Language } from '../../cards/types.js';
import type { Ctx } from '../../src/context.js';
import { GuanceRateLimited, errorMessage, isPermanent } from '../../src/errors.js';
import type { CardClick } from '../../src/lark/envelope.js';
import { JOBS, sendKeys, type JobData } from '../../src/queue/jobs.js';
import { handle } from '../../src/queue/workers.js';
import { CARD_ITEM_PATTERN, applyIssueAction, type ActionOutcome } from '../issues/index.js';
import { runControl } from './controls.js';

type CardActionJob = JobData<typeof JOBS.cardAction>;

/**
 * How long the ingress waits for this job before answering "working on it" (Lark's deadline is 3 s). The job uses
 * it too: a failure found later than this cannot reach the clicker as a toast, so it is said in the card's thread.
 */
export const CLICK_ANSWER_WAIT_MS = 2_000;

/** What a callback button may carry: exactly the action and the issue, nothing else (see cards/issue-card.ts). */
export const buttonValueSchema = z.strictObject({
  action: z.enum(['ack', 'resolve', 'reopen', 'snooze', 'unsnooze', 'assign', 'comment', 'warroom']),
  issue: z.string().regex(CARD_ITEM_PATTERN),
});
export type ButtonValue = z.infer<typeof buttonValueSchema>;

const toastSchema = z.object({
  type: z.enum(['info', 'success', 'error', 'warning']),
  content: z.string(),
  i18n: z.object({ zh_cn: z.string(), en_us: z.string() }),
});

/**
 * The job's return value, stored by BullMQ with the completed job (kept for the dedupe window, 9 h), so a re-sent
 * callback gets the same toast. `cardIssue` names the issue whose card goes into the answer; it is rendered by the
 * ingress from the issue's snapshot as it is then, so a late duplicate can never roll the card back.
 */
export const cardActionResultSchema = z.object({
  /** changed, already, not-found, refused, invalid, and the controls' own (snoozed, assigned, commented, opened…). */
  outcome: z.string().max(32),
  toast: toastSchema,
  cardIssue: z.string().optional(),
});
export type CardActionResult = z.infer<typeof cardActionResultSchema>;

const DONE_KEYS = {
  ack: 'toast.acknowledged',
  resolve: 'toast.resolved',
  reopen: 'toast.reopened',
} as const satisfies Record<IssueAction, string>;

/** The result for an outcome of applyIssueAction (rate-limited is thrown instead, for BullMQ to retry). */
type StatusValue = ButtonValue & { action: IssueAction };

export function resultOf(outcome: Exclude<ActionOutcome, { kind: 'rate-limited' }>, value: StatusValue, lang: Language): CardActionResult {
  switch (outcome.kind) {
    case 'changed':
      return { outcome: 'changed', toast: toast('success', (l) => t(l, DONE_KEYS[value.action]), lang), cardIssue: value.issue };
    case 'already': {
      const status = outcome.snapshot.statusType;
      return {
        outcome: 'already',
        toast: toast('info', (l) => t(l, 'toast.already', { status: statusName(status, l) }), lang),
        cardIssue: value.issue,
      };
    }
    case 'not-found':
      return { outcome: 'not-found', toast: failedToast((l) => t(l, 'answer.unknownIssue', { issue: value.issue }), lang), cardIssue: value.issue };
    case 'refused':
      return {
        outcome: 'refused',
        toast: failedToast((l) => t(l, 'answer.guanceRefused', { message: outcome.message }), lang),
        cardIssue: value.issue,
      };
  }
}

async function actorOf(ctx: Ctx, openId: string): Promise<{ actorName: string; actorEmail: string | null }> {
  try {
    const person = await ctx.lark.person(openId);
    return { actorName: person.name ?? openId, actorEmail: person.email };
  } catch (error) {
    ctx.log.warn('could not read the clicker name; using the open_id', { openId, error: errorMessage(error) });
    return { actorName: openId, actorEmail: null };
  }
}

/** Says in the card's thread what the clicker could not be told in a toast. Best effort: never hides the cause. */
async function tellThread(ctx: Ctx, click: CardClick, eventId: string, text: string): Promise<void> {
  try {
    await ctx.lark.replyText(click.messageId, text, sendKeys.clickFailure(eventId), true, click.chatId);
  } catch (error) {
    ctx.log.warn('could not post the click failure in the thread', { messageId: click.messageId, error: errorMessage(error) });
  }
}

const isStatusAction = (value: ButtonValue): value is StatusValue => value.action === 'ack' || value.action === 'resolve' || value.action === 'reopen';

async function decide(ctx: Ctx, data: CardActionJob): Promise<CardActionResult> {
  const lang = ctx.config.language;
  const { click, eventId } = data;
  ctx.log.info('card action received', { eventId, style: click.style, messageId: click.messageId, operator: click.operatorOpenId });
  const parsed = buttonValueSchema.safeParse(click.value);
  if (!parsed.success) return { outcome: 'invalid', toast: invalidToast(lang) };
  const value = parsed.data;
  // The value travels through the client: it must name the issue of the card it sits on (or one its listing
  // shows, the daily digest), or it is forged.
  const link = await ctx.store.links.byMessage(click.messageId);
  const onOwnCard = link?.issueUuid === value.issue;
  if (!onOwnCard && !(await ctx.store.links.listingHas(click.messageId, value.issue))) {
    ctx.log.warn('card click names another issue than its card; ignored', {
      eventId,
      messageId: click.messageId,
      cardIssue: link?.issueUuid ?? null,
      valueIssue: value.issue,
      operator: click.operatorOpenId,
    });
    return { outcome: 'invalid', toast: invalidToast(lang) };
  }
  const actor = await actorOf(ctx, click.operatorOpenId);
  if (!isStatusAction(value)) {
    const control = await runControl(ctx, { control: value.action as CardControl, issue: value.issue, click, eventId, ...actor });
    ctx.log.info('card control handled', { eventId, issue: value.issue, control: value.action, outcome: control.outcome, actor: click.operatorOpenId });
    ctx.metrics.inc('card_actions_total', { action: value.action, outcome: control.outcome });
    return { outcome: control.outcome, toast: control.toast, ...(control.card && onOwnCard ? { cardIssue: value.issue } : {}) };
  }
  const outcome = await applyIssueAction(ctx, { issueUuid: value.issue, action: value.action, ...actor, ref: eventId });
  if (outcome.kind === 'rate-limited') {
    throw new GuanceRateLimited(`Guance budget spent or the issue is busy; retrying in ${outcome.retryAfterMs} ms`, 'rate_limited', outcome.retryAfterMs);
  }
  ctx.log.info('card action handled', { eventId, issue: value.issue, action: value.action, outcome: outcome.kind, actor: click.operatorOpenId });
  ctx.metrics.inc('card_actions_total', { action: value.action, outcome: outcome.kind });
  const result = resultOf(outcome, value, lang);
  // A click on a listing answers with a toast only: its card is the listing, not the issue's card.
  if (!onOwnCard) delete result.cardIssue;
  return result;
}

/**
 * A card click → at most one Guance change (applyIssueAction serialises per issue and reads first), and a result
 * the ingress turns into Lark's callback answer. When the answer window has passed, the card is updated by the
 * PATCH applyIssueAction queued; failures are then said in the card's thread.
 */
export const handleCardAction = handle(JOBS.cardAction, async (data, ctx, job): Promise<CardActionResult> => {
  const lang = ctx.config.language;
  let result: CardActionResult;
  try {
    result = await decide(ctx, data);
  } catch (error) {
    const lastAttempt = isPermanent(error) || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (lastAttempt && Date.now() - data.receivedAt > CLICK_ANSWER_WAIT_MS) {
      await tellThread(ctx, data.click, data.eventId, t(lang, 'toast.failed', { reason: errorMessage(error) }));
    }
    throw error;
  }
  const late = Date.now() - data.receivedAt > CLICK_ANSWER_WAIT_MS;
  if (late && (result.outcome === 'not-found' || result.outcome === 'refused')) {
    await tellThread(ctx, data.click, data.eventId, result.toast.content);
  }
  return result;
});
