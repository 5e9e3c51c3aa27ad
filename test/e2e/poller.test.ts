import { afterEach, describe, expect, it } from 'vitest';
import { buttonLabels, cardText, cardsFor, startStack, waitForCard, type Stack } from '../helpers/stack.js';
import { sleep, waitFor } from '../helpers/wait.js';

let stack: Stack | undefined;
afterEach(async () => {
  if (stack) expect(stack.guance.maxRequestsPerMinute()).toBeLessThanOrEqual(20);
  await stack?.close();
  stack = undefined;
});


/** Long enough for two more polls (7 s each at the default budget) to have happened. */
const afterTwoPolls = () => sleep(15_000);

// Restarts, stalled-job recovery (~10 s) and two extra polls add up; the waits inside bound each step.
describe('new Guance issues become cards', { timeout: 120_000 }, () => {
  it('posts exactly one card with the title and the three buttons; history before the first start is not posted', async () => {
    stack = await startStack('poll-basic');
    const old = stack.guance.createIssue({ name: 'Created before the bot ever ran', level: 'P1' });
    await sleep(1100);
    const bot = await stack.startBot();
    const issue = stack.guance.createIssue({ name: 'Checkout returns 500', level: 'P0', description: '<p>NPE in <b>CartService</b></p>' });
    await waitForCard(stack, issue.uuid);
    await afterTwoPolls();
    const cards = cardsFor(stack, issue.uuid);
    expect(cards).toHaveLength(1);
    expect(cardText(cards[0]?.card)).toContain('Checkout returns 500');
    expect(buttonLabels(cards[0]?.card)).toEqual(['Acknowledge', 'Resolve', 'Open in Guance']);
    expect(cardsFor(stack, old.uuid)).toHaveLength(0);
    expect(bot.logs.some((l) => l.message === 'issue card posted' && l.issue === issue.uuid)).toBe(true);
  });

  it('stays exactly one across stop and restart, and delivers what was created while down', async () => {
    stack = await startStack('poll-restart');
    const first = await stack.startBot();
    const before = stack.guance.createIssue({ name: 'Before restart' });
    await waitForCard(stack, before.uuid);
    await first.stop();
    const whileDown = stack.guance.createIssue({ name: 'While the bot was down' });
    await sleep(1000);
    await stack.startBot();
    await waitForCard(stack, whileDown.uuid);
    await afterTwoPolls();
    expect(cardsFor(stack, before.uuid)).toHaveLength(1);
    expect(cardsFor(stack, whileDown.uuid)).toHaveLength(1);
  });

  it('stays exactly one when killed with SIGKILL mid-delivery', async () => {
    stack = await startStack('poll-sigkill');
    const bot = await stack.startBot();
    stack.lark.setLatency(4_000, 'POST /open-apis/im/v1/messages');
    const issue = stack.guance.createIssue({ name: 'Killed mid-delivery' });
    await waitFor(() => stack?.lark.requests.some((r) => r.path === '/open-apis/im/v1/messages'), 'the send to start', 30_000, 50);
    await bot.kill();
    stack.lark.setLatency(0);
    await stack.startBot();
    await waitFor(() => stack && stack.lark.requests.filter((r) => r.path === '/open-apis/im/v1/messages').length >= 2, 'the retried send', 45_000, 100);
    await afterTwoPolls();
    expect(cardsFor(stack, issue.uuid)).toHaveLength(1);
  });

  it('stays exactly one with two bot processes sharing one Redis', async () => {
    stack = await startStack('poll-replicas');
    await Promise.all([stack.startBot(), stack.startBot()]);
    const issues = [1, 2, 3].map((n) => stack!.guance.createIssue({ name: `Replica issue ${n}` }));
    for (const issue of issues) await waitForCard(stack, issue.uuid);
    await afterTwoPolls();
    for (const issue of issues) expect(cardsFor(stack, issue.uuid)).toHaveLength(1);
  });

  it('stays exactly one when Lark answers the first two sends with 500', async () => {
    stack = await startStack('poll-lark500');
    stack.lark.failNext('POST /open-apis/im/v1/messages', { kind: 'status', status: 500 }, 2);
    await stack.startBot();
    const issue = stack.guance.createIssue({ name: 'Lark was flaky' });
    await waitForCard(stack, issue.uuid);
    await afterTwoPolls();
    expect(cardsFor(stack, issue.uuid)).toHaveLength(1);
    expect(stack.lark.requests.filter((r) => r.path === '/open-apis/im/v1/messages').length).toBeGreaterThanOrEqual(3);
  });

  it('stays exactly one when Guance answers a poll with rate-limited, and pauses', async () => {
    stack = await startStack('poll-ratelimited');
    const bot = await stack.startBot();
    await waitFor(() => stack?.guance.requests.some((r) => r.path === '/api/v1/issue/list'), 'a first poll', 20_000);
    stack.guance.failNext('POST /api/v1/issue/list', { kind: 'rateLimited' });
    const issue = stack.guance.createIssue({ name: 'Guance said slow down' });
    await waitFor(() => stack?.guance.requests.some((r) => r.rateLimited), 'the rate-limited answer', 20_000);
    await waitForCard(stack, issue.uuid, 90_000);
    expect(cardsFor(stack, issue.uuid)).toHaveLength(1);
    expect(bot.logs.some((l) => l.level === 'warn' && JSON.stringify(l).includes('CurrentLimiting'))).toBe(true);
  }, 120_000);

  it('watches named channels, skips deleted ones, and names an unknown one in an error', async () => {
    stack = await startStack('poll-channels', { env: { GUANCE_CHANNELS: 'ops,retired,no-such-channel' } });
    stack.guance.addChannel('ops');
    const retired = stack.guance.addChannel('retired');
    stack.guance.deleteChannel(retired.uuid);
    const bot = await stack.startBot();
    const inOps = stack.guance.createIssue({ name: 'Only in ops', channels: ['ops'] });
    await waitForCard(stack, inOps.uuid);
    const error = await bot.waitForLog((l) => l.level === 'error' && String(l.message).includes('GUANCE_CHANNELS'), 'the unknown-channel error');
    expect(error.message).toContain('no-such-channel');
    expect(error.message).toContain('retired');
    const listed = stack.guance.requests.filter((r) => r.path === '/api/v1/issue/list').map((r) => (r.body as { channelUUID?: string }).channelUUID);
    expect(new Set(listed)).toEqual(new Set([stack.guance.channels().find((c) => c.name === 'ops')?.uuid]));
  });

  it('waits as long as Lark says after a 429 before sending again, and posts once', async () => {
    stack = await startStack('poll-lark429');
    stack.lark.failNext('POST /open-apis/im/v1/messages', { kind: 'rateLimit', resetSeconds: 3 });
    await stack.startBot();
    const issue = stack.guance.createIssue({ name: 'Lark said wait' });
    await waitForCard(stack, issue.uuid);
    const sends = stack.lark.requests.filter((r) => r.path === '/open-apis/im/v1/messages');
    expect(sends.map((r) => r.status)).toEqual([429, 200]);
    expect((sends[1]?.at ?? 0) - (sends[0]?.at ?? 0)).toBeGreaterThanOrEqual(3_000);
    await afterTwoPolls();
    expect(cardsFor(stack, issue.uuid)).toHaveLength(1);
  });
});

