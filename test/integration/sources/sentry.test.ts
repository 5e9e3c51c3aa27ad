import { describe, it } from 'vitest';
import { CHAT, appStackForTest } from '../../helpers/app-stack.js';
import { cardsWith, fixtureJson, fixtureText, postJson, sentrySignature, waitForCardShowing, waitForCardWith } from '../../helpers/sources.js';

const SECRET = 'test-client-secret-0123456789abcdef';
const PATH = '/webhooks/sentry';

interface Vector {
  client_secret: string;
  vector_non_ascii: { raw_body: string; sentry_hook_signature: string };
}

function signed(rawBody: string, resource: string, requestId: string, secret = SECRET): Record<string, string> {
  return {
    'Sentry-Hook-Resource': resource,
    'Sentry-Hook-Timestamp': String(Math.floor(Date.now() / 1000)),
    'Request-ID': requestId,
    'Sentry-Hook-Signature': sentrySignature(secret, rawBody),
  };
}

describe.concurrent('POST /webhooks/sentry', () => {
  it('verifies the non-ASCII vector over the raw bytes and posts one card; a retry with a new Request-ID is the same card', async (context) => {
    const { expect } = context;
    const vector = fixtureJson<Vector>('sentry/issue-created-signature-vector.CONSTRUCTED.json');
    const stack = await appStackForTest(context, 'sentry-vector', { env: { SENTRY_CLIENT_SECRET: vector.client_secret } });
    const { raw_body: raw, sentry_hook_signature: signature } = vector.vector_non_ascii;
    const headers = { 'Sentry-Hook-Resource': 'issue', 'Sentry-Hook-Signature': signature };
    expect((await postJson(stack, PATH, raw, { ...headers, 'Request-ID': 'aaaa' })).status).toBe(202);
    expect((await postJson(stack, PATH, raw, { ...headers, 'Request-ID': 'bbbb' })).status).toBe(202);
    const card = await waitForCardWith(stack, 'ReferenceError: 变量 blooopy 未定义');
    expect(card.content).toContain('FRONT-END-9');
    // Sentinel: another issue gets its card; the first is still one card.
    const other = fixtureText('sentry/integration-issue-resolved.json').replace('"resolved"', '"created"');
    await postJson(stack, PATH, other, { ...signed(other, 'issue', 'cccc', vector.client_secret) });
    await waitForCardWith(stack, 'program has entered an invalid state');
    expect(cardsWith(stack, 'blooopy')).toHaveLength(1);
  });

  it('refuses a missing or wrong signature (and the unsignable legacy plugin) with no effect; the signed request afterwards works', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'sentry-refuse', { env: { SENTRY_CLIENT_SECRET: SECRET } });
    const raw = fixtureText('sentry/integration-issue-created.docs.json');
    expect((await postJson(stack, PATH, raw, { 'Sentry-Hook-Resource': 'issue' })).status).toBe(401);
    expect((await postJson(stack, PATH, raw, signed(raw, 'issue', 'r1', 'another-secret'))).status).toBe(401);
    expect((await postJson(stack, PATH, fixtureText('sentry/legacy-webhooks-plugin-python-exception.json'))).status).toBe(401);
    const notJson = '{"action":';
    expect((await postJson(stack, PATH, notJson, signed(notJson, 'issue', 'r2'))).status).toBe(400);
    const noId = JSON.stringify({ action: 'created', data: { issue: { title: 'no id' } } });
    const refused = await postJson(stack, PATH, noId, signed(noId, 'issue', 'r3'));
    expect(refused.status).toBe(422);
    expect(String(refused.json.error)).toContain('data.issue.id');
    expect((await postJson(stack, PATH, raw, signed(raw, 'issue', 'r4'))).status).toBe(202);
    await waitForCardWith(stack, 'ReferenceError: blooopy is not defined');
    expect(stack.jobs.list('inbound', { name: 'ingest-notification' })).toHaveLength(1);
  });

  it('issue.resolved patches its card to resolved; two events of one issue are one card seen twice; the legacy plugin is carded', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'sentry-lifecycle');
    const created = fixtureJson('sentry/integration-issue-resolved.json') as { action: string; data: { issue: Record<string, unknown> } };
    const createdBody = JSON.stringify({ ...created, action: 'created', data: { issue: { ...created.data.issue, status: 'unresolved' } } });
    await postJson(stack, PATH, createdBody, { 'Sentry-Hook-Resource': 'issue' });
    const card = await waitForCardWith(stack, 'program has entered an invalid state');
    await postJson(stack, PATH, fixtureText('sentry/integration-issue-resolved.json'), { 'Sentry-Hook-Resource': 'issue' });
    const resolved = await waitForCardShowing(stack, card.message_id, '"template":"green"');
    expect(resolved).toContain('Resolved');
    expect(resolved).toContain('Reopen');

    // The legacy plugin (no secret configured) is accepted: its body becomes a card too.
    await postJson(stack, PATH, fixtureText('sentry/legacy-webhooks-plugin-python-exception.json'));
    const event = fixtureText('sentry/integration-event_alert-triggered.json');
    await postJson(stack, PATH, event, { 'Sentry-Hook-Resource': 'event_alert' });
    const alertCard = await waitForCardWith(stack, 'Custom exception!');
    expect(alertCard.content).toContain('Open in Sentry');
    const eventId = (JSON.parse(event) as { data: { event: { event_id: string } } }).data.event.event_id;
    const second = event.replaceAll(eventId, 'f'.repeat(32));
    await postJson(stack, PATH, second, { 'Sentry-Hook-Resource': 'event_alert' });
    await waitForCardShowing(stack, alertCard.message_id, 'Seen 2 times');
    expect(cardsWith(stack, 'Custom exception!')).toHaveLength(1);
    expect(stack.lark.cardsIn(CHAT).length).toBeGreaterThanOrEqual(2);
  });
});
