import { describe, it } from 'vitest';
import { CHAT, appStackForTest, type AppStack } from '../../helpers/app-stack.js';
import { cardOf, cardsFor, waitForCard } from '../../helpers/cards.js';
import { messageEvent } from '../../helpers/lark-signing.js';
import { countOf, syncRoundsAfter, threadTexts } from '../../helpers/sync-watch.js';
import { waitFor } from '../../helpers/wait.js';

/**
 * SPEC, "Within budgets": Guance allows 20 requests a minute per key; the bot spends that deliberately, keeps
 * headroom for what people ask from the chat, and backs off when told. Every test runs at the real 20/min with
 * polls due every second (the poller runs out of its share within seconds) and a bot of its own.
 *
 * These tests take about a minute each whatever the intervals: after a rate-limited answer the bot pauses until
 * the oldest request of its 61 s window leaves it, and sync's scan of many followed issues runs once a minute.
 * They share this file so that they wait side by side.
 */

/** Sends an @bot message in the card's thread, as Lark would. */
async function sayInThread(stack: AppStack, cardMessageId: string, text: string): Promise<string> {
  const { payload, messageId } = messageEvent({
    text: `@_user_1 ${text}`,
    mentions: [{ key: '@_user_1', id: { open_id: stack.lark.botOpenId }, name: 'IssueBot', mentioned_type: 'bot' }],
    rootId: cardMessageId,
  });
  stack.lark.addIncomingMessage({ chat_id: CHAT, message_id: messageId, root_id: cardMessageId, parent_id: cardMessageId });
  const response = await stack.postEvent(payload);
  if (response.status !== 200) throw new Error(`event answered ${response.status}`);
  return messageId;
}

const deferredPolls = (stack: AppStack) => stack.metric('larkbot_polls_deferred_total');

