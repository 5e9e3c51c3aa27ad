import type { Ctx } from '../../src/context.js';
import type { IssueSnapshot } from '../../src/store/index.js';
import { stopReminders } from './escalation-cancel.js';

/**
 * Times how long people took to react to a card: posted → first acknowledged, posted → first resolved, whether
 * it happened from a button, a command or in Guance. A resolution without an acknowledgement before it also
 * counts as the acknowledgement. Each is recorded once per issue across retries and replicas (a claim).
 */
/** `YYYY-MM-DD` of an instant in a time zone (the daily digest's "yesterday"). */
export function dayIn(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

export async function recordResponse(ctx: Ctx, snapshot: IssueSnapshot, action: 'ack' | 'resolve' | 'reopen' | 'status', atSeconds: number): Promise<void> {
  if (action !== 'ack' && action !== 'resolve') return;
  // Somebody has it: nobody needs to be buzzed or reminded about it any more.
  await stopReminders(ctx, snapshot.uuid);
  const cards = await ctx.store.links.cardsFor(snapshot.uuid);
  if (cards.length === 0) return;
  const postedSeconds = Math.min(...cards.map((card) => card.postedAt)) / 1000;
  const labels = { channel: snapshot.channel ?? 'unknown', level: snapshot.level?.name ?? 'none' };
  const day = dayIn(atSeconds * 1000, ctx.config.timeZone);
  if (await ctx.store.claims.claimFirstResponse(snapshot.uuid, 'ack')) {
    ctx.metrics.observe('time_to_ack_seconds', atSeconds - postedSeconds, labels);
    await ctx.store.responseTimes.record('ack', day, atSeconds - postedSeconds);
  }
  if (action === 'resolve' && (await ctx.store.claims.claimFirstResponse(snapshot.uuid, 'resolve'))) {
    ctx.metrics.observe('time_to_resolve_seconds', atSeconds - postedSeconds, labels);
    await ctx.store.responseTimes.record('resolve', day, atSeconds - postedSeconds);
  }
}
