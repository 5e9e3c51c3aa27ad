import type { Ctx } from '../../src/context.js';
import { JOBS, jobIds } from '../../src/queue/jobs.js';

/**
 * Someone acknowledged or resolved the issue (a button, a command, Guance, the source itself): its pending
 * escalations are removed. The escalation job re-checks the issue when it fires anyway, so a removal that loses a
 * race (or a replica that never saw the change) still buzzes nobody.
 */
export async function cancelEscalations(ctx: Ctx, itemId: string): Promise<void> {
  const snapshot = await ctx.store.links.snapshot(itemId);
  const steps = ctx.config.escalation.steps.length;
  if (steps === 0) return;
  const round = snapshot?.escalationRound ?? 0;
  for (const card of await ctx.store.links.cardsFor(itemId)) {
    for (let step = 0; step < steps; step += 1) await ctx.queues.remove(JOBS.escalate, jobIds.escalation(itemId, card.chatId, step, round));
  }
}

/**
 * Someone has the issue now: nobody needs reminding. Pending escalations go, and a snooze is moot: its expiry
 * goes and so does the record (a later reopen starts afresh). Callers hold the item's lock (the one issue core),
 * so the snapshot write cannot race another change.
 */
export async function stopReminders(ctx: Ctx, itemId: string): Promise<void> {
  await cancelEscalations(ctx, itemId);
  const snapshot = await ctx.store.links.snapshot(itemId);
  if (!snapshot?.snoozed) return;
  await ctx.queues.remove(JOBS.snoozeExpiry, jobIds.snoozeExpiry(itemId, snapshot.snoozed.until));
  const { snoozed: _ended, ...rest } = snapshot;
  await ctx.store.links.saveSnapshot(rest);
}
