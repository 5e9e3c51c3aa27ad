import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeMessage } from '../../fakes/lark-server.js';
import { CHAT, startAppStack, type AppStack, type HttpAnswer } from '../../helpers/app-stack.js';
import { buttonLabels, buttonValues, cardText, waitForCard, type ButtonValue } from '../../helpers/cards.js';
import { cardActionEvent, encryptPayload, legacyCardCallback, signEvent, signLegacyCard } from '../../helpers/lark-signing.js';
import { jobsIn } from '../../helpers/queues.js';
import { waitFor } from '../../helpers/wait.js';

const ENCRYPT_KEY = 'card-actions-encrypt-key-0123';
const TOKEN = 'test-verification-token';
const ALICE = { open_id: 'ou_alice00000000000000000000000001', name: 'Alice Chen' };
const BOB = { open_id: 'ou_bob0000000000000000000000000002', name: 'Bob Li' };
/**
 * The suites click a lot on one key while polls run every second; the fake enforces the same limit the bot is
 * told, so budget behaviour stays real, it is only wider than Guance's 20/min (budget starvation is the poller's
 * and the budget's tests' subject).
 */
const PER_MINUTE = 300;

interface Posted {
  issueUuid: string;
  messageId: string;
  card: unknown;
}

async function makeStack(label: string, guance: { statusModel?: 5 | 3 } = {}): Promise<AppStack> {
  const stack = await startAppStack(label, {
    guance: { requestsPerMinute: PER_MINUTE, ...guance },
    env: { LARK_ENCRYPT_KEY: ENCRYPT_KEY, LARK_VERIFICATION_TOKEN: TOKEN, GUANCE_REQUESTS_PER_MINUTE: String(PER_MINUTE) },
  });
  stack.lark.addUser(ALICE);
  stack.lark.addUser(BOB);
  return stack;
}

async function closeStack(stack: AppStack): Promise<void> {
  expect(stack.guance.maxRequestsPerMinute()).toBeLessThanOrEqual(PER_MINUTE);
  await stack.close();
}

/** Creates an issue in Guance and waits for the poller to post its card. */
async function postCard(stack: AppStack, name: string): Promise<Posted> {
  const issue = stack.guance.createIssue({ name, level: 'P1' });
  const message = await waitForCard(stack, issue.uuid, 10_000);
  return { issueUuid: issue.uuid, messageId: message.message_id, card: message.card };
}

function valueOf(card: unknown, action: string): ButtonValue {
  const value = buttonValues(card).get(action);
  if (!value) throw new Error(`no ${action} button on the card: ${buttonLabels(card).join(', ')}`);
  return value;
}

/** A signed, encrypted card.action.trigger on /lark/events, like Lark sends it. */
function sealedClick(payload: unknown): { body: string; headers: Record<string, string> } {
  const body = encryptPayload(payload, ENCRYPT_KEY);
  return { body, headers: signEvent(body, ENCRYPT_KEY) };
}

async function click(stack: AppStack, messageId: string, value: unknown, operator = ALICE, eventId?: string): Promise<HttpAnswer & { eventId: string }> {
  const event = cardActionEvent({ messageId, value, operatorOpenId: operator.open_id, ...(eventId ? { eventId } : {}) });
  const { body, headers } = sealedClick(event.payload);
  return { ...(await stack.post('/lark/events', body, headers)), eventId: event.eventId };
}

const toastOf = (answer: HttpAnswer) => answer.json.toast as { type: string; content: string; i18n: { zh_cn: string; en_us: string } } | undefined;
const answerCard = (answer: HttpAnswer): unknown => (answer.json.card as { type: string; data: unknown } | undefined)?.data;
const modifies = (stack: AppStack, issueUuid: string) => stack.guance.requestsMatching(`POST /api/v1/issue/${issueUuid}/modify`);
const message = (stack: AppStack, messageId: string): FakeMessage | undefined => stack.lark.messages.find((m) => m.message_id === messageId);
const patchedCards = (stack: AppStack, messageId: string): unknown[] => (message(stack, messageId)?.patches ?? []).map((p) => JSON.parse(p) as unknown);

/** The card the answer carried, or (when the answer was "working on it") the PATCH that followed and shows `shows`. */
async function newCard(stack: AppStack, answer: HttpAnswer, messageId: string, shows: string): Promise<unknown> {
  const card = answerCard(answer);
  if (card) return card;
  return waitFor(() => patchedCards(stack, messageId).find((c) => cardText(c).includes(shows)), `a PATCH showing ${shows}`, 10_000, 25);
}

