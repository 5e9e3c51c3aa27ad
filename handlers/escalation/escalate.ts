/**
 * An escalation step fires: if the issue is still unacknowledged (asked again now: Guance for Guance issues), the
 * card's own message is urgented to the step's people, one thread line says who was buzzed and why (and whom Lark
 * did not know, or why Lark refused), and the card shows "escalated". ../shared/reference/lark-platform.md §6.5.
 */
import { t } from '../../cards/i18n.js';
import type { Ctx } from '../../src/context.js';
import { BusyError, LarkApiError } from '../../src/errors.js';
import { JOBS, sendKeys } from '../../src/queue/jobs.js';
import { handle } from '../../src/queue/workers.js';
import { refreshCards, stillUnacknowledged } from '../issues/index.js';


/** E-mails and mobiles → open_ids Lark knows (cached an hour), and who it does not know. */
async function resolvePeople(ctx: Ctx, people: readonly string[]): Promise<{ openIds: Map<string, string>; unknown: string[] }> {
  const emails = people.filter((p) => p.includes('@'));
  const mobiles = people.filter((p) => !p.includes('@'));
  const openIds = await ctx.lark.openIdsFor({ emails, mobiles });
  return { openIds, unknown: people.filter((p) => !openIds.has(p)) };
}

export const escalate = handle(JOBS.escalate, async ({ itemId, chatId, step, round, digest }, ctx) => {
  const plan = ctx.config.escalation.steps[step];
  if (!plan) return { skipped: 'no such step' };
  const current = await ctx.store.links.snapshot(itemId);
  // Snoozed: its expiry re-surfaces it and starts a new round of escalation.
  if (current?.snoozed && current.snoozed.until * 1000 > Date.now()) return { skipped: 'snoozed' };
  if ((current?.escalationRound ?? 0) !== round) return { skipped: 'an older round' };
  if (!(await stillUnacknowledged(ctx, itemId))) return { skipped: 'acknowledged' };
  const messageId = digest
    ? await ctx.store.storms.digestMessage(chatId, digest.window, digest.page)
    : (await ctx.store.links.cardFor(itemId, chatId))?.messageId;
  if (!messageId) throw new BusyError(`the card of ${itemId} in ${chatId} is not posted yet`);
  if (await ctx.store.claims.isEscalated(itemId, chatId, step, round)) return { already: true };

  const lang = ctx.config.language;
  let refusal: string | null = null;
  let people: Awaited<ReturnType<typeof resolvePeople>>;
  // A Guance monitor alert names the people it is for: they are buzzed with the on-call people (SPEC endpoints).
  const named = current?.kind === 'guance-alert' ? (current.people ?? []) : [];
  try {
    people = await resolvePeople(ctx, [...new Set([...plan.people, ...named])]);
  } catch (error) {
    if (!(error instanceof LarkApiError) || error.retryable) throw error;
    // No contact:user.id:readonly (or a refusal): say it where people will see it, buzz nobody.
    refusal = `batch_get_id ${error.larkCode}: ${error.message}`;
    ctx.metrics.inc('urgent_failures_total', { code: String(error.larkCode) });
    ctx.log.error('Lark refused the people lookup for an escalation; said in the card thread', { item: itemId, chatId, step, code: error.larkCode });
    people = { openIds: new Map(), unknown: [] };
  }
  const { openIds, unknown } = people;
  const targets = [...new Set(openIds.values())];
  let invalid: string[] = [];
  if (targets.length > 0) {
    try {
      invalid = (await ctx.lark.urgent(messageId, plan.kind, targets)).invalidOpenIds;
    } catch (error) {
      if (!(error instanceof LarkApiError) || error.retryable) throw error;
      refusal = `${error.larkCode}: ${error.message}`;
      ctx.metrics.inc('urgent_failures_total', { code: String(error.larkCode) });
      ctx.log.error('Lark refused the urgent; said in the card thread', { item: itemId, chatId, step, kind: plan.kind, code: error.larkCode, error: error.message });
    }
  }
  // Marked before the thread line: a retry must never buzz twice; the line itself is idempotent (its send key).
  await ctx.store.claims.markEscalated(itemId, chatId, step, round);
  const buzzedIds = refusal ? [] : targets.filter((id) => !invalid.includes(id));
  const names = await Promise.all(buzzedIds.map(async (id) => (await ctx.lark.userName(id).catch(() => null)) ?? [...openIds].find(([, v]) => v === id)?.[0] ?? id));
  const notInChat = [...openIds].filter(([, id]) => invalid.includes(id)).map(([person]) => person);
  const minutes = String(Math.round(plan.minutes * 10) / 10);
  const lines = [t(lang, 'escalation.line', { minutes, kind: plan.kind, names: names.join(', ') || t(lang, 'card.none') })];
  if (unknown.length) lines.push(t(lang, 'escalation.unknown', { people: unknown.join(', ') }));
  if (notInChat.length) lines.push(t(lang, 'escalation.notInChat', { people: notInChat.join(', ') }));
  if (refusal) lines.push(t(lang, 'escalation.refused', { reason: refusal }));
  if (targets.length === 0 && !refusal) lines.push(t(lang, 'escalation.nobody'));
  await ctx.lark.replyText(messageId, lines.join('\n'), sendKeys.escalationLine(itemId, chatId, step, round), true, chatId);

  const snapshot = await ctx.store.links.snapshot(itemId);
  if (snapshot) {
    await ctx.store.links.saveSnapshot({ ...snapshot, escalated: { step, kind: plan.kind, at: Math.floor(Date.now() / 1000), names } });
    await refreshCards(ctx, itemId);
  }
  ctx.metrics.inc('escalations_total', { step: String(step + 1), kind: plan.kind });
  ctx.log.info('escalated', { item: itemId, chatId, step: step + 1, kind: plan.kind, buzzed: buzzedIds.length, unknown: unknown.length, refused: refusal !== null });
  return { buzzed: buzzedIds.length, unknown: unknown.length, refused: refusal };
});
