import { describe, it } from 'vitest';
import { startStack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = 'e2e-escalation-token-0123';
const ALICE = { open_id: 'ou_e2e_alice00000000000000000001', name: 'Alice', email: 'alice@example.com' };

describe('escalation across a kill', () => {
  it('a SIGKILL while an escalation is pending neither loses nor doubles it', { timeout: 90_000 }, async (context) => {
    const { expect } = context;
    const stack = await startStack('esc-kill', {
      env: { ERROR_API_TOKEN: TOKEN, ESCALATION_LEVELS: 'P0', ESCALATION_MINUTES: '0.1', ESCALATION_KIND: 'app', ONCALL: ALICE.email },
    });
    context.onTestFinished(() => stack.close());
    stack.lark.addUser(ALICE);
    const first = await stack.startBot();
    const post = (url: string, message: string) =>
      fetch(`${url}/api/errors`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ service: 'pay', message, level: 'P0' }) });
    expect((await post(first.url, 'Pending when killed')).status).toBe(202);
    const card = await waitFor(() => stack.lark.cardsIn('oc_test_chat').find((m) => m.content.includes('Pending when killed')), 'the card');
    await first.kill();
    expect(card.urgents).toHaveLength(0);
    const second = await stack.startBot();
    // The delayed job survived in Redis: the new process fires it once, six seconds after the card.
    await waitFor(() => (card.urgents.length > 0 ? true : undefined), 'the urgent', 30_000);
    await post(second.url, 'Sentinel after the kill');
    const sentinel = await waitFor(() => stack.lark.cardsIn('oc_test_chat').find((m) => m.content.includes('Sentinel after the kill')), 'the sentinel card');
    await waitFor(() => (sentinel.urgents.length > 0 ? true : undefined), 'the sentinel urgent', 30_000);
    expect(card.urgents).toHaveLength(1);
    expect(card.urgents[0]?.user_ids).toEqual([ALICE.open_id]);
    expect(stack.lark.repliesTo(card.message_id).filter((m) => m.content.includes('Escalated'))).toHaveLength(1);
  });
});
