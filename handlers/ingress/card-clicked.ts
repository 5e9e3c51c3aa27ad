import { failedToast, invalidToast, workingToast, type Toast } from '../../cards/toasts.js';
import type { LarkCard } from '../../cards/types.js';
import type { Ctx } from '../../src/context.js';
import { errorMessage } from '../../src/errors.js';
import type { CardClick } from '../../src/lark/envelope.js';
import { JOBS, QUEUES, jobIds } from '../../src/queue/jobs.js';
import type { JobOutcome } from '../../src/queue/results.js';
import { ok, type IngressHandler } from '../../src/router.js';
import { CLICK_ANSWER_WAIT_MS, buttonValueSchema, cardActionResultSchema } from '../actions/index.js';
import { renderIssueCard } from '../issues/index.js';

const MAX_REASON_CHARS = 200;

/**
 * The callback answer in the shape of the callback style.
 *
 * - New style (`card.action.trigger`, lark-platform.md §4.1): `{toast, card: {type: 'raw', data: <card>}}`.
 * - Legacy (`/lark/card`, §4.2): the answer is "a toast and/or a full card at the top level", so the card's own
 *   keys sit beside `toast`: `{toast, schema: '2.0', config, header, body}`. Our cards are JSON 2.0 and an update
 *   must keep the version of the card that was sent (200830), so the 2.0 card is spread as it is rather than
 *   converted to 1.0 (`elements`). Should a Lark client ignore a 2.0 card in a legacy answer, the card still
 *   updates: applyIssueAction queues a PATCH of every card of the issue.
 */
export function callbackAnswer(style: CardClick['style'], toast: Toast, card?: LarkCard): Record<string, unknown> {
  if (!card) return { toast };
  return style === 'legacy' ? { toast, ...card } : { toast, card: { type: 'raw', data: card } };
}

/** The issue's card as the bot knows it now (never older than the job's result), or none when it is not known. */
async function currentCard(ctx: Ctx, issueUuid: string): Promise<LarkCard | undefined> {
  try {
    const snapshot = await ctx.store.links.snapshot(issueUuid);
    return snapshot ? renderIssueCard(snapshot, ctx.config) : undefined;
  } catch (error) {
    ctx.log.warn('could not render the card for the click answer; toast only', { issue: issueUuid, error: errorMessage(error) });
    return undefined;
  }
}

async function answerFor(ctx: Ctx, click: CardClick, outcome: JobOutcome): Promise<Record<string, unknown>> {
  const lang = ctx.config.language;
  if (outcome.state === 'pending') return callbackAnswer(click.style, workingToast(lang));
  if (outcome.state === 'failed') {
    const reason = outcome.reason.length > MAX_REASON_CHARS ? `${outcome.reason.slice(0, MAX_REASON_CHARS)}…` : outcome.reason;
    return callbackAnswer(click.style, failedToast(reason, lang));
  }
  const result = cardActionResultSchema.safeParse(outcome.value);
  if (!result.success) {
    ctx.log.error('card action job returned an unexpected result', { error: result.error.message });
    return callbackAnswer(click.style, failedToast('unexpected result', lang));
  }
  const { toast, cardIssue } = result.data;
  return callbackAnswer(click.style, toast, cardIssue ? await currentCard(ctx, cardIssue) : undefined);
}

/**
 * A card button click. The value is checked here (a malformed one is answered at once and queues nothing), then the
 * click is queued under its event id (Lark re-sending the callback is the same job) and its result awaited for at
 * most CLICK_ANSWER_WAIT_MS: Lark gets the toast and the new card within its 3 s. A slower job makes the answer
 * "working on it"; the job's PATCH updates the card when it is done.
 */
export const onCardClicked: IngressHandler<'card.action.trigger'> = async (inbound, ctx) => {
  const started = Date.now();
  const { click } = inbound;
  const value = buttonValueSchema.safeParse(click.value);
  if (!value.success) {
    ctx.log.warn('card click with an invalid button value; nothing queued', {
      eventId: inbound.eventId,
      messageId: click.messageId,
      operator: click.operatorOpenId,
      problem: value.error.issues[0]?.message,
    });
    ctx.metrics.inc('card_answers_total', { answer: 'invalid' });
    return ok(callbackAnswer(click.style, invalidToast(ctx.config.language)));
  }
  const id = jobIds.inbound(inbound.dedupeKey);
  await ctx.queues.add(JOBS.cardAction, { eventId: inbound.eventId, receivedAt: started, click }, id);
  const outcome = await ctx.results.wait(QUEUES.clicks, id, CLICK_ANSWER_WAIT_MS - (Date.now() - started));
  const body = await answerFor(ctx, click, outcome);
  ctx.metrics.inc('card_answers_total', { answer: outcome.state });
  ctx.log.debug('card click answered', { eventId: inbound.eventId, answer: outcome.state, ms: Date.now() - started });
  return ok(body);
};
