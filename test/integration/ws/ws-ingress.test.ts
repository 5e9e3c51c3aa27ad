/**
 * LARK_EVENT_MODE=ws in process: node-sdk's WSClient inside the bot against the long-connection fake
 * (test/fakes/lark/ws-endpoint.ts), real Redis, the Lark and Guance fakes. Events pushed as protobuf frames go the
 * same way as POST /lark/events: same dedupe, queue and handlers; acks carry the card-click answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonValue, waitForCard } from '../../helpers/cards.js';
import { cardActionEvent } from '../../helpers/lark-signing.js';
import { ALICE, commentEnvelope, startWsStack, type WsBot, type WsStack } from '../../helpers/ws-stack.js';
import { waitFor } from '../../helpers/wait.js';

const BUDGET = 300;
/** Lark's rule for a callback answer (../shared/reference/lark-platform.md §3 "Limits", §4.1). */
const CALLBACK_DEADLINE_MS = 3_000;

let stack: WsStack;
let bot: WsBot;
let issueUuid: string;
let cardMessageId: string;
let card: unknown;

const commentsContaining = (text: string) =>
  stack.guance.requests.filter((r) => r.method === 'POST' && r.path.includes('/issue/reply/create') && JSON.stringify(r.body).includes(text));
const modifies = (uuid: string) => stack.guance.requests.filter((r) => r.method === 'POST' && r.path === `/api/v1/issue/${uuid}/modify`);
const logged = (text: string) => bot.logs.filter((line) => String(line.message).includes(text));

beforeAll(async () => {
  stack = await startWsStack('ws-ingress', {
    guance: { requestsPerMinute: BUDGET },
    // Set, and unlike the envelopes' header.token: over the connection it is not checked (§3, the app secret is the proof).
    env: { GUANCE_REQUESTS_PER_MINUTE: String(BUDGET), LARK_VERIFICATION_TOKEN: 'ws-mode-verification-token' },
  });
  bot = stack.bots[0]!;
  issueUuid = stack.guance.createIssue({ name: 'Payment API timeout', level: 'P1' }).uuid;
  const posted = await waitForCard(stack, issueUuid, 10_000);
  cardMessageId = posted.message_id;
  card = posted.card;
});

afterAll(async () => {
  if (stack) {
    expect(stack.ws.protocolErrors).toEqual([]);
    // The endpoint URL's ticket is a short-lived credential; the SDK logs that URL at debug.
    const lines = bot.logs.map((line) => JSON.stringify(line));
    expect(lines.some((line) => line.includes('ticket=[redacted]'))).toBe(true);
    expect(lines.filter((line) => /ticket=(?!\[redacted\])/.test(line))).toEqual([]);
  }
  await stack?.close();
});

