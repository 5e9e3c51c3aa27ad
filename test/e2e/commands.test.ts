import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotProcess } from '../helpers/bot-process.js';
import { waitForNoWork } from '../helpers/queues.js';
import { sayToBot, startStack, waitForCard, type Stack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Chat commands across a crash of the bot process. Everything else about commands is proven in process:
 * test/integration/commands/.
 */
const TOKEN = 'test-verification-token';
const BUDGET = 200;
const ALICE = { open_id: 'ou_alice000000000000000000000001', name: 'Alice' };
let stack: Stack;
let bot: BotProcess;
let issueUuid: string;


const answerTo = (messageId: string) => waitFor(() => stack.lark.repliesTo(messageId)[0], `an answer to ${messageId}`, 30_000, 100);
const commentsContaining = (text: string) =>
  stack.guance.requests.filter((r) => r.method === 'POST' && r.path.includes('/issue/reply/create') && JSON.stringify(r.body).includes(text));

beforeAll(async () => {
  stack = await startStack('commands', {
    guance: { requestsPerMinute: BUDGET },
    env: { LARK_VERIFICATION_TOKEN: TOKEN, GUANCE_REQUESTS_PER_MINUTE: String(BUDGET), POLL_INTERVAL_SECONDS: '5' },
  });
  stack.lark.addUser(ALICE);
  bot = await stack.startBot();
  const issue = stack.guance.createIssue({ name: 'Payment API timeout', level: 'P1' });
  issueUuid = issue.uuid;
  await waitForCard(stack, issueUuid);
});

afterAll(async () => {
  expect(stack.guance.maxRequestsPerMinute()).toBeLessThanOrEqual(BUDGET);
  expect(stack.guance.requests.filter((r) => r.rateLimited)).toEqual([]);
  await stack.close();
});

describe('crashes', () => {
  it('SIGKILL between the Guance call and the chat answer: one comment, answer after restart', async () => {
    stack.guance.setLatency(4_000, 'reply/create');
    const id = await sayToBot(stack, bot, `#${issueUuid}#survives a crash`, ALICE.open_id, TOKEN);
    await waitFor(() => commentsContaining('survives a crash').length > 0, 'the comment request', 20_000, 50);
    await bot.kill();
    stack.guance.setLatency(0);
    bot = await stack.startBot();
    await answerTo(id);
    // Every job has run to its end (the killed one was found stalled and retried): nothing more can be written.
    await waitForNoWork(stack.prefix);
    expect(stack.guance.repliesOf(issueUuid).filter((r) => r.content.includes('survives a crash'))).toHaveLength(1);
    expect(stack.lark.repliesTo(id)).toHaveLength(1);
  }, 60_000);
});
