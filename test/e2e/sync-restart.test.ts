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

/**
 * Sync exactly once across a restart and two replicas: what needs bot processes (the SIGKILL case is
 * sync-kill.test.ts, so the two run side by side). The rest of sync is proven in process: test/integration/sync/.
 */
describe('what people do in Guance reaches the card', () => {
  it('stays exactly once across a restart and two replicas', async () => {
    stack = await startStack('sync-replicas');
    const first = await startBotAndFirstPoll(stack);
    const issue = stack.guance.createIssue({ name: 'Flaky login' });
    const card = await waitForCard(stack, issue.uuid);
    const thread = () => threadTexts(stack!, card.message_id);

    stack.guance.addReply(issue.uuid, { content: 'note one', authorName: 'Alice' });
    await waitFor(() => countOf(thread(), 'note one') > 0, 'note one', 90_000, 200);
    await first.stop();

    const noteTwo = stack.guance.addReply(issue.uuid, { content: 'note two (while the bot was down)', authorName: 'Alice' });
    // Note three must be a whole second later than note two: Guance's createAt has one-second resolution.
    await waitFor(() => Date.now() / 1000 >= Math.floor(noteTwo.createAt) + 1, 'the next second', 2_000, 20);
    await Promise.all([stack.startBot(), stack.startBot()]);
    stack.guance.addReply(issue.uuid, { content: 'note three', authorName: 'Bob' });
    await waitFor(() => countOf(thread(), 'note two') > 0 && countOf(thread(), 'note three') > 0, 'notes two and three', 120_000, 200);
    await afterAnotherRound(stack, issue.uuid);

    expect(thread().map((text) => /note (one|two|three)/.exec(text)?.[1])).toEqual(['one', 'two', 'three']);
  }, 240_000);
});
