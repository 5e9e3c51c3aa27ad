import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../../fakes/lark-server.js';
import { CHAT, startAppStack, type AppStack } from '../../helpers/app-stack.js';
import { waitForCard } from '../../helpers/cards.js';
import { messageEvent } from '../../helpers/lark-signing.js';
import { jobsIn } from '../../helpers/queues.js';
import { waitFor } from '../../helpers/wait.js';

/** Chat commands, in process: every command is a signed-token event on /lark/events, checked against both fakes. */
const TOKEN = 'test-verification-token';
/** Polls run every second here; the budget rules have their own tests (command-budget, guance-budget). */
const BUDGET = 300;
const ALICE = { open_id: 'ou_alice000000000000000000000001', name: 'Alice' };
let stack: AppStack;
let issueUuid: string;
let cardMessageId: string;

interface Say {
  text: string;
  mention?: boolean;
  rootId?: string;
  chatType?: 'group' | 'p2p';
  messageId?: string;
}

/** Sends a message event as Lark would (the user's message also exists in the Lark fake, so replies to it work). */
async function say(input: Say): Promise<string> {
  const mentions = input.mention === false ? [] : [{ key: '@_user_1', id: { open_id: stack.lark.botOpenId }, name: 'IssueBot', mentioned_type: 'bot' }];
  const text = input.mention === false ? input.text : `@_user_1 ${input.text}`;
  const { payload, messageId } = messageEvent({
    token: TOKEN,
    text,
    mentions,
    senderOpenId: ALICE.open_id,
    chatType: input.chatType ?? 'group',
    ...(input.messageId ? { messageId: input.messageId } : {}),
    ...(input.rootId ? { rootId: input.rootId } : {}),
  });
  if (!stack.lark.getMessage(messageId)) {
    stack.lark.addIncomingMessage({ chat_id: CHAT, message_id: messageId, ...(input.rootId ? { root_id: input.rootId, parent_id: input.rootId } : {}) });
  }
  const response = await stack.postEvent(payload);
  expect(response.status).toBe(200);
  return messageId;
}

/** The message's job has finished; its answer was posted before that. */
async function handled(messageId: string) {
  const [job] = await stack.jobs.waitFor('inbound', { name: 'message', id: messageId });
  return job!;
}
async function answerTo(messageId: string): Promise<FakeMessage> {
  await handled(messageId);
  const answer = stack.lark.repliesTo(messageId)[0];
  expect(answer, `an answer to ${messageId}`).toBeDefined();
  return answer!;
}
/** What the poller and sync ask Guance on their own. */
const BACKGROUND = /^(POST \/api\/v1\/issue\/list|GET \/api\/v1\/issue\/reply\/[^/]+\/list|GET \/api\/v1\/channel\/quick_list|GET \/api\/v1\/issue-level\/list)$/;
const guanceCalls = (pathPart: string, method = 'POST') => stack.guance.requests.filter((r) => r.method === method && r.path.includes(pathPart));
const commentsContaining = (text: string) => guanceCalls('/issue/reply/create').filter((r) => JSON.stringify(r.body).includes(text));
const modifies = (uuid: string) => guanceCalls(`/issue/${uuid}/modify`).map((r) => (r.body as { statusType?: number }).statusType);

beforeAll(async () => {
  stack = await startAppStack('commands', {
    guance: { requestsPerMinute: BUDGET },
    env: { LARK_VERIFICATION_TOKEN: TOKEN, GUANCE_REQUESTS_PER_MINUTE: String(BUDGET) },
  });
  stack.lark.addUser(ALICE);
  const issue = stack.guance.createIssue({ name: 'Payment API timeout', level: 'P1' });
  issueUuid = issue.uuid;
  cardMessageId = (await waitForCard(stack, issueUuid, 10_000)).message_id;
});

afterAll(async () => {
  if (stack) {
    expect(stack.guance.maxRequestsPerMinute()).toBeLessThanOrEqual(BUDGET);
    expect(stack.guance.requests.filter((r) => r.rateLimited)).toEqual([]);
  }
  await stack?.close();
});

describe('comments', () => {
  it('#issue#text comments with the Lark name and answers in the thread with the title', async () => {
    const id = await say({ text: `#${issueUuid}#legacy form works` });
    const answer = await answerTo(id);
    expect(commentsContaining('legacy form works')).toHaveLength(1);
    expect(JSON.stringify(commentsContaining('legacy form works')[0]?.body)).toContain('Alice');
    expect(answer.content).toContain('Payment API timeout');
  });

  it.each([
    [`reply ISSUE text in english`, 'text in english'],
    [`回复 ISSUE 中文评论`, '中文评论'],
    [`＃ISSUE＃全角井号`, '全角井号'],
  ])('%s', async (template, expected) => {
    const id = await say({ text: template.replace('ISSUE', issueUuid) });
    await answerTo(id);
    expect(commentsContaining(expected)).toHaveLength(1);
  });

  it('a reply in the card thread needs no id, with or without the @mention', async () => {
    const withMention = await say({ text: 'looking into it now', rootId: cardMessageId });
    await answerTo(withMention);
    const without = await say({ text: 'found the cause', rootId: cardMessageId, mention: false });
    await answerTo(without);
    for (const text of ['looking into it now', 'found the cause']) {
      expect(commentsContaining(text)).toHaveLength(1);
      expect(JSON.stringify(commentsContaining(text)[0]?.body)).toContain(issueUuid);
    }
  });

  it('the same event delivered three times makes one comment and one answer', async () => {
    const messageId = `om_triple_${Date.now()}`;
    for (let i = 0; i < 3; i += 1) await say({ text: `#${issueUuid}#only once please`, messageId });
    await answerTo(messageId);
    // Every delivery has been answered 200; whatever they queued has run by now.
    await stack.jobs.idle('inbound');
    expect((await jobsIn(stack.prefix, 'inbound')).filter((job) => job.id?.includes(messageId))).toHaveLength(1);
    expect(stack.jobs.list('inbound', { id: messageId })).toHaveLength(1);
    expect(commentsContaining('only once please')).toHaveLength(1);
    expect(stack.lark.repliesTo(messageId)).toHaveLength(1);
  });

  it('an unknown issue gets an explaining answer and no comment', async () => {
    const id = await say({ text: '#issue_doesnotexist123#hello?' });
    const answer = await answerTo(id);
    expect(answer.content).toContain('issue_doesnotexist123');
    expect(commentsContaining('hello?')).toHaveLength(0);
  });

  it('a group message without the bot @mention does nothing', async () => {
    const before = stack.guance.requests.length;
    const id = await say({ text: `#${issueUuid}#not for the bot`, mention: false });
    // The message's job ran to the end and decided to do nothing.
    await handled(id);
    expect(stack.lark.repliesTo(id)).toHaveLength(0);
    expect(commentsContaining('not for the bot')).toHaveLength(0);
    // Background work (polls, sync checks and their lookups) may run meanwhile; nothing else may reach Guance.
    expect(stack.guance.requests.slice(before).filter((r) => !BACKGROUND.test(`${r.method} ${r.path}`))).toEqual([]);
  });
});

