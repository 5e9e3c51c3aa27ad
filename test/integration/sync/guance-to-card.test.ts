import { describe, it } from 'vitest';
import { appStackForTest, type AppStack, type AppStackOptions } from '../../helpers/app-stack.js';
import { buttonLabels, cardText, waitForCard } from '../../helpers/cards.js';
import { countOf, postedAt, syncRoundFinished, syncRoundsAfter, threadTexts } from '../../helpers/sync-watch.js';
import { waitFor } from '../../helpers/wait.js';

/**
 * What people do in Guance reaches the card: sync, in process, at the real budget (20/min). Sync rounds start
 * every second here; when an issue is next checked is sync's own priority rule (a freshly carded issue every
 * 30 s, an active one every 20 s). Sync with 30 followed issues at 20/min is in test/integration/budget/.
 */

/**
 * Card sends are answered a second late: the card is in the chat at once, but the bot follows the issue (and
 * checks it first) only once Lark has answered. What the test then does in Guance is seen by that first check,
 * instead of racing it and waiting for the next one (30 s later).
 */
const CARD_SEND = /^POST \/open-apis\/im\/v1\/messages$/;
const slowCardSends: AppStackOptions = { beforeStart: ({ lark }) => lark.setLatency(1_000, CARD_SEND) };

/** The sync round that made the post at `posted` has finished, and three more rounds after it. */
async function afterPostRounds(stack: AppStack, posted: number): Promise<void> {
  const round = await syncRoundFinished(stack, (r) => (r.processedOn ?? Infinity) <= posted && (r.finishedOn ?? 0) >= posted);
  await syncRoundsAfter(stack, round.finishedOn ?? posted, 3);
}

describe.concurrent('what people do in Guance reaches the card', () => {
  it("posts a person's reply once in the right card's thread, and never the bot's own comments or changes", async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'sync-reply', slowCardSends);
    const issue = stack.guance.createIssue({ name: 'Payment timeouts', level: 'P1' });
    const other = stack.guance.createIssue({ name: 'Unrelated issue' });
    const card = await waitForCard(stack, issue.uuid, 10_000);
    const otherCard = await waitForCard(stack, other.uuid, 10_000);

    // What the bot's own key writes (its comment path, a status change): Guance records our key as the creator.
    for (const [path, body] of [
      ['/api/v1/issue/reply/create', { issueUUID: issue.uuid, content: '[Lark] Bob: written from Lark', extend: {} }],
      [`/api/v1/issue/${issue.uuid}/modify`, { statusType: 15 }],
    ] as const) {
      const response = await fetch(`${stack.guance.url}${path}`, {
        method: 'POST',
        headers: { 'DF-API-KEY': stack.guance.apiKey, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
    }
    stack.guance.addReply(issue.uuid, { content: '<p>Rolled back the <b>deploy</b> &amp; watching</p>', authorName: 'Alice' });
    stack.lark.setLatency(0);

    await waitFor(() => countOf(threadTexts(stack, card.message_id), 'Rolled back') > 0, 'the reply in the thread', 60_000, 50);
    // The round that posted it has finished, and three more after it: nothing is posted twice. (That a later check
    // of the same issue does not repeat what it posted before is shown by the 30-issue test in budget/.)
    await afterPostRounds(stack, postedAt(stack, 'Rolled back'));

    const texts = threadTexts(stack, card.message_id);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(/^Alice replied in Guance at \d{4}-\d\d-\d\d \d\d:\d\d \(UTC\+8\):\nRolled back the deploy & watching$/);
    expect(countOf(texts, 'written from Lark')).toBe(0);
    expect(threadTexts(stack, otherCard.message_id)).toEqual([]);
    const replies = stack.lark.repliesTo(card.message_id);
    expect(replies.every((m) => m.msg_type === 'text' && m.thread_id !== undefined)).toBe(true);
  }, 120_000);

  it('a status change made in Guance updates the card and adds one thread line', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'sync-status', slowCardSends);
    const issue = stack.guance.createIssue({ name: 'Disk almost full', level: 'P0' });
    const card = await waitForCard(stack, issue.uuid, 10_000);
    expect(buttonLabels(card.card)).toEqual(['Acknowledge', 'Resolve', 'War room', 'Open in Guance', 'Comment']);

    stack.guance.setStatus(issue.uuid, 20, 'Alice');
    stack.lark.setLatency(0);
    await waitFor(() => card.patches.some((p) => p.includes('Resolved by Alice in Guance')), 'the card PATCHed to Resolved', 60_000, 50);
    await waitFor(() => countOf(threadTexts(stack, card.message_id), 'Resolved by Alice in Guance') > 0, 'the thread line', 10_000, 50);
    // A resolved issue is checked again only minutes later; the rounds after the one that posted must not repeat it.
    await afterPostRounds(stack, postedAt(stack, 'Resolved by Alice in Guance'));

    const texts = threadTexts(stack, card.message_id);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(/^Resolved by Alice in Guance at \d{4}-\d\d-\d\d \d\d:\d\d \(UTC\+8\)$/);
    expect(cardText(card.card)).toContain('Resolved');
    expect(buttonLabels(card.card)).toEqual(['Reopen', 'War room', 'Open in Guance', 'Comment']);
    // Resolved in Guance counts as the first response too: both times are recorded, once.
    const labels = { channel: 'default', level: 'P0' };
    expect(await stack.metric('larkbot_time_to_resolve_seconds_count', labels)).toBe(1);
    expect(await stack.metric('larkbot_time_to_ack_seconds_count', labels)).toBe(1);
  }, 120_000);
});