describe('events over the long connection', () => {
  it('is ready with the connection up; health stays on HTTP and /lark/* is off', async () => {
    expect(await bot.readiness()).toEqual({ status: 200, checks: { redis: 'ok', 'lark-connection': 'connected' } });
    expect(stack.ws.openConnections()).toHaveLength(1);
    expect((await bot.request.get('/healthz')).status).toBe(200);
    // /lark/* is off: Lark pushes over the connection, and an unverified second way in would take forged events.
    expect((await bot.request.post('/lark/events').set('content-type', 'application/json').send('{}')).status).toBe(404);
    expect((await bot.request.post('/lark/card').set('content-type', 'application/json').send('{}')).status).toBe(404);
  });

  it('a comment command becomes one Guance comment and one answer in the thread, acked with code 200', async () => {
    const { payload, messageId } = commentEnvelope(stack, issueUuid, 'over the long connection');
    const delivery = stack.ws.push(payload, { parts: 2 });
    const ack = await stack.ws.waitForAck(delivery.messageId);
    expect(ack).toMatchObject({ code: 200, data: undefined });
    await stack.jobs.waitFor('inbound', { name: 'message', id: messageId });
    expect(commentsContaining('over the long connection')).toHaveLength(1);
    expect(stack.lark.repliesTo(messageId)).toHaveLength(1);
    expect(stack.lark.repliesTo(messageId)[0]?.content).toContain('Payment API timeout');
    const metrics = (await bot.request.get('/metrics')).text;
    expect(metrics).toMatch(/larkbot_events_received_total\{type="im.message.receive_v1",path="ws"\} [1-9]/);
  });

  it('a card click gets its toast and card in the ack within 3 s, and Guance sees one change', async () => {
    const value = buttonValue(card, 'ack');
    expect(value, 'an Acknowledge button on the card').toBeDefined();
    const { payload } = cardActionEvent({ messageId: cardMessageId, value, operatorOpenId: ALICE.open_id });
    const delivery = stack.ws.push(payload);
    const ack = await stack.ws.waitForAck(delivery.messageId, CALLBACK_DEADLINE_MS);
    expect(ack.at - delivery.at).toBeLessThan(CALLBACK_DEADLINE_MS);
    expect(ack.code).toBe(200);
    expect(ack.data).toMatchObject({ toast: { type: 'success', content: 'Acknowledged' }, card: { type: 'raw' } });
    expect(JSON.stringify(ack.data)).toContain('Acknowledged by Alice');
    expect(modifies(issueUuid).map((r) => r.body)).toEqual([{ statusType: 15 }]);

    // Lark re-pushing the same callback (same event id) changes nothing more.
    stack.ws.replay(delivery.messageId);
    const again = await stack.ws.waitForAck(delivery.messageId, CALLBACK_DEADLINE_MS, 2);
    expect(again.code).toBe(200);
    await stack.jobs.idle('clicks');
    expect(modifies(issueUuid)).toHaveLength(1);
  });

  it('while the connection is down /readyz is 503; after the reconnect a replayed event does nothing twice', async () => {
    const { payload, messageId } = commentEnvelope(stack, issueUuid, 'before the drop');
    const first = stack.ws.push(payload);
    await stack.ws.waitForAck(first.messageId);
    await stack.jobs.waitFor('inbound', { name: 'message', id: messageId });

    // Lark's endpoint answers "internal error" (retryable, §3) so the bot stays disconnected until we say so.
    stack.ws.failEndpoint(1000040343, 'internal error');
    const endpointCalls = stack.ws.endpointRequests.length;
    stack.ws.dropConnections();
    await bot.waitForLog((line) => String(line.message).startsWith('Lark long connection lost; reconnecting'), 'the reconnecting line');
    await stack.ws.waitFor(() => stack.ws.endpointRequests.slice(endpointCalls).some((r) => r.code === 1000040343), 'a refused reconnect');
    expect(await bot.readiness()).toEqual({ status: 503, checks: { redis: 'ok', 'lark-connection': 'reconnecting' } });
    expect((await bot.request.get('/healthz')).status).toBe(200);

    stack.ws.clearEndpointFaults();
    await bot.waitForLog((line) => line.message === 'Lark long connection re-established', 'the reconnected line');
    await waitFor(async () => (await bot.readiness()).status === 200, '/readyz 200 again', 5_000, 25);
    expect(logged('Lark long connection lost; reconnecting')).toHaveLength(1);
    expect(logged('Lark long connection re-established')).toHaveLength(1);
    expect(stack.ws.connectionsOpened()).toBe(2);

    stack.ws.replay(first.messageId);
    expect((await stack.ws.waitForAck(first.messageId, 5_000, 2)).code).toBe(200);
    await stack.jobs.idle('inbound');
    expect(stack.jobs.list('inbound', { id: messageId })).toHaveLength(1);
    expect(commentsContaining('before the drop')).toHaveLength(1);
    expect(stack.lark.repliesTo(messageId)).toHaveLength(1);
  });

  it('a malformed envelope is acknowledged (no endless re-push) and logged once', async () => {
    const delivery = stack.ws.push({ schema: '2.0', header: { event_type: 'im.message.receive_v1' } });
    expect(await stack.ws.waitForAck(delivery.messageId)).toMatchObject({ code: 200, data: undefined });
    expect(logged('rejected Lark push on the long connection')).toHaveLength(1);
  });
});
