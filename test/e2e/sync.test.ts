import { afterEach, describe, expect, it } from 'vitest';
import { botCommentExtend } from '../../handlers/issues/index.js';
import { buttonLabels, cardOf, cardText, startStack, waitForCard, type Stack } from '../helpers/stack.js';
import { sleep, waitFor } from '../helpers/wait.js';

let stack: Stack | undefined;
afterEach(async () => {
  if (stack) expect(stack.guance.maxRequestsPerMinute()).toBeLessThanOrEqual(20);
  await stack?.close();
  stack = undefined;
});


/** Texts of the bot's messages in a card's thread, in the order Lark got them. */
function threadTexts(s: Stack, messageId: string): string[] {
  return s.lark.repliesTo(messageId).map((m) => {
    const parsed = JSON.parse(m.content) as { text?: string };
    return parsed.text ?? m.content;
  });
}
const countOf = (texts: string[], needle: string) => texts.filter((text) => text.includes(needle)).length;

/** Long enough for two more sync rounds (every 10 s) to have looked at an active issue. */
const afterMoreRounds = () => sleep(25_000);

/** Issues created before the bot's first poll count as history and get no card; start, then wait for that poll. */
async function startBotAndFirstPoll(s: Stack) {
  const bot = await s.startBot();
  await waitFor(() => s.guance.requests.some((r) => r.path === '/api/v1/issue/list'), 'the first poll', 30_000, 50);
  return bot;
}

