import { type Stack } from './stack.js';
import { waitFor } from './wait.js';

/** Shared by the process-level sync tests (test/e2e/sync-*.test.ts). */

/** Texts of the bot's messages in a card's thread, in the order Lark got them. */
export function threadTexts(s: Stack, messageId: string): string[] {
  return s.lark.repliesTo(messageId).map((m) => {
    const parsed = JSON.parse(m.content) as { text?: string };
    return parsed.text ?? m.content;
  });
}
export const countOf = (texts: string[], needle: string) => texts.filter((text) => text.includes(needle)).length;


/** Sync rounds that checked something, logged by any bot of the stack (killed ones included). */
export const roundsDone = (s: Stack) => s.bots.reduce((n, bot) => n + bot.logs.filter((line) => line.message === 'sync round done').length, 0);
/**
 * A later sync round has read the issue's replies again, after everything seen so far was posted, and finished.
 * Rounds never overlap (one at a time across replicas) and keep their state in Redis; the round that posted read the
 * replies before posting, so a reply-list read after `now` belongs to a later round. When that round is done and
 * posted nothing more, nothing will repeat. An active issue is re-read every 20 s (handlers/sync/priority.ts).
 */
export async function afterAnotherRound(s: Stack, issueUuid: string) {
  const seenAt = Date.now();
  const path = `/api/v1/issue/reply/${issueUuid}/list`;
  await waitFor(() => s.guance.requests.some((r) => r.path === path && r.at > seenAt), 'a later read of the replies', 60_000, 100);
  const rounds = roundsDone(s);
  await waitFor(() => roundsDone(s) > rounds, 'that sync round to finish', 60_000, 100);
}

/** Issues created before the bot's first poll count as history and get no card; start, then wait for that poll. */
export async function startBotAndFirstPoll(s: Stack) {
  const bot = await s.startBot();
  await waitFor(() => s.guance.requests.some((r) => r.path === '/api/v1/issue/list'), 'the first poll', 30_000, 50);
  return bot;
}
