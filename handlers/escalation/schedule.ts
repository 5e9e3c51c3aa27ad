import type { Config } from '../../src/config.js';
import type { Ctx } from '../../src/context.js';
import { JOBS, jobIds } from '../../src/queue/jobs.js';
import type { IssueSnapshot } from '../../src/store/index.js';

/** Is this card's level one that escalates (ESCALATION_LEVELS: level names or Guance level UUIDs, any case)? */
export function escalates(config: Pick<Config, 'escalation'>, snapshot: Pick<IssueSnapshot, 'level' | 'levelId'>): boolean {
  const { levels, steps } = config.escalation;
  if (levels.length === 0 || steps.length === 0) return false;
  const names = [snapshot.level?.name, snapshot.levelId].filter((v): v is string => Boolean(v)).map((v) => v.toLowerCase());
  return levels.some((level) => names.includes(level.toLowerCase()));
}

/**
 * One delayed job per step for a card just posted (or a storm digest line): a restart keeps it, replicas share it
 * (the id), and it fires `minutes` after the card, not after this call.
 */
export async function scheduleEscalations(
  ctx: Ctx,
  snapshot: IssueSnapshot,
  chatId: string,
  postedAt: number,
  digest?: { window: number; page: number },
): Promise<void> {
  if (!escalates(ctx.config, snapshot)) return;
  const steps = ctx.config.escalation.steps;
  const round = snapshot.escalationRound ?? 0;
  for (let step = 0; step < steps.length; step += 1) {
    const due = postedAt + (steps[step]?.minutes ?? 0) * 60_000;
    await ctx.queues.add(
      JOBS.escalate,
      { itemId: snapshot.uuid, chatId, step, round, ...(digest ? { digest } : {}) },
      jobIds.escalation(snapshot.uuid, chatId, step, round),
      { delayMs: Math.max(0, due - Date.now()) },
    );
  }
}

/**
 * For a delivery that finds its card already linked: the process that posted it may have died between the link and
 * the escalation jobs (a SIGKILL, seen in test/e2e/escalation-kill.test.ts), so they are added again, counted from
 * the card's own time. Job ids make a pending step once; a step that already fired is skipped by its claim, and one
 * whose issue was acknowledged since finds it acknowledged when due.
 */
export async function rescheduleEscalations(ctx: Ctx, itemId: string, chatId: string, postedAt: number): Promise<void> {
  const snapshot = await ctx.store.links.snapshot(itemId);
  if (snapshot && !snapshot.snoozed) await scheduleEscalations(ctx, snapshot, chatId, postedAt);
}
