import { describe, it, type TestContext } from 'vitest';
import { cardsFor, startStack, waitForCard, type Stack } from '../helpers/stack.js';
import { waitForNoWork } from '../helpers/queues.js';
import { waitFor } from '../helpers/wait.js';

/** A stack of the test's own (the tests run side by side), closed when the test ends. */
async function stackFor(context: TestContext, label: string): Promise<Stack> {
  const stack = await startStack(label);
  context.onTestFinished(async () => {
    context.expect(stack.guance.maxRequestsPerMinute()).toBeLessThanOrEqual(20);
    await stack.close();
  });
  return stack;
}


/** The poller's lists (they carry a time window; sync's scans ask for open issues instead). */
const polls = (stack: Stack) =>
  stack.guance.requests.filter((r) => r.path === '/api/v1/issue/list' && JSON.stringify(r.body).includes('"startTime"')).length;

/**
 * Two whole polls began after now (a third has started, so the second has ended and queued what it found), and
 * every job they queued has run: a second card, if any, would have been posted by then.
 */
async function afterTwoPolls(stack: Stack): Promise<void> {
  const start = polls(stack);
  await waitFor(() => polls(stack) >= start + 3, 'two more polls', 40_000, 100);
  await waitForNoWork(stack.prefix);
}

/** Guance's createAt has one-second resolution: let the clock pass the second `at` (unix seconds) is in. */
const nextSecond = (at: number) => waitFor(() => Date.now() / 1000 >= Math.floor(at) + 1, 'the next second', 2_000, 20);

/**
 * Exactly one card across restarts, crashes and replicas: what needs bot processes. The rest of the poller and the
 * card delivery is proven in process: test/integration/delivery/.
 */
// Restarts, stalled-job recovery (~10 s) and two extra polls add up; the waits inside bound each step.
describe.concurrent('new Guance issues become cards', { timeout: 120_000 }, () => {
  it('stays exactly one across stop and restart, and delivers what was created while down', async (context) => {
    const { expect } = context;
    const stack = await stackFor(context, 'poll-restart');
    const first = await stack.startBot();
    const before = stack.guance.createIssue({ name: 'Before restart' });
    await waitForCard(stack, before.uuid);
    await first.stop();
    const whileDown = stack.guance.createIssue({ name: 'While the bot was down' });
    await nextSecond(whileDown.createAt);
    await stack.startBot();
    await waitForCard(stack, whileDown.uuid);
    await afterTwoPolls(stack);
    expect(cardsFor(stack, before.uuid)).toHaveLength(1);
    expect(cardsFor(stack, whileDown.uuid)).toHaveLength(1);
  });

  it('stays exactly one when killed with SIGKILL mid-delivery', async (context) => {
    const { expect } = context;
    const stack = await stackFor(context, 'poll-sigkill');
    const bot = await stack.startBot();
    stack.lark.setLatency(4_000, 'POST /open-apis/im/v1/messages');
    const issue = stack.guance.createIssue({ name: 'Killed mid-delivery' });
    await waitFor(() => stack.lark.requests.some((r) => r.path === '/open-apis/im/v1/messages'), 'the send to start', 30_000, 50);
    await bot.kill();
    stack.lark.setLatency(0);
    await stack.startBot();
    await waitFor(() => stack.lark.requests.filter((r) => r.path === '/open-apis/im/v1/messages').length >= 2, 'the retried send', 45_000, 100);
    await afterTwoPolls(stack);
    expect(cardsFor(stack, issue.uuid)).toHaveLength(1);
  });

  it('stays exactly one with two bot processes sharing one Redis', async (context) => {
    const { expect } = context;
    const stack = await stackFor(context, 'poll-replicas');
    await Promise.all([stack.startBot(), stack.startBot()]);
    const issues = [1, 2, 3].map((n) => stack.guance.createIssue({ name: `Replica issue ${n}` }));
    for (const issue of issues) await waitForCard(stack, issue.uuid);
    await afterTwoPolls(stack);
    for (const issue of issues) expect(cardsFor(stack, issue.uuid)).toHaveLength(1);
  });
});
