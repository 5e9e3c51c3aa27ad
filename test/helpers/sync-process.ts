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
 * One more round has looked at the (active, followed) issue after the last post. Sync rounds never overlap (one at a
 * time across replicas) and their state is in Redis, so a round that checks the issue again and posts nothing shows
 * that a repeat would not come; an active issue is re-checked every 20 s (handlers/sync/priority.ts).
 */
export async function afterAnotherRound(s: Stack) {
  const start = roundsDone(s);
  await waitFor(() => roundsDone(s) >= start + 1, 'one more sync round', 60_000, 100);
}

/** Issues created before the bot's first poll count as history and get no card; start, then wait for that poll. */
export async function startBotAndFirstPoll(s: Stack) {
  const bot = await s.startBot();
  await waitFor(() => s.guance.requests.some((r) => r.path === '/api/v1/issue/list'), 'the first poll', 30_000, 50);
  return bot;
}
