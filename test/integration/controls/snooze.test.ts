import { describe, it } from 'vitest';
import type { FakeMessage } from '../../fakes/lark-server.js';
import { CHAT, appStackForTest, type AppStack } from '../../helpers/app-stack.js';
import { cardActionEvent } from '../../helpers/lark-signing.js';
import { itemIdOf, postJson, waitForCardShowing, waitForCardWith } from '../../helpers/sources.js';
import { waitFor } from '../../helpers/wait.js';

const TOKEN = 'snooze-error-token-0123';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const ALICE = { open_id: 'ou_snz_alice000000000000000000001', name: 'Alice Chen', email: 'alice@example.com' };
/** Escalation after 3 s, a snooze preset of 6 s (0.1 min). */
const env = { ERROR_API_TOKEN: TOKEN, ESCALATION_MINUTES: '0.05', ONCALL: ALICE.email, SNOOZE_PRESETS_MINUTES: '0.1,60' };

async function card(stack: AppStack, message: string): Promise<FakeMessage> {
  await postJson(stack, '/api/errors', { service: 'pay', message, level: 'P0' }, AUTH);
  return waitForCardWith(stack, message);
}
const click = (stack: AppStack, posted: FakeMessage, action: string, extra: { option?: string } = {}) =>
  stack.postEvent(cardActionEvent({ messageId: posted.message_id, value: { action, issue: itemIdOf(posted) }, operatorOpenId: ALICE.open_id, ...extra }).payload);
const resurfaced = (stack: AppStack, title: string) =>
  stack.lark.messages.filter((m) => m.chat_id === CHAT && m.msg_type === 'text' && !m.root_id && m.content.includes(title));

describe.concurrent('snooze', () => {
  it('shows on the card, holds escalation, and at expiry re-surfaces once in the main stream and escalation resumes', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'snooze', { env });
    stack.lark.addUser(ALICE);
    const posted = await card(stack, 'Snoozed checkout alert');
    expect(posted.content).toContain('"tag":"select_static"');
    const answer = await click(stack, posted, 'snooze', { option: '0.1' });
    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer.json)).toContain('Snoozed for 0.1 min');
    await waitForCardShowing(stack, posted.message_id, 'Snoozed until');
    // Re-surface: one text message in the chat's main stream that mentions whoever snoozed it.
    const message = await waitFor(() => resurfaced(stack, 'Snoozed checkout alert')[0], 'the re-surface message', 15_000);
    expect(message.content).toContain(`<at user_id=\\"${ALICE.open_id}\\">`);
    // Escalation was held during the snooze (3 s < 6 s) and starts again afterwards.
    const urgentAt = await waitFor(() => stack.lark.getMessage(posted.message_id)?.urgents[0]?.at, 'the urgent after the snooze', 15_000);
    expect(urgentAt).toBeGreaterThan(message.create_time);
    expect(resurfaced(stack, 'Snoozed checkout alert')).toHaveLength(1);
    expect(stack.lark.getMessage(posted.message_id)?.urgents).toHaveLength(1);
  });

  it('acknowledged during the snooze: no re-surface; an unknown preset changes nothing', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'snooze-ack', { env });
    stack.lark.addUser(ALICE);
    const acked = await card(stack, 'Snoozed then acknowledged');
    const alone = await card(stack, 'Snoozed and left alone');
    const bad = await click(stack, acked, 'snooze', { option: '17' });
    expect(JSON.stringify(bad.json)).toContain('Invalid button');
    await click(stack, acked, 'snooze', { option: '0.1' });
    await click(stack, alone, 'snooze', { option: '0.1' });
    await click(stack, acked, 'ack');
    await waitForCardShowing(stack, acked.message_id, 'Acknowledged by Alice Chen');
    // The positive signal: the other snooze (same length, set just after) re-surfaces.
    await waitFor(() => resurfaced(stack, 'Snoozed and left alone')[0], 'the other re-surface', 15_000);
    expect(resurfaced(stack, 'Snoozed then acknowledged')).toHaveLength(0);
    expect(stack.lark.getMessage(acked.message_id)?.urgents).toHaveLength(0);
  });
});