/** Guance status names as the English card prints them. */
const STATUS_LINE = (status: string) => `**Status**\\n${status}`;

// Every test works on an issue (and card) of its own, so they run side by side; most share one bot.
describe.concurrent('card buttons (signed and encrypted callbacks, real Redis)', () => {
  let stack: AppStack;

  beforeAll(async () => {
    stack = await makeStack('cards');
  });
  afterAll(async () => {
    if (stack) await closeStack(stack);
  });

  it('acknowledge, resolve and reopen each change the issue once and update the same card', async ({ expect }) => {
    const posted = await postCard(stack, 'Checkout returns 500');
    expect(buttonLabels(posted.card)).toEqual(['Acknowledge', 'Resolve', 'War room', 'Open in Guance', 'Comment']);

    const ack = await click(stack, posted.messageId, valueOf(posted.card, 'ack'), ALICE);
    expect(ack.status).toBe(200);
    expect(toastOf(ack)).toMatchObject({ type: 'success', content: 'Acknowledged', i18n: { en_us: 'Acknowledged', zh_cn: '已确认' } });
    const acked = await newCard(stack, ack, posted.messageId, 'Acknowledged by Alice Chen');
    expect(cardText(acked)).toContain(STATUS_LINE('Working'));
    expect(cardText(acked)).toContain('Acknowledged by Alice Chen');
    expect(buttonLabels(acked)).toEqual(['Resolve', 'War room', 'Open in Guance', 'Comment']);
    expect(modifies(stack, posted.issueUuid).map((r) => r.body)).toEqual([{ statusType: 15 }]);
    expect(stack.guance.issue(posted.issueUuid)?.statusType).toBe(15);

    const resolve = await click(stack, posted.messageId, valueOf(acked, 'resolve'), BOB);
    expect(toastOf(resolve)).toMatchObject({ type: 'success', content: 'Resolved' });
    const resolved = await newCard(stack, resolve, posted.messageId, 'Resolved by Bob Li');
    expect(cardText(resolved)).toContain(STATUS_LINE('Resolved'));
    expect(cardText(resolved)).toContain('Resolved by Bob Li');
    expect(buttonLabels(resolved)).toEqual(['Reopen', 'War room', 'Open in Guance', 'Comment']);
    expect(modifies(stack, posted.issueUuid).map((r) => r.body)).toEqual([{ statusType: 15 }, { statusType: 20 }]);

    const reopen = await click(stack, posted.messageId, valueOf(resolved, 'reopen'), ALICE);
    expect(toastOf(reopen)).toMatchObject({ type: 'success', content: 'Reopened' });
    const reopened = await newCard(stack, reopen, posted.messageId, 'Reopened by Alice Chen');
    expect(cardText(reopened)).toContain(STATUS_LINE('Open'));
    expect(buttonLabels(reopened)).toEqual(['Acknowledge', 'Resolve', 'War room', 'Open in Guance', 'Comment']);
    expect(modifies(stack, posted.issueUuid).map((r) => r.body)).toEqual([{ statusType: 15 }, { statusType: 20 }, { statusType: 10 }]);

    // Everyone in the chat sees it: the card message itself is PATCHed to the latest state, and Guance got the comments.
    await waitFor(
      () => cardText(patchedCards(stack, posted.messageId).at(-1)).includes('Reopened by Alice Chen'),
      'the PATCH of the reopened card',
      10_000,
      25,
    );
    expect(stack.lark.cardsIn(CHAT).filter((m) => m.content.includes(posted.issueUuid))).toHaveLength(1);
    const comments = stack.guance.repliesOf(posted.issueUuid).map((r) => r.content);
    expect(comments).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Alice Chen acknowledged'),
        expect.stringContaining('Bob Li resolved'),
        expect.stringContaining('Alice Chen reopened'),
      ]),
    );
  });

  it('two people clicking at once make one change; both see the truth', async ({ expect }) => {
    const posted = await postCard(stack, 'Two clickers');
    const value = valueOf(posted.card, 'ack');
    const [first, second] = await Promise.all([click(stack, posted.messageId, value, ALICE), click(stack, posted.messageId, value, BOB)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(modifies(stack, posted.issueUuid)).toHaveLength(1);
    const toasts = [toastOf(first)?.content, toastOf(second)?.content].sort();
    expect(toasts).toEqual(['Acknowledged', 'Already Working']);
    for (const answer of [first, second]) {
      expect(cardText(await newCard(stack, answer, posted.messageId, 'Acknowledged by'))).toContain(STATUS_LINE('Working'));
    }
    // Both clicks' jobs have finished (and whatever they queued): still one change.
    await stack.jobs.waitFor('clicks', { name: 'card-action', id: first.eventId });
    await stack.jobs.waitFor('clicks', { name: 'card-action', id: second.eventId });
    await stack.jobs.idle('clicks');
    expect(modifies(stack, posted.issueUuid)).toHaveLength(1);
  });

  it('the same callback delivered three times makes one change and gets the same answer', async ({ expect }) => {
    const posted = await postCard(stack, 'Lark re-sends');
    const event = cardActionEvent({ messageId: posted.messageId, value: valueOf(posted.card, 'resolve'), operatorOpenId: ALICE.open_id });
    const send = () => {
      const { body, headers } = sealedClick(event.payload);
      return stack.post('/lark/events', body, headers);
    };
    const [a, b] = await Promise.all([send(), send()]);
    const c = await send();
    for (const answer of [a, b, c]) {
      expect(answer.status).toBe(200);
      expect(toastOf(answer)?.content).toBe('Resolved');
    }
    expect(cardText(answerCard(c))).toContain(STATUS_LINE('Resolved'));
    expect(modifies(stack, posted.issueUuid)).toHaveLength(1);
    const jobs = (await jobsIn(stack.prefix, 'clicks')).filter((job) => job.id?.includes(event.eventId));
    expect(jobs).toHaveLength(1);
  });

  it('legacy callback on /lark/card: a bad signature is 401 and changes nothing; a good one works', async ({ expect }) => {
    const posted = await postCard(stack, 'Legacy app configuration');
    const payload = legacyCardCallback({ messageId: posted.messageId, value: valueOf(posted.card, 'resolve'), operatorOpenId: BOB.open_id });
    const body = JSON.stringify(payload);
    const bad = await stack.post('/lark/card', body, signLegacyCard(body, 'not-the-verification-token'));
    expect(bad.status).toBe(401);
    const unsigned = await stack.post('/lark/card', body, { 'content-type': 'application/json' });
    expect(unsigned.status).toBe(401);
    // Refused before anything was queued, so nothing can change later either.
    expect((await jobsIn(stack.prefix, 'clicks')).filter((job) => job.name === 'card-action' && JSON.stringify(job.data).includes(posted.messageId))).toHaveLength(0);
    expect(modifies(stack, posted.issueUuid)).toHaveLength(0);

    const good = await stack.post('/lark/card', body, signLegacyCard(body, TOKEN));
    expect(good.status).toBe(200);
    expect(toastOf(good)).toMatchObject({ type: 'success', content: 'Resolved' });
    // Legacy shape: the (JSON 2.0) card sits at the top level beside the toast.
    const card = good.json.schema ? good.json : await newCard(stack, good, posted.messageId, 'Resolved by Bob Li');
    expect(good.json.card).toBeUndefined();
    expect(cardText(card)).toContain(STATUS_LINE('Resolved'));
    expect(cardText(card)).toContain('Resolved by Bob Li');
    expect(buttonLabels(card)).toEqual(['Reopen', 'War room', 'Open in Guance', 'Comment']);
    // The only change is the good callback's.
    await stack.jobs.idle('clicks');
    expect(modifies(stack, posted.issueUuid).map((r) => r.body)).toEqual([{ statusType: 20 }]);
    expect((await jobsIn(stack.prefix, 'clicks')).filter((job) => job.name === 'card-action' && JSON.stringify(job.data).includes(posted.messageId))).toHaveLength(1);
  });

  it('a forged or malformed button value gets an error toast and changes nothing', async ({ expect }) => {
    const a = await postCard(stack, 'Card A');
    const b = await postCard(stack, 'Card B');
    // A well-formed value naming another card's issue: only the job can tell (it knows which issue a card is).
    const forged = await click(stack, a.messageId, valueOf(b.card, 'resolve'));
    expect(forged.status).toBe(200);
    expect(toastOf(forged)).toMatchObject({ type: 'error', content: 'Invalid button' });
    expect(answerCard(forged)).toBeUndefined();

    const malformed: unknown[] = [
      { action: 'delete', issue: a.issueUuid },
      { action: 'ack', issue: a.issueUuid, extra: 1 },
      { action: 'ack', issue: 'issue_bad!id' },
      { action: 'ack', issue: 42 },
      { action: 'ack' },
      'ack',
      null,
    ];
    const eventIds: string[] = [];
    for (const value of malformed) {
      const answer = await click(stack, a.messageId, value);
      eventIds.push(answer.eventId);
      expect(answer.status).toBe(200);
      expect(toastOf(answer)).toMatchObject({ type: 'error', content: 'Invalid button', i18n: { zh_cn: '无效的按钮' } });
    }
    const queued = (await jobsIn(stack.prefix, 'clicks')).map((job) => job.id ?? '');
    expect(queued.filter((id) => eventIds.some((eventId) => id.includes(eventId)))).toEqual([]);
    // The forged click's job is the only one queued, and it has finished.
    await stack.jobs.waitFor('clicks', { name: 'card-action', id: forged.eventId });
    await stack.jobs.idle('clicks');
    expect(modifies(stack, a.issueUuid)).toHaveLength(0);
    expect(modifies(stack, b.issueUuid)).toHaveLength(0);
    expect(stack.guance.issue(b.issueUuid)?.statusType).toBe(10);
  });

  it('a stale card (resolved in Guance meanwhile) refreshes to the truth instead of changing anything', async ({ expect }) => {
    const posted = await postCard(stack, 'Resolved behind our back');
    stack.guance.setStatus(posted.issueUuid, 20, 'Carol in Guance');
    const answer = await click(stack, posted.messageId, valueOf(posted.card, 'resolve'));
    expect(answer.status).toBe(200);
    expect(toastOf(answer)).toMatchObject({ type: 'info', content: 'Already Resolved' });
    const card = await newCard(stack, answer, posted.messageId, STATUS_LINE('Resolved'));
    expect(cardText(card)).toContain(STATUS_LINE('Resolved'));
    expect(buttonLabels(card)).toEqual(['Reopen', 'War room', 'Open in Guance', 'Comment']);
    expect(modifies(stack, posted.issueUuid)).toHaveLength(0);
  });

  // Under slow or different Guance: bots of their own.
  it('answers "working on it" before Guance has answered when Guance is slow, then PATCHes the card', async ({ expect, onTestFinished }) => {
    const stack = await makeStack('cards-slow');
    onTestFinished(() => closeStack(stack));
    const posted = await postCard(stack, 'Guance takes its time');
    stack.guance.setLatency(5_000, 'issue/');
    const answer = await click(stack, posted.messageId, valueOf(posted.card, 'ack'));
    expect(answer.status).toBe(200);
    // The product contract is an answer within Lark's 3 s: the click was answered without waiting for Guance. Each
    // Guance answer takes 5 s and the job changes the status only after reading the issue: no change had been asked
    // for yet when Lark heard back.
    expect(modifies(stack, posted.issueUuid)).toHaveLength(0);
    expect(toastOf(answer)).toMatchObject({ type: 'info', content: 'Working on it…', i18n: { zh_cn: '正在处理…' } });
    expect(answer.json.card).toBeUndefined();
    const patched = await waitFor(
      () => patchedCards(stack, posted.messageId).find((c) => cardText(c).includes('Acknowledged by Alice Chen')),
      'the PATCH with the acknowledged card',
      45_000,
      50,
    );
    expect(cardText(patched)).toContain(STATUS_LINE('Working'));
    expect(buttonLabels(patched)).toEqual(['Resolve', 'War room', 'Open in Guance', 'Comment']);
    expect(modifies(stack, posted.issueUuid)).toHaveLength(1);
  }, 60_000);

  it('on the 3-state status model, acknowledging is a comment and the card says acknowledged', async ({ expect, onTestFinished }) => {
    const stack = await makeStack('cards-3state', { statusModel: 3 });
    onTestFinished(() => closeStack(stack));
    const posted = await postCard(stack, 'Workspace without Working');
    const answer = await click(stack, posted.messageId, valueOf(posted.card, 'ack'));
    expect(answer.status).toBe(200);
    expect(toastOf(answer)).toMatchObject({ type: 'success', content: 'Acknowledged' });
    const card = await newCard(stack, answer, posted.messageId, 'Acknowledged by Alice Chen');
    expect(cardText(card)).toContain('Acknowledged by Alice Chen');
    expect(stack.guance.issue(posted.issueUuid)?.statusType).toBe(10);
    expect(stack.guance.repliesOf(posted.issueUuid).map((r) => r.content)).toEqual(
      expect.arrayContaining([expect.stringContaining('Alice Chen acknowledged')]),
    );
    // One attempt, refused by the workspace; no retry of the status change.
    await stack.jobs.idle('clicks');
    expect(modifies(stack, posted.issueUuid)).toHaveLength(1);
  });
});
