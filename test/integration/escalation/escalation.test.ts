import supertest from 'supertest';
import { describe, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import type { FakeMessage } from '../../fakes/lark-server.js';
import { appStackForTest, memoryLogger, type AppStack } from '../../helpers/app-stack.js';
import { cardActionEvent } from '../../helpers/lark-signing.js';
import { itemIdOf, postJson, waitForCardShowing, waitForCardWith } from '../../helpers/sources.js';
import { waitFor } from '../../helpers/wait.js';

const TOKEN = 'escalation-error-token-0123';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const ALICE = { open_id: 'ou_esc_alice000000000000000000001', name: 'Alice Chen', email: 'alice@example.com' };
const BOB = { open_id: 'ou_esc_bob00000000000000000000002', name: 'Bob Li', mobile: '+8613011112222' };
/** 0.05 min = 3 s: long enough to acknowledge first, short enough for a test. */
const env = {
  ERROR_API_TOKEN: TOKEN,
  ESCALATION_LEVELS: 'P0',
  ESCALATION_MINUTES: '0.05',
  ESCALATION_KIND: 'phone',
  ONCALL: `${ALICE.email},${BOB.mobile},ghost@example.com`,
};

async function stackWithPeople(context: Parameters<typeof appStackForTest>[0], label: string, extraEnv: Record<string, string> = {}): Promise<AppStack> {
  const stack = await appStackForTest(context, label, { env: { ...env, ...extraEnv } });
  stack.lark.addUser(ALICE);
  stack.lark.addUser(BOB);
  return stack;
}

async function card(stack: AppStack, message: string, level = 'P0'): Promise<FakeMessage> {
  await postJson(stack, '/api/errors', { service: 'pay', message, level }, AUTH);
  return waitForCardWith(stack, message);
}

const urgents = (stack: AppStack, messageId: string) => stack.lark.getMessage(messageId)?.urgents ?? [];
const escalated = (stack: AppStack, messageId: string, timeoutMs = 15_000) =>
  waitFor(() => stack.lark.repliesTo(messageId).find((m) => m.content.includes('Escalated')), `the escalation of ${messageId}`, timeoutMs);

describe.concurrent('escalation (Lark urgent)', () => {
  it('an unacknowledged P0 gets one urgent of the configured kind, no earlier than the delay, to everyone known, and one thread line', async (context) => {
    const { expect } = context;
    const stack = await stackWithPeople(context, 'esc-fires');
    const posted = await card(stack, 'Checkout down');
    const line = await escalated(stack, posted.message_id);
    await stack.jobs.waitFor('deliver', { name: 'escalate' });
    const [urgent, ...more] = urgents(stack, posted.message_id);
    expect(more).toHaveLength(0);
    expect(urgent?.kind).toBe('phone');
    expect(urgent?.user_ids.sort()).toEqual([ALICE.open_id, BOB.open_id].sort());
    expect((urgent?.at ?? 0) - posted.create_time).toBeGreaterThanOrEqual(2_900);
    expect(line.content).toContain('Alice Chen');
    expect(line.content).toContain('Bob Li');
    expect(line.content).toContain('ghost@example.com');
    expect(stack.lark.repliesTo(posted.message_id).filter((m) => m.content.includes('Escalated'))).toHaveLength(1);
    await waitForCardShowing(stack, posted.message_id, 'Escalated at');
  });

  it('never escalates what was acknowledged by a button or a command, nor a P2; a P0 left alone does', async (context) => {
    const { expect } = context;
    const stack = await stackWithPeople(context, 'esc-cancel');
    const byButton = await card(stack, 'Acked by button');
    const byCommand = await card(stack, 'Acked by command');
    const low = await card(stack, 'Only a P2', 'P2');
    const click = await stack.postEvent(cardActionEvent({ messageId: byButton.message_id, value: { action: 'ack', issue: itemIdOf(byButton) }, operatorOpenId: ALICE.open_id }).payload);
    expect(JSON.stringify(click.json)).toContain('Acknowledged');
    const { messageEvent } = await import('../../helpers/lark-signing.js');
    const said = messageEvent({ text: 'ack', mentions: [], senderOpenId: ALICE.open_id, rootId: byCommand.message_id });
    stack.lark.addIncomingMessage({ chat_id: byCommand.chat_id, message_id: said.messageId, root_id: byCommand.message_id, parent_id: byCommand.message_id });
    await stack.postEvent(said.payload);
    await waitForCardShowing(stack, byCommand.message_id, 'Acknowledged by Alice Chen');
    // The positive signal: a P0 posted after them, left alone, escalates (so theirs were due before it).
    const sentinel = await card(stack, 'Nobody looks at this');
    await escalated(stack, sentinel.message_id);
    for (const quiet of [byButton, byCommand, low]) expect(urgents(stack, quiet.message_id)).toHaveLength(0);
  });

  it('a Guance issue acknowledged in Guance does not escalate: the job asks Guance first', async (context) => {
    const { expect } = context;
    const stack = await stackWithPeople(context, 'esc-guance');
    const issue = stack.guance.createIssue({ name: 'Guance P0 issue', level: 'P0' });
    const watched = stack.guance.createIssue({ name: 'Guance P0 left alone', level: 'P0' });
    const posted = await waitForCardWith(stack, issue.uuid);
    const other = await waitForCardWith(stack, watched.uuid);
    stack.guance.setStatus(issue.uuid, 15, 'Carol');
    await escalated(stack, other.message_id);
    expect(urgents(stack, posted.message_id)).toHaveLength(0);
  });

  it('two steps: the second fires only while still unacknowledged; a refused urgent is said in the thread', async (context) => {
    const { expect } = context;
    const stack = await stackWithPeople(context, 'esc-steps', { ESCALATION_STEPS: `0.05 app ${ALICE.email}; 0.1 phone ${BOB.mobile}` });
    const both = await card(stack, 'Two steps unacked');
    const first = await card(stack, 'Acked after step one');
    await escalated(stack, first.message_id);
    await stack.postEvent(cardActionEvent({ messageId: first.message_id, value: { action: 'ack', issue: itemIdOf(first) }, operatorOpenId: ALICE.open_id }).payload);
    await waitForCardShowing(stack, first.message_id, 'Acknowledged by Alice Chen');
    await waitFor(() => (urgents(stack, both.message_id).length === 2 ? true : undefined), 'both steps on the unacknowledged card');
    expect(urgents(stack, both.message_id).map((u) => u.kind)).toEqual(['app', 'phone']);
    expect(urgents(stack, first.message_id).map((u) => u.kind)).toEqual(['app']);

    stack.lark.failNext(/urgent_app/, { kind: 'status', status: 400, code: 230023, msg: 'The number of unread urgent messages exceeds the limit' });
    const refused = await card(stack, 'Urgent refused');
    const line = await escalated(stack, refused.message_id);
    expect(line.content).toContain('230023');
  });

  it('two replicas and a restart while pending: exactly one urgent', async (context) => {
    const { expect } = context;
    const stack = await stackWithPeople(context, 'esc-replicas');
    const replica = buildApp(stack.config, { log: memoryLogger(stack.config).log });
    await replica.start();
    try {
      await waitFor(async () => (await supertest(replica.http).get('/readyz')).status === 200, 'the replica');
      const posted = await card(stack, 'Seen by two replicas');
      // The first process goes away while the escalation is pending; the replica (same Redis) fires it once.
      await stack.app.stop();
      await escalated(stack, posted.message_id);
      const sentinel = await supertest(replica.http).post('/api/errors').set(AUTH).send({ service: 'pay', message: 'After the restart', level: 'P0' });
      expect(sentinel.status).toBe(202);
      const after = await waitForCardWith(stack, 'After the restart');
      await escalated(stack, after.message_id);
      expect(urgents(stack, posted.message_id)).toHaveLength(1);
    } finally {
      await replica.stop();
    }
  });
});