describe('hostile input (issue 11)', () => {
  it('a junk "issue id" is an unknown issue, answered without a single Guance request for it', async () => {
    const junk = `issue_${'7'.repeat(3000)}`;
    const before = stack.guance.requests.length;
    const id = await say({ text: `ack ${junk}` });
    const answer = await answerTo(id);
    expect(answer.content).toContain('Unknown issue');
    const spent = stack.guance.requests.slice(before).filter((r) => !BACKGROUND.test(`${r.method} ${r.path}`));
    expect(spent).toEqual([]);
  });

  it('a signed message with a 10,000-level array in a field the bot does not read is stored (200) and handled once', async () => {
    const { payload, messageId } = messageEvent({ token: TOKEN, text: `@_user_1 #${issueUuid}#deep but fine`, mentions: [{ key: '@_user_1', id: { open_id: stack.lark.botOpenId }, name: 'IssueBot', mentioned_type: 'bot' }], senderOpenId: ALICE.open_id });
    stack.lark.addIncomingMessage({ chat_id: CHAT, message_id: messageId });
    (payload.event as { message: Record<string, unknown> }).message.unused_extension = [];
    // JSON.stringify would overflow on such a value: the nesting is written into the text.
    const text = JSON.stringify(payload).replace('"unused_extension":[]', `"unused_extension":${'['.repeat(10_000)}${']'.repeat(10_000)}`);    const first = await stack.post('/lark/events', text, { 'content-type': 'application/json' });
    expect(first.status).toBe(200);
    const again = await stack.post('/lark/events', text, { 'content-type': 'application/json' });
    expect(again.status).toBe(200);
    await answerTo(messageId);
    expect(commentsContaining('deep but fine')).toHaveLength(1);
    expect(stack.lark.repliesTo(messageId)).toHaveLength(1);
  });
});

describe('status commands', () => {
  it('ack, resolve with a note, reopen — in English and Chinese — change the status and answer', async () => {
    const steps: [string, number, string][] = [
      ['ack', 15, 'Acknowledged'],
      [`resolve ${issueUuid} fixed by rollback`, 20, 'Resolved'],
      ['重新打开', 10, 'Reopened'],
      ['认领', 15, 'Acknowledged'],
      ['解决', 20, 'Resolved'],
      [`reopen ${issueUuid}`, 10, 'Reopened'],
    ];
    for (const [text, status, word] of steps) {
      const before = modifies(issueUuid).length;
      const id = await say({ text, rootId: cardMessageId });
      const answer = await answerTo(id);
      expect(answer.content).toContain(word);
      expect(modifies(issueUuid).slice(before)).toEqual([status]);
      expect(stack.guance.issue(issueUuid)?.statusType).toBe(status);
    }
    expect(commentsContaining('fixed by rollback')).toHaveLength(1);
    await waitFor(() => stack.lark.getMessage(cardMessageId)?.patches.length, 'the card to be updated', 10_000, 25);
    // Card posted → first acknowledged, → first resolved: timed once each, however often it is acked or resolved again.
    const labels = { channel: 'default', level: 'P1' };
    expect(await stack.metric('larkbot_time_to_ack_seconds_count', labels)).toBe(1);
    expect(await stack.metric('larkbot_time_to_resolve_seconds_count', labels)).toBe(1);
  });

  it('ack outside a thread without an id asks which issue', async () => {
    const id = await say({ text: 'ack' });
    expect((await answerTo(id)).content).toMatch(/Which issue/i);
  });
});

describe('list and help', () => {
  it('list answers with a card of the open issues', async () => {
    const id = await say({ text: 'list' });
    const answer = await answerTo(id);
    expect(answer.msg_type).toBe('interactive');
    expect(answer.content).toContain('Payment API timeout');
  });

  it.each(['help', '帮助', 'what can you do?'])('%s answers with the help card', async (text) => {
    const id = await say({ text });
    const answer = await answerTo(id);
    expect(answer.msg_type).toBe('interactive');
    expect(answer.content).toContain('reply');
  });

  it('a direct chat needs no @mention', async () => {
    const id = await say({ text: 'help', chatType: 'p2p', mention: false });
    expect((await answerTo(id)).msg_type).toBe('interactive');
  });
});
