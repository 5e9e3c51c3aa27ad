import { describe, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { CHAT, appStackForTest, memoryLogger } from '../../helpers/app-stack.js';
import { cardActionEvent } from '../../helpers/lark-signing.js';
import { itemIdOf, postJson, waitForCardShowing, waitForCardWith } from '../../helpers/sources.js';
import { waitFor } from '../../helpers/wait.js';

const TOKEN = 'digest-error-token-0123';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const ALICE = { open_id: 'ou_digest_alice00000000000000001', name: 'Alice Chen' };

describe('daily digest (DIGEST_CRON)', () => {
  it('posts one card per chat per day across two replicas and many ticks; its buttons acknowledge the issues it lists', async (context) => {
    const { expect } = context;
    // The schedule starts only once the issue's card exists (a digest is once per chat and day, so one posted before
    // the card would list nothing): the stack runs without DIGEST_CRON, then two replicas with it join, race to
    // upsert the schedule and tick every two seconds.
    const stack = await appStackForTest(context, 'digest', { env: { ERROR_API_TOKEN: TOKEN } });
    stack.lark.addUser(ALICE);
    await postJson(stack, '/api/errors', { service: 'search', message: 'Index lagging', level: 'P1' }, AUTH);
    const card = await waitForCardWith(stack, 'Index lagging');
    const withDigest = { ...stack.config, digestCron: '*/2 * * * * *' };
    const replicas = [buildApp(withDigest, { log: memoryLogger(withDigest).log }), buildApp(withDigest, { log: memoryLogger(withDigest).log })];
    await Promise.all(replicas.map((replica) => replica.start()));
    try {
      await stack.jobs.waitFor('schedule', { name: 'daily-digest', count: 3 }, 15_000);
      const digests = () => stack.lark.cardsIn(CHAT).filter((m) => m.content.includes('Daily digest'));
      await waitFor(() => digests().length > 0 || undefined, 'the digest card');
      expect(digests()).toHaveLength(1);
      const digest = digests()[0]!;
      expect(digest.content).toContain('1 open, 1 not acknowledged');
      expect(digest.content).toContain('Index lagging');

      const issue = itemIdOf(card);
      const click = await stack.postEvent(cardActionEvent({ messageId: digest.message_id, value: { action: 'ack', issue }, operatorOpenId: ALICE.open_id }).payload);
      expect(click.status).toBe(200);
      expect(JSON.stringify(click.json)).toContain('Acknowledged');
      // A toast only: the digest stays the digest; the issue's own card changes.
      expect(click.json.card).toBeUndefined();
      await waitForCardShowing(stack, card.message_id, 'Acknowledged by Alice Chen');
      // A forged click naming an issue the digest does not list is refused.
      const forged = await stack.postEvent(
        cardActionEvent({ messageId: digest.message_id, value: { action: 'ack', issue: `error_${'0'.repeat(32)}` }, operatorOpenId: ALICE.open_id }).payload,
      );
      expect(JSON.stringify(forged.json)).toContain('Invalid button');
    } finally {
      await Promise.all(replicas.map((replica) => replica.stop()));
    }
  });
});
