/**
 * The long connection's lifecycle beyond the happy path. A fatal answer from the endpoint
 * (../shared/reference/lark-platform.md §3: any non-zero code but 1000040343, as HTTP 200 `{code,msg,data:{}}`)
 * that only a change of settings can cure is one clear error line and a non-ready bot, not a crash or a reconnect
 * loop; any other one is a warning and a new start later. Health, metrics and webhooks stay up. At shutdown the
 * clicks in flight still get their answers in their acks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../../helpers/bot-process.js';
import { buttonValue, waitForCard } from '../../helpers/cards.js';
import { cardActionEvent } from '../../helpers/lark-signing.js';
import { ALICE, startWsStack, type WsStack } from '../../helpers/ws-stack.js';
import { waitFor } from '../../helpers/wait.js';

const FAILED = 'Lark long connection failed for good';
let stack: WsStack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Waits for the failure line, then for a poll well after it (polls run every second; the SDK's retry interval is 0.2 s here). */
async function failedOnce(current: WsStack): Promise<LogLine> {
  const bot = current.bots[0]!;
  const line = await bot.waitForLog((l) => String(l.message).startsWith(FAILED), 'the failure line');
  const failedAt = Date.parse(String(line.timestamp));
  await current.guance.waitFor(() => current.guance.requests.find((r) => r.path === '/api/v1/issue/list' && r.at > failedAt + 600), 5_000);
  expect(current.ws.endpointRequests).toHaveLength(1);
  expect(current.ws.connectionsOpened()).toBe(0);
  expect(bot.logs.filter((l) => String(l.message).startsWith(FAILED))).toHaveLength(1);
  expect(line.level).toBe('error');
  expect(await bot.readiness()).toEqual({ status: 503, checks: { redis: 'ok', 'lark-connection': 'failed' } });
  expect((await bot.request.get('/healthz')).status).toBe(200);
  expect((await bot.request.get('/metrics')).status).toBe(200);
  return line;
}

describe('fatal long-connection errors', () => {
  it('bad credentials (514 auth failed): one line naming LARK_APP_SECRET, not ready, no retry', async () => {
    stack = await startWsStack('ws-auth', { ws: { appSecret: 'the-secret-lark-knows' }, ready: false });
    const line = await failedOnce(stack);
    expect(line.message).toContain('LARK_APP_ID and LARK_APP_SECRET');
    expect(line).toMatchObject({ larkCode: 514 });
    expect(stack.ws.endpointRequests[0]?.code).toBe(514);
  });

  it('too many connections (1000040350): one line saying so, not ready, no retry', async () => {
    stack = await startWsStack('ws-limit', { beforeStart: (ws) => ws.failEndpoint(1000040350, 'exceed conn limit'), ready: false });
    const line = await failedOnce(stack);
    expect(line.message).toContain('too many long connections');
    expect(line).toMatchObject({ larkCode: 1000040350 });
  });

  it('a passing refusal (code 1, system busy): a warning, the connection started again later, then ready', async () => {
    stack = await startWsStack('ws-busy', { beforeStart: (ws) => ws.failEndpoint(1, 'system busy', 1), ready: false });
    const bot = stack.bots[0]!;
    const warning = await bot.waitForLog((l) => String(l.message).startsWith('Lark long connection failed: '), 'the warning');
    expect(warning).toMatchObject({ level: 'warn', larkCode: 1 });
    expect(await bot.readiness()).toEqual({ status: 503, checks: { redis: 'ok', 'lark-connection': 'reconnecting' } });
    await waitFor(async () => (await bot.readiness()).status === 200, 'ready after the new start', 15_000, 50);
    expect(stack.ws.endpointRequests.map((r) => r.code)).toEqual([1, 0]);
    expect(bot.logs.filter((l) => String(l.message).startsWith(FAILED))).toEqual([]);
  });
});

describe('shutdown with clicks in flight', () => {
  it('the running click still answers in its ack; a push that arrives while draining is refused (500) for another replica', async () => {
    stack = await startWsStack('ws-drain');
    const current = stack;
    const issue = current.guance.createIssue({ name: 'Drain me', level: 'P1' });
    const card = await waitForCard(current, issue.uuid, 10_000);
    // Guance answers slowly: the click is still running when the bot is told to stop.
    current.guance.setLatency(300);
    const click = current.ws.push(cardActionEvent({ messageId: card.message_id, value: buttonValue(card.card, 'ack'), operatorOpenId: ALICE.open_id }).payload);
    // The click job has started once Guance is asked about the issue after the push.
    await current.guance.waitFor(() => current.guance.requests.find((r) => r.at >= click.at && r.path.includes(issue.uuid)), 5_000);
    const stopping = current.bots[0]!.app.stop();
    const late = current.ws.push(cardActionEvent({ messageId: card.message_id, value: buttonValue(card.card, 'resolve'), operatorOpenId: ALICE.open_id }).payload);
    const [answer, refused] = await Promise.all([current.ws.waitForAck(click.messageId, 10_000), current.ws.waitForAck(late.messageId, 10_000)]);
    await stopping;
    expect(answer.code).toBe(200);
    expect(JSON.stringify(answer.data)).toContain('Acknowledged');
    expect(refused.code).toBe(500);
    expect(current.guance.issue(issue.uuid)?.statusType).toBe(15);
  });
});
