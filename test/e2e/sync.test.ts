import { afterEach, describe, expect, it } from 'vitest';
import { startStack, waitForCard, type Stack } from '../helpers/stack.js';
import { sleep, waitFor } from '../helpers/wait.js';

let stack: Stack | undefined;
afterEach(async () => {
  if (stack) expect(stack.guance.maxRequestsPerMinute()).toBeLessThanOrEqual(20);
  await stack?.close();
  stack = undefined;
});


/** Texts of the bot's messages in a card's thread, in the order Lark got them. */
function threadTexts(s: Stack, messageId: string): string[] {
  return s.lark.repliesTo(messageId).map((m) => {
    const parsed = JSON.parse(m.content) as { text?: string };
    return parsed.text ?? m.content;
  });
}
const countOf = (texts: string[], needle: string) => texts.filter((text) => text.includes(needle)).length;


/** Sync rounds that checked something, logged by any bot of the stack (killed ones included). */
const roundsDone = (s: Stack) => s.bots.reduce((n, bot) => n + bot.logs.filter((line) => line.message === 'sync round done').length, 0);
/** Two more rounds have looked at the (active, followed) issue: anything they would post is posted. */
async function afterMoreRounds(s: Stack) {
  const start = roundsDone(s);
  await waitFor(() => roundsDone(s) >= start + 2, 'two more sync rounds', 60_000, 100);
}

/** Issues created before the bot's first poll count as history and get no card; start, then wait for that poll. */
async function startBotAndFirstPoll(s: Stack) {
  const bot = await s.startBot();
  await waitFor(() => s.guance.requests.some((r) => r.path === '/api/v1/issue/list'), 'the first poll', 30_000, 50);
  return bot;
}

/**
 * Sync exactly once across restarts, replicas and a SIGKILL: what needs bot processes. The rest of sync is proven
 * in process: test/integration/sync/.
 */
describe('what people do in Guance reaches the card', () => {
  it('stays exactly once across a restart, two replicas, and a SIGKILL in the middle of a post', async () => {
    stack = await startStack('sync-replicas');
    const first = await startBotAndFirstPoll(stack);
    const issue = stack.guance.createIssue({ name: 'Flaky login' });
    const card = await waitForCard(stack, issue.uuid);
    const thread = () => threadTexts(stack!, card.message_id);

    stack.guance.addReply(issue.uuid, { content: 'note one', authorName: 'Alice' });
    await waitFor(() => countOf(thread(), 'note one') > 0, 'note one', 90_000, 200);
    await first.stop();

    stack.guance.addReply(issue.uuid, { content: 'note two (while the bot was down)', authorName: 'Alice' });
    await sleep(1100);
    const replicas = await Promise.all([stack.startBot(), stack.startBot()]);
    stack.guance.addReply(issue.uuid, { content: 'note three', authorName: 'Bob' });
    await waitFor(() => countOf(thread(), 'note two') > 0 && countOf(thread(), 'note three') > 0, 'notes two and three', 120_000, 200);
    await afterMoreRounds(stack);

    // Killed while Lark holds the answer to the post: the next process posts again with the same uuid.
    stack.lark.setLatency(6_000, /\/reply$/);
    const repliesBefore = stack.lark.requestsMatching(/\/reply$/).length;
    stack.guance.addReply(issue.uuid, { content: 'note four', authorName: 'Carol' });
    await waitFor(() => stack!.lark.requestsMatching(/\/reply$/).length > repliesBefore, 'the post of note four to start', 90_000, 50);
    await Promise.all(replicas.map((bot) => bot.kill()));
    stack.lark.setLatency(0);
    await stack.startBot();
    await waitFor(() => stack!.lark.requestsMatching(/\/reply$/).length > repliesBefore + 1, 'the repeated post of note four', 90_000, 200);
    await afterMoreRounds(stack);

    const texts = thread();
    expect(texts.map((text) => /note (one|two|three|four)/.exec(text)?.[1])).toEqual(['one', 'two', 'three', 'four']);
    // The post was really sent twice, with the same Lark uuid: the second one was a no-op.
    const fourPosts = stack.lark
      .requestsMatching(/\/reply$/)
      .map((r) => r.body as { uuid?: string; content?: string })
      .filter((body) => body.content?.includes('note four'));
    expect(fourPosts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(fourPosts.map((body) => body.uuid)).size).toBe(1);
  }, 330_000);
});
