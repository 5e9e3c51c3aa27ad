import supertest from 'supertest';
import { describe, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { appStackForTest, memoryLogger } from '../../helpers/app-stack.js';
import { cardActionEvent } from '../../helpers/lark-signing.js';
import { cardsWith, currentCard, itemIdOf, postJson, waitForCardShowing, waitForCardWith } from '../../helpers/sources.js';
import { waitFor } from '../../helpers/wait.js';

const TOKEN = 'error-api-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const ALICE = { open_id: 'ou_alice00000000000000000000000001', name: 'Alice Chen' };

describe.concurrent('POST /api/errors', () => {
  it('is off (404) while ERROR_API_TOKEN is unset', async (context) => {
    const stack = await appStackForTest(context, 'errors-off');
    context.expect((await postJson(stack, '/api/errors', { service: 'pay', message: 'boom' }, AUTH)).status).toBe(404);
  });

  it('one card per fingerprint within the window, its count updated in place; after the window a new card', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'errors-window', { env: { ERROR_API_TOKEN: TOKEN, DEDUP_WINDOW_SECONDS: '6' } });
    expect((await postJson(stack, '/api/errors', { service: 'pay', message: 'boom' })).status).toBe(401);
    expect((await postJson(stack, '/api/errors', { service: 'pay', message: 'boom' }, { authorization: 'Bearer wrong' })).status).toBe(401);
    const refused = await postJson(stack, '/api/errors', { message: 'no service' }, AUTH);
    expect(refused.status).toBe(422);
    expect(String(refused.json.error)).toContain('service');

    const report = { service: 'pay-api', message: 'NullPointerException in charge()', level: 'error', environment: 'prod', url: 'https://logs.example.test/e/1' };
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => postJson(stack, '/api/errors', report, AUTH)));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    const card = await waitForCardWith(stack, 'NullPointerException in charge()');
    expect(card.content).toContain('Open report');
    await waitForCardShowing(stack, card.message_id, 'Seen 5 times');
    expect(cardsWith(stack, 'NullPointerException')).toHaveLength(1);

    // A sender's retry of one report (same Idempotency-Key) counts once.
    await postJson(stack, '/api/errors', report, { ...AUTH, 'idempotency-key': 'report-6' });
    await postJson(stack, '/api/errors', report, { ...AUTH, 'idempotency-key': 'report-6' });
    await postJson(stack, '/api/errors', { service: 'pay-api', message: 'Another error' }, AUTH);
    await waitForCardWith(stack, 'Another error');
    await waitForCardShowing(stack, card.message_id, 'Seen 6 times');
    expect(stack.jobs.list('inbound', { name: 'ingest-notification' })).toHaveLength(7);
    // Past the window (6 s from when the first report was taken, which is before its card was sent), the same
    // error opens a new card.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, card.create_time + 6_100 - Date.now())));
    await postJson(stack, '/api/errors', report, AUTH);
    await waitFor(() => cardsWith(stack, 'NullPointerException').length === 2, 'a second card after the window');
    expect(cardsWith(stack, 'NullPointerException')).toHaveLength(2);
  });

  it('Acknowledge and Resolve work on its card: the state is the bot’s, shown with who and when, and said in the thread', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'errors-buttons', { env: { ERROR_API_TOKEN: TOKEN } });
    stack.lark.addUser(ALICE);
    await postJson(stack, '/api/errors', { service: 'search', message: 'Index shard unavailable', level: 'fatal' }, AUTH);
    const card = await waitForCardWith(stack, 'Index shard unavailable');
    expect(card.content).toContain('"template":"red"');
    const issue = itemIdOf(card);
    const ack = await stack.postEvent(cardActionEvent({ messageId: card.message_id, value: { action: 'ack', issue }, operatorOpenId: ALICE.open_id }).payload);
    expect(ack.status).toBe(200);
    expect(JSON.stringify(ack.json)).toContain('Acknowledged');
    await waitForCardShowing(stack, card.message_id, 'Acknowledged by Alice Chen');
    await waitFor(() => stack.lark.repliesTo(card.message_id).find((m) => m.content.includes('Alice Chen')), 'the thread line');
    const resolve = await stack.postEvent(cardActionEvent({ messageId: card.message_id, value: { action: 'resolve', issue }, operatorOpenId: ALICE.open_id }).payload);
    expect(resolve.status).toBe(200);
    const resolved = await waitForCardShowing(stack, card.message_id, 'Resolved by Alice Chen');
    expect(resolved).toContain('Reopen');
    // Nothing of it went to Guance: the state is the bot's own.
    expect(stack.guance.requests.filter((r) => r.path.includes('/modify') || r.path.includes('/reply/create'))).toHaveLength(0);
    expect(currentCard(stack, card.message_id)).toContain('"template":"green"');
  });

  it('a restart between two repeats keeps the dedupe: the repeat updates the card the first process posted', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'errors-restart', { env: { ERROR_API_TOKEN: TOKEN } });
    const report = { service: 'billing', message: 'Invoice render failed' };
    await postJson(stack, '/api/errors', report, AUTH);
    const card = await waitForCardWith(stack, 'Invoice render failed');
    await stack.app.stop();
    const again = buildApp(stack.config, { log: memoryLogger(stack.config).log });
    await again.start();
    try {
      await waitFor(async () => (await supertest(again.http).get('/readyz')).status === 200, 'the second process to be ready');
      const answer = await supertest(again.http).post('/api/errors').set(AUTH).send(report);
      expect(answer.status).toBe(202);
      await waitForCardShowing(stack, card.message_id, 'Seen 2 times');
      expect(cardsWith(stack, 'Invoice render failed')).toHaveLength(1);
    } finally {
      await again.stop();
    }
  });
});
