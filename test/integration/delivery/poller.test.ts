import { describe, it } from 'vitest';
import { appStackForTest, type AppStack } from '../../helpers/app-stack.js';
import { buttonLabels, cardText, cardsFor, waitForCard } from '../../helpers/cards.js';

/**
 * New Guance issues become cards: the poller and the card delivery, in process, at the real budget (20/min).
 * Every test has its own bot, fakes and Redis prefix, so they run side by side. A poll Guance rate-limits is in
 * test/integration/budget/.
 */

const SENDS = 'POST /open-apis/im/v1/messages';
const sends = (stack: AppStack) => stack.lark.requests.filter((r) => r.path === '/open-apis/im/v1/messages');

/** The card's delivery job has finished: the bot has Lark's answer to every send it made. */
async function delivered(stack: AppStack, issueUuid: string): Promise<void> {
  await stack.jobs.waitFor('deliver', { name: 'post-issue-card', id: issueUuid });
}

/** After the card: two more polls ran (and whatever they queued was delivered) — a duplicate would show by now. */
async function afterTwoPolls(stack: AppStack, since = Date.now()): Promise<void> {
  await stack.pollsAfter(since, 2);
}

describe.concurrent('new Guance issues become cards', () => {
  it('posts exactly one card with the title and the three buttons; history before the first start is not posted', async (context) => {
    const { expect } = context;
    let oldUuid = '';
    const stack = await appStackForTest(context, 'poll-basic', {
      beforeStart: ({ guance }) => {
        // Created (a few seconds) before the bot ever ran.
        oldUuid = guance.createIssue({ name: 'Created before the bot ever ran', level: 'P1', createAt: Math.floor(Date.now() / 1000) - 3 }).uuid;
      },
    });
    const issue = stack.guance.createIssue({ name: 'Checkout returns 500', level: 'P0', description: '<p>NPE in <b>CartService</b></p>' });
    await waitForCard(stack, issue.uuid, 10_000);
    await afterTwoPolls(stack);
    const cards = cardsFor(stack, issue.uuid);
    expect(cards).toHaveLength(1);
    expect(cardText(cards[0]?.card)).toContain('Checkout returns 500');
    expect(buttonLabels(cards[0]?.card)).toEqual(['Acknowledge', 'Resolve', 'War room', 'Open in Guance', 'Comment']);
    expect(cardsFor(stack, oldUuid)).toHaveLength(0);
    expect(stack.logs.some((l) => l.message === 'issue card posted' && l.issue === issue.uuid)).toBe(true);
  });

  it('stays exactly one when Lark answers the first two sends with 500', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'poll-lark500', {
      beforeStart: ({ lark }) => lark.failNext(SENDS, { kind: 'status', status: 500 }, 2),
    });
    const issue = stack.guance.createIssue({ name: 'Lark was flaky' });
    await waitForCard(stack, issue.uuid, 15_000);
    await delivered(stack, issue.uuid);
    await afterTwoPolls(stack);
    expect(cardsFor(stack, issue.uuid)).toHaveLength(1);
    expect(sends(stack).length).toBeGreaterThanOrEqual(3);
    expect(sends(stack).slice(0, 2).map((r) => r.status)).toEqual([500, 500]);
  });

  it('watches named channels, skips deleted ones, and names an unknown one in an error', async (context) => {
    const { expect } = context;
    let opsUuid = '';
    const stack = await appStackForTest(context, 'poll-channels', {
      env: { GUANCE_CHANNELS: 'ops,retired,no-such-channel' },
      beforeStart: ({ guance }) => {
        opsUuid = guance.addChannel('ops').uuid;
        const retired = guance.addChannel('retired');
        guance.deleteChannel(retired.uuid);
      },
    });
    const inOps = stack.guance.createIssue({ name: 'Only in ops', channels: ['ops'] });
    await waitForCard(stack, inOps.uuid, 10_000);
    const error = await stack.waitForLog((l) => l.level === 'error' && String(l.message).includes('GUANCE_CHANNELS'), 'the unknown-channel error');
    expect(error.message).toContain('no-such-channel');
    expect(error.message).toContain('retired');
    const listed = stack.guance.requests.filter((r) => r.path === '/api/v1/issue/list').map((r) => (r.body as { channelUUID?: string }).channelUUID);
    expect(new Set(listed)).toEqual(new Set([opsUuid]));
  });

  it('waits as long as Lark says after a 429 before sending again, and posts once', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'poll-lark429', {
      beforeStart: ({ lark }) => lark.failNext(SENDS, { kind: 'rateLimit', resetSeconds: 3 }),
    });
    const issue = stack.guance.createIssue({ name: 'Lark said wait' });
    await waitForCard(stack, issue.uuid, 15_000);
    await delivered(stack, issue.uuid);
    const sent = sends(stack);
    expect(sent.map((r) => r.status)).toEqual([429, 200]);
    // The wait Lark asked for (x-ogw-ratelimit-reset) is a lower bound on the bot's pause, not a timing guess.
    expect((sent[1]?.at ?? 0) - (sent[0]?.at ?? 0)).toBeGreaterThanOrEqual(3_000);
    await afterTwoPolls(stack);
    expect(cardsFor(stack, issue.uuid)).toHaveLength(1);
  });
});