describe.concurrent('the Guance budget (20/min)', () => {
  it('chat: an ack goes out while the poller has spent its share', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'budget-ack');
    const issueUuid = stack.guance.createIssue({ name: 'Disk almost full' }).uuid;
    const card = await waitForCard(stack, issueUuid, 10_000);
    // The poller has used up its share: its next polls are deferred by the budget.
    await waitFor(async () => (await deferredPolls(stack)) > 0, 'a poll deferred for lack of budget', 20_000, 100);
    const id = await sayInThread(stack, card.message_id, 'ack');
    await stack.jobs.waitFor('inbound', { name: 'message', id }, 10_000);
    expect(stack.lark.repliesTo(id)[0]?.content).toContain('Acknowledged');
    expect(stack.guance.issue(issueUuid)?.statusType).toBe(15);
    // And the poller was still out of budget after the ack: the ack spent the people's reserve, not a freed slot.
    const deferredAfterAck = await deferredPolls(stack);
    await waitFor(async () => (await deferredPolls(stack)) > deferredAfterAck, 'another deferred poll', 10_000, 100);
  });

  it('chat: a comment Guance rate-limits gets one answer: a "waiting" card, turned into the result when the retry lands', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'budget-comment');
    const issueUuid = stack.guance.createIssue({ name: 'Disk almost full' }).uuid;
    const card = await waitForCard(stack, issueUuid, 10_000);
    stack.guance.failNext('reply/create', { kind: 'rateLimited' });
    const id = await sayInThread(stack, card.message_id, 'please keep trying');
    const notice = await waitFor(() => stack.lark.repliesTo(id)[0], 'the waiting card', 10_000, 50);
    expect(notice.msg_type).toBe('interactive');
    expect(notice.content).toContain("Waiting for Guance's limit");
    // The budget pauses until the oldest request of the window leaves it (up to 61 s); then the job's retry lands.
    await stack.jobs.waitFor('inbound', { name: 'message', id }, 90_000);
    const patched = stack.lark.getMessage(notice.message_id)?.patches ?? [];
    expect(patched.at(-1)).toContain('Comment added');
    expect(stack.guance.repliesOf(issueUuid).filter((r) => r.content.includes('please keep trying'))).toHaveLength(1);
    // One answer: the waiting card, updated in place; never a second message.
    expect(stack.lark.repliesTo(id)).toHaveLength(1);
    expect(stack.guance.requests.filter((r) => r.rateLimited)).toHaveLength(1);
  }, 120_000);

  it('delivery: a poll Guance rate-limits makes the bot pause, and the card still comes exactly once', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'budget-poll');
    stack.guance.failNext('POST /api/v1/issue/list', { kind: 'rateLimited' });
    const issue = stack.guance.createIssue({ name: 'Guance said slow down' });
    await waitFor(() => stack.guance.requests.some((r) => r.rateLimited), 'the rate-limited answer', 10_000, 25);
    // The budget pauses every request until the oldest one of the window leaves it (up to 61 s).
    await waitForCard(stack, issue.uuid, 90_000);
    await stack.pollsAfter(Date.now(), 2);
    expect(cardsFor(stack, issue.uuid)).toHaveLength(1);
    expect(stack.logs.some((l) => l.level === 'warn' && JSON.stringify(l).includes('CurrentLimiting'))).toBe(true);
  }, 120_000);

  it('sync: with 30 open carded issues, every reply arrives in order and Guance never sees more than 20 requests a minute', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'budget-sync-thirty');
    const issues = Array.from({ length: 30 }, (_, i) => stack.guance.createIssue({ name: `Busy issue ${i + 1}` }));
    await waitFor(() => issues.every((issue) => cardOf(stack, issue.uuid)), 'all 30 cards', 30_000, 50);
    const started = Date.now();

    const targets = [issues[3], issues[11], issues[19], issues[27]].filter((i) => i !== undefined);
    const twice = targets[0]!;
    const arrived = (t: { uuid: string }, needle: string) => countOf(threadTexts(stack, cardOf(stack, t.uuid)!.message_id), needle) > 0;
    // Wave one while the bot is still making its first pass over 30 new cards; wave two later, once sync has
    // worked on through its backlog for a few more checks.
    const checksBefore = await stack.metric('larkbot_sync_checks_total');
    for (const target of targets.slice(0, 2)) stack.guance.addReply(target.uuid, { content: `First note on ${target.name}`, authorName: 'Alice' });
    await waitFor(async () => (await stack.metric('larkbot_sync_checks_total')) >= checksBefore + 3, 'three more sync checks', 90_000, 200);
    const secondWave = Date.now();
    for (const target of targets.slice(2)) stack.guance.addReply(target.uuid, { content: `First note on ${target.name}`, authorName: 'Alice' });
    stack.guance.addReply(twice.uuid, { content: 'Second note, written later', authorName: 'Bob' });

    await waitFor(
      () => targets.every((t) => arrived(t, 'First note')) && arrived(twice, 'Second note'),
      'every reply in its thread',
      150_000,
      100,
    );
    const allArrived = Date.now();
    console.log(
      `sync: 30 followed issues; replies of the second wave all arrived ${Math.round((allArrived - secondWave) / 1000)} s after they were written (${Math.round((allArrived - started) / 1000)} s after the cards); Guance max ${stack.guance.maxRequestsPerMinute()} requests/min`,
    );
    // Two more sync rounds ran to the end after the last arrival (checks are budget-bound: 5 a minute here).
    await syncRoundsAfter(stack, allArrived, 2);

    for (const target of targets) {
      const texts = threadTexts(stack, cardOf(stack, target.uuid)!.message_id);
      expect(countOf(texts, `First note on ${target.name}`)).toBe(1);
    }
    const both = threadTexts(stack, cardOf(stack, twice.uuid)!.message_id);
    expect(both).toHaveLength(2);
    expect(both[0]).toContain('Alice replied');
    expect(both[1]).toContain('Bob replied');
    for (const issue of issues.filter((i) => !targets.includes(i))) {
      expect(threadTexts(stack, cardOf(stack, issue.uuid)!.message_id)).toEqual([]);
    }
    expect(stack.guance.maxRequestsPerMinute()).toBeLessThanOrEqual(20);
    expect(stack.guance.requests.some((r) => r.rateLimited)).toBe(false);
  }, 300_000);
});
