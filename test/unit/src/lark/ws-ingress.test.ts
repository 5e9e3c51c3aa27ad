/**
 * LarkWsIngress without a socket: what each router answer becomes in the ack, that the envelope is not held to the
 * Verification Token (the connection is authenticated by the app secret, lark-platform.md §3), and the hints.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config.js';
import type { Ctx } from '../../../../src/context.js';
import { createLogger } from '../../../../src/logger.js';
import { Metrics } from '../../../../src/metrics.js';
import { Router, type IngressAnswer } from '../../../../src/router.js';
import { LarkWsIngress, RetryLaterError, fatalConnectionHint, scrubTicket } from '../../../../src/lark/ws-ingress.js';
import { cardActionEvent, messageEvent } from '../../../helpers/lark-signing.js';

function ingress(answer: IngressAnswer, env: Record<string, string> = {}) {
  const config = loadConfig({
    LARK_APP_ID: 'cli_a1b2c3d4e5f60718',
    LARK_APP_SECRET: 'unit-secret',
    LARK_VERIFICATION_TOKEN: 'the-real-verification-token',
    LARK_EVENT_MODE: 'ws',
    LARK_DOMAIN: 'http://127.0.0.1:9',
    GUANCE_API_KEY: 'unit-key',
    LARK_CHAT_ID: 'oc_unit',
    ...env,
  });
  const metrics = new Metrics();
  const ctx = { config, log: createLogger({ level: 'error', secrets: [], silent: true }), metrics } as unknown as Ctx;
  const seen: string[] = [];
  const router = new Router()
    .on('card.action.trigger', async (inbound) => (seen.push(inbound.eventId), answer))
    .on('im.message.receive_v1', async (inbound) => (seen.push(inbound.eventId), answer));
  return { ws: new LarkWsIngress(ctx, router, { secrets: [] }), seen, metrics };
}

const click = () => cardActionEvent({ messageId: 'om_card', value: { action: 'ack', issue: 'x' }, token: 'not-the-verification-token' });

describe('LarkWsIngress.handle', () => {
  it('returns a card click answer for the ack, with no token check', async () => {
    const body = { toast: { type: 'success', content: 'ok' } };
    const { ws, seen, metrics } = ingress({ status: 200, body });
    const event = click();
    await expect(ws.handle(event.payload)).resolves.toEqual(body);
    expect(seen).toEqual([event.eventId]);
    expect(await metrics.render()).toMatch(/larkbot_events_received_total\{type="card.action.trigger",path="ws"\} 1/);
  });

  it('acks a message event with no data', async () => {
    const { ws } = ingress({ status: 200, body: {} });
    await expect(ws.handle(messageEvent({ token: 'whatever' }).payload)).resolves.toBeUndefined();
  });

  it('throws for a 5xx so the ack says 500 and Lark re-pushes', async () => {
    const { ws } = ingress({ status: 503, body: { error: 'retry later' } });
    await expect(ws.handle(click().payload)).rejects.toBeInstanceOf(RetryLaterError);
  });

  it('acknowledges a 4xx (no endless re-push) and counts it', async () => {
    const { ws, metrics } = ingress({ status: 422, body: { error: 'no' } });
    await expect(ws.handle(click().payload)).resolves.toBeUndefined();
    expect(await metrics.render()).toMatch(/larkbot_events_rejected_total\{reason="unstorable",path="ws"\} 1/);
  });

  it('acknowledges a malformed envelope without dispatching it', async () => {
    const { ws, seen, metrics } = ingress({ status: 200, body: {} });
    await expect(ws.handle({ schema: '2.0', header: {} })).resolves.toBeUndefined();
    expect(seen).toEqual([]);
    expect(await metrics.render()).toMatch(/larkbot_events_rejected_total\{reason="bad_request",path="ws"\} 1/);
  });

  it('fails at start, without connecting, for an app id node-sdk would silently ignore', () => {
    const { ws } = ingress({ status: 200, body: {} }, { LARK_APP_ID: 'cli_test' });
    ws.start();
    expect(ws.connectionState).toBe('failed');
    expect(ws.isConnected()).toBe(false);
  });
});

describe('hints and scrubbing', () => {
  it.each([
    ['pullConnectConfig failed: code=514, msg=auth failed', 514, 'LARK_APP_SECRET', true],
    ['pullConnectConfig failed: code=1000040350, msg=exceed conn limit', 1000040350, 'too many long connections', true],
    ['pullConnectConfig failed: code=403, msg=forbidden', 403, 'developer console', true],
    ['pullConnectConfig failed: code=1, msg=system busy', 1, 'did not open', false],
    ['WebSocket reconnect exhausted after 3 attempts', undefined, 'reconnects used up', false],
  ])('%s', (message, code, hint, final) => {
    const found = fatalConnectionHint(message);
    expect(found.code).toBe(code);
    expect(found.hint).toContain(hint);
    expect(found.final).toBe(final);
  });

  it('scrubs the ticket of an endpoint URL', () => {
    expect(scrubTicket('ws url: wss://x/ws?device_id=1&ticket=abc123&service_id=2')).toBe('ws url: wss://x/ws?device_id=1&ticket=[redacted]&service_id=2');
  });
});