/** What the bot's own comment path writes: our key as creator and our mark in `extend`. */
async function writeAsBot(s: Stack, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${s.guance.url}${path}`, {
    method: 'POST',
    headers: { 'DF-API-KEY': s.guance.apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

describe('what people do in Guance reaches the card', () => {
  it("posts a person's reply once in the right card's thread, and never the bot's own comments or changes", async () => {
    stack = await startStack('sync-reply');
    await startBotAndFirstPoll(stack);
    const issue = stack.guance.createIssue({ name: 'Payment timeouts', level: 'P1' });
    const other = stack.guance.createIssue({ name: 'Unrelated issue' });
    const card = await waitForCard(stack, issue.uuid);
    const otherCard = await waitForCard(stack, other.uuid);

    await writeAsBot(stack, '/api/v1/issue/reply/create', {
      issueUUID: issue.uuid,
      content: '[Lark] Bob: written from Lark',
      extend: botCommentExtend({ ref: 'om_from_lark', actorName: 'Bob' }),
    });
    await writeAsBot(stack, `/api/v1/issue/${issue.uuid}/modify`, { statusType: 15 });
    stack.guance.addReply(issue.uuid, { content: '<p>Rolled back the <b>deploy</b> &amp; watching</p>', authorName: 'Alice' });

    await waitFor(() => countOf(threadTexts(stack!, card.message_id), 'Rolled back') > 0, 'the reply in the thread', 90_000, 200);
    await afterMoreRounds();

    const texts = threadTexts(stack, card.message_id);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(/^Alice replied in Guance at \d{4}-\d\d-\d\d \d\d:\d\d \(UTC\+8\):\nRolled back the deploy & watching$/);
    expect(countOf(texts, 'written from Lark')).toBe(0);
    expect(threadTexts(stack, otherCard.message_id)).toEqual([]);
    const replies = stack.lark.repliesTo(card.message_id);
    expect(replies.every((m) => m.msg_type === 'text' && m.thread_id !== undefined)).toBe(true);
  }, 150_000);

  it('a status change made in Guance updates the card and adds one thread line', async () => {
    stack = await startStack('sync-status');
    await startBotAndFirstPoll(stack);
    const issue = stack.guance.createIssue({ name: 'Disk almost full', level: 'P0' });
    const card = await waitForCard(stack, issue.uuid);
    expect(buttonLabels(card.card)).toEqual(['Acknowledge', 'Resolve', 'Open in Guance']);

    stack.guance.setStatus(issue.uuid, 20, 'Alice');
    await waitFor(() => card.patches.some((p) => p.includes('Resolved by Alice in Guance')), 'the card PATCHed to Resolved', 90_000, 200);
    await waitFor(() => countOf(threadTexts(stack!, card.message_id), 'Resolved by Alice in Guance') > 0, 'the thread line', 30_000, 200);
    await afterMoreRounds();

    const texts = threadTexts(stack, card.message_id);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(/^Resolved by Alice in Guance at \d{4}-\d\d-\d\d \d\d:\d\d \(UTC\+8\)$/);
    expect(cardText(card.card)).toContain('Resolved');
    expect(buttonLabels(card.card)).toEqual(['Reopen', 'Open in Guance']);
  }, 150_000);

  it('with 30 open carded issues, every reply arrives in order and Guance never sees more than 20 requests a minute', async () => {
    stack = await startStack('sync-thirty');
    await startBotAndFirstPoll(stack);
    const issues = Array.from({ length: 30 }, (_, i) => stack!.guance.createIssue({ name: `Busy issue ${i + 1}` }));
    await waitFor(() => issues.every((issue) => cardOf(stack!, issue.uuid)), 'all 30 cards', 90_000, 200);
    const started = Date.now();

    const targets = [issues[3], issues[11], issues[19], issues[27]].filter((i) => i !== undefined);
    const twice = targets[0]!;
    const arrived = (t: { uuid: string }, needle: string) => countOf(threadTexts(stack!, cardOf(stack!, t.uuid)!.message_id), needle) > 0;
    // Wave one while the bot is still making its first pass over 30 new cards; wave two in steady state.
    for (const target of targets.slice(0, 2)) stack.guance.addReply(target.uuid, { content: `First note on ${target.name}`, authorName: 'Alice' });
    await sleep(45_000);
    const secondWave = Date.now();
    for (const target of targets.slice(2)) stack.guance.addReply(target.uuid, { content: `First note on ${target.name}`, authorName: 'Alice' });
    stack.guance.addReply(twice.uuid, { content: 'Second note, written later', authorName: 'Bob' });

    await waitFor(
      () => targets.every((t) => arrived(t, 'First note')) && arrived(twice, 'Second note'),
      'every reply in its thread',
      180_000,
      500,
    );
    console.log(
      `sync: 30 followed issues; replies of the second wave all arrived ${Math.round((Date.now() - secondWave) / 1000)} s after they were written (${Math.round((Date.now() - started) / 1000)} s after the cards); Guance max ${stack.guance.maxRequestsPerMinute()} requests/min`,
    );
    await sleep(12_000);

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
  }, 330_000);

  it('stays exactly once across a restart, two replicas, and a SIGKILL in the middle of a post', async () => {
    stack = await startStack('sync-replicas');
    const first = await startBotAndFirstPoll(stack);
    const issue = stack.guance.createIssue({ name: 'Flaky login' });
    const card = await waitForCard(stack, issue.uuid);
    const thread = () => threadTexts(stack!, card.message_id);

    stack.guance.addReply(issue.uuid, { content: 'note one', authorName: 'Alice' });
    await waitFor(() => countOf(thread(), 'note one') > 0, 'note one', 90_000, 200);
    await first.stop();

    stack.guance.addReply(issue.uuid, { content: 'note two (while the bot was down)', authorName: 'Alice' });
    await sleep(1100);
    const replicas = await Promise.all([stack.startBot(), stack.startBot()]);
    stack.guance.addReply(issue.uuid, { content: 'note three', authorName: 'Bob' });
    await waitFor(() => countOf(thread(), 'note two') > 0 && countOf(thread(), 'note three') > 0, 'notes two and three', 120_000, 200);
    await afterMoreRounds();

    // Killed while Lark holds the answer to the post: the next process posts again with the same uuid.
    stack.lark.setLatency(6_000, /\/reply$/);
    const repliesBefore = stack.lark.requestsMatching(/\/reply$/).length;
    stack.guance.addReply(issue.uuid, { content: 'note four', authorName: 'Carol' });
    await waitFor(() => stack!.lark.requestsMatching(/\/reply$/).length > repliesBefore, 'the post of note four to start', 90_000, 50);
    await Promise.all(replicas.map((bot) => bot.kill()));
    stack.lark.setLatency(0);
    await stack.startBot();
    await waitFor(() => stack!.lark.requestsMatching(/\/reply$/).length > repliesBefore + 1, 'the repeated post of note four', 90_000, 200);
    await afterMoreRounds();

    const texts = thread();
    expect(texts.map((text) => /note (one|two|three|four)/.exec(text)?.[1])).toEqual(['one', 'two', 'three', 'four']);
    // The post was really sent twice, with the same Lark uuid: the second one was a no-op.
    const fourPosts = stack.lark
      .requestsMatching(/\/reply$/)
      .map((r) => r.body as { uuid?: string; content?: string })
      .filter((body) => body.content?.includes('note four'));
    expect(fourPosts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(fourPosts.map((body) => body.uuid)).size).toBe(1);
  }, 330_000);
});
