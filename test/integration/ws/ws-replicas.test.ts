/**
 * Two replicas, each holding a long connection (same settings and Redis prefix): Lark gives each event to one
 * connected client (../shared/reference/lark-platform.md §3 "cluster mode"), and a re-push that lands on the
 * other replica is still handled once (the shared dedupe in Redis).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitForCard } from '../../helpers/cards.js';
import { commentEnvelope, startWsStack, type WsStack } from '../../helpers/ws-stack.js';

const BUDGET = 300;
let stack: WsStack;
let issueUuid: string;

const commentsContaining = (text: string) =>
  stack.guance.requests.filter((r) => r.method === 'POST' && r.path.includes('/issue/reply/create') && JSON.stringify(r.body).includes(text));

beforeAll(async () => {
  stack = await startWsStack('ws-replicas', {
    replicas: 2,
    guance: { requestsPerMinute: BUDGET },
    env: { GUANCE_REQUESTS_PER_MINUTE: String(BUDGET) },
  });
  issueUuid = stack.guance.createIssue({ name: 'Queue backlog', level: 'P2' }).uuid;
  await waitForCard(stack, issueUuid, 10_000);
});

afterAll(async () => {
  if (stack) expect(stack.ws.protocolErrors).toEqual([]);
  await stack?.close();
});

it('each replica holds a connection and is ready', async () => {
  expect(stack.ws.openConnections()).toHaveLength(2);
  for (const bot of stack.bots) expect(await bot.readiness()).toEqual({ status: 200, checks: { redis: 'ok', 'lark-connection': 'connected' } });
});

it('every event is handled once, whichever replica gets it, re-pushes to the other replica included', async () => {
  const sent = [1, 2, 3, 4].map((n) => ({ n, ...commentEnvelope(stack, issueUuid, `replica note ${n}`) }));
  const deliveries = sent.map(({ payload }) => stack.ws.push(payload));
  expect(new Set(deliveries.map((d) => d.connectionId)).size).toBe(2);
  for (const d of deliveries) expect((await stack.ws.waitForAck(d.messageId)).code).toBe(200);

  // Lark re-pushes each one to the replica that did not get it first.
  const [a, b] = stack.ws.openConnections();
  for (const d of deliveries) stack.ws.replay(d.messageId, d.connectionId === a ? b : a);
  for (const d of deliveries) expect((await stack.ws.waitForAck(d.messageId, 5_000, 2)).code).toBe(200);

  // Each message's job finished (seen through BullMQ's events), then whatever the re-pushes queued has run too.
  for (const { messageId } of sent) await stack.jobs.waitFor('inbound', { name: 'message', id: messageId });
  await stack.jobs.idle('inbound');
  for (const { n, messageId } of sent) {
    expect(commentsContaining(`replica note ${n}`)).toHaveLength(1);
    expect(stack.lark.repliesTo(messageId)).toHaveLength(1);
    expect(stack.jobs.list('inbound', { id: messageId })).toHaveLength(1);
  }
  // Both replicas took events off their connection.
  for (const bot of stack.bots) {
    expect((await bot.request.get('/metrics')).text).toMatch(/larkbot_events_received_total\{type="im.message.receive_v1",path="ws"\} [1-9]/);
  }
});
