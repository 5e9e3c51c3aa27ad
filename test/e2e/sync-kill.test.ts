import { afterEach, describe, expect, it } from 'vitest';
import { startStack, waitForCard, type Stack } from '../helpers/stack.js';
import { afterAnotherRound, countOf, startBotAndFirstPoll, threadTexts } from '../helpers/sync-process.js';
import { waitFor } from '../helpers/wait.js';

let stack: Stack | undefined;
afterEach(async () => {
  if (stack) expect(stack.guance.maxRequestsPerMinute()).toBeLessThanOrEqual(20);
  await stack?.close();
  stack = undefined;
});

describe('what people do in Guance reaches the card', () => {
  it('stays exactly once when the replicas are SIGKILLed in the middle of a post', async () => {
    stack = await startStack('sync-kill');
    await startBotAndFirstPoll(stack);
    await stack.startBot();
    const issue = stack.guance.createIssue({ name: 'Flaky login' });
    const card = await waitForCard(stack, issue.uuid);
    const thread = () => threadTexts(stack!, card.message_id);
    stack.guance.addReply(issue.uuid, { content: 'note one', authorName: 'Alice' });
    await waitFor(() => countOf(thread(), 'note one') > 0, 'note one', 90_000, 200);

    // Killed while Lark holds the answer to the post: the next process posts again with the same uuid.
    stack.lark.setLatency(6_000, /\/reply$/);
    const repliesBefore = stack.lark.requestsMatching(/\/reply$/).length;
    stack.guance.addReply(issue.uuid, { content: 'note four', authorName: 'Carol' });
    await waitFor(() => stack!.lark.requestsMatching(/\/reply$/).length > repliesBefore, 'the post of note four to start', 90_000, 50);
    await Promise.all(stack.bots.map((bot) => bot.kill()));
    stack.lark.setLatency(0);
    await stack.startBot();
    await waitFor(() => stack!.lark.requestsMatching(/\/reply$/).length > repliesBefore + 1, 'the repeated post of note four', 90_000, 200);
    await afterAnotherRound(stack, issue.uuid);

    expect(thread().map((text) => /note (one|four)/.exec(text)?.[1])).toEqual(['one', 'four']);
    // The post was really sent twice, with the same Lark uuid: the second one was a no-op.
    const fourPosts = stack.lark
      .requestsMatching(/\/reply$/)
      .map((r) => r.body as { uuid?: string; content?: string })
      .filter((body) => body.content?.includes('note four'));
    expect(fourPosts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(fourPosts.map((body) => body.uuid)).size).toBe(1);
  }, 240_000);
});
