import type { AppStack } from './app-stack.js';
import { waitFor } from './wait.js';

/** What the outside can see of sync: its posts in card threads, its checks at Guance, its rounds in BullMQ. */

/** Texts of the bot's messages in a card's thread, in the order Lark got them. */
export function threadTexts(stack: AppStack, messageId: string): string[] {
  return stack.lark.repliesTo(messageId).map((m) => {
    const parsed = JSON.parse(m.content) as { text?: string };
    return parsed.text ?? m.content;
  });
}

export const countOf = (texts: string[], needle: string) => texts.filter((text) => text.includes(needle)).length;

/** When Lark received the bot's thread post whose body contains `needle`. */
export function postedAt(stack: AppStack, needle: string): number {
  const post = stack.lark.requestsMatching(/\/reply$/).find((r) => JSON.stringify(r.body).includes(needle));
  if (!post) throw new Error(`no post containing ${needle}`);
  return post.at;
}

export interface SyncRound {
  processedOn?: number;
  finishedOn?: number;
}

/** Sync's checks, as Guance saw them: one list of an issue's replies per check. */
const replyLists = (stack: AppStack) =>
  stack.guance.requests.filter((r) => r.method === 'GET' && /^\/api\/v1\/issue\/reply\/[^/]+\/list$/.test(r.path));

const syncRounds = (stack: AppStack) => stack.jobs.list('schedule', { name: 'sync-issues' }).filter((job) => job.state === 'completed');

/** Waits for a completed sync round that checked at least one issue while it ran, and matches `which`. */
export async function syncRoundFinished(stack: AppStack, which: (round: SyncRound) => boolean, timeoutMs = 90_000): Promise<SyncRound> {
  const checkedDuring = (round: SyncRound) =>
    round.processedOn !== undefined &&
    round.finishedOn !== undefined &&
    replyLists(stack).some((r) => r.at >= round.processedOn! && r.at <= round.finishedOn!);
  return waitFor(() => syncRounds(stack).find((round) => checkedDuring(round) && which(round)), 'the sync round to finish', timeoutMs, 50);
}

/** Waits until `count` more sync rounds have run to the end, each started after the one before it finished. */
export async function syncRoundsAfter(stack: AppStack, since: number, count: number): Promise<void> {
  let after = since;
  for (let n = 0; n < count; n += 1) {
    const round = await waitFor(
      () => syncRounds(stack).find((job) => (job.processedOn ?? 0) > after),
      `sync round ${n + 1} of ${count} after ${since}`,
      10_000,
      50,
    );
    after = round.finishedOn ?? Date.now();
  }
}
