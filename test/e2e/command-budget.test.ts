import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotProcess } from '../helpers/bot-process.js';
import { messageEvent } from '../helpers/lark-signing.js';
import { CHAT, startStack, waitForCard, type Stack } from '../helpers/stack.js';
import { sleep, waitFor } from '../helpers/wait.js';

/** At the real budget (20/min): people keep their reserve while the poller works, and a rate-limited comment is retried. */
let stack: Stack;
let bot: BotProcess;
let issueUuid: string;
let cardMessageId: string;

async function sayInThread(text: string): Promise<string> {
  const { payload, messageId } = messageEvent({
    text: `@_user_1 ${text}`,
    mentions: [{ key: '@_user_1', id: { open_id: stack.lark.botOpenId }, name: 'IssueBot', mentioned_type: 'bot' }],
    rootId: cardMessageId,
  });
  stack.lark.addIncomingMessage({ chat_id: CHAT, message_id: messageId, root_id: cardMessageId, parent_id: cardMessageId });
  const response = await fetch(`${bot.url}/lark/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  expect(response.status).toBe(200);
  return messageId;
}

beforeAll(async () => {
  stack = await startStack('command-budget');
  bot = await stack.startBot();
  issueUuid = stack.guance.createIssue({ name: 'Disk almost full' }).uuid;
  cardMessageId = (await waitForCard(stack, issueUuid)).message_id;
});

afterAll(async () => {
  expect(stack.guance.maxRequestsPerMinute()).toBeLessThanOrEqual(20);
  await stack.close();
});

describe('the Guance budget seen from the chat', () => {
  it('an ack goes out within seconds while the poller spends its share', async () => {
    // Let the poller run at its full share for a while first.
    await sleep(12_000);
    const id = await sayInThread('ack');
    const answer = await waitFor(() => stack.lark.repliesTo(id)[0], 'the ack answer', 15_000, 100);
    expect(answer.content).toContain('Acknowledged');
    expect(stack.guance.issue(issueUuid)?.statusType).toBe(15);
  });

  it('a comment Guance rate-limits is answered "will retry", and is retried until it lands, once', async () => {
    stack.guance.failNext('reply/create', { kind: 'rateLimited' });
    const id = await sayInThread('please keep trying');
    const notice = await waitFor(() => stack.lark.repliesTo(id)[0], 'the rate-limit notice', 30_000, 100);
    expect(notice.content).toContain('Rate-limited');
    const done = await waitFor(
      () => stack.lark.repliesTo(id).find((m) => m.content.includes('Comment added')),
      'the comment after the pause',
      120_000,
      500,
    );
    expect(done).toBeDefined();
    expect(stack.guance.repliesOf(issueUuid).filter((r) => r.content.includes('please keep trying'))).toHaveLength(1);
    expect(stack.lark.repliesTo(id)).toHaveLength(2);
  }, 150_000);
});
