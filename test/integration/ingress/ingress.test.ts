import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppStack, type AppStack } from '../../helpers/app-stack.js';
import {
  cardActionEvent,
  encryptPayload,
  legacyCardCallback,
  messageEvent,
  signEvent,
  signLegacyCard,
} from '../../helpers/lark-signing.js';
import { jobsIn } from '../../helpers/queues.js';
import { waitFor } from '../../helpers/wait.js';

const ENCRYPT_KEY = 'e2e-encrypt-key-0123456789';
const TOKEN = 'test-verification-token';
let stack: AppStack;

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/lark/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

async function post(path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const answer = await stack.post(path, body, headers);
  return { status: answer.status, json: 'text' in answer.json && Object.keys(answer.json).length === 1 ? answer.json.text : answer.json };
}

/** Encrypts and signs like Lark does. */
function sealed(payload: unknown, options: { timestamp?: string; key?: string } = {}) {
  const body = encryptPayload(payload, options.key ?? ENCRYPT_KEY);
  return { body, headers: { ...signEvent(body, ENCRYPT_KEY, options.timestamp) } };
}

/** Every job the ingress queued: messages on "inbound", card clicks on "clicks". */
const inboundIds = async () =>
  [...(await jobsIn(stack.prefix, 'inbound')), ...(await jobsIn(stack.prefix, 'clicks'))].map((job) => job.id).sort();

beforeAll(async () => {
  stack = await startAppStack('ingress', { env: { LARK_ENCRYPT_KEY: ENCRYPT_KEY, LARK_VERIFICATION_TOKEN: TOKEN } });
});

afterAll(async () => {
  await stack?.close();
});

describe('POST /lark/events (encrypt key and verification token set)', () => {
  it('answers the plain and the encrypted URL verification', async () => {
    expect(await post('/lark/events', JSON.stringify({ type: 'url_verification', challenge: 'c-plain', token: TOKEN }))).toEqual({
      status: 200,
      json: { challenge: 'c-plain' },
    });
    const encrypted = encryptPayload({ type: 'url_verification', challenge: 'c-sealed', token: TOKEN }, ENCRYPT_KEY);
    expect(await post('/lark/events', encrypted)).toEqual({ status: 200, json: { challenge: 'c-sealed' } });
    expect((await post('/lark/events', JSON.stringify({ type: 'url_verification', challenge: 'x', token: 'wrong' }))).status).toBe(401);
  });

  it('queues a signed, encrypted message once however often it is delivered', async () => {
    const { payload, messageId } = messageEvent({ token: TOKEN });
    for (let i = 0; i < 3; i += 1) {
      const { body, headers } = sealed(payload);
      expect(await post('/lark/events', body, headers)).toEqual({ status: 200, json: {} });
    }
    // Lark may also re-deliver the same message under a new event id.
    const again = structuredClone(payload) as { header: { event_id: string } };
    again.header.event_id = 'another-event-id';
    const { body, headers } = sealed(again);
    expect((await post('/lark/events', body, headers)).status).toBe(200);

    await stack.waitForLog((l) => l.message === 'message received' && l.messageId === messageId, 'the worker to handle it');
    const jobs = (await inboundIds()).filter((id) => id?.includes(messageId));
    expect(jobs).toEqual([`msg-${messageId}`]);
    await new Promise((r) => setTimeout(r, 300));
    // Lark is unreachable in this suite, so the job itself may be retried; it is one job, started once first.
    expect(stack.logs.filter((l) => l.message === 'message received' && l.messageId === messageId && l.attempt === 1)).toHaveLength(1);
  });

  it('accepts the constructed doc vector (signature over the raw bytes, old timestamp logged)', async () => {
    const vector = fixture('event-im.message.receive_v1.encrypted-signed.CONSTRUCTED.json') as {
      encrypt_key: string;
      headers: Record<string, string>;
      raw_body: string;
    };
    // The vector is signed with its own key; a bot configured with it accepts the exact bytes.
    const other = await startAppStack('ingress-vector', { env: { LARK_ENCRYPT_KEY: vector.encrypt_key } });
    try {
      expect((await other.post('/lark/events', vector.raw_body, vector.headers)).status).toBe(200);
      await other.waitForLog((l) => l.message === 'Lark request timestamp is far from now (accepted)', 'the skew warning');
      const tampered = await other.post('/lark/events', vector.raw_body.replace('{"encrypt"', '{ "encrypt"'), vector.headers);
      expect(tampered.status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('rejects what it cannot verify or read, and queues none of it', async () => {
    const before = await inboundIds();
    const { payload } = messageEvent({ token: TOKEN });
    const { body, headers } = sealed(payload);
    const { 'x-lark-signature': _sig, ...unsigned } = headers;
    expect((await post('/lark/events', body, unsigned)).status).toBe(401);
    expect((await post('/lark/events', body, { ...headers, 'x-lark-signature': 'ab'.repeat(32) })).status).toBe(401);
    expect((await post('/lark/events', body, { ...headers, 'x-lark-request-nonce': 'changed' })).status).toBe(401);

    const wrongToken = sealed(messageEvent({ token: 'not-the-token' }).payload);
    expect((await post('/lark/events', wrongToken.body, wrongToken.headers)).status).toBe(401);

    const malformed = '{"schema": "2.0", ';
    expect((await post('/lark/events', malformed, signEvent(malformed, ENCRYPT_KEY))).status).toBe(400);

    const garbage = JSON.stringify({ encrypt: Buffer.alloc(64, 3).toString('base64') });
    expect((await post('/lark/events', garbage, signEvent(garbage, ENCRYPT_KEY))).status).toBe(400);
    const notAnEnvelope = encryptPayload('just a string', ENCRYPT_KEY);
    expect((await post('/lark/events', notAnEnvelope, signEvent(notAnEnvelope, ENCRYPT_KEY))).status).toBe(400);
    const wrongKey = sealed(payload, { key: 'some other key' });
    expect((await post('/lark/events', wrongKey.body, wrongKey.headers)).status).toBe(400);

    const huge = JSON.stringify({ encrypt: 'A'.repeat(1024 * 1024 + 10) });
    expect((await post('/lark/events', huge, signEvent(huge, ENCRYPT_KEY))).status).toBe(413);

    const missingFields = sealed({ schema: '2.0', header: { event_id: 'e-x', event_type: 'im.message.receive_v1', token: TOKEN }, event: {} });
    expect((await post('/lark/events', missingFields.body, missingFields.headers)).status).toBe(400);

    const unknown = sealed({ schema: '2.0', header: { event_id: 'e-unknown', event_type: 'contact.user.created_v3', token: TOKEN }, event: {} });
    expect(await post('/lark/events', unknown.body, unknown.headers)).toEqual({ status: 200, json: {} });

    expect(await inboundIds()).toEqual(before);
    expect((await stack.request.get('/healthz')).status).toBe(200);
  });

  it('queues card.action.trigger by event id', async () => {
    const { payload, eventId } = cardActionEvent({ messageId: 'om_card_1', value: { action: 'ack', issue: `issue_${'abc1'.repeat(8)}` } });
    for (let i = 0; i < 2; i += 1) {
      const { body, headers } = sealed(payload);
      expect((await post('/lark/events', body, headers)).status).toBe(200);
    }
    await waitFor(async () => (await inboundIds()).includes(`card-${eventId}`), 'the card job');
    expect((await inboundIds()).filter((id) => id?.includes(eventId))).toHaveLength(1);
  });
});

describe('POST /lark/card (legacy callback URL)', () => {
  it('answers its URL verification', async () => {
    const challenge = { ...fixture('callback-card-legacy-url_verification.json'), token: TOKEN } as { challenge: string; token: string };
    expect(await post('/lark/card', JSON.stringify(challenge))).toEqual({ status: 200, json: { challenge: challenge.challenge } });
  });

  it('checks the SHA-1 signature and queues valid callbacks once', async () => {
    const before = await inboundIds();
    const body = JSON.stringify(legacyCardCallback({ messageId: 'om_legacy_1', value: { action: 'resolve', issue: `issue_${'abc1'.repeat(8)}` } }));
    expect((await post('/lark/card', body, { 'content-type': 'application/json' })).status).toBe(401);
    expect((await post('/lark/card', body, { ...signLegacyCard(body, 'wrong-token') })).status).toBe(401);
    expect(await inboundIds()).toEqual(before);

    const headers = signLegacyCard(body, TOKEN);
    expect((await post('/lark/card', body, headers)).status).toBe(200);
    expect((await post('/lark/card', body, signLegacyCard(body, TOKEN))).status).toBe(200);
    await waitFor(async () => (await inboundIds()).length === before.length + 1, 'one legacy card job');
    await stack.waitForLog((l) => l.message === 'card action received' && l.style === 'legacy', 'the worker to see it');
  });
});

describe('metrics', () => {
  it('GET /metrics answers Prometheus text with the ingress counters and the budget gauges', async () => {
    const response = await stack.request.get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    const text = response.text;
    expect(text).toMatch(/^# TYPE larkbot_events_received_total counter$/m);
    expect(text).toMatch(/^larkbot_events_received_total\{[^}]*type="im.message.receive_v1"[^}]*\} \d+$/m);
    expect(text).toMatch(/^larkbot_events_rejected_total\{[^}]*reason="verification"[^}]*\} \d+$/m);
    expect(text).toMatch(/^larkbot_guance_budget_limit 20$/m);
  });
});

describe('logs', () => {
  it('never contain a secret (every stack also checks this when it closes: test/helpers/log-secrets.ts)', () => {
    const text = JSON.stringify(stack.logs);
    for (const secret of [ENCRYPT_KEY, TOKEN, stack.config.lark.appSecret, ...stack.lark.issuedTokens()]) expect(text).not.toContain(secret);
  });
});
